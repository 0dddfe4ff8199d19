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

from pos_app.core import formatting
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import Refused
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.money import format_money, format_number
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.present import service_title
from pos_app.core.units import Unit, balance_unit, mark_unit, quantity

#: Adding more than this in one operation is confirmed first (a slip of the keypad).
CONFIRM_ABOVE: dict[Unit, Decimal] = {
    Unit.STAMPS: Decimal(5),
    Unit.VISITS: Decimal(5),
    Unit.CHOPS: Decimal(5),
    Unit.POINTS: Decimal(500),
    Unit.MONEY: Decimal(100),
}

#: Why a kind of card never has an operation: a whole sentence per operation, with the card's
#: kind ("stamp card", lower case) and its service (its name).
CANNOT: dict[OpName, str] = {
    # i18n: {kind} is a kind of card in lower case ("stamp card"), {service} a service name;
    # the first letter is made upper case. Russian: "{kind} {service} не поддерживает …".
    OpName.PURCHASE: N_("A {service} {kind} cannot record purchases."),
    OpName.SPEND: N_("A {service} {kind} cannot pay from its balance."),
    OpName.PURCHASE_SPEND: N_("A {service} {kind} cannot pay for part of a purchase."),
    OpName.ACCRUE: N_("A {service} {kind} cannot have value added by hand."),
    OpName.STAMP: N_("A {service} {kind} cannot collect stamps."),
    OpName.UNSTAMP: N_("A {service} {kind} cannot have visits written off."),
    OpName.REWARD: N_("A {service} {kind} cannot redeem rewards."),
    OpName.COUPON_ACTIVATE: N_("A {service} {kind} cannot be activated from the till."),
    OpName.COUPON_REDEEM: N_("A {service} {kind} cannot be redeemed from the till."),
    OpName.SET_EXPIRY: N_("A {service} {kind} cannot have its expiry date set from the till."),
}
#: "There are no stamps left to write off." per kind of mark.
_NONE_LEFT: dict[Unit, str] = {
    Unit.STAMPS: N_("There are no stamps left to write off."),
    Unit.VISITS: N_("There are no visits left to write off."),
    Unit.CHOPS: N_("There are no chops left to write off."),
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
        raise Refused(_("The subscription holds at most {most} and has {current}; at most "
                        "{room} can be added.").format(most=quantity(stamps.max, unit),
                                                       current=format_number(stamps.current),
                                                       room=quantity(room, unit)),
                      _("Nothing was sent."))
    if operation.name is OpName.UNSTAMP and n is not None and stamps is not None \
            and n > stamps.current:
        raise Refused(_("The card has {left} left; {count} cannot be written off.").format(
            left=quantity(stamps.current, unit), count=format_number(n)), _("Nothing was sent."))
    if operation.name is OpName.REWARD and n is not None and card.rewards is not None \
            and n > card.rewards:
        raise Refused(_("The card has {left} to use; {count} cannot be redeemed.").format(
            left=quantity(card.rewards, Unit.REWARDS), count=format_number(n)),
            _("Nothing was sent."))


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
        # i18n: {quantity} and {most} are numbers with their unit: "8 stamps", "5 stamps".
        reasons.append(_("{quantity} at once is more than {most}: check it with the "
                         "customer.").format(quantity=quantity(value, unit),
                                             most=quantity(CONFIRM_ABOVE[unit], unit)))
    if op in (OpName.PURCHASE, OpName.PURCHASE_SPEND) and operation.amount is not None:
        recorded = recorded_sum(operation.amount, quantum)
        if recorded != operation.amount:
            reasons.append(rounding_note(operation.amount, recorded, service))
    note = spend_rule_note(operation, card)
    if note:
        reasons.append(note)
    return reasons


def rounding_note(amount: Decimal, recorded: Decimal, service: str = "") -> str:
    if not service:
        return _("The service takes whole sums: {recorded} is recorded as spent, not "
                 "{amount}.").format(recorded=format_money(recorded), amount=format_money(amount))
    return _("{service} takes whole sums: {recorded} is recorded as spent, not {amount}.").format(
        service=service_title(service), recorded=format_money(recorded),
        amount=format_money(amount))


def spend_rule_note(operation: Operation, card: Card) -> str:
    """A plain spend on a card whose rule limits spending to part of a purchase: say so."""
    if operation.name is not OpName.SPEND or card.max_spend_percent is None:
        return ""
    # i18n: {percent} is a percentage ("30%"); {operation} the name of the operation
    # "Purchase with spending".
    return _("This card's rule: up to {percent} of a purchase may be paid from it. A plain "
             "spend does not check it; for a purchase, use {operation} (F3).").format(
        percent=formatting.percent(card.max_spend_percent),
        operation=LABELS[OpName.PURCHASE_SPEND])


def why_not(op: OpName, card: Card | None) -> str:
    """Why ``op`` cannot be done on ``card`` now, in words (``""`` when it can)."""
    if card is None:
        return _("Scan a card first.")
    if card.supports(op):
        return ""
    label = LABELS[op]
    if not card.usable:
        # i18n: {status} is the card's status, {operation} an operation's name, both in
        # lower case ("blocked", "add stamps").
        return _("The card is {status}: {operation} is not possible.").format(
            status=card.status_label.lower(), operation=label.lower())
    if op is OpName.COUPON_REDEEM and card.status is CardStatus.INACTIVE \
            and card.supports(OpName.COUPON_ACTIVATE):
        return _("The coupon is not active yet: activate it first (F8), then redeem it.")
    if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and card.balance is not None \
            and card.balance <= 0:
        return _("There is nothing on the card to pay with.")
    if op is OpName.REWARD and card.rewards is not None and card.rewards <= 0:
        return _("There is no reward to redeem on the card yet.")
    if op is OpName.UNSTAMP and card.stamps is not None and card.stamps.current <= 0:
        return _(_NONE_LEFT[mark_unit(card)])
    if op is OpName.STAMP and card.kind is CardKind.SUBSCRIPTION and card.stamps is not None:
        most = card.stamps.max or 0
        return ngettext("The subscription is full ({current} of {count} visit).",
                        "The subscription is full ({current} of {count} visits).",
                        most).format(current=format_number(card.stamps.current),
                                     count=format_number(most))
    template = CANNOT.get(op)
    if template is None:
        return _("{operation} is not possible on this card.").format(operation=label)
    text = _(template).format(service=service_title(card.service),
                              kind=card.kind_label.lower())
    return text[:1].upper() + text[1:]
