"""The journal: every operation, written before its first byte is sent.

A SQLite file in the data folder (WAL, ``synchronous=FULL``, created readable by the user
alone). Each row holds the service, the card, the operation and its arguments, the operation's
unique key, its state (``pending`` -> ``done`` | ``failed`` | ``unknown``), each step with the
service's answer, and the card as it was before and after.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pos_app.core.backends.base import Plan

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    service TEXT NOT NULL,
    card TEXT NOT NULL,
    card_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    args TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'unknown', 'done', 'failed')),
    steps TEXT NOT NULL,
    answer TEXT,
    before TEXT,
    after TEXT,
    outcome TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS operations_state ON operations (state);
CREATE INDEX IF NOT EXISTS operations_card ON operations (service, card_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class State(StrEnum):
    PENDING = "pending"
    UNKNOWN = "unknown"
    DONE = "done"
    FAILED = "failed"


#: Step states besides those of :class:`State`: the operation waits at this step for the
#: cashier to finish or cancel it (its entry stays ``pending``), and the step was cancelled.
STEP_WAITING, STEP_CANCELLED = "waiting", "cancelled"


@dataclass
class Entry:
    """One journal row."""

    id: int
    created: str
    updated: str
    service: str
    card: str
    card_id: str
    operation: str
    args: list[str]
    key: str
    state: State
    steps: list[dict[str, Any]] = field(default_factory=list)
    answer: Any = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def waiting_step(self) -> int | None:
        """The step the operation waits at for the cashier, or ``None``."""
        return next((i for i, s in enumerate(self.steps) if s.get("state") == STEP_WAITING),
                    None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "created": self.created, "updated": self.updated,
            "service": self.service, "card": self.card, "card_id": self.card_id,
            "operation": self.operation, "args": self.args, "key": self.key,
            "state": self.state.value, "steps": self.steps, "answer": self.answer,
            "before": self.before, "after": self.after, "outcome": self.outcome,
            "error": self.error, "attempts": self.attempts,
            "waiting": self.waiting_step is not None,
        }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):  # Figures
        return dict(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Journal:
    """The operations journal. Thread-safe: one connection guarded by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10.0)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                         (str(SCHEMA_VERSION),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def begin(self, *, service: str, card: str, card_id: str, plan: Plan, key: str,
              before: dict[str, Any] | None) -> int:
        """Record an operation as ``pending`` before anything is sent; return its id."""
        steps = [{**s.to_json(), "state": State.PENDING.value, "answer": None}
                 for s in plan.steps]
        now = _now()
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO operations (created, updated, service, card, card_id, operation,"
                " args, idem_key, state, steps, before, outcome) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                (now, now, service, card, card_id, plan.operation.name.value,
                 _dumps(plan.operation.args()), key, _dumps(steps), _dumps(before),
                 _dumps(plan.preview or None)),
            )
            return int(cur.lastrowid or 0)

    def step(self, entry_id: int, index: int, state: State | str, answer: Any = None, *,
             queued: bool = False, uncertain: bool = False) -> None:
        """Record the fate of one step (and its answer) as soon as it is known.

        ``queued`` marks a step known not to have been sent (the service was unreachable):
        it is sent as it is when the service is back, without checking the card first.
        ``uncertain`` marks a waiting step that may have been sent already.
        """
        with self._lock, self._transaction():
            row = self._db.execute("SELECT steps FROM operations WHERE id = ?",
                                   (entry_id,)).fetchone()
            steps = _loads(row["steps"])
            steps[index]["state"] = str(state)
            steps[index]["answer"] = answer
            steps[index]["queued"] = queued
            steps[index].pop("uncertain", None)
            if uncertain:
                steps[index]["uncertain"] = True
            self._db.execute("UPDATE operations SET steps = ?, answer = ?, updated = ?,"
                             " attempts = attempts + 1 WHERE id = ?",
                             (_dumps(steps), _dumps(answer), _now(), entry_id))

    def finish(self, entry_id: int, state: State, *, after: dict[str, Any] | None = None,
               outcome: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Set the operation's final (or ``unknown``) state with what is known."""
        with self._lock:
            self._db.execute(
                "UPDATE operations SET state = ?, updated = ?,"
                " after = COALESCE(?, after), outcome = COALESCE(?, outcome), error = ?"
                " WHERE id = ?",
                (state.value, _now(), _dumps(after), _dumps(outcome), error, entry_id),
            )

    def get(self, entry_id: int) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM operations WHERE id = ?",
                                   (entry_id,)).fetchone()
        return None if row is None else self._entry(row)

    def entries(self, *, limit: int | None = None, states: tuple[State, ...] = (),
                card_id: str | None = None) -> list[Entry]:
        """Entries newest first, optionally only in some states or for one card."""
        sql, params = "SELECT * FROM operations", []
        where = []
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            params.extend(s.value for s in states)
        if card_id is not None:
            where.append("card_id = ?")
            params.append(card_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self._entry(r) for r in rows]

    def wait(self, entry_id: int, index: int, note: str, *, uncertain: bool) -> None:
        """Leave the operation open at step ``index`` for the cashier to finish or cancel:
        recovery leaves it alone, :meth:`waiting` lists it."""
        self.step(entry_id, index, STEP_WAITING, None, uncertain=uncertain)
        self.finish(entry_id, State.PENDING, error=note)

    def unresolved(self) -> list[Entry]:
        """Operations left ``pending`` or ``unknown``, oldest first (not those waiting for
        the cashier)."""
        return [e for e in reversed(self.entries(states=(State.PENDING, State.UNKNOWN)))
                if e.waiting_step is None]

    def waiting(self, card_id: str | None = None) -> list[Entry]:
        """Operations waiting for the cashier to finish or cancel them, newest first."""
        return [e for e in self.entries(states=(State.PENDING,), card_id=card_id)
                if e.waiting_step is not None]

    def _transaction(self) -> _Tx:
        return _Tx(self._db)

    @staticmethod
    def _entry(row: sqlite3.Row) -> Entry:
        return Entry(
            id=row["id"], created=row["created"], updated=row["updated"],
            service=row["service"], card=row["card"], card_id=row["card_id"],
            operation=row["operation"], args=_loads(row["args"]) or [], key=row["idem_key"],
            state=State(row["state"]), steps=_loads(row["steps"]) or [],
            answer=_loads(row["answer"]), before=_loads(row["before"]),
            after=_loads(row["after"]), outcome=_loads(row["outcome"]), error=row["error"],
            attempts=row["attempts"],
        )


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
