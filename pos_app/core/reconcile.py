"""Deciding, after a lost answer, whether a step of a non-idempotent service was applied.

Each :class:`~pos_app.core.backends.base.Step` names the card value it changes in ``expect``:
``{"field": NAME, "delta": N}`` (the value grows by N), ``{"field": NAME, "value": V}`` (the
value becomes V) or ``{"field": NAME, "date": "YYYY-MM-DD"}`` (the value becomes a moment on
that day as the service tells it, in its own time zone: within a day of it). Before sending,
the journal records those values as they were. After a lost
answer the card is read again: if the value moved exactly as the step would move it, the step
was applied; if it did not move, it was not; anything else is a change nobody can explain
(another till, a back office) and stays unknown for a person to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pos_app.core.money import to_decimal


def expected_fields(steps: Iterable[Mapping[str, Any]]) -> set[str]:
    """The raw card fields the steps change (to record before sending)."""
    return {str(s["expect"]["field"]) for s in steps
            if isinstance(s.get("expect"), Mapping) and s["expect"].get("field")}


def observe(raw: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` in a card's raw service record."""
    return {f: raw.get(f) for f in fields}


def _value_before(field: str, recorded: Mapping[str, Any],
                  done: Iterable[Mapping[str, Any]]) -> Decimal | str | None:
    """The field's value just before the next step: as recorded, moved by the steps done."""
    value: Decimal | str | None = _num(recorded.get(field))
    for expect in done:
        if expect.get("field") != field:
            continue
        if "value" in expect:
            value = _norm(expect["value"])
        elif isinstance(value, Decimal) and _num(expect.get("delta")) is not None:
            value = value + _num(expect.get("delta"))  # type: ignore[operator]
        else:
            return None
    return value if value is not None else _norm(recorded.get(field))


def step_applied(expect: Mapping[str, Any], recorded: Mapping[str, Any],
                 done: Iterable[Mapping[str, Any]], now: Mapping[str, Any]) -> bool | None:
    """``True`` if the card shows the step applied, ``False`` if not, ``None`` if unclear.

    ``recorded`` holds the values before the operation, ``done`` the ``expect`` of the
    operation's steps already applied, ``now`` the card's raw record as read again.
    """
    field = expect.get("field")
    if not field or (field not in now and "value" not in expect and "date" not in expect):
        return None  # (a value step on a field the card does not show yet: not set)
    if "date" in expect:
        return _date_applied(str(expect["date"]), _norm(recorded.get(field)),
                             _norm(now.get(field)))
    before = _value_before(str(field), recorded, list(done))
    current = _num(now.get(field))
    if current is None:
        current_s = _norm(now.get(field))
        if "value" in expect:
            if current_s == _norm(expect["value"]):
                return True
            return False if current_s == before else None
        return None
    if "value" in expect:
        target = _num(expect["value"])
        if target is not None and current == target:
            return True
        return False if current == before else None
    delta = _num(expect.get("delta"))
    if delta is None or not isinstance(before, Decimal):
        return None
    if delta == 0:
        return None
    if current == before + delta:
        return True
    if current == before:
        return False
    return None


def _num(value: Any) -> Decimal | None:
    return to_decimal(value) if not isinstance(value, Decimal) else value


def _norm(value: Any) -> str | None:
    return None if value is None else str(value).strip()


def _date_applied(target: str, before: str | None, current: str | None) -> bool | None:
    """A date step: applied when the card's date is within a day of ``target`` and moved."""
    if current == before:
        return False
    try:
        day = dt.date.fromisoformat(target)
        have = dt.date.fromisoformat((current or "")[:10])
    except ValueError:
        return None
    return True if abs(have - day) <= dt.timedelta(days=1) else None
