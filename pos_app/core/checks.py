"""What the till checks against the card before anything is sent, and when it asks first.

- :func:`check_fits`: an operation the card's values cannot take (stamps past a
  subscription's maximum, more visits written off than are left...) is refused in the field.
- :func:`confirm_reasons`: adding a lot of value at once, a sum the service will record
  differently from what was typed, a plain spend on a card whose rule limits spending: the
  cashier confirms first, told why.
- :func:`why_not`: why an operation's key does nothing on this card now.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import Refused
from pos_app.core.money import format_money, format_number
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.units import Unit, balance_unit, mark_unit, quantity

#: Adding more than this in one operation is confirmed first (a slip of the keypad).
CONFIRM_ABOVE: dict[Unit, Decimal] = {
    Unit.STAMPS: Decimal(5),
    Unit.VISITS: Decimal(5),
    Unit.CHOPS: Decimal(5),
    Unit.POINTS: Decimal(500),
    Unit.MONEY: Decimal(100),
}

#: "A discount card cannot ..." for an operation a kind of card never has.
CANNOT: dict[OpName, str] = {
    OpName.PURCHASE: "record purchases",
    OpName.SPEND: "pay from its balance",
    OpName.PURCHASE_SPEND: "pay for part of a purchase",
    OpName.ACCRUE: "have value added by hand",
    OpName.STAMP: "collect stamps",
    OpName.UNSTAMP: "have visits written off",
    OpName.REWARD: "redeem rewards",
    OpName.COUPON_ACTIVATE: "be activated from the till",
    OpName.COUPON_REDEEM: "be redeemed from the till",
    OpName.SET_EXPIRY: "have its expiry date set from the till",
}


def recorded_sum(amount: Decimal, quantum: Decimal | None) -> Decimal:
    """What a service that takes sums in steps of ``quantum`` (``1``: whole sums) records
    for ``amount`` (half up, as the adapters send it); ``amount`` when it takes cents."""
    if quantum is None or quantum <= 0:
        return amount
    return (amount / quantum).to_integral_value(ROUND_HALF_UP) * quantum


def check_fits(operation: Operation, card: Card) -> None:
    """:class:`Refused` when the card's values cannot take ``operation`` (nothing is sent)."""
    n = operation.count
    stamps = card.stamps
    unit = mark_unit(card)
    if operation.name is OpName.STAMP and n is not None and stamps is not None \
            and card.kind is CardKind.SUBSCRIPTION and stamps.max is not None \
            and stamps.current + n > stamps.max:
        room = max(stamps.max - stamps.current, 0)
        raise Refused(f"The subscription holds at most {quantity(stamps.max, unit)} and has "
                      f"{stamps.current}; at most {quantity(room, unit)} can be added.",
                      "Nothing was sent.")
    if operation.name is OpName.UNSTAMP and n is not None and stamps is not None \
            and n > stamps.current:
        raise Refused(f"The card has {quantity(stamps.current, unit)} left; {n} cannot be "
                      "written off.", "Nothing was sent.")
    if operation.name is OpName.REWARD and n is not None and card.rewards is not None \
            and n > card.rewards:
        raise Refused(f"The card has {quantity(card.rewards, Unit.REWARDS)} to use; {n} "
                      "cannot be redeemed.", "Nothing was sent.")


def confirm_reasons(operation: Operation, card: Card, quantum: Decimal | None = None,
                    service: str = "") -> list[str]:
    """Why this operation should be confirmed before it is sent (empty: no need)."""
    reasons: list[str] = []
    op = operation.name
    added: tuple[Decimal, Unit] | None = None
    if op in (OpName.STAMP, OpName.ACCRUE) and operation.count is not None:
        unit = mark_unit(card) if op is OpName.STAMP else balance_unit(card)
        added = (Decimal(operation.count), unit)
    if added is not None and added[0] > CONFIRM_ABOVE[added[1]]:
        value, unit = added
        reasons.append(f"{quantity(value, unit)} at once is more than "
                       f"{quantity(CONFIRM_ABOVE[unit], unit)}: check it with the customer.")
    if op in (OpName.PURCHASE, OpName.PURCHASE_SPEND) and operation.amount is not None:
        recorded = recorded_sum(operation.amount, quantum)
        if recorded != operation.amount:
            reasons.append(rounding_note(operation.amount, recorded, service))
    note = spend_rule_note(operation, card)
    if note:
        reasons.append(note)
    return reasons


def rounding_note(amount: Decimal, recorded: Decimal, service: str = "") -> str:
    who = service.capitalize() or "The service"
    return (f"{who} takes whole sums: {format_money(recorded)} is recorded as spent, "
            f"not {format_money(amount)}.")


def spend_rule_note(operation: Operation, card: Card) -> str:
    """A plain spend on a card whose rule limits spending to part of a purchase: say so."""
    if operation.name is not OpName.SPEND or card.max_spend_percent is None:
        return ""
    return (f"This card's rule: up to {format_number(card.max_spend_percent)}% of a purchase "
            "may be paid from it. A plain spend does not check it; for a purchase, use "
            "Purchase with spending (F3).")


def why_not(op: OpName, card: Card | None) -> str:
    """Why ``op`` cannot be done on ``card`` now, in words (``""`` when it can)."""
    if card is None:
        return "Scan a card first."
    if card.supports(op):
        return ""
    label = LABELS[op]
    if not card.usable:
        return f"The card is {card.status_label.lower()}: {label.lower()} is not possible."
    if op is OpName.COUPON_REDEEM and card.status is CardStatus.INACTIVE \
            and card.supports(OpName.COUPON_ACTIVATE):
        return "The coupon is not active yet: activate it first (F8), then redeem it."
    if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and card.balance is not None \
            and card.balance <= 0:
        return "There is nothing on the card to pay with."
    if op is OpName.REWARD and card.rewards is not None and card.rewards <= 0:
        return "There is no reward to redeem on the card yet."
    if op is OpName.UNSTAMP and card.stamps is not None and card.stamps.current <= 0:
        return f"There are no {mark_unit(card).value}s left to write off."
    if op is OpName.STAMP and card.kind is CardKind.SUBSCRIPTION and card.stamps is not None:
        return (f"The subscription is full ({card.stamps.current} of {card.stamps.max} "
                f"{mark_unit(card).value}s).")
    article = "An" if card.kind_label[:1].lower() in "aeiou" else "A"
    return (f"{article} {card.service.capitalize()} {card.kind_label.lower()} cannot "
            f"{CANNOT[op]}.")
