"""Luna Loyalty Cards adapter: claim, card, plan, execute and refresh over :mod:`.wire`.

Luna has no idempotency key, so a step whose answer was lost is never resent here: each step's
``expect`` names the raw card field it moves, for :mod:`pos_app.core.reconcile` to compare
before any retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from pos_app.core.backends.base import CardRef, CardTemplate, HistoryRow, Plan, Step, check_holder
from pos_app.core.backends.http_backend import HttpBackend
from pos_app.core.cards import KIND_LABELS, Card, CardKind, Holder, Stamps
from pos_app.core.errors import (
    BadResponse,
    ClientExists,
    ConfigError,
    InvalidAmount,
    InvalidInput,
    NotSupported,
    Refused,
    ServiceError,
)
from pos_app.core.figures import Figures
from pos_app.core.formatting import date as format_date
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.money import (
    ascii_int,
    format_money,
    format_number,
    money,
    to_decimal,
    to_int,
)
from pos_app.core.operations import Operation, OpName
from pos_app.core.services.luna import evidence
from pos_app.core.services.luna.wire import (
    OP_ACCRUAL,
    OP_EXPIRY,
    OP_REWARD,
    OP_SPENT_DOWN,
    OP_SPENT_UP,
    OP_WRITE_OFF,
    SERIAL_RE,
    SERVICE,
    STATUSES,
    TOKEN_HEADER,
    LunaClient,
    LunaOperation,
    LunaWire,
    as_text,
    kind_of,
    phone_number,
    read_client,
    when,
)
from pos_app.core.services.phrases import a_kind
from pos_app.core.units import Unit, balance_unit, mark_unit, quantity

__all__ = ["LunaBackend", "LunaClient", "phone_number"]

log = logging.getLogger(__name__)

_SERIAL_IN_TEXT = re.compile(r"(?<![\d-])\d{6}-\d{3}-\d{3}(?![\d-])")
_URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)

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
# "A discount card cannot ..." for an operation a card type does not have ({a_kind}: the
# card's kind as the sentence's subject, :func:`.phrases.a_kind`).
_CANNOT = {
    OpName.PURCHASE: N_("{a_kind} cannot record purchases."),
    OpName.SPEND: N_("{a_kind} cannot spend points."),
    OpName.PURCHASE_SPEND: N_("{a_kind} cannot pay for a purchase with points."),
    OpName.ACCRUE: N_("{a_kind} cannot earn points."),
    OpName.STAMP: N_("{a_kind} cannot collect stamps."),
    OpName.UNSTAMP: N_("{a_kind} cannot have visits written off."),
    OpName.REWARD: N_("{a_kind} cannot redeem rewards."),
    OpName.COUPON_ACTIVATE: N_("{a_kind} cannot be activated from the till."),
    OpName.COUPON_REDEEM: N_("{a_kind} cannot be redeemed from the till."),
    OpName.SET_EXPIRY: N_("{a_kind} cannot have its expiry date set."),
    OpName.REPORT_OFFER: N_("{a_kind} cannot be reported as an offer code."),
    OpName.HOLD: N_("{a_kind} cannot hold points for a sale."),
}


def _bad_field(serial: str, name: str) -> str:
    return _("Luna's answer for card {serial} has no valid {name}.").format(serial=serial,
                                                                          name=name)


def _spend_points(n: int) -> str:
    return ngettext("Spend {count} point", "Spend {count} points", n).format(
        count=format_number(n))


class LunaBackend(HttpBackend):
    """Luna Loyalty Cards (a white label of Boomerangme): cards of types 0-6.

    Without a ``pattern`` setting a code is Luna's when it is a ``\\d{6}-\\d{3}-\\d{3}``
    serial, bare or inside a URL.
    """

    name = "luna"
    title = "Luna"  # i18n-skip
    idempotent = False
    whole_amounts = True
    #: A serial: ``\d{6}-\d{3}-\d{3}``.
    min_code_length = 14
    #: Luna records total spent in whole sums.
    sum_quantum = Decimal(1)

    def __init__(self, base_url: str, token: str, *, pattern: str | None = None,
                 timeout: httpx.Timeout | None = None) -> None:
        if not base_url or not base_url.strip():
            raise ConfigError(_("The Luna address is not set."))
        if not token or not token.strip():
            raise ConfigError(_("The Luna access token is not set."))
        if not re.fullmatch(r"[\x21-\x7e]+", token.strip()):
            raise ConfigError(_("The Luna access token has characters a token cannot have."))
        super().__init__(base_url, pattern=pattern, timeout=timeout,
                         headers={TOKEN_HEADER: token.strip()})
        if self.pattern is not None:  # codes of the shop's own pattern may be shorter
            self.min_code_length = HttpBackend.min_code_length
        self.wire = LunaWire(self.http, lambda answer, mutating: self.status_failure(
            answer, mutating=mutating))

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], *,
                      timeout: httpx.Timeout | None = None) -> LunaBackend:
        return cls(str(table["base_url"]), str(table["token"]),
                   pattern=str(table["pattern"]) if table.get("pattern") else None,
                   timeout=timeout)

    # -- codes and cards -------------------------------------------------------------------

    def claim_default(self, text: str) -> str | None:
        """A serial, bare or anywhere inside a URL."""
        if SERIAL_RE.fullmatch(text):
            return text
        if _URL_RE.fullmatch(text):
            match = _SERIAL_IN_TEXT.search(text)
            return match.group(0) if match else None
        return None

    def _serial(self, code: str) -> str:
        return self.claimed(code, _("This is not a Luna card code."),
                            _("Scan the card's QR code again, or type its serial number "
                              "(like 448234-808-346)."))

    def get_card(self, code: str) -> Card:
        """``getPassInfo``, with the holder from ``getClientInfo`` when it answers."""
        serial = self._serial(code)
        obj = self.wire.get_pass_info(serial)
        holder: Holder | None
        try:
            holder = self.wire.get_client_info(serial).holder
        except ServiceError as exc:
            log.info("luna: no holder for a card: %s", exc.kind)
            holder = None
        return self._card(obj, serial, holder)

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """Read the card again (its serial never changes; the holder is kept)."""
        obj = self.wire.get_pass_info(card.code)
        return self._card(obj, card.code, card.holder)

    def _card(self, obj: dict[str, Any], serial: str, holder: Holder | None) -> Card:
        """A ``getPassInfo`` answer as a :class:`Card`; :class:`BadResponse` if it is not one."""
        kind = kind_of(obj.get("type"))
        if kind is None:
            raise BadResponse(_("Luna reported an unknown card type ({type}).").format(
                type=as_text(obj.get("type"), 20) or "—"), service=SERVICE)
        status = STATUSES.get(as_text(obj.get("status")).lower())
        if status is None:
            raise BadResponse(_("Luna reported an unknown card status ({status}).").format(
                status=as_text(obj.get("status"), 30) or "—"), service=SERVICE)

        def number(name: str, required: bool = True) -> Decimal | None:
            value = to_decimal(obj.get(name))
            if value is None or value < 0:
                if required:
                    raise BadResponse(_bad_field(serial, name), service=SERVICE)
                return None
            return value

        def count(name: str, required: bool = True) -> int | None:
            value = number(name, required)
            if value is None:
                return None
            if value != value.to_integral_value():
                raise BadResponse(_bad_field(serial, name), service=SERVICE)
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
            raise BadResponse(_("Luna reported a percentage of {percent} for card {serial}.")
                              .format(percent=format_number(percent), serial=serial),
                              service=SERVICE)
        card = Card(service=self.name, code=serial, card_id=serial, kind=kind, status=status,
                    holder=holder, expires=when(obj.get("expirationDate")),
                    template=as_text(obj.get("template"), 40) or None, raw=dict(obj), **values)
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
            raise NotSupported(_(_CANNOT[op]).format(a_kind=a_kind(card.kind)),
                               service=SERVICE)
        if not card.usable:
            raise Refused(_("The card is {status}.").format(status=card.status_label.lower()),
                          service=SERVICE)
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
    def _count(operation: Operation, message: str) -> int:
        """The operation's count; ``message`` (what must be at least 1) when it is none."""
        count = operation.count
        if count is None or isinstance(count, bool) or count <= 0:
            raise InvalidAmount(message)
        return count

    @staticmethod
    def _whole(amount: Decimal | None, card: Card, message: str | None = None) -> int:
        """A sum Luna can hold: positive and whole (``message`` when it is not positive)."""
        if amount is None or not amount.is_finite() or amount <= 0:
            raise InvalidAmount(message or _("Amount must be more than zero."))
        if amount != amount.to_integral_value():
            held = (_("Luna certificates hold whole amounts: {amount} cannot be used.").format(
                amount=format_money(amount)) if card.kind is CardKind.GIFT
                else _("Luna cards hold whole points: {amount} cannot be used.").format(
                    amount=format_number(amount)))
            raise InvalidAmount(held, _("Type a whole number."))
        return int(amount)

    @staticmethod
    def _purchase_amount(amount: Decimal | None) -> Decimal:
        if amount is None or not amount.is_finite() or amount <= 0:
            raise InvalidAmount(_("Amount must be more than zero."))
        return amount

    def _check_balance(self, card: Card, spend: int) -> None:
        balance = card.balance or Decimal(0)
        if spend > balance:
            if card.balance_unit == "money":
                text = _("The card has {balance}; {spend} cannot be spent.").format(
                    balance=format_money(balance), spend=format_money(Decimal(spend)))
            else:
                text = _("The card has {balance} points; {spend} points cannot be spent.").format(
                    balance=format_number(balance), spend=format_number(spend))
            raise Refused(text, service=SERVICE)

    def _plan_expiry(self, card: Card, operation: Operation) -> Plan:
        """``setExpirationDate``: the date at 23:59:59 in the till's local time zone.

        Luna reports the date in its own time zone, so ``expect`` names the date, which
        reconciliation takes within a day of it.
        """
        if operation.expiry is None:
            raise InvalidInput(_("The new expiry date is missing."))
        end = dt.datetime.combine(operation.expiry, dt.time(23, 59, 59))
        step = Step("usePass", {"passSerialNumber": card.code, "action": "setExpirationDate",
                                "expiryDate": int(end.timestamp())},
                    _("Set the expiry date to {date}").format(
                        date=format_date(operation.expiry)),
                    {"field": "expirationDate", "date": operation.expiry.isoformat()})
        return Plan(operation, (step,), Figures(expires=operation.expiry.isoformat()))

    def _plan_stamps(self, card: Card, operation: Operation) -> Plan:
        stamps = card.stamps or Stamps(0)
        if operation.name is OpName.STAMP:
            n = self._count(operation, _("Stamps must be at least 1."))
            earned = (stamps.current + n) // stamps.max if stamps.max else 0
            text = ngettext("Add {count} stamp", "Add {count} stamps", n).format(
                count=format_number(n))
            step = self._use(card, {"numberStumps": n}, text, "totalStamps", n)
            return Plan(operation, (step,), Figures(stamps_added=n, rewards_earned=earned))
        n = self._count(operation, _("Rewards must be at least 1."))
        unused = card.rewards or 0
        if n > unused:
            raise Refused(ngettext("The card has {count} unused reward; {n} cannot be redeemed.",
                                   "The card has {count} unused rewards; {n} cannot be "
                                   "redeemed.", unused).format(count=format_number(unused),
                                                               n=format_number(n)),
                          service=SERVICE)
        step = Step("useReward", {"passSerialNumber": card.code, "numberRewards": n},
                    ngettext("Redeem {count} reward", "Redeem {count} rewards", n).format(
                        count=format_number(n)), {"field": "unusedRewards", "delta": -n})
        return Plan(operation, (step,), Figures(rewards_used=n, rewards_left=unused - n))

    def _plan_subscription(self, card: Card, operation: Operation) -> Plan:
        stamps = card.stamps or Stamps(0)
        if operation.name is OpName.SPEND:
            n = self._whole(operation.amount, card, _("Points must be more than zero."))
            self._check_balance(card, n)
            step = self._use(card, {"action": "spendPoints", "sum": n}, _spend_points(n),
                             "numberScores", -n)
            return Plan(operation, (step,), Figures(spent=n, balance=(card.balance or 0) - n))
        n = self._count(operation, _("Visits must be at least 1."))
        if operation.name is OpName.UNSTAMP:
            if n > stamps.current:
                raise Refused(ngettext(
                    "The subscription has {count} visit left; {n} cannot be written off.",
                    "The subscription has {count} visits left; {n} cannot be written off.",
                    stamps.current).format(count=format_number(stamps.current),
                                           n=format_number(n)), service=SERVICE)
            text = ngettext("Write off {count} visit", "Write off {count} visits", n).format(
                count=format_number(n))
            step = self._use(card, {"action": "takeStamps", "numberStumps": n}, text,
                             "activeStamps", -n)
            return Plan(operation, (step,), Figures(visits=n, visits_left=stamps.current - n))
        if stamps.max is not None and stamps.current + n > stamps.max:
            raise Refused(ngettext(
                "The subscription holds at most {max} visit and has {count}; {n} more cannot "
                "be added.",
                "The subscription holds at most {max} visits and has {count}; {n} more cannot "
                "be added.", stamps.max).format(max=format_number(stamps.max),
                                                count=format_number(stamps.current),
                                                n=format_number(n)), service=SERVICE)
        text = ngettext("Add {count} visit", "Add {count} visits", n).format(
            count=format_number(n))
        step = self._use(card, {"action": "addStamps", "numberStumps": n}, text,
                         "activeStamps", n)
        return Plan(operation, (step,), Figures(visits=n, visits_left=stamps.current + n))

    def _plan_discount(self, card: Card, operation: Operation) -> Plan:
        amount = self._purchase_amount(operation.amount)
        percent = card.percent or Decimal(0)
        discount = money(amount * percent / 100)
        total = int(amount.to_integral_value(ROUND_HALF_UP))
        steps = (self._spent_step(card, total),) if total > 0 else ()
        return Plan(operation, steps, Figures(to_pay=amount - discount, discount=discount,
                                              percent=percent))

    def _spent_step(self, card: Card, total: int) -> Step:
        return self._use(card, {"action": "increaseTotalSpentSum", "sum": total},
                         _("Record {amount} spent on the card").format(
                             amount=format_number(total)),
                         "amountMoneySpentTotal", total)

    def _accrue_step(self, card: Card, n: int) -> Step:
        text = (_("Add {amount} to the balance").format(amount=format_number(n))
                if card.kind is CardKind.GIFT else
                ngettext("Add {count} point", "Add {count} points", n).format(
                    count=format_number(n)))
        return self._use(card, {"action": "accruePoints", "sum": n}, text, "amountMoneyBonus", n)

    def _spend_step(self, card: Card, n: int) -> Step:
        text = (_("Spend {amount} from the balance").format(amount=format_number(n))
                if card.kind is CardKind.GIFT else _spend_points(n))
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
                        Figures(spent=n, balance=balance - n))
        if op is OpName.ACCRUE:
            n = self._count(operation, _("Points must be at least 1."))
            return Plan(operation, (self._accrue_step(card, n),),
                        Figures(earned=n, balance=balance + n))
        amount = self._purchase_amount(operation.amount)
        total = int(amount.to_integral_value(ROUND_HALF_UP))
        if op is OpName.PURCHASE:
            points = int((amount * percent / 100).to_integral_value(ROUND_FLOOR))
            steps = [self._accrue_step(card, points)] if points > 0 else []
            if total > 0:
                steps.append(self._spent_step(card, total))
            if not steps:
                raise InvalidAmount(_("The purchase is too small to record on a Luna card."))
            return Plan(operation, tuple(steps), Figures(to_pay=amount, earned=points,
                                                         percent=percent))
        # purchase-spend: spend first (the step most likely refused), then accrue, then total.
        spend = self._whole(operation.spend, card, _("Amount to spend must be more than zero."))
        if spend > amount:
            raise InvalidAmount(_("The amount to spend is larger than the purchase."),
                                _("Spend at most the purchase amount."))
        self._check_balance(card, spend)
        points = int(((amount - spend) * percent / 100).to_integral_value(ROUND_FLOOR))
        steps = [self._spend_step(card, spend)]
        if points > 0:
            steps.append(self._accrue_step(card, points))
        if total > 0:
            steps.append(self._spent_step(card, total))
        max_spend = min(balance, amount.to_integral_value(ROUND_FLOOR))
        return Plan(operation, tuple(steps), Figures(
            to_pay=amount - spend, spent=spend, earned=points, max_spend=max_spend,
            percent=percent))

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one step once. Luna takes no idempotency key, so ``key`` is not sent and
        nothing is ever retried here; a lost answer raises :class:`OutcomeUnknown`."""
        return self.wire.use(step.action, step.body, card.code)

    def mark(self, card: Card) -> dict[str, Any]:
        """The card's newest history rows, before an operation is sent."""
        return evidence.mark(self.wire.get_pass_operations(card.code))

    def evidence(self, card: Card, step: Step, key: str, *, mark: Any = None,
                 done: tuple[Step, ...] = (), sent: dt.datetime | None = None) -> bool | None:
        """Whether the card's history shows ``step`` applied since the mark (see
        :mod:`.evidence`); ``None`` without a mark or when the history cannot tell."""
        if not isinstance(mark, dict | list):
            return None
        rows = [evidence.row(op) for op in self.wire.get_pass_operations(card.code)]
        return evidence.applied(rows, mark, step, done)

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        """The plan's figures (Luna's answers carry only ``"result": 1``)."""
        return plan.preview.replace(steps_done=len(answers), steps=len(plan.steps))

    # -- customers and history -------------------------------------------------------------

    def history(self, card: Card) -> list[HistoryRow]:
        """The card's last 50 operations, newest first."""
        return [HistoryRow(op.when, op.label, _history_value(op, card))
                for op in self.wire.get_pass_operations(card.code)]

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """A customer's cards by phone (sent as the integer of its digits) or email."""
        obj = self.wire.get_client_passes(phone=phone, email=email)
        if obj is None:
            return []
        passes = obj.get("passes")
        if passes is None:
            return []
        if not isinstance(passes, list):
            raise BadResponse(_("Luna's list of the customer's cards is not a list."),
                              service=SERVICE)
        holder = read_client(obj).holder
        refs = []
        for item in passes:
            if not isinstance(item, dict):
                continue
            serial = as_text(item.get("serialNumber"), 40)
            if not SERIAL_RE.fullmatch(serial):
                log.info("luna: skipped a listed card without a valid serial")
                continue
            kind = kind_of(item.get("type"))
            status = STATUSES.get(as_text(item.get("status")).lower())
            refs.append(CardRef(service=self.name, code=serial,
                                kind_label=KIND_LABELS[kind] if kind else _("Luna card"),
                                status=status.value if status else as_text(item.get("status")),
                                template=as_text(item.get("template"), 40), holder=holder))
        return refs

    # -- new customers ---------------------------------------------------------------------

    def templates(self) -> list[CardTemplate]:
        """The company's card templates (``getTemplates``)."""
        return [CardTemplate(self.name, str(t.id),
                             t.name or _("Template {id}").format(id=t.id),
                             KIND_LABELS[t.kind] if t.kind else _("Luna card"))
                for t in self.wire.get_templates()]

    def enrol(self, template_id: str, holder: Holder) -> str:
        """``createClient`` (an existing customer's id when Luna says error 5), then
        ``createPass``; return the new card's serial."""
        holder = check_holder(holder)
        if not holder.first_name or not holder.last_name:
            raise InvalidInput(_("Luna needs both the first and the last name."))
        text = str(template_id).strip()
        template = ascii_int(text, max_digits=12) or 0
        if template <= 0:
            raise InvalidInput(_("{template!r} is not a Luna card template.").format(
                template=text), _("Choose one of the service's card templates; nothing was "
                                  "sent."))
        try:
            user = self.wire.create_client(holder.first_name, holder.last_name, template,
                                      phone=holder.phone or None, email=holder.email or None)
        except ClientExists as exc:
            user = to_int(exc.user_id)
            if user is None:
                raise
            log.info("luna: the customer exists already; issuing the card to them")
        return self.wire.create_pass(template, user).serial

    def check(self) -> str:
        """``getTemplates`` with the configured token."""
        count = len(self.wire.get_templates())
        return ngettext("Luna: connected, {count} card template",
                        "Luna: connected, {count} card templates", count).format(
                            count=format_number(count))

    def get_pass_info_by_phone(self, template_id: int, phone: str | int) -> Card | None:
        """The template's card of the customer with that phone, or ``None``."""
        obj = self.wire.get_pass_info_by_phone(template_id, phone)
        if obj is None:
            return None
        return self._card(obj, as_text(obj.get("serialNumber"), 40), None)


def _history_value(op: LunaOperation, card: Card) -> str:
    """A history row's value as the card says it: a sum spent as money, an accrual or a
    write-off in the card's own unit (stamps, visits, points, or money on a certificate),
    a date in the language's format; Luna's own text when it is none of those."""
    if op.code == OP_EXPIRY:
        moment = when(op.value)
        return format_date(moment.date()) if moment is not None else op.value
    number = to_decimal(op.value)
    if number is None:
        return op.value
    if op.code in (OP_SPENT_UP, OP_SPENT_DOWN):
        return format_money(number)
    if op.code == OP_REWARD:
        return quantity(number, Unit.REWARDS)
    if op.code in (OP_ACCRUAL, OP_WRITE_OFF):
        return quantity(number, mark_unit(card) if card.stamps is not None
                        else balance_unit(card))
    return format_number(number)
