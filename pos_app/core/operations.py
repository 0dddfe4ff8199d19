"""The cashier's operation vocabulary, the same for every service.

Each adapter maps these to its own calls and tells, per card, which are possible right now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pos_app.core.errors import InvalidAmount, InvalidInput
from pos_app.core.lazy_re import LazyPattern
from pos_app.core.money import foreign_digits, format_money, parse_amount, parse_count


class OpName(StrEnum):
    """Operation names as typed on the command line and stored in the journal."""

    PURCHASE = "purchase"
    SPEND = "spend"
    PURCHASE_SPEND = "purchase-spend"
    ACCRUE = "accrue"
    STAMP = "stamp"
    UNSTAMP = "unstamp"
    REWARD = "reward"
    COUPON_ACTIVATE = "coupon-activate"
    COUPON_REDEEM = "coupon-redeem"
    SET_EXPIRY = "set-expiry"
    REPORT_OFFER = "report-offer"
    HOLD = "hold"


#: Operations that take value off a card: the cashier confirms them first, and they are never
#: queued while a service is unreachable.
TAKES_VALUE = frozenset({OpName.SPEND, OpName.PURCHASE_SPEND, OpName.UNSTAMP, OpName.REWARD,
                         OpName.COUPON_REDEEM, OpName.REPORT_OFFER, OpName.HOLD})

#: What the cashier may do with an operation left waiting for them (a hold to confirm or
#: cancel): the command line's names, and whether the name cancels it.
FINISH_ACTIONS: dict[str, bool] = {"hold-confirm": False, "hold-cancel": True}

#: Human labels for buttons and messages.
LABELS: dict[OpName, str] = {
    OpName.PURCHASE: "Purchase",
    OpName.SPEND: "Spend",
    OpName.PURCHASE_SPEND: "Purchase with spending",
    OpName.ACCRUE: "Add points",
    OpName.STAMP: "Add stamps",
    OpName.UNSTAMP: "Write off visits",
    OpName.REWARD: "Redeem reward",
    OpName.COUPON_ACTIVATE: "Activate coupon",
    OpName.COUPON_REDEEM: "Redeem coupon",
    OpName.SET_EXPIRY: "Set expiry date",
    OpName.REPORT_OFFER: "Report offer used",
    OpName.HOLD: "Hold points",
}

#: What each operation takes, for usage messages.
USAGE: dict[OpName, str] = {
    OpName.PURCHASE: "purchase AMOUNT",
    OpName.SPEND: "spend AMOUNT",
    OpName.PURCHASE_SPEND: "purchase-spend AMOUNT SPEND",
    OpName.ACCRUE: "accrue POINTS",
    OpName.STAMP: "stamp N",
    OpName.UNSTAMP: "unstamp N",
    OpName.REWARD: "reward N",
    OpName.COUPON_ACTIVATE: "coupon-activate",
    OpName.COUPON_REDEEM: "coupon-redeem",
    OpName.SET_EXPIRY: "set-expiry YYYY-MM-DD",
    OpName.REPORT_OFFER: "report-offer",
    OpName.HOLD: "hold POINTS",
}


@dataclass(frozen=True)
class Operation:
    """One cashier operation with validated arguments."""

    name: OpName
    amount: Decimal | None = None
    spend: Decimal | None = None
    count: int | None = None
    expiry: dt.date | None = None

    @property
    def takes_value(self) -> bool:
        return self.name in TAKES_VALUE

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def args(self) -> list[str]:
        """The arguments as the command line takes them (stored in the journal)."""
        if self.name is OpName.PURCHASE_SPEND:
            return [str(self.amount), str(self.spend)]
        if self.amount is not None:
            return [str(self.amount)]
        if self.count is not None:
            return [str(self.count)]
        if self.expiry is not None:
            return [self.expiry.isoformat()]
        return []

    def describe(self) -> str:
        """A plain sentence for confirmations and the journal view."""
        n = self.name
        if n is OpName.PURCHASE:
            return f"Purchase of {format_money(self.amount)}"
        if n is OpName.SPEND:
            return f"Spend {format_money(self.amount)} from the card"
        if n is OpName.PURCHASE_SPEND:
            return (f"Purchase of {format_money(self.amount)}, paying "
                    f"{format_money(self.spend)} from the card")
        if n is OpName.ACCRUE:
            return f"Add {self.count} points"
        if n is OpName.HOLD:
            return f"Hold {self.count} points until the sale is paid"
        if n is OpName.STAMP:
            return f"Add {self.count} stamp{'s' if self.count != 1 else ''}"
        if n is OpName.UNSTAMP:
            return f"Write off {self.count} visit{'s' if self.count != 1 else ''}"
        if n is OpName.REWARD:
            return f"Redeem {self.count} reward{'s' if self.count != 1 else ''}"
        if n is OpName.REPORT_OFFER:
            return "Report the offer code as used"
        if n is OpName.SET_EXPIRY:
            return f"Set the expiry date to {self.expiry.isoformat() if self.expiry else '?'}"
        return self.label

    @classmethod
    def parse(cls, name: str, args: Sequence[str] = ()) -> Operation:
        """Build an operation from its name and typed arguments; raise :class:`InvalidInput`."""
        try:
            op = OpName(name.strip().lower())
        except ValueError:
            known = ", ".join(o.value for o in OpName)
            raise InvalidInput(f"Unknown operation {name!r}.", f"Use one of: {known}.") from None
        args = [str(a) for a in args]
        expected = USAGE[op].count(" ")
        if len(args) != expected:
            raise InvalidInput(f"{op.value} takes {expected} argument"
                               f"{'s' if expected != 1 else ''}: {USAGE[op]}.")
        if op in (OpName.PURCHASE, OpName.SPEND):
            return cls(op, amount=parse_amount(args[0]))
        if op is OpName.PURCHASE_SPEND:
            amount = parse_amount(args[0])
            spend = parse_amount(args[1], what="Amount to spend")
            if spend > amount:
                raise InvalidAmount("The amount to spend is larger than the purchase.",
                                    "Spend at most the purchase amount.")
            return cls(op, amount=amount, spend=spend)
        if op in (OpName.ACCRUE, OpName.HOLD):
            return cls(op, count=parse_count(args[0], what="Points"))
        if op in (OpName.STAMP, OpName.UNSTAMP):
            return cls(op, count=parse_count(args[0], what="Stamps", maximum=1000))
        if op is OpName.REWARD:
            return cls(op, count=parse_count(args[0], what="Rewards", maximum=1000))
        if op is OpName.SET_EXPIRY:
            return cls(op, expiry=parse_date(args[0]))
        return cls(op)


#: What a cashier types into an entry field, whole or begun: an amount (at most 7 digits
#: before the cents), a count (at most 6 digits), a date (YYYY-MM-DD or DD.MM.YYYY), a
#: person's name (no digits), a phone number, an email address.
_TYPED = {
    "money": LazyPattern(r"\d{1,3}(?:[ \u00a0]?\d{3})*(?:\d{0,4})(?:[.,]\d{0,2})?|[.,]\d{0,2}"),
    "count": LazyPattern(r"\d{1,6}"),
    "date": LazyPattern(r"\d{4}-(?:\d{1,2}(?:-\d{0,2})?)?|\d{1,2}\.(?:\d{1,2}(?:\.\d{0,4})?)?"),
    "name": LazyPattern(r"[^\d:/=?&]+"),
    "phone": LazyPattern(r"\+?[\d ().-]{1,24}"),
    "email": LazyPattern(r"[\w.+-]*@?[\w.-]*"),
}
_TYPED["contact"] = LazyPattern(f"{_TYPED['phone'].pattern}|{_TYPED['email'].pattern}")


def fits_field(kind: str, text: str) -> bool:
    """Whether ``text`` is, or begins, what an entry field of ``kind`` (``money``, ``count``,
    ``date``) takes: typed there fast, it is the cashier's typing, not a scanned code."""
    pattern = _TYPED.get(kind)
    if pattern is None or not pattern.fullmatch(text.strip()):
        return False
    digits = sum(ch.isdigit() for ch in text)
    return kind != "money" or digits <= 9


def _date(raw: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"Date {raw!r} is not a date.", "Type it as YYYY-MM-DD.")


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` (or ``DD.MM.YYYY``) for a new expiry date; it must not be past."""
    raw = text.strip()
    if foreign_digits(raw):
        raise InvalidInput(f"Date {raw!r} has digits other than 0-9.", "Type it as YYYY-MM-DD.")
    value = _date(raw)
    if value < dt.date.today():
        raise InvalidInput("The expiry date is in the past.", "Choose today or a later date.")
    if value.year > dt.date.today().year + 100:
        raise InvalidInput("The expiry date is too far in the future.")
    return value
