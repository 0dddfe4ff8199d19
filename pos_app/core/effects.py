"""What an operation did, in fixed terms whatever service ran it (for the journal's columns).

Adapters report what an operation did in their own words (``points`` or ``bonus_accrued``,
``spent`` or ``bonus_spent``); :func:`effects_for` turns that, the operation and the card as it
was before and after into one :class:`Effects`, which the journal keeps in columns of their own
and the export, the shift summary and the slip read.

``held`` is value an operation has put on hold on a card and neither taken nor released yet:
an operation waiting for the cashier to confirm or cancel its hold (``hold POINTS``, or a spend
waiting at its confirm step) holds what it would take (:func:`effects_for` with ``waiting``).
Its effects are computed again when it ends: confirmed, what it held counts as spent
(``points_spent`` of a hold is the points held) and nothing is held; cancelled, or settled as
not applied, it counts nothing. A service that reports ``held`` in a done operation's outcome
leaves the row an open hold until the journal is told the hold was settled
(:meth:`pos_app.core.journal.Journal.release_hold`). The shift summary and the CSV read these
columns as they are, so both say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from pos_app.core.i18n import N_
from pos_app.core.labels import Labels
from pos_app.core.operations import OpName

#: Outcome keys adapters use, per figure, in the order they are trusted.
_EARNED_KEYS = ("earned", "bonus_accrued", "points", "accrued")
_SPENT_KEYS = ("bonus_spent", "spent")
_BALANCE_KEYS = ("balance", "balance_after")

#: Column titles, for the export and the summary, read in the chosen language.
EFFECT_LABELS: Labels[str] = Labels({
    "to_pay": N_("To pay"),
    "discount": N_("Discount"),
    "points_earned": N_("Points earned"),
    "points_spent": N_("Points spent"),
    "money_added": N_("Balance added"),
    "money_spent": N_("Balance spent"),
    "stamps_given": N_("Stamps given"),
    "stamps_taken": N_("Stamps written off"),
    "rewards_used": N_("Rewards redeemed"),
    "held": N_("On hold"),
    "balance_after": N_("Balance after"),
    "stamps_after": N_("Stamps after"),
})


@dataclass(frozen=True)
class Effects:
    """What one operation did to a card and the bill. ``None``: not part of this operation."""

    to_pay: Decimal | None = None
    discount: Decimal | None = None
    points_earned: Decimal | None = None
    points_spent: Decimal | None = None
    money_added: Decimal | None = None
    money_spent: Decimal | None = None
    stamps_given: int | None = None
    stamps_taken: int | None = None
    rewards_used: int | None = None
    held: Decimal | None = None
    balance_after: Decimal | None = None
    #: ``points`` or ``money``: what ``balance_after`` counts.
    balance_unit: str | None = None
    stamps_after: int | None = None

    def columns(self) -> dict[str, Any]:
        """Column name -> value as stored (decimals as text, to keep every digit)."""
        values = ((k, getattr(self, k)) for k in _NAMES)
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values}

    @classmethod
    def from_columns(cls, row: Mapping[str, Any]) -> Effects:
        values: dict[str, Any] = {}
        for name, kind in _TYPES.items():
            raw = row.get(name)
            if raw is None or raw == "":
                continue
            values[name] = kind(raw)
        return cls(**values)

    def items(self) -> list[tuple[str, Any]]:
        """The figures this operation has, as ``(name, value)`` in label order."""
        return [(k, getattr(self, k)) for k in EFFECT_LABELS if getattr(self, k) is not None]


#: Stored columns in order, and how each is read back.
_NAMES = tuple(f.name for f in fields(Effects))
_TYPES: dict[str, Any] = {
    f.name: str if f.name == "balance_unit" else int if f.type == "int | None"
    else (lambda raw: Decimal(str(raw))) for f in fields(Effects)}


def effect_names() -> list[str]:
    """Every stored column of :class:`Effects`, in order."""
    return list(_NAMES)


def decimal(value: Any) -> Decimal | None:
    """A figure as a Decimal; ``None`` for missing or unreadable values (never a guess)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _first(outcome: Mapping[str, Any], keys: Iterable[str]) -> Decimal | None:
    for key in keys:
        value = decimal(outcome.get(key))
        if value is not None:
            return value
    return None


def _positive(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def effects_for(operation: str, args: list[str], outcome: Mapping[str, Any] | None,
                before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, *,
                waiting: bool = False) -> Effects:
    """Effects of a finished operation from its journal row's parts; with ``waiting``, of one
    left waiting for the cashier at a step that takes what the earlier ones held: nothing is
    taken yet, what it would take is ``held`` (see the module doc)."""
    # A plain dict: journal rows of older versions name figures differently.
    outcome, before, after = dict(outcome or {}), before or {}, after or {}
    try:
        op: OpName | None = OpName(operation)
    except ValueError:
        op = None
    unit = str(after.get("balance_unit") or before.get("balance_unit") or "points")
    count = int(args[0]) if args and str(args[0]).isdigit() else None
    earned = _first(outcome, _EARNED_KEYS)
    spent = _first(outcome, _SPENT_KEYS)
    if op is OpName.ACCRUE and earned is None:
        earned = decimal(count)
    if op is OpName.SPEND and spent is None:
        spent = decimal(args[0]) if args else None
    if op is OpName.HOLD and spent is None:
        spent = decimal(count)  # confirmed: the points held are taken
    held = _positive(decimal(outcome.get("held")))
    if waiting:
        return Effects(held=held or _positive(spent))
    balance = decimal(after.get("balance"))
    if balance is None:
        balance = _first(outcome, _BALANCE_KEYS)
    money = unit == "money"
    return Effects(
        to_pay=decimal(outcome.get("to_pay")),
        discount=_positive(decimal(outcome.get("discount"))),
        points_earned=None if money else _positive(earned),
        points_spent=None if money else _positive(spent),
        money_added=_positive(earned) if money else None,
        money_spent=_positive(spent) if money else None,
        stamps_given=count if op is OpName.STAMP else None,
        stamps_taken=count if op is OpName.UNSTAMP else None,
        rewards_used=count if op is OpName.REWARD else None,
        held=held,
        balance_after=balance,
        balance_unit=unit if balance is not None else None,
        stamps_after=_stamps(after),
    )


def _stamps(card: Mapping[str, Any]) -> int | None:
    stamps = card.get("stamps")
    current = stamps.get("current") if isinstance(stamps, dict) else None
    return current if isinstance(current, int) and not isinstance(current, bool) else None
