"""The Loona sandbox: OAuth client credentials, passes, and idempotent transactions.

It follows ``contracts/loona.md``: the published routes and headers, and the assumed pass
object, transaction bodies and error codes. Sandbox-only assumptions: an expired or blocked
pass refuses transactions with ``PASS_EXPIRED`` / ``PASS_BLOCKED``; activating an active coupon
gives ``COUPON_ALREADY_ACTIVE``; redeeming more chop rewards than available gives
``INSUFFICIENT_BALANCE``; only successful transactions are kept under their idempotence key (a
refused one may be sent again with the same key).
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import hashlib
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pos_app.core.sandbox import params
from pos_app.core.sandbox.app import Exercise, Failure, Request, Response, ServiceApp
from pos_app.core.services.loona import demo
from pos_app.core.services.loona import seed as loona_seed
from pos_app.core.services.loona.seed import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO,
    DEMO_IDS,
    LEVELS,
    TEMPLATES,
    TOKEN_TTL,
)

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer

__all__ = ["DEMO", "DEMO_IDS", "LoonaApp"]

CENT = Decimal("0.01")
TRANSACTIONS = ("purchase", "spending", "purchase-spending", "status", "chop")
#: Which pass types each transaction applies to.
SUPPORTED = {
    "purchase": ("DISCOUNT", "BONUS"),
    "spending": ("BONUS", "GIFT"),
    "purchase-spending": ("BONUS",),
    "status": ("COUPON",),
    "chop": ("CHOP",),
}
MAX_AMOUNT = Decimal("1000000000")
MAX_COUNT = 100000
_TYPE_KINDS = {"DISCOUNT": "discount", "BONUS": "points", "GIFT": "gift", "COUPON": "coupon",
               "CHOP": "chop"}


class _Fail(Failure):
    """An error answer: ``{"code", "message"}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.code, self.message = code, message
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        super().__init__(Response.json({"code": code, "message": message}, status, headers))


@dataclass
class _Pass:
    """One pass; money is ``Decimal``, everything else as on the wire."""

    id: int
    template_id: int
    type: str
    status: str
    qr_mode: str
    encrypted_id: str
    expiration: str
    holder: dict[str, str]
    balance: Decimal | None = None
    discount: int | None = None
    max_spend_percent: int | None = None
    level: int | None = None
    purchases_total: Decimal | None = None
    chops: int | None = None
    chops_required: int | None = None
    rewards_available: int | None = None

    @property
    def qr_value(self) -> str:
        """What the card's QR code holds now (and X-Loona-Encrypted-Key must carry)."""
        return str(self.id) if self.qr_mode == "id" else self.encrypted_id

    @property
    def effective_status(self) -> str:
        if self.status in ("ACTIVE", "INCOMPLETE"):
            try:
                when = dt.datetime.fromisoformat(self.expiration.replace("Z", "+00:00"))
            except ValueError:
                return self.status
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            if when < dt.datetime.now(dt.UTC):
                return "EXPIRED"
        return self.status

    def level_wire(self) -> dict[str, Any] | None:
        if self.level is None:
            return None
        number, name, _, _ = LEVELS[self.level - 1]
        return {"number": number, "name": name}

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id, "templateId": self.template_id, "encryptedId": self.qr_value,
            "type": self.type, "status": self.effective_status,
            "balance": _wire_money(self.balance), "discount": self.discount,
            "maxSpendPercent": self.max_spend_percent, "level": self.level_wire(),
            "purchasesTotal": _wire_money(self.purchases_total), "chops": self.chops,
            "chopsRequired": self.chops_required, "rewardsAvailable": self.rewards_available,
            "expirationDate": self.expiration, "holder": dict(self.holder),
            "downloadUrl": f"https://sandbox.loona.invalid/download/{self.id}",
        }

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id, "templateId": self.template_id, "type": self.type,
            "status": self.status, "qrMode": self.qr_mode, "encryptedId": self.encrypted_id,
            "balance": _wire_money(self.balance), "discount": self.discount,
            "maxSpendPercent": self.max_spend_percent, "level": self.level,
            "purchasesTotal": _wire_money(self.purchases_total), "chops": self.chops,
            "chopsRequired": self.chops_required, "rewardsAvailable": self.rewards_available,
            "expirationDate": self.expiration, "holder": dict(self.holder),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> _Pass:
        if data["type"] not in _TYPE_KINDS or data["qrMode"] not in ("id", "static", "dynamic"):
            raise ValueError("unknown pass type or QR mode")
        level = _opt_int(data.get("level"))
        if level is not None and not 1 <= level <= len(LEVELS):
            raise ValueError("unknown level")
        return cls(
            id=int(data["id"]), template_id=int(data["templateId"]), type=str(data["type"]),
            status=str(data["status"]), qr_mode=str(data["qrMode"]),
            encrypted_id=str(data["encryptedId"]), expiration=str(data["expirationDate"]),
            holder={str(k): str(v) for k, v in dict(data.get("holder") or {}).items()},
            balance=_state_money(data.get("balance")), discount=_opt_int(data.get("discount")),
            max_spend_percent=_opt_int(data.get("maxSpendPercent")), level=level,
            purchases_total=_state_money(data.get("purchasesTotal")),
            chops=_opt_int(data.get("chops")), chops_required=_opt_int(data.get("chopsRequired")),
            rewards_available=_opt_int(data.get("rewardsAvailable")),
        )


