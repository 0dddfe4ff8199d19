"""Luna Loyalty Cards adapter: every Luna wire name lives here and nowhere else.

Protocol (``seeds/luna-loyalty-cards-api.txt``, ``contracts/luna.md``): ``POST {base}/{method}``
with a JSON body and the ``x-access-token`` header; answers are HTTP 200 with a JSON array
holding one object, numbers often as strings, failures as an ``error`` code. Luna has no
idempotency key, so a step whose answer was lost is never resent here: each step's ``expect``
names the raw card field it moves, for :mod:`pos_app.core.reconcile` to compare before any
retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from pos_app.core.backends.base import (
    Backend,
    CardRef,
    CardTemplate,
    HistoryRow,
    Plan,
    Step,
    check_holder,
)
from pos_app.core.backends.http import DEFAULT_TIMEOUT, ServiceHttp, retry_after_seconds
from pos_app.core.cards import KIND_LABELS, Card, CardKind, CardStatus, Holder, Stamps
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    ClientExists,
    ConfigError,
    ForeignCard,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Refused,
    ServiceError,
    ServiceUnavailable,
)
from pos_app.core.money import format_money, format_number, money, to_decimal, to_int
from pos_app.core.operations import Operation, OpName

log = logging.getLogger(__name__)

SERVICE = "Luna"
TOKEN_HEADER = "x-access-token"

#: A card's serial number, e.g. ``448234-808-346`` (the QR holds it, bare or in a URL).
SERIAL_RE = re.compile(r"\d{6}-\d{3}-\d{3}")
_SERIAL_IN_TEXT = re.compile(r"(?<![\d-])\d{6}-\d{3}-\d{3}(?![\d-])")
_URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)
#: Longer scanned codes are not looked at.
MAX_CODE_LENGTH = 2048

# Methods that change something at Luna: a lost answer leaves their outcome unknown.
_MUTATING = frozenset({"usePass", "useReward", "createClient", "createPass", "updateClient",
                       "sendInfoPush"})
# Methods a cashier operation's steps may call.
_STEP_ACTIONS = frozenset({"usePass", "useReward"})

# Error codes of the reference.
_ERR_TOKEN, _ERR_NOT_FOUND, _ERR_FOREIGN, _ERR_PARAMETER, _ERR_CLIENT_EXISTS = 1, 2, 3, 4, 5

_TYPE_KINDS = {0: CardKind.STAMPS, 1: CardKind.POINTS, 2: CardKind.SUBSCRIPTION,
               3: CardKind.COUPON, 4: CardKind.DISCOUNT, 5: CardKind.GIFT,
               6: CardKind.MEMBERSHIP}
_STATUSES = {"installed": CardStatus.ACTIVE, "not installed": CardStatus.NOT_INSTALLED,
             "deleted": CardStatus.DELETED}
# getPassOperations codes are undocumented; assumed (contracts/luna.md).
_OPERATION_LABELS = {1: "Accrual", 2: "Write-off", 3: "Reward earned"}
_SELECTION_MODES = ("PassNotCreated", "passInstalled", "passNotInstalled", "passDeleted")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")

_SUPPORTED: dict[CardKind, tuple[OpName, ...]] = {
    CardKind.STAMPS: (OpName.STAMP, OpName.REWARD, OpName.SET_EXPIRY),
    CardKind.POINTS: (OpName.PURCHASE, OpName.PURCHASE_SPEND, OpName.SPEND, OpName.ACCRUE,
                      OpName.SET_EXPIRY),
    CardKind.SUBSCRIPTION: (OpName.STAMP, OpName.UNSTAMP, OpName.SPEND, OpName.SET_EXPIRY),
    CardKind.COUPON: (OpName.SET_EXPIRY,),
    CardKind.DISCOUNT: (OpName.PURCHASE, OpName.SET_EXPIRY),
    CardKind.GIFT: (OpName.SPEND, OpName.ACCRUE, OpName.SET_EXPIRY),
    CardKind.MEMBERSHIP: (OpName.SET_EXPIRY,),
}
# "A discount card cannot ..." for an operation a card type does not have.
_CANNOT = {
    OpName.PURCHASE: "record purchases",
    OpName.SPEND: "spend points",
    OpName.PURCHASE_SPEND: "pay for a purchase with points",
    OpName.ACCRUE: "earn points",
    OpName.STAMP: "collect stamps",
    OpName.UNSTAMP: "have visits written off",
    OpName.REWARD: "redeem rewards",
    OpName.COUPON_ACTIVATE: "be activated from the till",
    OpName.COUPON_REDEEM: "be redeemed from the till",
    OpName.SET_EXPIRY: "have its expiry date set",
}


@dataclass(frozen=True)
class LunaTemplate:
    """A card template of the company (``getTemplates``)."""

    id: int
    name: str
    type: int | None

    @property
    def kind(self) -> CardKind | None:
        return _kind(self.type)


@dataclass(frozen=True)
class LunaClient:
    """A customer as Luna lists them; ``serial`` is set where the answer names a card."""

    user_id: int | None
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    birth_date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    serial: str | None = None

    @property
    def holder(self) -> Holder:
        return Holder(self.first_name, self.last_name, self.phone, self.email)


@dataclass(frozen=True)
class NewPass:
    """A card just issued by ``createPass``."""

    serial: str
    install_url: str
    install_qr: str


@dataclass(frozen=True)
class PushMessage:
    """One informational push message sent to a card."""

    id: int | None
    when: dt.datetime | None
    message: str


@dataclass(frozen=True)
class LunaOperation:
    """One row of a card's history (``getPassOperations``)."""

    when: dt.datetime | None
    code: int | None
    value: str

    @property
    def label(self) -> str:
        if self.code in _OPERATION_LABELS:
            return _OPERATION_LABELS[self.code]
        return f"Operation {self.code if self.code is not None else '?'}"


