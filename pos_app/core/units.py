"""What a card counts, and one way to write a number in each unit, everywhere.

Money is ``1,234.50`` (``1 234,50 ₽`` in Russian); points ``1,234 points``; marks on a card
are stamps, visits (a subscription) or chops (a chop card); rewards are rewards. The window,
the confirmation, the result banner and the journal all write figures through here, in the
chosen language.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pos_app.core.cards import Card, CardKind
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.money import format_money, format_number
from pos_app.core.operations import Operation, OpName


class Unit(StrEnum):
    MONEY = "money"
    POINTS = "point"
    STAMPS = "stamp"
    VISITS = "visit"
    CHOPS = "chop"
    REWARDS = "reward"


def balance_unit(card: Card | None) -> Unit:
    """What the card's balance is: money on a gift certificate, points otherwise."""
    return Unit.MONEY if card is not None and card.balance_unit == "money" else Unit.POINTS


def mark_unit(card: Card | None) -> Unit:
    """What the card's marks are: visits on a subscription, chops on a chop card."""
    kind = card.kind if card is not None else None
    return {CardKind.SUBSCRIPTION: Unit.VISITS, CardKind.CHOP: Unit.CHOPS}.get(
        kind, Unit.STAMPS)  # type: ignore[arg-type]


def _counted(unit: Unit, n: int) -> str:
    """``"{count} <unit>"`` in the form for ``n`` (Russian has three: штамп, штампа, штампов)."""
    if unit is Unit.POINTS:
        return ngettext("{count} point", "{count} points", n)
    if unit is Unit.VISITS:
        return ngettext("{count} visit", "{count} visits", n)
    if unit is Unit.CHOPS:
        # i18n: chops are one service's stamps ("штамп" in Russian).
        return ngettext("{count} chop", "{count} chops", n)
    if unit is Unit.REWARDS:
        return ngettext("{count} reward", "{count} rewards", n)
    return ngettext("{count} stamp", "{count} stamps", n)


def plural_n(value: Decimal | int) -> int:
    """The whole number whose plural form a count takes: itself when it is whole, else one
    that takes the form of a fraction (``2.5 points``, ``2,5 балла``)."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return abs(int(number))
    return 2


def quantity(value: Decimal | int | None, unit: Unit) -> str:
    """``300.00`` (money), ``100 points``, ``1 stamp``, ``3 visits``... in the chosen
    language (``1 штамп``, ``2 штампа``, ``5 штампов``)."""
    if value is None:
        return "—"
    if unit is Unit.MONEY:
        return format_money(Decimal(value))
    return _counted(unit, plural_n(value)).format(count=format_number(value))


#: The name of what a card's marks are, as a heading ("Stamps", "Visits", "Chops").
MARKS: dict[Unit, str] = {Unit.STAMPS: N_("Stamps"), Unit.VISITS: N_("Visits"),
                          Unit.CHOPS: N_("Chops")}


def marks_label(card: Card | None) -> str:
    """What the card's marks are called, as a heading: "Stamps", "Visits", "Chops"."""
    return _(MARKS[mark_unit(card)])


def operation_unit(op: OpName, card: Card | None) -> Unit | None:
    """The unit of the number an operation takes on ``card`` (``None``: a purchase's money
    or no number)."""
    if op in (OpName.SPEND, OpName.ACCRUE):
        return balance_unit(card)
    if op in (OpName.STAMP, OpName.UNSTAMP):
        return mark_unit(card)
    if op is OpName.REWARD:
        return Unit.REWARDS
    return None


#: Button labels where the card's unit is not the one :data:`LABELS` names.
_ADD_MARKS = {Unit.VISITS: N_("Add visits"), Unit.CHOPS: N_("Add chops")}
_WRITE_OFF_MARKS = {Unit.STAMPS: N_("Write off stamps"), Unit.VISITS: N_("Write off visits"),
                    Unit.CHOPS: N_("Write off chops")}