class LoonaApp(ServiceApp):
    """Loona as the cashier app sees it, on loopback, with deterministic demo passes."""

    base_path = "/version1"
    name = "loona"

    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET,
                 token_ttl: float = TOKEN_TTL) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        #: Lifetime of new access tokens in seconds (tests shorten it).
        self.token_ttl = token_ttl
        #: How many access tokens were issued, and how many requests a bad token turned away.
        self.tokens_issued = 0
        self.unauthorized = 0
        self._tokens: dict[str, float] = {}
        self._reset()

    # -- state -------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.passes: dict[int, _Pass] = {}
        for data in loona_seed.seed_passes():
            item = _Pass.from_state(data)
            self.passes[item.id] = item
        #: Dynamic encrypted ids that were valid once: old value -> pass id.
        self.stale: dict[str, int] = {}
        #: Idempotence key -> {"fingerprint", "status", "body"} of a successful transaction.
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.next_transaction = 1
        self.rotations = 0

    def dump(self) -> dict[str, Any]:
        return {"passes": [p.to_state() for p in self.passes.values()],
                "stale": self.stale, "idempotency": self.idempotency,
                "nextTransaction": self.next_transaction, "rotations": self.rotations}

    def restore(self, data: dict[str, Any]) -> None:
        passes = {}
        for raw in data["passes"]:
            item = _Pass.from_state(raw)
            passes[item.id] = item
        stale = {str(k): int(v) for k, v in dict(data.get("stale") or {}).items()}
        idempotency = {}
        for key, value in dict(data.get("idempotency") or {}).items():
            idempotency[str(key)] = {"fingerprint": str(value["fingerprint"]),
                                     "status": int(value["status"]), "body": value["body"]}
        next_transaction = int(data.get("nextTransaction", 1))
        rotations = int(data.get("rotations", 0))
        self.passes, self.stale, self.idempotency = passes, stale, copy.deepcopy(idempotency)
        self.next_transaction, self.rotations = next_transaction, rotations
        self._tokens.clear()

    def info(self) -> dict[str, Any]:
        with self.lock:
            cards = [{"code": p.qr_value, "kind": _TYPE_KINDS[p.type], "label": demo.label(p),
                      "holder": " ".join(filter(None, (p.holder.get("firstName"),
                                                       p.holder.get("lastName"))))}
                     for p in self.passes.values()]
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "cards": cards}

    def exercise(self) -> Exercise:
        return Exercise(reads="passes/*", writes="transactions/*", spend_code=DEMO["gift"],
                        auth="oauth/token")

    def shorten_tokens(self, seconds: float) -> None:
        self.token_ttl = seconds

    def showcase(self) -> dict[str, str]:
        return {"purchase_spend": DEMO["bonus"], "reward": DEMO["chop_reward"],
                "gift": DEMO["gift"]}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        # Loona's API cannot list templates: the app is told the seed's.
        return {"base_url": server.url, "token_url": server.base_url + "/oauth/token",
                "client_id": self.client_id, "client_secret": self.client_secret,
                "templates": [{"id": tid, "name": t["name"], "type": t["type"]}
                              for tid, t in TEMPLATES.items()]}

    def revoke_tokens(self) -> None:
        """Forget every access token issued so far (the next call gets a 401)."""
        with self.lock:
            self._tokens.clear()

    # -- routing -----------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        path, segs, method = request.raw_path, request.segments, request.method
        under_base = path == self.base_path or path.startswith(self.base_path + "/")
        if not under_base:
            if segs == ["oauth", "token"]:
                _allow(method, "POST")
                return self._issue_token(request)
            raise _Fail(404, "NOT_FOUND", "No such route.")
        self._authorise(request)
        if segs == ["passes"]:
            _allow(method, "GET", "POST")
            return self._list(request) if method == "GET" else self._create(request)
        if len(segs) == 2 and segs[0] == "passes":
            _allow(method, "GET")
            return Response.json(self._by_id(segs[1]).to_wire())
        if len(segs) == 3 and segs[:2] == ["passes", "encrypted"]:
            _allow(method, "GET")
            return Response.json(self._by_encrypted(segs[2]).to_wire())
        if len(segs) == 2 and segs[0] == "transactions" and segs[1] in TRANSACTIONS:
            _allow(method, "POST")
            return self._transaction(request, segs[1])
        raise _Fail(404, "NOT_FOUND", "No such route.")

    # -- auth --------------------------------------------------------------------------------

    def _issue_token(self, request: Request) -> Response:
        scheme, _, value = (request.header("Authorization") or "").partition(" ")
        try:
            client_id, sep, secret = base64.b64decode(value.strip(), validate=True
                                                      ).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id, sep, secret = "", "", ""
        if (scheme.lower() != "basic" or not sep
                or not secrets.compare_digest(client_id.encode(), self.client_id.encode())
                or not secrets.compare_digest(secret.encode(), self.client_secret.encode())):
            raise _Fail(401, "UNAUTHORIZED", "Bad client credentials.")
        if request.form().get("grant_type") != "client_credentials":
            raise _Fail(400, "VALIDATION_ERROR", "grant_type must be client_credentials.")
        token = secrets.token_urlsafe(32)
        ttl = self.token_ttl
        now = time.monotonic()
        self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
        self._tokens[token] = now + ttl
        self.tokens_issued += 1
        return Response.json({"access_token": token, "token_type": "bearer",
                              "expires_in": int(ttl) if ttl == int(ttl) else ttl,
                              "scope": "any", "jti": str(uuid.uuid4())})

    def _authorise(self, request: Request) -> None:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        expires = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expires is None or expires <= time.monotonic():
            self.unauthorized += 1
            raise _Fail(401, "UNAUTHORIZED", "The access token is missing, invalid or expired.")

    # -- passes ------------------------------------------------------------------------------

    def _list(self, request: Request) -> Response:
        page = _query_int(request, "page", 0, 0, 1_000_000)
        size = _query_int(request, "size", 20, 1, 100)
        items = sorted(self.passes.values(), key=lambda p: p.id)
        chunk = items[page * size:(page + 1) * size]
        return Response.json({"content": [p.to_wire() for p in chunk], "page": page,
                              "totalElements": len(items)})

    def _create(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "VALIDATION_ERROR", "The body must be a JSON object.")
        template_id = body.get("templateId")
        if isinstance(template_id, bool) or not isinstance(template_id, int):
            raise _Fail(400, "VALIDATION_ERROR", "templateId must be a number.")
        template = TEMPLATES.get(template_id)
        if template is None:
            raise _Fail(404, "NOT_FOUND", f"Template {template_id} not found.")
        holder = {"firstName": "", "lastName": "", "phone": ""}
        values = body.get("placeholderValues") or []
        if not isinstance(values, list):
            raise _Fail(400, "VALIDATION_ERROR", "placeholderValues must be a list.")
        for item in values:
            if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                    and isinstance(item.get("value"), str | int)):
                raise _Fail(400, "VALIDATION_ERROR", "Each placeholder needs a name and value.")
            if item["name"] in holder:
                holder[item["name"]] = str(item["value"])[:100]
        kind = template["type"]
        pass_id = max(self.passes, default=51200) + 1
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=365)).replace(microsecond=0)
        item = _Pass(
            id=pass_id, template_id=template_id, type=kind,
            status="INCOMPLETE" if kind == "COUPON" else "ACTIVE", qr_mode=template["qrMode"],
            encrypted_id=self._new_encrypted_id(pass_id),
            expiration=expires.isoformat().replace("+00:00", "Z"), holder=holder,
            max_spend_percent=template.get("maxSpendPercent"),
            chops_required=template.get("chopsRequired"),
        )
        if kind in ("DISCOUNT", "BONUS"):
            item.level, item.purchases_total = 1, Decimal("0.00")
        if kind == "DISCOUNT":
            item.discount = template["discount"]
        if kind in ("BONUS", "GIFT"):
            item.balance = Decimal(template.get("balance", "0.00"))
        if kind == "CHOP":
            item.chops, item.rewards_available = 0, 0
        self.passes[pass_id] = item
        result = item.to_wire()
        self.record("create", str(pass_id), body, result)
        return Response.json(result, changed=True)

    def _by_id(self, text: str) -> _Pass:
        item = self.passes.get(int(text)) if re.fullmatch(r"\d{1,18}", text) else None
        if item is None:
            raise _Fail(404, "NOT_FOUND", "Pass not found.")
        return item

    def _by_encrypted(self, value: str) -> _Pass:
        for item in self.passes.values():
            if item.qr_mode != "id" and item.encrypted_id == value:
                return item
        if value in self.stale:
            raise _Fail(400, "INVALID_ENCRYPTED_KEY",
                        "This encrypted id is no longer valid: the card has been updated.")
        raise _Fail(404, "NOT_FOUND", "Pass not found.")

    def _new_encrypted_id(self, pass_id: int) -> str:
        """A fresh 10-digit encrypted id, deterministic for a given history."""
        taken = {p.encrypted_id for p in self.passes.values()} | set(self.stale)
        while True:
            self.rotations += 1
            digest = hashlib.sha256(f"loona:{pass_id}:{self.rotations}".encode()).hexdigest()
            value = str(1_000_000_000 + int(digest, 16) % 9_000_000_000)
            if value not in taken:
                return value

    # -- transactions ------------------------------------------------------------------------

    def _transaction(self, request: Request, kind: str) -> Response:
        key = (request.header("Idempotence-Key") or "").strip()
        if not key or len(key) > 255:
            raise _Fail(400, "VALIDATION_ERROR", "The Idempotence-Key header is required.")
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "VALIDATION_ERROR", "The body must be a JSON object.")
        fingerprint = kind + " " + json.dumps(body, sort_keys=True, separators=(",", ":"))
        stored = self.idempotency.get(key)
        if stored is not None:
            if stored["fingerprint"] != fingerprint:
                raise _Fail(409, "IDEMPOTENCY_CONFLICT",
                            "This Idempotence-Key was used with a different request.")
            return Response.json(copy.deepcopy(stored["body"]), stored["status"],
                                 {"Idempotent-Replayed": "true"})
        pass_id = _pass_id(body.get("passId"))
        purchase_id = body.get("purchaseId")
        if isinstance(purchase_id, bool) or not isinstance(purchase_id, str | int) or (
                isinstance(purchase_id, str) and not purchase_id.strip()):
            raise _Fail(400, "VALIDATION_ERROR", "purchaseId is required.")
        item = self.passes.get(pass_id)
        if item is None:
            raise _Fail(404, "NOT_FOUND", "Pass not found.")
        if params.header_text(request, "X-Loona-Encrypted-Key") != item.qr_value:
            raise _Fail(400, "INVALID_ENCRYPTED_KEY",
                        "The encrypted id does not match the pass (the card may be outdated).")
        status = item.effective_status
        if status == "EXPIRED":
            raise _Fail(400, "PASS_EXPIRED", "The pass has expired.")
        if status == "BLOCKED":
            raise _Fail(400, "PASS_BLOCKED", "The pass is blocked.")
        if item.type not in SUPPORTED[kind]:
            raise _Fail(400, "TRANSACTION_NOT_SUPPORTED",
                        f"A {item.type} pass does not support {kind} transactions.")
        handler = {"purchase": self._purchase, "spending": self._spending,
                   "purchase-spending": self._purchase_spending, "status": self._status,
                   "chop": self._chop}[kind]
        result: dict[str, Any] = {"transactionId": self.next_transaction, "passId": item.id,
                                  "type": kind}
        result.update(handler(item, body))
        self.next_transaction += 1
        if item.qr_mode == "dynamic":
            self.stale[item.encrypted_id] = item.id
            item.encrypted_id = self._new_encrypted_id(item.id)
            result["encryptedId"] = item.encrypted_id
        self.idempotency[key] = {"fingerprint": fingerprint, "status": 200,
                                 "body": copy.deepcopy(result)}
        self.record(kind, str(item.id), body, result, key=key)
        return Response.json(result, changed=True)

    def _accrual_percent(self, item: _Pass) -> Decimal:
        return LEVELS[(item.level or 1) - 1][3]

    def _add_purchase(self, item: _Pass, amount: Decimal) -> None:
        item.purchases_total = (item.purchases_total or Decimal("0")) + amount
        for number, _, threshold, _ in LEVELS:
            if item.purchases_total >= threshold and number > (item.level or 0):
                item.level = number

    def _purchase(self, item: _Pass, body: dict[str, Any]) -> dict[str, Any]:
        amount = _amount(body, "amount")
        discount = accrued = Decimal("0.00")
        if item.type == "DISCOUNT":
            discount = _round(amount * Decimal(item.discount or 0) / 100)
        else:
            accrued = _round(amount * self._accrual_percent(item) / 100)
            item.balance = (item.balance or Decimal("0")) + accrued
        self._add_purchase(item, amount)
        return {"amount": _wire_money(amount), "discountAmount": _wire_money(discount),
                "amountToPay": _wire_money(amount - discount),
                "bonusAccrued": _wire_money(accrued), "balance": _wire_money(item.balance),
                "level": item.level_wire(), "purchasesTotal": _wire_money(item.purchases_total)}

    def _spending(self, item: _Pass, body: dict[str, Any]) -> dict[str, Any]:
        amount = _amount(body, "amount")
        balance = item.balance or Decimal("0")
        if amount > balance:
            raise _Fail(400, "INSUFFICIENT_BALANCE",
                        f"The balance is {_wire_money(balance)}, less than {amount}.")
        item.balance = balance - amount
        return {"amountSpent": _wire_money(amount), "balance": _wire_money(item.balance)}

    def _purchase_spending(self, item: _Pass, body: dict[str, Any]) -> dict[str, Any]:
        amount = _amount(body, "amount")
        spend = _amount(body, "spendAmount")
        if spend > amount:
            raise _Fail(400, "VALIDATION_ERROR", "spendAmount cannot exceed amount.")
        balance = item.balance or Decimal("0")
        limit = min(balance, amount * Decimal(item.max_spend_percent or 0) / 100)
        if spend > limit:
            raise _Fail(400, "SPEND_LIMIT_EXCEEDED",
                        f"At most {_wire_money(_round_down(limit))} may be spent.")
        to_pay = amount - spend
        accrued = _round(to_pay * self._accrual_percent(item) / 100)
        item.balance = balance - spend + accrued
        self._add_purchase(item, amount)
        return {"amount": _wire_money(amount), "amountToPay": _wire_money(to_pay),
                "bonusSpent": _wire_money(spend), "bonusAccrued": _wire_money(accrued),
                "balance": _wire_money(item.balance), "level": item.level_wire(),
                "purchasesTotal": _wire_money(item.purchases_total)}

    def _status(self, item: _Pass, body: dict[str, Any]) -> dict[str, Any]:
        target = body.get("status")
        if target not in ("ACTIVE", "USED"):
            raise _Fail(400, "VALIDATION_ERROR", "status must be ACTIVE or USED.")
        if item.status == "USED":
            raise _Fail(400, "COUPON_ALREADY_USED", "The coupon has already been used.")
        if target == "ACTIVE" and item.status == "ACTIVE":
            raise _Fail(400, "COUPON_ALREADY_ACTIVE", "The coupon is already active.")
        if target == "USED" and item.status != "ACTIVE":
            raise _Fail(400, "COUPON_NOT_ACTIVE", "The coupon is not active.")
        item.status = target
        return {"status": target}

    def _chop(self, item: _Pass, body: dict[str, Any]) -> dict[str, Any]:
        add = _count(body, "chops")
        used = _count(body, "rewardsUsed")
        if add == 0 and used == 0:
            raise _Fail(400, "VALIDATION_ERROR", "chops or rewardsUsed must be more than 0.")
        required = item.chops_required or 1
        chops = (item.chops or 0) + add
        rewards = (item.rewards_available or 0) + chops // required
        chops %= required
        if used > rewards:
            raise _Fail(400, "INSUFFICIENT_BALANCE",
                        f"Only {rewards} reward(s) available, {used} requested.")
        item.chops, item.rewards_available = chops, rewards - used
        return {"chops": item.chops, "chopsRequired": item.chops_required,
                "rewardsAvailable": item.rewards_available}


