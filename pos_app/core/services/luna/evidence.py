"""Luna's own record of an operation: the card's history (``getPassOperations``).

Luna takes no idempotency key, so after a lost answer the app must find out whether a step was
applied before it may send it again. Before an operation the newest history rows are kept as
a *mark*; afterwards the rows above the mark are the ones written since, and the step was
applied when one of them is the row it writes (its code and value), once the rows of the
operation's earlier steps are set aside. Balances are not compared: another till's changes can
bring a card back to the value it had (comparing balances cannot tell).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from pos_app.core.backends.base import Step
from pos_app.core.money import to_decimal, to_int
from pos_app.core.services.luna.wire import (
    OP_ACCRUAL,
    OP_EXPIRY,
    OP_SPENT_DOWN,
    OP_SPENT_UP,
    OP_WRITE_OFF,
    LunaOperation,
)

#: Rows kept as the mark: enough to find the place again among fifty.
MARK_ROWS = 10
#: A new expiry date is told by the service in its own time zone: up to a day apart.
DATE_SLACK = dt.timedelta(days=1)

Row = tuple[str, int | None, str]

_CODES = {"accruePoints": OP_ACCRUAL, "addStamps": OP_ACCRUAL, "spendPoints": OP_WRITE_OFF,
          "takeStamps": OP_WRITE_OFF, "increaseTotalSpentSum": OP_SPENT_UP,
          "reduceTotalSpentSum": OP_SPENT_DOWN, "setExpirationDate": OP_EXPIRY}


def row(op: LunaOperation) -> Row:
    """A history row as the mark keeps it."""
    return (op.when.isoformat() if op.when else "", op.code, op.value)


def mark(rows: Iterable[LunaOperation]) -> list[list[Any]]:
    """The newest rows, JSON-ready, for the journal."""
    return [list(row(op)) for op in list(rows)[:MARK_ROWS]]


def written(step: Step) -> tuple[int, str] | None:
    """The code and value of the history row ``step`` writes, or ``None`` if unknown."""
    body = step.body
    if step.action == "useReward":
        return OP_WRITE_OFF, str(body.get("numberRewards"))
    action = body.get("action")
    if action in (None, ""):  # stamps on a stamp card
        return OP_ACCRUAL, str(body.get("numberStumps"))
    code = _CODES.get(str(action))
    if code is None:
        return None
    if code == OP_EXPIRY:
        stamp = to_int(body.get("expiryDate"))
        return (code, "") if stamp is None else (code, dt.datetime.fromtimestamp(
            stamp).date().isoformat())
    return code, str(body.get("numberStumps", body.get("sum")))


def since(rows: Sequence[Row], marked: Sequence[Sequence[Any]]) -> list[Row] | None:
    """The rows written after the mark (newest first), or ``None`` when the mark is no longer
    on the page (too much happened to tell)."""
    wanted = [tuple(m) for m in marked]
    if not wanted:
        return list(rows)
    for start in range(len(rows)):
        window = [tuple(r) for r in rows[start:start + len(wanted)]]
        if window and window == wanted[:len(window)]:
            return list(rows[:start])
    return None


def matches(found: Row, wanted: tuple[int, str]) -> bool:
    code, value = wanted
    if found[1] != code:
        return False
    if code == OP_EXPIRY:
        return _near(found[2], value)
    have, want = to_decimal(found[2]), to_decimal(value)
    return have is not None and want is not None and Decimal(have) == Decimal(want)


def _near(found: str, wanted: str) -> bool:
    try:
        a = dt.date.fromisoformat(found.strip()[:10])
        b = dt.date.fromisoformat(wanted)
    except ValueError:
        return False
    return abs(a - b) <= DATE_SLACK


def applied(rows: Sequence[Row], marked: Sequence[Sequence[Any]], step: Step,
            done: Sequence[Step]) -> bool | None:
    """Whether the history shows ``step`` applied; ``None`` when it cannot tell."""
    wanted = written(step)
    new = since(rows, marked)
    if wanted is None or new is None:
        return None
    pool = list(new)
    for earlier in done:  # rows the operation's earlier steps wrote
        expected = written(earlier)
        hit = next((r for r in pool if expected and matches(r, expected)), None)
        if hit is not None:
            pool.remove(hit)
    return any(matches(r, wanted) for r in pool)
