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
#: Rows on the first page of ``getPassOperations``.
PAGE_ROWS = 50
#: A new expiry date is told by the service in its own time zone: up to a day apart.
DATE_SLACK = dt.timedelta(days=1)

Row = tuple[str, int | None, str]

_CODES = {"accruePoints": OP_ACCRUAL, "addStamps": OP_ACCRUAL, "spendPoints": OP_WRITE_OFF,
          "takeStamps": OP_WRITE_OFF, "increaseTotalSpentSum": OP_SPENT_UP,
          "reduceTotalSpentSum": OP_SPENT_DOWN, "setExpirationDate": OP_EXPIRY}


def row(op: LunaOperation) -> Row:
    """A history row as the mark keeps it."""
    return (op.when.isoformat() if op.when else "", op.code, op.value)


def mark(rows: Iterable[LunaOperation]) -> dict[str, Any]:
    """The newest rows and how many the first page had, JSON-ready, for the journal."""
    page = list(rows)
    return {"rows": [list(row(op)) for op in page[:MARK_ROWS]], "count": len(page)}


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


def since(rows: Sequence[Row], marked: Any) -> list[Row] | None:
    """The rows written after the mark (newest first), or ``None`` when it cannot be told.

    While the card's whole history fits on the first page, the new rows are simply the ones
    beyond the count the mark saw (rows are only ever added); past that, the mark's rows are
    found again, whole, on the page (identical rows of one second make that ambiguous only for
    cards with long histories).
    """
    if isinstance(marked, dict):
        count, wanted = marked.get("count"), [tuple(m) for m in marked.get("rows") or []]
    else:  # a mark of an earlier version: its rows alone
        count, wanted = None, [tuple(m) for m in marked]
    if isinstance(count, int) and count < PAGE_ROWS and len(rows) < PAGE_ROWS:
        added = len(rows) - count
        if added < 0 or [tuple(r) for r in rows[added:added + len(wanted)]] != wanted:
            return None
        return list(rows[:added])
    if not wanted:
        return list(rows) if count == 0 else None
    for start in range(len(rows) - len(wanted) + 1):
        if [tuple(r) for r in rows[start:start + len(wanted)]] == wanted:
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
