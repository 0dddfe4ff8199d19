"""A journal entry's operation in words, in the units of the card it was done on (as the
journal recorded the card before it), the way the window's buttons name it: an accrue on a
gift certificate is "Top up the balance" ("Add 150.00 to the balance"), not "Add points".

The shift summary, the slip, the journal list and the export's ``what`` read these.
"""

from __future__ import annotations

import functools

from pos_app.core import i18n
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import PosError
from pos_app.core.journal import Entry
from pos_app.core.operations import Operation, OpName
from pos_app.core.units import describe, op_label, operation_unit


def _recorded(entry: Entry) -> tuple[CardKind, str]:
    """The card's kind and balance unit as the journal recorded them."""
    before = entry.before if isinstance(entry.before, dict) else {}
    try:
        kind = CardKind(before.get("kind") or entry.kind)
    except ValueError:
        kind = CardKind.POINTS
    return kind, "money" if before.get("balance_unit") == "money" else "points"


def entry_card(entry: Entry) -> Card:
    """The card as the journal recorded it before the operation (for its units)."""
    kind, unit = _recorded(entry)
    return Card(entry.service, entry.card, entry.card_id, kind, CardStatus.ACTIVE,
                balance_unit=unit)


@functools.lru_cache(maxsize=64)
def _unit_card(kind: CardKind, unit: str) -> Card:
    """A card of that kind and unit, for its operations' names (the export asks per row)."""
    return Card("", "", "", kind, CardStatus.ACTIVE, balance_unit=unit)


def operation_label(operation: str, card: Card | None) -> str:
    """A journalled operation's name as its button says it on ``card`` ("Top up the
    balance" on a gift certificate); an unknown name as it is."""
    try:
        op = OpName(operation)
    except ValueError:
        return operation
    return op_label(op, card)


@functools.lru_cache(maxsize=512)
def _label(operation: str, kind: CardKind, unit: str, language: str) -> str:
    return operation_label(operation, _unit_card(kind, unit))


def entry_label(entry: Entry) -> str:
    """The entry's operation as its button said it on the entry's card."""
    return _label(entry.operation, *_recorded(entry), i18n.language())


def entry_unit(entry: Entry) -> str:
    """What the operation's number counts on that card (``money``, ``point``, ``visit``...;
    ``""`` for none): entries of one operation name with different units are named apart."""
    try:
        op = OpName(entry.operation)
    except ValueError:
        return ""
    unit = operation_unit(op, _unit_card(*_recorded(entry)))
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