_MARKS_TO_ADD = {Unit.STAMPS: N_("Stamps to add"), Unit.VISITS: N_("Visits to add"),
                 Unit.CHOPS: N_("Chops to add")}
_MARKS_TO_WRITE_OFF = {Unit.STAMPS: N_("Stamps to write off"),
                       Unit.VISITS: N_("Visits to write off"),
                       Unit.CHOPS: N_("Chops to write off")}


def op_label(op: OpName, card: Card | None) -> str:
    """The operation's button label in the card's unit: "Add visits", "Add chops"... (in
    the chosen language)."""
    from pos_app.core.operations import LABELS

    unit = operation_unit(op, card)
    if op is OpName.STAMP and unit in _ADD_MARKS:
        return _(_ADD_MARKS[unit])
    if op is OpName.UNSTAMP and unit in _WRITE_OFF_MARKS:
        return _(_WRITE_OFF_MARKS[unit])
    if op is OpName.ACCRUE and unit is Unit.MONEY:
        return _("Top up the balance")
    if op is OpName.SPEND and unit is Unit.MONEY:
        return _("Pay from the balance")
    return LABELS[op]


def describe(operation: Operation, card: Card | None, name: str = "") -> str:
    """The operation in the card's own units, for the entry, the confirmation, the banner
    (in the chosen language).

    ``name`` is what the service calls the coupon or the reward ("Welcome coupon -15%").
    """
    op = operation.name
    unit = operation_unit(op, card)
    if op is OpName.SPEND and unit is not None:
        return _("Pay {quantity} from the card").format(
            quantity=quantity(operation.amount, unit))
    if op is OpName.PURCHASE_SPEND:
        paid = quantity(operation.spend, balance_unit(card))
        return _("Purchase of {amount}, paying {spend} from the card").format(
            amount=format_money(operation.amount), spend=paid)
    if op is OpName.ACCRUE and unit is Unit.MONEY:
        return _("Add {quantity} to the balance").format(
            quantity=quantity(operation.count, unit))
    if op in (OpName.ACCRUE, OpName.STAMP) and unit is not None:
        # i18n: {quantity} is a number with its unit: "3 stamps", "100 points".
        return _("Add {quantity}").format(quantity=quantity(operation.count, unit))
    if op is OpName.UNSTAMP and unit is not None:
        # i18n: {quantity} is a number with its unit: "3 stamps", "2 visits".
        return _("Write off {quantity}").format(quantity=quantity(operation.count, unit))
    if op is OpName.REWARD:
        count = operation.count or 0
        text = ngettext("Redeem {count} reward", "Redeem {count} rewards", count).format(
            count=format_number(count))
        return _named(text, name)
    if op in (OpName.COUPON_ACTIVATE, OpName.COUPON_REDEEM):
        return _named(operation.label, name)
    return operation.describe()


def _named(text: str, name: str) -> str:
    """``text`` followed by what the service calls the coupon or reward, quoted."""
    if not name:
        return text
    # i18n: an operation and the name of its coupon or reward: Redeem coupon “Welcome -15%”.
    return _("{operation} “{name}”").format(operation=text, name=name)


def field_label(op: OpName, card: Card | None) -> str:
    """The label of the number an operation asks for, in the card's unit (and the chosen
    language)."""
    unit = operation_unit(op, card)
    if op is OpName.SPEND:
        return _("Amount to take from the card") if unit is Unit.MONEY \
            else _("Points to pay with")
    if op is OpName.ACCRUE:
        return _("Amount to add to the balance") if unit is Unit.MONEY else _("Points to add")
    if op is OpName.STAMP:
        return _(_MARKS_TO_ADD[unit or Unit.STAMPS])
    if op is OpName.UNSTAMP:
        return _(_MARKS_TO_WRITE_OFF[unit or Unit.STAMPS])
    return _("Rewards to redeem")
