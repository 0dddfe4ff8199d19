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
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.labels import Labels
from pos_app.core.lazy_re import LazyPattern
from pos_app.core.money import (
    foreign_digits,
    format_money,
    format_number,
    parse_amount,
    parse_count,
    typed,
)


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

#: Human labels for buttons and messages, read in the chosen language (``LABELS[op]``).
LABELS: Labels[OpName] = Labels({
    # i18n: an operation's button and name (a verb).
    OpName.PURCHASE: N_("Purchase"),
    OpName.SPEND: N_("Spend"),
    OpName.PURCHASE_SPEND: N_("Purchase with spending"),
    OpName.ACCRUE: N_("Add points"),
    OpName.STAMP: N_("Add stamps"),
    OpName.UNSTAMP: N_("Write off visits"),
    OpName.REWARD: N_("Redeem reward"),
    OpName.COUPON_ACTIVATE: N_("Activate coupon"),
    OpName.COUPON_REDEEM: N_("Redeem coupon"),
    OpName.SET_EXPIRY: N_("Set expiry date"),
    OpName.REPORT_OFFER: N_("Report offer used"),
    OpName.HOLD: N_("Hold points"),
})

#: What each operation takes, for usage messages (command-line syntax: not translated).
USAGE: dict[OpName, str] = {
    OpName.PURCHASE: "purchase AMOUNT",  # i18n-skip
    OpName.SPEND: "spend AMOUNT",  # i18n-skip
    OpName.PURCHASE_SPEND: "purchase-spend AMOUNT SPEND",  # i18n-skip
    OpName.ACCRUE: "accrue POINTS",  # i18n-skip
    OpName.STAMP: "stamp N",
    OpName.UNSTAMP: "unstamp N",
    OpName.REWARD: "reward N",
    OpName.COUPON_ACTIVATE: "coupon-activate",
    OpName.COUPON_REDEEM: "coupon-redeem",
    OpName.SET_EXPIRY: "set-expiry YYYY-MM-DD",  # i18n-skip
    OpName.REPORT_OFFER: "report-offer",
    OpName.HOLD: "hold POINTS",  # i18n-skip
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
        """The operation's name in the chosen language ("Add stamps")."""
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
        """A plain sentence for confirmations and the journal view, in the chosen language."""
        n = self.name
        count = self.count or 0
        number = format_number(count)
        if n is OpName.PURCHASE:
            return _("Purchase of {amount}").format(amount=format_money(self.amount))
        if n is OpName.SPEND:
            return _("Spend {amount} from the card").format(amount=format_money(self.amount))
        if n is OpName.PURCHASE_SPEND:
            return _("Purchase of {amount}, paying {spend} from the card").format(
                amount=format_money(self.amount), spend=format_money(self.spend))
        if n is OpName.ACCRUE:
            return ngettext("Add {count} point", "Add {count} points", count).format(
                count=number)
        if n is OpName.HOLD:
            return ngettext("Hold {count} point until the sale is paid",
                            "Hold {count} points until the sale is paid", count).format(
                count=number)
        if n is OpName.STAMP:
            return ngettext("Add {count} stamp", "Add {count} stamps", count).format(
                count=number)
        if n is OpName.UNSTAMP:
            return ngettext("Write off {count} visit", "Write off {count} visits",
                            count).format(count=number)
        if n is OpName.REWARD:
            return ngettext("Redeem {count} reward", "Redeem {count} rewards", count).format(
                count=number)
        if n is OpName.REPORT_OFFER:
            return _("Report the offer code as used")
        if n is OpName.SET_EXPIRY:
            from pos_app.core import formatting

            return _("Set the expiry date to {date}").format(
                date=formatting.date(self.expiry) if self.expiry else "?")
        return self.label

    @classmethod
    def parse(cls, name: str, args: Sequence[str] = ()) -> Operation:
        """Build an operation from its name and typed arguments; raise :class:`InvalidInput`."""
        try:
            op = OpName(name.strip().lower())
        except ValueError:
            known = ", ".join(o.value for o in OpName)
            raise InvalidInput(_("Unknown operation {name}.").format(name=typed(name)),
                               _("Use one of: {names}.").format(names=known)) from None
        args = [str(a) for a in args]
        expected = USAGE[op].count(" ")
        if len(args) != expected:
            raise InvalidInput(ngettext("{operation} takes {count} argument: {usage}.",
                                        "{operation} takes {count} arguments: {usage}.",
                                        expected).format(operation=op.value, count=expected,
                                                         usage=USAGE[op]))
        if op in (OpName.PURCHASE, OpName.SPEND):
            return cls(op, amount=parse_amount(args[0]))
        if op is OpName.PURCHASE_SPEND:
            amount = parse_amount(args[0])
            spend = parse_amount(args[1], what=N_("Amount to spend"))
            if spend > amount:
                raise InvalidAmount(_("The amount to spend is larger than the purchase."),
                                    _("Spend at most the purchase amount."))
            return cls(op, amount=amount, spend=spend)
        if op in (OpName.ACCRUE, OpName.HOLD):
            return cls(op, count=parse_count(args[0], what=N_("Points")))
        if op in (OpName.STAMP, OpName.UNSTAMP):
            return cls(op, count=parse_count(args[0], what=N_("Stamps"), maximum=1000))
        if op is OpName.REWARD:
            return cls(op, count=parse_count(args[0], what=N_("Rewards"), maximum=1000))
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
    raise InvalidInput(_("Date {text} is not a date.").format(text=typed(raw)),
                       _("Type it as YYYY-MM-DD."))


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` (or ``DD.MM.YYYY``) for a new expiry date; it must not be past."""
    raw = text.strip()
    if foreign_digits(raw):
        raise InvalidInput(_("Date {text} has digits other than 0-9.").format(text=typed(raw)),
                           _("Type it as YYYY-MM-DD."))
    value = _date(raw)
    if value < dt.date.today():
        raise InvalidInput(_("The expiry date is in the past."),
                           _("Choose today or a later date."))
    if value.year > dt.date.today().year + 100:
        raise InvalidInput(_("The expiry date is too far in the future."))
    return value
