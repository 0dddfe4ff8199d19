"""The figures of an operation: what a plan shows before sending and what the outcome says.

One frozen dataclass with one name per figure, so that a figure spelled differently by an
adapter and by a view fails loudly (``TypeError`` when made, ``KeyError`` when read) instead of
showing nothing. It reads like a mapping of the figures that are set, which is how it is
journalled, printed and compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

Number = Decimal | int


@dataclass(frozen=True)
class Figures(Mapping[str, Any]):
    """Every figure an operation may have; ``None`` means "not part of this operation"."""

    #: Money the customer pays at the till after discounts and what the card paid.
    to_pay: Decimal | None = None
    #: Money taken off the purchase by a discount card.
    discount: Decimal | None = None
    #: The card's percentage (discount or points earned) the figures were worked out with.
    percent: Decimal | None = None
    #: What was taken off the card (money or points, in the card's unit).
    spent: Number | None = None
    #: Points (or money) added to the card.
    earned: Number | None = None
    #: The card's balance after the operation.
    balance: Number | None = None
    #: The most that may be taken off the card on this purchase.
    max_spend: Number | None = None
    #: Value still on hold at a two-phase service after the operation (authorised, not yet
    #: confirmed or released).
    held: Number | None = None
    #: Stamps (chops) on the card after the operation, and rewards ready to use.
    stamps: int | None = None
    rewards: int | None = None
    #: Stamps added, rewards it completes, rewards used and left.
    stamps_added: int | None = None
    rewards_earned: int | None = None
    rewards_used: int | None = None
    rewards_left: int | None = None
    #: Visits of a subscription added or written off, and those left.
    visits: int | None = None
    visits_left: int | None = None
    #: A new expiry date (ISO).
    expires: str | None = None
    #: Steps the operation has, and how many were sent.
    steps: int | None = None
    steps_done: int | None = None
    #: What the service said of the operation that no number above holds, row by row as
    #: ``(label, plain words)``: per card instance, each outcome it named, what was not done.
    notes: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Figures:
        """Figures read back from the journal: unknown names (an older version's) are dropped,
        values stay as stored (numbers as text)."""
        if not data:
            return cls()
        values = {_LEGACY.get(k, k): v for k, v in data.items()}
        if isinstance(values.get("notes"), list | tuple):
            values["notes"] = tuple((str(row[0]), str(row[1])) for row in values["notes"]
                                    if isinstance(row, list | tuple) and len(row) == 2)
        return cls(**{k: v for k, v in values.items() if k in _NAMES})

    def replace(self, **changes: Any) -> Figures:
        """A copy with ``changes`` (a name that is not a figure is a ``TypeError``)."""
        return dataclasses.replace(self, **changes)

    def __getitem__(self, name: str) -> Any:
        if name not in _NAMES:
            raise KeyError(f"{name!r} is not a figure")
        value = getattr(self, name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        """The figure, or ``default`` when it is not set; ``KeyError`` for a misspelled name."""
        if name not in _NAMES:
            raise KeyError(f"{name!r} is not a figure")
        value = getattr(self, name)
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return (name for name in _NAMES if getattr(self, name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.items()))

    def to_json(self) -> dict[str, Any]:
        """Numbers as text; ``notes`` as a list of ``[label, words]``."""
        return {k: [list(row) for row in v] if k == "notes" else str(v)
                for k, v in self.items()}


_NAMES = frozenset(Figures.names())
#: Names journals written by earlier versions used.
_LEGACY = {"bonus_spent": "spent", "bonus_accrued": "earned", "points": "earned",
           "balance_after": "balance"}