# -- helpers ---------------------------------------------------------------------------------


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise _Fail(405, "METHOD_NOT_ALLOWED", f"Use {' or '.join(allowed)}.")


def _query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = params.query_int(request, name, default, low, high)
    if value is None:
        raise _Fail(400, "VALIDATION_ERROR", f"{name} must be a number from {low} to {high}.")
    return value


def _pass_id(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,18}", value):
        return int(value)
    raise _Fail(400, "VALIDATION_ERROR", "passId is required and must be a pass id.")


def _amount(body: dict[str, Any], field: str) -> Decimal:
    value = params.decimal(body.get(field))
    if value is None or not value.is_finite():
        raise _Fail(400, "VALIDATION_ERROR", f"{field} must be a number.")
    if value <= 0 or value > MAX_AMOUNT:
        raise _Fail(400, "VALIDATION_ERROR", f"{field} must be more than 0.")
    if value != value.quantize(CENT):
        raise _Fail(400, "VALIDATION_ERROR", f"{field} has more than two decimal places.")
    return value.quantize(CENT)


def _count(body: dict[str, Any], field: str) -> int:
    value = body.get(field, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise _Fail(400, "VALIDATION_ERROR", f"{field} must be a whole number, 0 or more.")
    return value


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _round_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _wire_money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def _state_money(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)

