"""A journal entry's operation in words, in the units of the card it was done on (as the
journal recorded the card before it), the way the window's buttons name it: an accrue on a
gift certificate is "Top up the balance" ("Add 150.00 to the balance"), not "Add points".

The shift summary, the slip, the journal list and the export's ``what`` read these.
"""

from __future__ import annotations

from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import PosError
from pos_app.core.journal import Entry
from pos_app.core.operations import Operation, OpName
from pos_app.core.units import describe, op_label, operation_unit


def entry_card(entry: Entry) -> Card:
    """The card as the journal recorded it before the operation (for its units)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    try:
        kind = CardKind(before.get("kind") or entry.kind)
    except ValueError:
        kind = CardKind.POINTS
    unit = "money" if before.get("balance_unit") == "money" else "points"
    return Card(entry.service, entry.card, entry.card_id, kind, CardStatus.ACTIVE,
                balance_unit=unit)


def operation_label(operation: str, card: Card | None) -> str:
    """A journalled operation's name as its button says it on ``card`` ("Top up the
    balance" on a gift certificate); an unknown name as it is."""
    try:
        op = OpName(operation)
    except ValueError:
        return operation
    return op_label(op, card)


def entry_label(entry: Entry) -> str:
    """The entry's operation as its button said it on the entry's card."""
    return operation_label(entry.operation, entry_card(entry))


def entry_unit(entry: Entry) -> str:
    """What the operation's number counts on that card (``money``, ``point``, ``visit``...;
    ``""`` for none): entries of one operation name with different units are named apart."""
    try:
        op = OpName(entry.operation)
    except ValueError:
        return ""
    unit = operation_unit(op, entry_card(entry))
    return "" if unit is None else unit.value


def entry_what(entry: Entry) -> str:
    """The operation's label and its arguments as typed (the export's ``what``)."""
    return f"{entry_label(entry)} {' '.join(entry.args)}".strip()


def entry_sentence(entry: Entry) -> str:
    """The operation as a plain sentence in the card's units (``Purchase of 1,240.50``,
    ``Add 150.00 to the balance``) for slips, summaries and the journal list."""
    try:
        operation = Operation.parse(entry.operation, entry.args)
    except PosError:  # e.g. an expiry date that has passed since
        return entry_what(entry)
    return describe(operation, entry_card(entry))
