"""The vmob (Plexure) merchant API sandbox: Create Points and Redemption Advice on loopback.

It follows ``seeds/vmob-loyalty-points-api.txt`` and ``contracts/vmob.md``. Where both are
silent, the choices made here are marked **assumed**:

* every route checks ``x-vmob-authorization`` against the merchant key first: 403 when it is
  missing or wrong; an unknown consumer access token is a 403 too;
* error answers are ``{"error": NAME, "message": TEXT}`` (the SDK reads two strings);
* a ``transactionId`` is kept only when its request allocated points; a request that
  allocated none may be sent again with the same id. A kept id sent again is answered as the
  :attr:`VmobApp.replay` switch says: ``409`` or ``201`` with one row of outcome 2;
* the daily point and request limits count per consumer per UTC day; a replay counts for
  neither; outcome 4 answers a request over the request limit, outcome 1 the row where the
  point limit ran out;
* a request starts on the consumer's open card instance (a new one when the last is
  complete); with ``fillMultipleCards`` it opens new instances while points remain, without
  it the rest is rejected; a new instance when the consumer has none available left is
  outcome 5 (AutoCardActivationFailed); with ``autoActivateReward`` a completed card's reward
  is activated, or outcome 6 for a consumer whose reward cannot be;
* an inactive card instance answers one row of outcome 3 and allocates nothing;
* a redemption advice identical to one received before (same text and date) is the same
  report and is kept once.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from pos_app.core.sandbox import params
from pos_app.core.sandbox.app import Exercise, Failure, Request, Response, ServiceApp
from pos_app.core.services.vmob import demo, seed

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer

__all__ = ["VmobApp"]

H_AUTH = "x-vmob-authorization"
OUTCOME_TEXT = {0: "Points issued successfuly", 1: "Daily point limit exceeded",
                2: "Transaction id invalid", 3: "Card inactive",
                4: "Daily request limit exceeded", 5: "Auto card activation failed",
                6: "Unable to auto activate reward"}
MAX_POINTS = 100_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")
REPLAY_ANSWERS = ("409", "201")


class _Fail(Failure):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(Response.json({"error": error, "message": message}, status))


class VmobApp(ServiceApp):
    """The merchant API as the cashier app sees it, with deterministic demo consumers."""

    base_path = ""
    name = "vmob"

    def __init__(self, merchant_key: str = seed.MERCHANT_KEY) -> None:
        super().__init__()
        self.merchant_key = merchant_key
        #: How a kept ``transactionId`` sent again is answered: ``"409"`` or ``"201"``.
        self.replay = "409"
        self._reset()

    # -- state -------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.cards = copy.deepcopy(seed.LOYALTY_CARDS)
        self.consumers = seed.seed_consumers(self.today())
        #: transactionId -> the answer it was given.
        self.transactions: dict[str, dict[str, Any]] = {}
        #: Redemption advice received: ``"text|date"`` -> body.
        self.advice: dict[str, dict[str, Any]] = {}

    def today(self) -> str:
        return dt.datetime.now(dt.UTC).date().isoformat()

    def dump(self) -> dict[str, Any]:
        return {"consumers": self.consumers, "transactions": self.transactions,
                "advice": self.advice, "replay": self.replay}

    def restore(self, data: dict[str, Any]) -> None:
        consumers = {str(k): dict(v) for k, v in dict(data["consumers"]).items()}
        for consumer in consumers.values():
            if not isinstance(consumer["instances"], list):
                raise TypeError("instances must be a list")
            int(consumer["pointsToday"]), int(consumer["requestsToday"])
        replay = str(data.get("replay", "409"))
        if replay not in REPLAY_ANSWERS:
            raise ValueError("unknown replay answer")
        self.consumers = copy.deepcopy(consumers)
        self.transactions = copy.deepcopy(dict(data.get("transactions") or {}))
        self.advice = copy.deepcopy(dict(data.get("advice") or {}))
        self.replay = replay

    def info(self) -> dict[str, Any]:
        with self.lock:
            cards = [{"code": token, "kind": "points", "holder": c["holder"],
                      "label": demo.consumer_label(c["name"])}
                     for token, c in self.consumers.items() if c.get("name") in seed.DEMO]
        cards += [{"code": code, "kind": "coupon", "holder": "",
                   "label": demo.offer_label(code)} for code in seed.OFFERS]
        return {"merchant_key": self.merchant_key, "loyalty_card_id": seed.LOYALTY_CARD_ID,
                "replay": self.replay, "cards": cards}

    def exercise(self) -> Exercise:
        return Exercise(reads=None, writes="v3/*", spend_code=seed.DEMO["fresh"],
                        write_op=("accrue", "1"), step_actions=("redemptionAdvice",),
                        once_per_body=("redemptionAdvice",))

    def showcase(self) -> dict[str, str]:
        return {"vmob_near": seed.DEMO["near"], "vmob_daily_points": seed.DEMO["daily_points"],
                "vmob_offer": next(iter(seed.OFFERS))}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        return {"base_url": server.url, "merchant_key": self.merchant_key,
                "loyalty_card_id": seed.LOYALTY_CARD_ID, "fill_multiple_cards": True,
                "auto_activate_reward": False, "earn_rate": seed.EARN_RATE,
                "offer_pattern": seed.OFFER_PATTERN}

    # -- routing -----------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        segs = request.segments
        if not segs or segs[0] != "v3":
            raise _Fail(404, "NotFound", "No such route.")
        self._authorise(request)
        if len(segs) == 4 and segs[1] == "consumerLoyaltyCards" and segs[3] == "points":
            _allow(request, "POST")
            return self._points(segs[2], request)
        if segs[1:] == ["redemptionAdvice"]:
            _allow(request, "POST")
            return self._advice(request)
        raise _Fail(404, "NotFound", "No such route.")

    def _authorise(self, request: Request) -> None:
        given = params.header_text(request, H_AUTH) or ""
        if not secrets.compare_digest(given.encode(), self.merchant_key.encode()):
            raise _Fail(403, "Forbidden", "The merchant key is missing or not valid.")

    # -- Create Points -----------------------------------------------------------------------

    def _points(self, token: str, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "BadRequest", "The body must be a JSON object.")
        card_id = body.get("loyaltyCardId")
        requested = params.whole(body.get("pointsRequested"), high=MAX_POINTS)
        if requested is None or isinstance(body.get("pointsRequested"), str):
            raise _Fail(400, "BadRequest", "pointsRequested must be a whole number above 0.")
        tx = body.get("transactionId")
        if not isinstance(tx, str) or not tx.strip() or len(tx) > 100:
            raise _Fail(400, "BadRequest", "transactionId must be a unique string.")
        flags = {}
        for name in ("autoActivateReward", "fillMultipleCards"):
            value = body.get(name, False)
            if not isinstance(value, bool):
                raise _Fail(400, "BadRequest", f"{name} must be true or false.")
            flags[name] = value
        definition = self.cards.get(card_id) if isinstance(card_id, int) and not isinstance(
            card_id, bool) else None
        if definition is None or not definition["isActive"]:
            raise _Fail(400, "BadRequest",
                        "loyaltyCardId is not a valid, published and active loyalty card.")
        consumer = self.consumers.get(token)
        if consumer is None:
            raise _Fail(403, "Forbidden", "The access token is not a valid consumer token.")
        if tx in self.transactions:
            return self._replayed(card_id, consumer)
        self._roll_day(consumer)
        rows = self._allocate(consumer, definition, requested,
                             auto=flags["autoActivateReward"], fill=flags["fillMultipleCards"])
        allocated = sum(r["pointsAllocated"] for r in rows)
        result = {"loyaltyCardId": card_id, "pointsBalance": rows[-1]["pointsBalance"],
                  "pointsAllocated": allocated, "pointCreationSummary": rows}
        if allocated > 0:
            self.transactions[tx] = copy.deepcopy(result)
            self.record("points", token, body, result, key=tx)
        return Response.json(result, 201, changed=True)

    def _replayed(self, card_id: int, consumer: dict[str, Any]) -> Response:
        if self.replay == "409":
            raise _Fail(409, "Conflict", "The transactionId has been used before.")
        current = consumer["instances"][-1] if consumer["instances"] else None
        row = _row(current, 0, 2)
        return Response.json({"loyaltyCardId": card_id, "pointsBalance": row["pointsBalance"],
                              "pointsAllocated": 0, "pointCreationSummary": [row]}, 201)

    def _roll_day(self, consumer: dict[str, Any]) -> None:
        today = self.today()
        if consumer.get("day") != today:
            consumer.update(day=today, pointsToday=0, requestsToday=0)

    def _allocate(self, consumer: dict[str, Any], definition: dict[str, Any], requested: int,
                  *, auto: bool, fill: bool) -> list[dict[str, Any]]:
        """The summary rows of one request, applied to ``consumer``."""
        instances: list[dict[str, Any]] = consumer["instances"]
        current = instances[-1] if instances and not instances[-1]["complete"] else None
        if consumer["requestsToday"] >= definition["maxPointsRequestsPerDay"]:
            return [_row(current or (instances[-1] if instances else None), 0, 4)]
        consumer["requestsToday"] += 1
        if current is not None and not current["active"]:
            return [_row(current, 0, 3)]
        rows: list[dict[str, Any]] = []
        remaining = requested
        required = int(definition["pointsRequired"])
        while remaining > 0:
            left_today = definition["maxPointsPerDay"] - consumer["pointsToday"]
            if current is None:
                if left_today <= 0:
                    rows.append(_row(instances[-1] if instances else None, 0, 1))
                    break
                if consumer["instancesAvailable"] <= 0 and instances:
                    rows.append(_row(None, 0, 5))
                    break
                consumer["instancesAvailable"] = max(0, consumer["instancesAvailable"] - 1)
                current = {"instanceId": str(uuid.uuid4()), "pointsBalance": 0,
                           "complete": False, "active": True, "rewardActive": False}
                instances.append(current)
            give = min(required - current["pointsBalance"], remaining, max(left_today, 0))
            current["pointsBalance"] += give
            consumer["pointsToday"] += give
            remaining -= give
            outcome = 0
            if current["pointsBalance"] >= required:
                current["complete"] = True
                if auto:
                    if consumer.get("rewardFails"):
                        outcome = 6
                    else:
                        current["rewardActive"] = True
            if remaining > 0 and consumer["pointsToday"] >= definition["maxPointsPerDay"]:
                outcome = outcome or 1
                rows.append(_row(current, give, outcome))
                break
            rows.append(_row(current, give, outcome))
            if remaining > 0 and current["complete"]:
                if not fill:
                    break  # the card is full: the rest is rejected
                current = None
        return rows

    # -- Redemption Advice -------------------------------------------------------------------

    def _advice(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "BadRequest", "The body must be a JSON object.")
        text = params.text(body.get("redemptionText"), limit=200)
        if text is None:
            raise _Fail(400, "BadRequest", "redemptionText is required.")
        date = body.get("redemptionDate")
        if date is not None and not (isinstance(date, str) and _DATE.fullmatch(date)):
            raise _Fail(400, "BadRequest", "redemptionDate must be yyyy-MM-ddTHH:mm:ssZ.")
        offset = body.get("redemptionAdviceTimezoneOffset")
        if offset is not None and not (isinstance(offset, str) and _OFFSET.fullmatch(offset)):
            raise _Fail(400, "BadRequest", "redemptionAdviceTimezoneOffset must be like +12:00.")
        if body.get("externalVenueId") is not None and not isinstance(
                body.get("externalVenueSystemType"), int):
            raise _Fail(400, "BadRequest", "externalVenueSystemType is required with a venue.")
        seen = f"{text}|{date}"
        if seen not in self.advice:
            self.advice[seen] = copy.deepcopy(body)
            self.record("redemptionAdvice", text, body, {"known": text in seed.OFFERS})
            return Response(202, b"", changed=True)
        return Response(202, b"")


def _row(instance: dict[str, Any] | None, allocated: int, outcome: int) -> dict[str, Any]:
    return {"offerInstanceUniqueId": None,
            "pointsBalance": 0 if instance is None else instance["pointsBalance"],
            "pointsAllocated": allocated,
            "instanceId": None if instance is None else instance["instanceId"],
            "outcomeCode": outcome, "outcomeDescription": OUTCOME_TEXT[outcome]}


def _allow(request: Request, *methods: str) -> None:
    if request.method not in methods:
        raise _Fail(405, "MethodNotAllowed", f"Use {' or '.join(methods)}.")
