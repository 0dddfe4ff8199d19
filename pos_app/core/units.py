"""What a card counts, and one way to write a number in each unit, everywhere.

Money is ``1 234.50``; points ``1 234 points``; marks on a card are stamps, visits
(a subscription) or chops (a chop card); rewards are rewards. The window, the confirmation,
the result banner and the journal all write figures through here.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pos_app.core.cards import Card, CardKind
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


def quantity(value: Decimal | int | None, unit: Unit) -> str:
    """``300.00`` (money), ``100 points``, ``1 stamp``, ``3 visits``..."""
    if value is None:
        return "—"
    if unit is Unit.MONEY:
        return format_money(Decimal(value))
    one = value == 1
    return f"{format_number(value)} {unit.value}{'' if one else 's'}"


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


def op_label(op: OpName, card: Card | None) -> str:
    """The operation's button label in the card's unit: "Add visits", "Add chops"..."""
    from pos_app.core.operations import LABELS

    unit = operation_unit(op, card)
    if op is OpName.STAMP and unit is not Unit.STAMPS and unit is not None:
        return f"Add {unit.value}s"
    if op is OpName.UNSTAMP and unit is not None:
        return f"Write off {unit.value}s"
    if op is OpName.ACCRUE and unit is Unit.MONEY:
        return "Top up the balance"
    if op is OpName.SPEND and unit is Unit.MONEY:
        return "Pay from the balance"
    return LABELS[op]


def describe(operation: Operation, card: Card | None, name: str = "") -> str:
    """The operation in the card's own units, for the entry, the confirmation, the banner.

    ``name`` is what the service calls the coupon or the reward ("Welcome coupon -15%").
    """
    op = operation.name
    unit = operation_unit(op, card)
    quoted = f" “{name}”" if name else ""
    if op is OpName.SPEND and unit is not None:
        return f"Pay {quantity(operation.amount, unit)} from the card"
    if op is OpName.PURCHASE_SPEND:
        paid = quantity(operation.spend, balance_unit(card))
        return f"Purchase of {format_money(operation.amount)}, paying {paid} from the card"
    if op is OpName.ACCRUE and unit is not None:
        if unit is Unit.MONEY:
            return f"Add {quantity(operation.count, unit)} to the balance"
        return f"Add {quantity(operation.count, unit)}"
    if op is OpName.STAMP and unit is not None:
        return f"Add {quantity(operation.count, unit)}"
    if op is OpName.UNSTAMP and unit is not None:
        return f"Write off {quantity(operation.count, unit)}"
    if op is OpName.REWARD:
        return f"Redeem {quantity(operation.count, Unit.REWARDS)}{quoted}"
    if op in (OpName.COUPON_ACTIVATE, OpName.COUPON_REDEEM):
        return f"{operation.label}{quoted}"
    return operation.describe()


def field_label(op: OpName, card: Card | None) -> str:
    """The label of the number an operation asks for, in the card's unit."""
    unit = operation_unit(op, card)
    if op is OpName.SPEND:
        return "Amount to take from the card" if unit is Unit.MONEY else "Points to pay with"
    if op is OpName.ACCRUE:
        return "Amount to add to the balance" if unit is Unit.MONEY else "Points to add"
    if op is OpName.STAMP:
        return f"{(unit or Unit.STAMPS).value.capitalize()}s to add"
    if op is OpName.UNSTAMP:
        return f"{(unit or Unit.STAMPS).value.capitalize()}s to write off"
    return "Rewards to redeem"
