"""vmob's wire: the merchant API's two calls, its header and the meaning of its answers.

Every vmob wire name (path, header, field, outcome code) lives in this package. The routes
and fields follow ``seeds/vmob-loyalty-points-api.txt`` and ``contracts/vmob.md``; the error
body's shape is not documented, so only a ``message`` string is read from it, if any
(**assumed**).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.backends.http import Answer, ServiceHttp, segment
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    OutcomeUnknown,
    PosError,
    Refused,
)
from pos_app.core.i18n import N_, _
from pos_app.core.money import to_int

TITLE = "vmob"
H_AUTH = "x-vmob-authorization"
ROUTE_CARDS = ("v3", "consumerLoyaltyCards")
ROUTE_ADVICE = ("v3", "redemptionAdvice")
#: The only answer vmob gives a report it received (no body).
ADVICE_RECEIVED = 202

#: Create Points fields.
F_CARD = "loyaltyCardId"
F_REQUESTED = "pointsRequested"
F_TRANSACTION = "transactionId"
F_AUTO_REWARD = "autoActivateReward"
F_FILL = "fillMultipleCards"
F_BALANCE = "pointsBalance"
F_ALLOCATED = "pointsAllocated"
F_SUMMARY = "pointCreationSummary"
F_INSTANCE = "instanceId"
F_OUTCOME = "outcomeCode"
F_OUTCOME_TEXT = "outcomeDescription"
#: Redemption Advice fields.
F_TEXT = "redemptionText"
F_DATE = "redemptionDate"
F_OFFSET = "redemptionAdviceTimezoneOffset"

OUTCOME_SUCCESS = 0
OUTCOME_DAILY_POINTS = 1
OUTCOME_TRANSACTION_INVALID = 2
OUTCOME_CARD_INACTIVE = 3
OUTCOME_DAILY_REQUESTS = 4
OUTCOME_CARD_ACTIVATION = 5
OUTCOME_REWARD_ACTIVATION = 6
#: Each outcome code in plain words (matched on the code, never on vmob's own text); marked,
#: translated where shown. They follow "Card 1: +2 points, now 10, " or stand joined by "; ".
OUTCOME_WORDS = {
    # i18n: why vmob did not add all the points to a card; follows "+2 points, now 10, "
    OUTCOME_DAILY_POINTS: N_("the customer's daily point limit is reached"),
    OUTCOME_TRANSACTION_INVALID: N_("vmob refused the transaction id as used before"),
    OUTCOME_CARD_INACTIVE: N_("the customer's loyalty card is inactive"),
    OUTCOME_DAILY_REQUESTS: N_("the customer's daily limit of point requests is reached"),
    OUTCOME_CARD_ACTIVATION: N_("a new card could not be activated for the customer"),
    OUTCOME_REWARD_ACTIVATION: N_("the reward could not be activated automatically"),
}

#: The hint of an unknown outcome, and vmob's 403 in words (marked: translated where shown).
SAFE_HINT = N_("The app can retry it safely: vmob takes each transaction id once.")
REFUSED_403 = N_("vmob refused the request: the store's merchant key or the customer's code "
                 "was not accepted.")
HINT_403 = N_("Ask the customer to refresh the code in their app and scan it again; if every "
              "customer's code is refused, check the merchant key in the settings. Nothing "
              "was added.")
#: What a write sent (``what`` of :meth:`VmobWire.fail`): vmob's 400, bare and with vmob's
#: message, and any other refusal, bare and with vmob's message.
_NOT_ACCEPTED = {
    "points": (N_("vmob did not accept the points (HTTP 400)."),
               # i18n: {detail} is vmob's own message (in English)
               N_("vmob did not accept the points (HTTP 400: {detail})."),
               N_("vmob refused the points (HTTP {status})."),
               N_("vmob refused the points (HTTP {status}: {detail}).")),
    "offer": (N_("vmob did not accept the offer report (HTTP 400)."),
              N_("vmob did not accept the offer report (HTTP 400: {detail})."),
              N_("vmob refused the offer report (HTTP {status})."),
              N_("vmob refused the offer report (HTTP {status}: {detail}).")),
}

#: The status policy every HTTP service shares (:meth:`HttpBackend.status_failure`).
StatusPolicy = Callable[[Answer, bool], PosError | None]


@dataclass(frozen=True)
class Row:
    """One row of ``pointCreationSummary``: one card instance touched."""

    instance: str
    balance: int | None
    allocated: int | None
    outcome: int | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"instance": self.instance, "balance": self.balance,
                "allocated": self.allocated, "outcome": self.outcome, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        return cls(str(data.get("instance") or ""), to_int(data.get("balance")),
                   to_int(data.get("allocated")), to_int(data.get("outcome")),
                   str(data.get("text") or ""))


@dataclass(frozen=True)
class PointsAnswer:
    """A Create Points answer as read: ``replay`` when vmob says the id was seen before."""

    status: int
    replay: bool = False
    balance: int | None = None
    allocated: int | None = None
    rows: tuple[Row, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """Points allocated: the answer's own total, else the rows' sum (never capped)."""
        if self.allocated is not None:
            return self.allocated
        return sum(r.allocated or 0 for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "replay": self.replay, "balance": self.balance,
                "allocated": self.allocated, "rows": [r.to_json() for r in self.rows]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PointsAnswer:
        rows = data.get("rows") if isinstance(data.get("rows"), list) else []
        return cls(to_int(data.get("status")) or 0, bool(data.get("replay")),
                   to_int(data.get("balance")), to_int(data.get("allocated")),
                   tuple(Row.from_json(r) for r in rows if isinstance(r, dict)))


class VmobWire:
    """The merchant API over one client, with the merchant key on every request."""

    def __init__(self, http: ServiceHttp, merchant_key: str,
                 status_failure: StatusPolicy) -> None:
        self.http = http
        self._status_failure = status_failure
        self._headers = {H_AUTH: merchant_key, "Accept-Language": "en-US"}

    def create_points(self, token: str, body: dict[str, Any], key: str) -> PointsAnswer:
        """``POST /v3/consumerLoyaltyCards/{token}/points`` with ``key`` as transactionId."""
        url = self.http.url(*ROUTE_CARDS, segment(token), "points")
        answer = self._send(url, {**body, F_TRANSACTION: key})
        if answer.status == 409:
            return PointsAnswer(409, replay=True)
        if not 200 <= answer.status < 300:
            self.fail(answer)
        return _points_answer(answer)

    def redemption_advice(self, body: dict[str, Any]) -> int:
        """``POST /v3/redemptionAdvice``; the status (202: received, nothing more is said).

        Any other success status is not vmob's answer (a proxy's page, say) and leaves the
        report in doubt: it is sent again, and vmob takes an identical report as one."""
        answer = self._send(self.http.url(*ROUTE_ADVICE), body)
        if not 200 <= answer.status < 300:
            self.fail(answer, what="offer")
        if answer.status != ADVICE_RECEIVED:
            raise OutcomeUnknown(_("vmob's answer to the offer report could not be read (HTTP "
                                   "{status}).").format(status=answer.status),
                                 _("The app sends the same report again: vmob takes an identical "
                                   "report as one."), service=TITLE)
        return answer.status

    def probe(self) -> Answer:
        """A read that changes nothing (``GET`` on the points route of no consumer): whether
        vmob answers at this address and takes the merchant key."""
        return self.http.request("GET", self.http.url(*ROUTE_CARDS, "-", "points"),
                                 mutating=False, headers=self._headers)

    def _send(self, url: str, body: dict[str, Any]) -> Answer:
        try:
            return self.http.request("POST", url, mutating=True, json_body=body,
                                     headers=self._headers)
        except OutcomeUnknown as exc:
            raise OutcomeUnknown(exc.message, _(SAFE_HINT), service=TITLE) from None
        except BadResponse as exc:  # e.g. an oversized answer: it may have been applied
            raise OutcomeUnknown(exc.message, _(SAFE_HINT), service=TITLE) from None

    def fail(self, answer: Answer, *, what: str = "points") -> None:
        """Raise the error a non-success answer to a write means (``what``: ``points`` or
        ``offer``, what was sent)."""
        failure = self._status_failure(answer, True)
        if failure is not None:  # a redirect, 429, 5xx: as for every service
            raise failure
        detail = _message(answer)
        status = answer.status
        if status == 403:
            raise Refused(_(REFUSED_403), _(HINT_403), service=TITLE)
        if status == 401:
            raise AuthError(_("vmob refused the merchant key."), service=TITLE)
        bare_400, said_400, bare, said = _NOT_ACCEPTED[what]
        if status == 400:
            raise Refused(_(said_400 if detail else bare_400).format(detail=detail),
                          _("Check the loyalty card id in the settings; nothing was added."),
                          service=TITLE)
        if status == 404:
            raise BadResponse(_("vmob answered 404 (no such address)."),
                              _("Check the {service} address in the settings.").format(
                                  service=TITLE), service=TITLE)
        raise Refused(_(said if detail else bare).format(status=status, detail=detail),
                      service=TITLE)


def _points_answer(answer: Answer) -> PointsAnswer:
    """A 2xx answer to Create Points, read defensively.

    201 is the documented "created": what it says is read as far as it can be. Any other 2xx
    (undocumented) counts only with the documented shape; otherwise whether points were
    created is unknown, and the retry with the same transaction id settles it.
    """
    data = answer.json_or_none()
    summary = data.get(F_SUMMARY) if isinstance(data, dict) else None
    if answer.status != 201 and not isinstance(summary, list):
        raise OutcomeUnknown(_("vmob's answer to the points could not be read (HTTP "
                               "{status}).").format(status=answer.status), _(SAFE_HINT),
                             service=TITLE)
    if not isinstance(data, dict):
        return PointsAnswer(answer.status)
    rows = tuple(_row(r) for r in summary or () if isinstance(r, dict))
    result = PointsAnswer(answer.status, False, _count(data.get(F_BALANCE)),
                          _count(data.get(F_ALLOCATED)), rows)
    if result.total == 0 and any(r.outcome == OUTCOME_TRANSACTION_INVALID for r in rows):
        return PointsAnswer(answer.status, True, result.balance, result.allocated, rows)
    return result


def _row(raw: dict[str, Any]) -> Row:
    return Row(clip(raw.get(F_INSTANCE), 64), _count(raw.get(F_BALANCE)),
               _count(raw.get(F_ALLOCATED)), to_int(raw.get(F_OUTCOME)),
               clip(raw.get(F_OUTCOME_TEXT)))


def _count(value: Any) -> int | None:
    number = to_int(value)
    return None if number is None or number < 0 else number


def _message(answer: Answer) -> str:
    data = answer.json_or_none()
    return clip(data.get("message")) if isinstance(data, dict) else ""


def clip(value: Any, limit: int = 120) -> str:
    """Untrusted text made safe to show: printable, one line, at most ``limit`` characters."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch for ch in value if ch.isprintable()).strip()
    return text[:limit]