def _text(value: object, limit: int = 300) -> str:
    """A string field of an answer, trimmed; anything else is empty."""
    if isinstance(value, str):
        return value.strip()[:limit]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _get(row: dict[str, Any], name: str) -> Any:
    """A field by name, ignoring case (the reference spells ``SName``, ``Fname``, ``Phone``)."""
    if name in row:
        return row[name]
    lower = name.lower()
    return next((v for k, v in row.items() if isinstance(k, str) and k.lower() == lower), None)


def _when(value: object) -> dt.datetime | None:
    text = _text(value, 40)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _kind(value: object) -> CardKind | None:
    number = to_int(value)
    return None if number is None else _TYPE_KINDS.get(number)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _a(label: str) -> str:
    return ("An " if label[:1].lower() in "aeiou" else "A ") + label.lower()


def phone_number(text: str | int) -> int:
    """A phone number as Luna takes it: the integer of its digits (``74443334423``)."""
    digits = re.sub(r"\D", "", str(text))
    if not 5 <= len(digits) <= 15:
        raise InvalidInput(f"{str(text).strip()!r} is not a phone number.",
                           "Type the number with its country code.")
    return int(digits)


class LunaBackend(Backend):
    """Luna Loyalty Cards (a white label of Boomerangme): cards of types 0-6.

    ``pattern`` is a regular expression that finds the serial in a scanned code (group 1 if it
    has groups), replacing the default of a ``\\d{6}-\\d{3}-\\d{3}`` serial, bare or in a URL.
    """

    name = "luna"
    title = "Luna"
    idempotent = False
    #: A serial: ``\d{6}-\d{3}-\d{3}``.
    min_code_length = 14
    #: Luna records total spent in whole sums.
    sum_quantum = Decimal(1)

    def __init__(self, base_url: str, token: str, *, pattern: str | None = None,
                 timeout: httpx.Timeout | None = None) -> None:
        if not base_url or not base_url.strip():
            raise ConfigError("The Luna address is not set.")
        if not token or not token.strip():
            raise ConfigError("The Luna access token is not set.")
        if not re.fullmatch(r"[\x21-\x7e]+", token.strip()):
            raise ConfigError("The Luna access token has characters a token cannot have.")
        try:
            self._pattern = re.compile(pattern) if pattern else None
        except re.error:
            raise ConfigError(f"The Luna code pattern {pattern!r} is not a valid regular "
                              "expression.") from None
        if self._pattern is not None:  # codes of the shop's own pattern may be shorter
            self.min_code_length = Backend.min_code_length
        self._http = ServiceHttp(SERVICE, base_url.strip(), timeout=timeout or DEFAULT_TIMEOUT,
                                 headers={TOKEN_HEADER: token.strip()})

    def close(self) -> None:
        self._http.close()

    # -- the wire --------------------------------------------------------------------------

    def _post(self, method: str, body: dict[str, Any], *, serial: str | None = None,
              zero_ok: bool = False) -> list[Any]:
        """Send one method; return the answer's array after checking its first object.

        Raises the typed error for an ``error`` code, and for ``"result": 0`` unless
        ``zero_ok`` (where 0 is a normal answer, like "no such client").
        """
        mutating = method in _MUTATING
        answer = self._http.request("POST", self._http.url(method), mutating=mutating,
                                    json_body=body)
        if answer.status == 429:
            raise RateLimited("Luna is receiving too many requests.",
                              "Wait a moment and try again; nothing was changed.",
                              service=SERVICE, retry_after=retry_after_seconds(answer.headers))
        if answer.status != 200:
            log.info("luna: %s answered HTTP %s", method, answer.status)
            if mutating:
                raise OutcomeUnknown(f"Luna answered with a failure (HTTP {answer.status}) "
                                     "after the request was sent.", service=SERVICE)
            hint = ("Check the Luna address in the settings." if answer.status == 404
                    else "Try again in a moment; nothing was changed.")
            raise ServiceUnavailable(f"Luna answered with a failure (HTTP {answer.status}).",
                                     hint, service=SERVICE)
        data = answer.json_or_none()
        if not (isinstance(data, list) and data and isinstance(data[0], dict)):
            log.info("luna: %s answered something that is not a Luna answer", method)
            if mutating:
                raise OutcomeUnknown("Luna's answer could not be read.", service=SERVICE)
            raise BadResponse("Luna answered something that is not a Luna answer.",
                              service=SERVICE)
        self._check(data[0], serial=serial, zero_ok=zero_ok)
        if mutating and to_int(data[0].get("result")) != 1:
            # Not an error and not the documented success: whether it was applied is unknown.
            log.info("luna: %s answered neither success nor an error", method)
            raise OutcomeUnknown("Luna's answer could not be read.", service=SERVICE)
        return data

    def _call(self, method: str, body: dict[str, Any], *, serial: str | None = None,
              zero_ok: bool = False) -> dict[str, Any]:
        """Send one method; return the answer's (checked) object."""
        first: dict[str, Any] = self._post(method, body, serial=serial, zero_ok=zero_ok)[0]
        return first

    @staticmethod
    def _check(obj: dict[str, Any], *, serial: str | None, zero_ok: bool) -> None:
        """Turn an ``error`` code (or a bare ``"result": 0``) into a typed error."""
        message = _text(obj.get("message"))
        code = obj.get("error")
        if code not in (None, 0, "0", ""):
            number = to_int(code)
            if number == _ERR_TOKEN:
                raise AuthError("Luna did not accept the access token.", service=SERVICE)
            if number == _ERR_NOT_FOUND:
                raise CardNotFound(f"No Luna card with serial {serial}." if serial
                                   else "Luna found no such card.", service=SERVICE)
            if number == _ERR_FOREIGN:
                raise ForeignCard("The card belongs to another company.", service=SERVICE)
            if number == _ERR_PARAMETER:
                raise MissingParameter("Luna says a required value is missing or invalid.",
                                       service=SERVICE)
            if number == _ERR_CLIENT_EXISTS:
                user = to_int(obj.get("userID"))
                raise ClientExists("A Luna customer with this phone or email already exists "
                                   "for this card template.", service=SERVICE,
                                   user_id=None if user is None else str(user))
            raise Refused(message or f"Luna refused the request (error {_text(code, 20)}).",
                          service=SERVICE)
        if to_int(obj.get("result")) == 0 and not zero_ok:
            raise Refused(message or "Luna refused the request.", service=SERVICE)

    # -- codes and cards -------------------------------------------------------------------

    def claim(self, code: str) -> str | None:
        """The serial in a scanned or typed code: bare, or anywhere inside a URL."""
        if not isinstance(code, str):
            return None
        text = code.strip()
        if not text or len(text) > MAX_CODE_LENGTH:
            return None
        if self._pattern is not None:
            match = self._pattern.search(text)
            if match is None:
                return None
            found = (match.group(1) if self._pattern.groups else match.group(0)) or ""
            return found.strip() or None
        if SERIAL_RE.fullmatch(text):
            return text
        if _URL_RE.fullmatch(text):
            match = _SERIAL_IN_TEXT.search(text)
            return match.group(0) if match else None
        return None

    def _serial(self, code: str) -> str:
        serial = self.claim(code)
        if serial is None:
            raise InvalidCode("This is not a Luna card code.",
                              "Scan the card's QR code again, or type its serial number "
                              "(like 448234-808-346).")
        return serial

    def get_card(self, code: str) -> Card:
        """``getPassInfo``, with the holder from ``getClientInfo`` when it answers."""
        serial = self._serial(code)
        obj = self._call("getPassInfo", {"passSerialNumber": serial}, serial=serial)
        holder: Holder | None
        try:
            holder = self.get_client_info(serial).holder
        except ServiceError as exc:
            log.info("luna: no holder for a card: %s", exc.kind)
            holder = None
        return self._card(obj, serial, holder)

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """Read the card again (its serial never changes; the holder is kept)."""
        obj = self._call("getPassInfo", {"passSerialNumber": card.code}, serial=card.code)
        return self._card(obj, card.code, card.holder)

    def _card(self, obj: dict[str, Any], serial: str, holder: Holder | None) -> Card:
        """A ``getPassInfo`` answer as a :class:`Card`; :class:`BadResponse` if it is not one."""
        kind = _kind(obj.get("type"))
        if kind is None:
            raise BadResponse(f"Luna reported an unknown card type "
                              f"({_text(obj.get('type'), 20) or 'none'}).", service=SERVICE)
        status = _STATUSES.get(_text(obj.get("status")).lower())
        if status is None:
            raise BadResponse(f"Luna reported an unknown card status "
                              f"({_text(obj.get('status'), 30) or 'none'}).", service=SERVICE)

        def number(name: str, required: bool = True) -> Decimal | None:
            value = to_decimal(obj.get(name))
            if value is None or value < 0:
                if required:
                    raise BadResponse(f"Luna's answer for card {serial} has no valid {name}.",
                                      service=SERVICE)
                return None
            return value

        def count(name: str, required: bool = True) -> int | None:
            value = number(name, required)
            if value is None:
                return None
            if value != value.to_integral_value():
                raise BadResponse(f"Luna's answer for card {serial} has no valid {name}.",
                                  service=SERVICE)
            return int(value)

        values: dict[str, Any] = {}
        if kind is CardKind.STAMPS:
            values["stamps"] = Stamps(count("activeStamps") or 0, count("maxStamps", False),
                                      count("totalStamps", False))
            values["rewards"] = count("unusedRewards")
        elif kind is CardKind.POINTS:
            values.update(balance=number("amountMoneyBonus"),
                          percent=number("currentPersentBonus"),
                          total_spent=number("amountMoneySpentTotal", False))
        elif kind is CardKind.SUBSCRIPTION:
            values["stamps"] = Stamps(count("activeStamps") or 0, count("maxStamps", False))
            values["balance"] = number("numberScores", False)
        elif kind is CardKind.DISCOUNT:
            values.update(percent=number("currentPersentBonus"),
                          total_spent=number("amountMoneySpentTotal", False))
        elif kind is CardKind.GIFT:
            values.update(balance=number("amountMoneyBonus"), balance_unit="money")
        percent = values.get("percent")
        if percent is not None and percent > 100:
            raise BadResponse(f"Luna reported a percentage of {percent} for card {serial}.",
                              service=SERVICE)
        card = Card(service=self.name, code=serial, card_id=serial, kind=kind, status=status,
                    holder=holder, expires=_when(obj.get("expirationDate")),
                    template=_text(obj.get("template"), 40) or None, raw=dict(obj), **values)
        return card.with_operations(self._available(card))

    @staticmethod
    def _available(card: Card) -> tuple[OpName, ...]:
        """What the card supports now: nothing that takes value from an empty card."""
        if not card.usable:
            return ()
        ops = []
        for op in _SUPPORTED.get(card.kind, ()):
            if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and not (card.balance or 0) > 0:
                continue
            if op is OpName.REWARD and not (card.rewards or 0) > 0:
                continue
            if op is OpName.UNSTAMP and not (card.stamps and card.stamps.current > 0):
                continue
            if (op is OpName.STAMP and card.kind is CardKind.SUBSCRIPTION and card.stamps
                    and card.stamps.max is not None and card.stamps.current >= card.stamps.max):
                continue
            ops.append(op)
        return tuple(ops)

    # -- operations ------------------------------------------------------------------------

    def plan(self, card: Card, operation: Operation) -> Plan:
        """Check the operation against the card and split it into ``usePass``/``useReward``.

        Raises :class:`NotSupported` for an operation the card type does not have,
        :class:`Refused` for one its values do not allow (checked here, before sending), and
        :class:`InvalidAmount` for sums Luna cannot hold (they are whole numbers).
        """
        op = operation.name
        if op not in _SUPPORTED.get(card.kind, ()):
            raise NotSupported(f"{_a(card.kind_label)} cannot {_CANNOT[op]}.", service=SERVICE)
        if not card.usable:
            raise Refused(f"The card is {card.status_label.lower()}.", service=SERVICE)
        if op is OpName.SET_EXPIRY:
            return self._plan_expiry(card, operation)
        if card.kind is CardKind.STAMPS:
            return self._plan_stamps(card, operation)
        if card.kind is CardKind.SUBSCRIPTION:
            return self._plan_subscription(card, operation)
        if card.kind is CardKind.DISCOUNT:
            return self._plan_discount(card, operation)
        return self._plan_balance(card, operation)

    @staticmethod
    def _use(card: Card, body: dict[str, Any], description: str, wire_field: str,
             delta: int) -> Step:
        return Step("usePass", {"passSerialNumber": card.code, **body}, description,
                    {"field": wire_field, "delta": delta})

    @staticmethod
    def _count(operation: Operation, what: str) -> int:
        count = operation.count
        if count is None or isinstance(count, bool) or count <= 0:
            raise InvalidAmount(f"{what} must be at least 1.")
        return count

    @staticmethod
    def _whole(amount: Decimal | None, card: Card, what: str = "Amount") -> int:
        """A sum Luna can hold: positive and whole."""
        if amount is None or not amount.is_finite() or amount <= 0:
            raise InvalidAmount(f"{what} must be more than zero.")
        if amount != amount.to_integral_value():
            held = ("Luna certificates hold whole amounts" if card.kind is CardKind.GIFT
                    else "Luna cards hold whole points")
            raise InvalidAmount(f"{held}: {format_money(amount)} cannot be used.",
                                "Type a whole number.")
        return int(amount)

    @staticmethod
    def _purchase_amount(amount: Decimal | None) -> Decimal:
        if amount is None or not amount.is_finite() or amount <= 0:
            raise InvalidAmount("Amount must be more than zero.")
        return amount

    def _check_balance(self, card: Card, spend: int) -> None:
        balance = card.balance or Decimal(0)
        if spend > balance:
            unit = "" if card.balance_unit == "money" else " points"
            raise Refused(f"The card has {format_number(balance)}{unit}; "
                          f"{format_number(spend)}{unit} cannot be spent.", service=SERVICE)

    def _plan_expiry(self, card: Card, operation: Operation) -> Plan:
        """``setExpirationDate``: the date at 23:59:59 in the till's local time zone.

        ``expect`` holds the date as Luna reports it when its clock is in the same zone;
        otherwise reconciliation cannot match it and leaves the step for a person to check.
        """
        if operation.expiry is None:
            raise InvalidInput("The new expiry date is missing.")
        end = dt.datetime.combine(operation.expiry, dt.time(23, 59, 59))
        step = Step("usePass", {"passSerialNumber": card.code, "action": "setExpirationDate",
                                "expiryDate": int(end.timestamp())},
                    f"Set the expiry date to {operation.expiry.isoformat()}",
                    {"field": "expirationDate", "value": f"{operation.expiry} 23:59:59"})
        return Plan(operation, (step,), {"expires": operation.expiry.isoformat()})

    def _plan_stamps(self, card: Card, operation: Operation) -> Plan:
        stamps = card.stamps or Stamps(0)
        if operation.name is OpName.STAMP:
            n = self._count(operation, "Stamps")
            earned = (stamps.current + n) // stamps.max if stamps.max else 0
            step = self._use(card, {"numberStumps": n}, f"Add {_plural(n, 'stamp')}",
                             "totalStamps", n)
            return Plan(operation, (step,), {"stamps": n, "rewards_earned": earned})
        n = self._count(operation, "Rewards")
        unused = card.rewards or 0
        if n > unused:
            raise Refused(f"The card has {_plural(unused, 'unused reward')}; "
                          f"{n} cannot be redeemed.", service=SERVICE)
        step = Step("useReward", {"passSerialNumber": card.code, "numberRewards": n},
                    f"Redeem {_plural(n, 'reward')}", {"field": "unusedRewards", "delta": -n})
        return Plan(operation, (step,), {"rewards": n, "rewards_left": unused - n})

    def _plan_subscription(self, card: Card, operation: Operation) -> Plan:
        stamps = card.stamps or Stamps(0)
        if operation.name is OpName.SPEND:
            n = self._whole(operation.amount, card, "Points")
            self._check_balance(card, n)
            step = self._use(card, {"action": "spendPoints", "sum": n},
                             f"Spend {_plural(n, 'point')}", "numberScores", -n)
            return Plan(operation, (step,), {"spent": n,
                                             "balance_after": (card.balance or 0) - n})
        n = self._count(operation, "Visits")
        if operation.name is OpName.UNSTAMP:
            if n > stamps.current:
                raise Refused(f"The subscription has {_plural(stamps.current, 'visit')} left; "
                              f"{n} cannot be written off.", service=SERVICE)
            step = self._use(card, {"action": "takeStamps", "numberStumps": n},
                             f"Write off {_plural(n, 'visit')}", "activeStamps", -n)
            return Plan(operation, (step,), {"visits": n, "visits_left": stamps.current - n})
        if stamps.max is not None and stamps.current + n > stamps.max:
            raise Refused(f"The subscription holds at most {_plural(stamps.max, 'visit')} and "
                          f"has {stamps.current}; {n} more cannot be added.", service=SERVICE)
        step = self._use(card, {"action": "addStamps", "numberStumps": n},
                         f"Add {_plural(n, 'visit')}", "activeStamps", n)
        return Plan(operation, (step,), {"visits": n, "visits_left": stamps.current + n})

    def _plan_discount(self, card: Card, operation: Operation) -> Plan:
        amount = self._purchase_amount(operation.amount)
        percent = card.percent or Decimal(0)
        discount = money(amount * percent / 100)
        total = int(amount.to_integral_value(ROUND_HALF_UP))
        steps = (self._spent_step(card, total),) if total > 0 else ()
        return Plan(operation, steps, {"to_pay": amount - discount, "discount": discount,
                                       "percent": percent})

    def _spent_step(self, card: Card, total: int) -> Step:
        return self._use(card, {"action": "increaseTotalSpentSum", "sum": total},
                         f"Record {format_number(total)} spent on the card",
                         "amountMoneySpentTotal", total)

    def _accrue_step(self, card: Card, n: int) -> Step:
        text = (f"Add {format_number(n)} to the balance" if card.kind is CardKind.GIFT
                else f"Add {_plural(n, 'point')}")
        return self._use(card, {"action": "accruePoints", "sum": n}, text, "amountMoneyBonus", n)

    def _spend_step(self, card: Card, n: int) -> Step:
        text = (f"Spend {format_number(n)} from the balance" if card.kind is CardKind.GIFT
                else f"Spend {_plural(n, 'point')}")
        return self._use(card, {"action": "spendPoints", "sum": n}, text, "amountMoneyBonus", -n)

    def _plan_balance(self, card: Card, operation: Operation) -> Plan:
        """Cashback (type 1) and certificate (type 5) operations."""
        op = operation.name
        balance = card.balance or Decimal(0)
        percent = card.percent or Decimal(0)
        if op is OpName.SPEND:
            n = self._whole(operation.amount, card)
            self._check_balance(card, n)
            return Plan(operation, (self._spend_step(card, n),),
                        {"spent": n, "balance_after": balance - n})
        if op is OpName.ACCRUE:
            n = self._count(operation, "Points")
            return Plan(operation, (self._accrue_step(card, n),),
                        {"points": n, "balance_after": balance + n})
        amount = self._purchase_amount(operation.amount)
        total = int(amount.to_integral_value(ROUND_HALF_UP))
        if op is OpName.PURCHASE:
            points = int((amount * percent / 100).to_integral_value(ROUND_FLOOR))
            steps = [self._accrue_step(card, points)] if points > 0 else []
            if total > 0:
                steps.append(self._spent_step(card, total))
            if not steps:
                raise InvalidAmount("The purchase is too small to record on a Luna card.")
            return Plan(operation, tuple(steps), {"to_pay": amount, "points": points,
                                                  "percent": percent})
        # purchase-spend: spend first (the step most likely refused), then accrue, then total.
        spend = self._whole(operation.spend, card, "Amount to spend")
        if spend > amount:
            raise InvalidAmount("The amount to spend is larger than the purchase.",
                                "Spend at most the purchase amount.")
        self._check_balance(card, spend)
        points = int(((amount - spend) * percent / 100).to_integral_value(ROUND_FLOOR))
        steps = [self._spend_step(card, spend)]
        if points > 0:
            steps.append(self._accrue_step(card, points))
        if total > 0:
            steps.append(self._spent_step(card, total))
        max_spend = min(balance, amount.to_integral_value(ROUND_FLOOR))
        return Plan(operation, tuple(steps), {
            "to_pay": amount - spend, "spent": spend, "points": points,
            "max_spend": max_spend, "percent": percent})

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one step once. Luna takes no idempotency key, so ``key`` is not sent and
        nothing is ever retried here; a lost answer raises :class:`OutcomeUnknown`."""
        if step.action not in _STEP_ACTIONS:
            raise InvalidInput(f"The app does not know the Luna step {step.action!r}.")
        return self._call(step.action, dict(step.body), serial=card.code)

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """The plan's figures (Luna's answers carry only ``"result": 1``)."""
        figures: dict[str, Any] = dict(plan.preview)
        figures["steps_done"] = len(answers)
        figures["steps"] = len(plan.steps)
        return figures

    # -- customers and history -------------------------------------------------------------

    def history(self, card: Card) -> list[HistoryRow]:
        """The card's last 50 operations, newest first."""
        return [HistoryRow(op.when, op.label, op.value)
                for op in self.get_pass_operations(card.code)]

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """A customer's cards by phone (sent as the integer of its digits) or email."""
        if phone and phone.strip():
            method, body = "getClientPassesByPhone", {"phone": phone_number(phone)}
        elif email and email.strip():
            method, body = "getClientPassesByEmail", {"email": self._email(email)}
        else:
            raise InvalidInput("Type the customer's phone number or email.")
        try:
            obj = self._call(method, body, zero_ok=True)
        except CardNotFound:
            return []
        passes = obj.get("passes")
        if passes is None:
            return []
        if not isinstance(passes, list):
            raise BadResponse("Luna's list of the customer's cards is not a list.",
                              service=SERVICE)
        holder = self._client(obj).holder
        refs = []
        for item in passes:
            if not isinstance(item, dict):
                continue
            serial = _text(item.get("serialNumber"), 40)
            if not SERIAL_RE.fullmatch(serial):
                log.info("luna: skipped a listed card without a valid serial")
                continue
            kind = _kind(item.get("type"))
            status = _STATUSES.get(_text(item.get("status")).lower())
            refs.append(CardRef(service=self.name, code=serial,
                                kind_label=KIND_LABELS[kind] if kind else "Luna card",
                                status=status.value if status else _text(item.get("status")),
                                template=_text(item.get("template"), 40), holder=holder))
        return refs

    @staticmethod
    def _email(email: str) -> str:
        text = email.strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", text) or len(text) > 254:
            raise InvalidInput(f"{text!r} is not an email address.")
        return text

    @staticmethod
    def _client(row: dict[str, Any]) -> LunaClient:
        extra = {f"Field{i}": _text(_get(row, f"Field{i}")) for i in range(6)}
        user = to_int(_get(row, "userID"))
        if user is None:
            user = to_int(_get(row, "id"))
        serial = _text(_get(row, "serialNumber"), 40)
        return LunaClient(
            user_id=user, first_name=_text(_get(row, "fName")),
            last_name=_text(_get(row, "sName")), phone=_text(_get(row, "phone"), 40),
            email=_text(_get(row, "email")), birth_date=_text(_get(row, "dateOfBirth"), 40),
            extra={k: v for k, v in extra.items() if v}, serial=serial or None)

    # -- new customers ---------------------------------------------------------------------

    def templates(self) -> list[CardTemplate]:
        """The company's card templates (``getTemplates``)."""
        return [CardTemplate(self.name, str(t.id), t.name or f"Template {t.id}",
                             KIND_LABELS[t.kind] if t.kind else "Luna card")
                for t in self.get_templates()]

    def enrol(self, template_id: str, holder: Holder) -> str:
        """``createClient`` (an existing customer's id when Luna says error 5), then
        ``createPass``; return the new card's serial."""
        holder = check_holder(holder)
        if not holder.first_name or not holder.last_name:
            raise InvalidInput("Luna needs both the first and the last name.")
        text = str(template_id).strip()
        template = int(text) if text.isdigit() and len(text) <= 12 else 0
        if template <= 0:
            raise InvalidInput(f"{text!r} is not a Luna card template.",
                               "Choose one of the service's card templates; nothing was sent.")
        try:
            user = self.create_client(holder.first_name, holder.last_name, template,
                                      phone=holder.phone or None, email=holder.email or None)
        except ClientExists as exc:
            user = to_int(exc.user_id)
            if user is None:
                raise
            log.info("luna: the customer exists already; issuing the card to them")
        return self.create_pass(template, user).serial

    def check(self) -> str:
        """``getTemplates`` with the configured token."""
        count = len(self.get_templates())
        return f"Luna: connected, {_plural(count, 'card template')}"

    # -- the other reference methods -------------------------------------------------------

    @staticmethod
    def _positive(value: int, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidInput(f"{what} must be a positive whole number.")
        return value

    def _contact(self, phone: str | int | None, email: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if phone is not None and str(phone).strip():
            body["phone"] = phone_number(phone)
        if email is not None and email.strip():
            body["email"] = self._email(email)
        if not body:
            raise InvalidInput("Type the customer's phone number or email.")
        return body

    def _rows(self, obj: dict[str, Any], what: str) -> list[dict[str, Any]]:
        rows = obj.get("rows")
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise BadResponse(f"Luna's {what} is not a list.", service=SERVICE)
        return [r for r in rows if isinstance(r, dict)]

    def get_templates(self) -> list[LunaTemplate]:
        """The company's card templates."""
        data = self._post("getTemplates", {})
        rows = data[0].get("rows")
        if not isinstance(rows, list):   # tolerate templates listed as the array itself
            rows = [d for d in data if isinstance(d, dict) and "id" in d]
        templates = []
        for row in rows:
            tid = to_int(row.get("id")) if isinstance(row, dict) else None
            if tid is not None:
                templates.append(LunaTemplate(tid, _text(row.get("name")),
                                              to_int(row.get("type"))))
        return templates

    def create_client(self, first_name: str, last_name: str, template_id: int, *,
                      phone: str | int | None = None, email: str | None = None) -> int:
        """Create a customer for a template; return the new user id.

        Raises :class:`ClientExists` (with ``user_id``) when the phone or email is taken.
        """
        body = {"sName": self._name(last_name, "Last name"),
                "fName": self._name(first_name, "First name"),
                **self._contact(phone, email),
                "idTemplate": self._positive(template_id, "Template id")}
        user = to_int(self._call("createClient", body).get("userID"))
        if user is None:
            raise BadResponse("Luna created the customer but did not say its id.",
                              service=SERVICE)
        return user

    @staticmethod
    def _name(value: str, what: str) -> str:
        text = (value or "").strip()
        if not text:
            raise InvalidInput(f"{what} is missing.")
        if len(text) > 100:
            raise InvalidInput(f"{what} is too long.")
        return text

    def search_client(self, template_id: int, *, phone: str | int | None = None,
                      email: str | None = None) -> int | None:
        """The user id of the template's customer with that phone or email, if any."""
        body = {**self._contact(phone, email),
                "idTemplate": self._positive(template_id, "Template id")}
        obj = self._call("searchClient", body, zero_ok=True)
        return to_int(obj.get("userID")) if to_int(obj.get("result")) != 0 else None

    def update_client(self, user_id: int, first_name: str, last_name: str, template_id: int,
                      *, phone: str | int | None = None, email: str | None = None) -> None:
        """Change a customer's name and contacts."""
        body = {"userID": self._positive(user_id, "Customer id"),
                "sName": self._name(last_name, "Last name"),
                "fName": self._name(first_name, "First name"),
                **self._contact(phone, email),
                "idTemplate": self._positive(template_id, "Template id")}
        self._call("updateClient", body)

    def create_pass(self, template_id: int, user_id: int) -> NewPass:
        """Issue a card of a template to a customer."""
        obj = self._call("createPass", {"idTemplate": self._positive(template_id, "Template id"),
                                        "userID": self._positive(user_id, "Customer id")})
        serial = _text(obj.get("serialNumber"), 40)
        if not SERIAL_RE.fullmatch(serial):
            raise BadResponse("Luna issued a card but did not give a valid serial number.",
                              service=SERVICE)
        return NewPass(serial, _text(obj.get("installURL"), 2000),
                       _text(obj.get("installQR"), 2000))

    def get_client_info(self, code: str) -> LunaClient:
        """The customer who holds a card."""
        serial = self._serial(code)
        return self._client(self._call("getClientInfo", {"passSerialNumber": serial},
                                       serial=serial))

    def get_pass_info_by_phone(self, template_id: int, phone: str | int) -> Card | None:
        """The template's card of the customer with that phone, or ``None``."""
        body = {"idTemplate": self._positive(template_id, "Template id"),
                "phone": phone_number(phone)}
        try:
            obj = self._call("getPassInfoByPhone", body, zero_ok=True)
        except CardNotFound:
            return None
        serial = _text(obj.get("serialNumber"), 40)
        if to_int(obj.get("result")) == 0 or not SERIAL_RE.fullmatch(serial):
            return None
        return self._card(obj, serial, None)

    def check_pass_exists_by_phone(self, template_id: int, phone: str | int) -> bool:
        """Whether the customer with that phone has a card of the template."""
        body = {"idTemplate": self._positive(template_id, "Template id"),
                "phone": phone_number(phone)}
        return to_int(self._call("checkPassExistsByPhone", body, zero_ok=True)
                      .get("result")) == 1

    def get_template_client_passes(self, template_id: int, mode: str,
                                   page: int = 1) -> list[LunaClient]:
        """Customers of a template by card state: ``PassNotCreated``, ``passInstalled``,
        ``passNotInstalled`` or ``passDeleted`` (any case); up to 100 a page."""
        wire = next((m for m in _SELECTION_MODES if m.lower() == (mode or "").strip().lower()),
                    None)
        if wire is None:
            raise InvalidInput(f"Unknown selection {mode!r}.",
                               f"Use one of: {', '.join(_SELECTION_MODES)}.")
        obj = self._call("getTemplateClientPasses", {
            "idTemplate": self._positive(template_id, "Template id"), "selectionMode": wire,
            "page": self._positive(page, "Page")})
        return [self._client(row) for row in self._rows(obj, "list of customers")]

    def get_clients_list(self, template_id: int, page: int = 1) -> list[LunaClient]:
        """A template's customers, ten a page."""
        obj = self._call("getClientsList", {
            "idTemplate": self._positive(template_id, "Template id"),
            "page": self._positive(page, "Page")})
        return [self._client(row) for row in self._rows(obj, "list of customers")]

    def send_info_push(self, text: str, *, code: str | None = None,
                       template_id: int | None = None, page: int = 1) -> int:
        """Send a push message to one card (``code``) or to one page of ten installed cards of
        a template; return how many cards were selected (ten means: call the next page)."""
        message = (text or "").strip()
        if not message:
            raise InvalidInput("The message is empty.")
        if (code is None) == (template_id is None):
            raise InvalidInput("Send a message either to one card or to a template.")
        if code is not None:
            serial = self._serial(code)
            self._call("sendInfoPush", {"pushSegment": "oneClient", "passSerialNumber": serial,
                                        "messageText": message}, serial=serial)
            return 1
        obj = self._call("sendInfoPush", {
            "pushSegment": "allClients", "idTemplate": self._positive(template_id or 0,
                                                                      "Template id"),
            "messageText": message, "page": self._positive(page, "Page")})
        sent = to_int(obj.get("numberOfRowsSelected"))
        if sent is None or sent < 0:
            raise BadResponse("Luna sent the messages but did not say to how many cards.",
                              service=SERVICE)
        return sent

    def send_push_to_all(self, template_id: int, text: str, *, max_pages: int = 1000) -> int:
        """Send a push message to every installed card of a template, page by page."""
        total = 0
        for page in range(1, max_pages + 1):
            sent = self.send_info_push(text, template_id=template_id, page=page)
            total += sent
            if sent < 10:
                break
        return total

    def get_info_push_list(self, code: str, page: int = 1) -> list[PushMessage]:
        """Push messages sent to a card, ten a page."""
        serial = self._serial(code)
        obj = self._call("getInfoPushList", {"passSerialNumber": serial,
                                             "page": self._positive(page, "Page")},
                         serial=serial)
        return [PushMessage(to_int(r.get("id")), _when(r.get("date")),
                            _text(r.get("message"), 2000))
                for r in self._rows(obj, "list of messages")]

    def get_pass_operations(self, code: str, page: int = 1) -> list[LunaOperation]:
        """A card's operations, newest first, fifty a page."""
        serial = self._serial(code)
        obj = self._call("getPassOperations", {"passSerialNumber": serial,
                                               "page": self._positive(page, "Page")},
                         serial=serial)
        return [LunaOperation(_when(r.get("date")), to_int(r.get("operation")),
                              _text(r.get("value"), 40))
                for r in self._rows(obj, "card history")]
