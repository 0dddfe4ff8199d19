"""What this till last heard of a card whose service has no call that reads its balance.

Such a card comes from its adapter with a ``balance_note`` and no balance; the newest finished
operation on it in this till's journal says when the service last answered about it and what
balance that answer gave. It is shown labelled with its time, never as a live balance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pos_app.core.cards import Card, Heard
from pos_app.core.figures import Figures
from pos_app.core.journal import Journal, State
from pos_app.core.money import to_decimal
from pos_app.core.operations import LABELS, OpName

#: Journal entries of the card read to find its newest finished operation.
LOOK_BACK = 20


def last_heard(journal: Journal, card: Card) -> Heard | None:
    """The newest operation done on ``card`` at its service in ``journal``, or ``None``."""
    for entry in journal.entries(limit=LOOK_BACK, states=(State.DONE,), card_id=card.card_id):
        if entry.service != card.service:
            continue
        try:
            when = dt.datetime.fromisoformat(entry.updated)
        except ValueError:
            continue
        balance = to_decimal(Figures.from_mapping(entry.outcome).get("balance"))
        try:
            what = LABELS.source(OpName(entry.operation))  # English: --json shows it too
        except ValueError:
            what = entry.operation
        return Heard(when, balance, what)
    return None


def with_last_heard(journal: Journal, card: Card) -> Card:
    """``card`` with :attr:`Card.heard` filled in when its service cannot read the balance."""
    if not card.balance_note or card.heard is not None:
        return card
    heard = last_heard(journal, card)
    return card if heard is None else replace(card, heard=heard)
