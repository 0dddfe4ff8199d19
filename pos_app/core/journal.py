"""The journal: every operation, written before its first byte is sent.

A SQLite file in the data folder (WAL, ``synchronous=FULL``, created readable by the user
alone). Each row holds the service, the card, the operation and its arguments, the operation's
unique key, its state (``pending`` -> ``done`` | ``failed`` | ``unknown``), each step with the
service's answer, and the card as it was before and after.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pos_app.core.backends.base import Plan
from pos_app.core.effects import Effects, effect_names, effects_for
from pos_app.core.journal_file import MovedAside, prepare, storage_errors
from pos_app.core.operations import OpName

SCHEMA_VERSION = 3
#: Seconds an owner's claim on an open operation lasts without being renewed.
LEASE_SECONDS = 60.0
#: A claim whose owner still looks alive is taken over only this long after it ran out (the
#: owner's lock may not work on the folder, e.g. a network share).
STALE_LEASE_SECONDS = 600.0
#: The schema version row, written only when it differs: opening a journal that is up to date
#: writes nothing (no commit to sync, no checkpoint when the last connection closes).
_SCHEMA_ROW = ("INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) "
               "DO UPDATE SET value = excluded.value WHERE meta.value != excluded.value")

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
#: Columns added since schema 1: (name, declaration).
_ADDED = (("owner", "TEXT"), ("lease", "REAL"), ("settled", "TEXT"))


class State(StrEnum):
    PENDING = "pending"
    UNKNOWN = "unknown"
    DONE = "done"
    FAILED = "failed"


#: Step states besides those of :class:`State`: the operation waits at this step for the
#: cashier to finish or cancel it (its entry stays ``pending``), and the step was cancelled.
STEP_WAITING, STEP_CANCELLED = "waiting", "cancelled"
#: Marks on a step: a waiting one the till cannot send (it is finished at the service, e.g.
#: a hold without an authorization code), and one the cashier cancelled on purpose.
MARK_AT_SERVICE, MARK_BY_CASHIER = "at_service", "by_cashier"
STEP_MARKS = (MARK_AT_SERVICE, MARK_BY_CASHIER)


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
    #: The process driving it now (``None`` when nobody is), and until when (epoch seconds).
    owner: str | None = None
    lease: float | None = None
    #: How a person settled it: ``{"applied", "note", "by", "at"}``.
    settled: dict[str, Any] | None = None

    def last_sent(self, index: int) -> float | None:
        """When a request for step ``index`` last went out (epoch seconds), if ever."""
        if not 0 <= index < len(self.steps):
            return None
        value = self.steps[index].get("sent_at")
        return float(value) if isinstance(value, int | float) else None
    #: The card's kind and its holder's name when the operation began (schema 2).
    kind: str = ""
    holder: str = ""
    #: What it did, in fixed terms (see :mod:`pos_app.core.effects`).
    effects: Effects = field(default_factory=Effects)

    @property
    def waiting_step(self) -> int | None:
        """The step the operation waits at for the cashier, or ``None``."""
        return next((i for i, s in enumerate(self.steps) if s.get("state") == STEP_WAITING),
                    None)

    @property
    def at_service(self) -> bool:
        """Waiting at a step the till cannot send: it is to be finished at the service."""
        index = self.waiting_step
        return index is not None and self.steps[index].get("mark") == MARK_AT_SERVICE

    @property
    def cancelled(self) -> bool:
        """Cancelled by the cashier on purpose (not refused, not failed)."""
        return self.state is State.FAILED and any(
            s.get("state") == STEP_CANCELLED and s.get("mark") == MARK_BY_CASHIER
            for s in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "created": self.created, "updated": self.updated,
            "service": self.service, "card": self.card, "card_id": self.card_id,
            "operation": self.operation, "args": self.args, "key": self.key,
            "state": self.state.value, "steps": self.steps, "answer": self.answer,
            "before": self.before, "after": self.after, "outcome": self.outcome,
            "error": self.error, "attempts": self.attempts, "owner": self.owner,
            "settled": self.settled, "kind": self.kind, "holder": self.holder,
            "effects": self.effects.columns(),
            "waiting": self.waiting_step is not None,
            "at_service": self.at_service, "cancelled": self.cancelled,
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
        #: Set when the file found could not be read and was moved aside (say it once).
        self.moved_aside: MovedAside | None = prepare(path, _SCHEMA)
        self._lock = threading.RLock()
        with storage_errors(path):
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                       timeout=10.0)
            try:
                self._db.row_factory = sqlite3.Row
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA busy_timeout=10000")
                self._db.executescript(_SCHEMA)
                have = {row["name"] for row in
                        self._db.execute("PRAGMA table_info(operations)")}
                for name, declaration in _ADDED:
                    if name not in have:
                        self._db.execute(f"ALTER TABLE operations ADD COLUMN {name} "
                                         f"{declaration}")
                self._db.execute(_SCHEMA_ROW, (str(SCHEMA_VERSION),))
                self._db.create_function("pos_fold", 1, _fold, deterministic=True)
                with self._lock, self._transaction():
                    migrate(self._db)
            except BaseException:
                self._db.close()
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def begin(self, *, service: str, card: str, card_id: str, plan: Plan, key: str,
              before: dict[str, Any] | None, owner: str | None = None) -> int:
        """Record an operation as ``pending`` before anything is sent; return its id.

        ``owner`` claims it for the process that is about to drive it.
        """
        steps = [{**s.to_json(), "state": State.PENDING.value, "answer": None}
                 for s in plan.steps]
        now = _now()
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO operations (created, updated, service, card, card_id, operation,"
                " args, idem_key, state, steps, before, outcome, owner, lease) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
                (now, now, service, card, card_id, plan.operation.name.value,
                 _dumps(plan.operation.args()), key, _dumps(steps), _dumps(before),
                 _dumps(plan.preview or None), owner,
                 None if owner is None else time.time() + LEASE_SECONDS),
            )
            return int(cur.lastrowid or 0)

    def step(self, entry_id: int, index: int, state: State | str, answer: Any = None, *,
             queued: bool = False, landing: bool = False, uncertain: bool = False,
             mark: str = "") -> None:
        """Record the fate of one step (and its answer) as soon as it is known.

        ``queued`` marks a step known not to have been sent (the service was unreachable):
        it is sent as it is when the service is back, without checking the card first.
        ``landing`` marks a step sent without an answer coming (it may still land).
        ``uncertain`` marks a waiting step that may have been sent already. ``mark`` is one
        of :data:`STEP_MARKS` (who or what decided the step's fate).
        """
        with self._lock, self._transaction():
            row = self._db.execute("SELECT steps FROM operations WHERE id = ?",
                                   (entry_id,)).fetchone()
            steps = _loads(row["steps"])
            steps[index]["state"] = str(state)
            steps[index]["answer"] = answer
            steps[index]["queued"] = queued
            steps[index]["landing"] = landing
            steps[index].pop("uncertain", None)
            if uncertain:
                steps[index]["uncertain"] = True
            steps[index].pop("mark", None)
            if mark:
                steps[index]["mark"] = mark
            self._db.execute("UPDATE operations SET steps = ?, answer = ?, updated = ?,"
                             " attempts = attempts + 1 WHERE id = ?",
                             (_dumps(steps), _dumps(answer), _now(), entry_id))

    def sent(self, entry_id: int, index: int) -> None:
        """Record that a request for step ``index`` is about to go out (before it does)."""
        with self._lock, self._transaction():
            row = self._db.execute("SELECT steps FROM operations WHERE id = ?",
                                   (entry_id,)).fetchone()
            steps = _loads(row["steps"])
            steps[index]["sent_at"] = time.time()
            steps[index]["sends"] = int(steps[index].get("sends") or 0) + 1
            self._db.execute("UPDATE operations SET steps = ?, updated = ? WHERE id = ?",
                             (_dumps(steps), _now(), entry_id))

    def claim(self, entry_id: int, owner: str, alive: Callable[[str], bool]) -> Entry | None:
        """Take an open operation over for ``owner``: when nobody drives it, its driver is
        gone (``alive`` says no), or its claim ran out long ago. The entry as claimed, or
        ``None`` (settled meanwhile, or another process drives it)."""
        entry = self.get(entry_id)
        if entry is None or entry.state not in (State.PENDING, State.UNKNOWN):
            return None
        held = entry.owner
        now = time.time()
        if held not in (None, owner) and alive(held) and (
                entry.lease is None or now < entry.lease + STALE_LEASE_SECONDS):
            return None
        with self._lock:
            cur = self._db.execute(
                "UPDATE operations SET owner = ?, lease = ? WHERE id = ? AND owner IS ?"
                " AND state IN ('pending', 'unknown')",
                (owner, now + LEASE_SECONDS, entry_id, held))
        return self.get(entry_id) if cur.rowcount == 1 else None

    def renew(self, entry_id: int, owner: str) -> None:
        """Extend ``owner``'s claim (called while it keeps working on the operation)."""
        with self._lock:
            self._db.execute("UPDATE operations SET lease = ? WHERE id = ? AND owner = ?",
                             (time.time() + LEASE_SECONDS, entry_id, owner))

    def release(self, entry_id: int, owner: str) -> None:
        """``owner`` stops driving the operation (left open, any process may resolve it)."""
        with self._lock:
            self._db.execute("UPDATE operations SET owner = NULL, lease = NULL"
                             " WHERE id = ? AND owner = ?", (entry_id, owner))

    def settle(self, entry_id: int, *, applied: bool, note: str, by: str) -> Entry:
        """A person's verdict on an operation left open: applied (``done``) or not
        (``failed``), with who and why. Only ``pending`` and ``unknown`` entries settle."""
        settled = {"applied": applied, "note": note, "by": by, "at": _now()}
        state = State.DONE if applied else State.FAILED
        with self._lock:
            cur = self._db.execute(
                "UPDATE operations SET state = ?, settled = ?, updated = ?, owner = NULL,"
                " lease = NULL WHERE id = ? AND state IN ('pending', 'unknown')",
                (state.value, _dumps(settled), _now(), entry_id))
        entry = self.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        if cur.rowcount != 1:
            raise ValueError(f"#{entry_id} is {entry.state.value}, not open")
        return entry

    def finish(self, entry_id: int, state: State, *, after: dict[str, Any] | None = None,
               outcome: dict[str, Any] | None = None, error: str | None = None) -> None:
        """Set the operation's final (or ``unknown``) state with what is known; its driver
        lets go of it."""
        with self._lock:
            self._db.execute(
                "UPDATE operations SET state = ?, updated = ?,"
                " after = COALESCE(?, after), outcome = COALESCE(?, outcome), error = ?,"
                " owner = NULL, lease = NULL WHERE id = ?",
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

    def wait(self, entry_id: int, index: int, note: str, *, uncertain: bool,
             at_service: bool = False) -> None:
        """Leave the operation open at step ``index`` for the cashier to finish or cancel
        (``at_service``: to finish at the service, the till cannot): recovery leaves it
        alone, :meth:`waiting` lists it."""
        self.step(entry_id, index, STEP_WAITING, None, uncertain=uncertain,
                  mark=MARK_AT_SERVICE if at_service else "")
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

    # -- what operations did, holders, filters and shifts -------------------------------------

    def label(self, entry_id: int, *, kind: str, holder: str) -> None:
        """Note the card's kind and its holder's name (for filters, the export, the slip)."""
        with self._lock:
            self._db.execute("UPDATE operations SET kind = ?, holder = ? WHERE id = ?",
                             (kind, holder, entry_id))

    def set_effects(self, entry_id: int, effects: Effects) -> None:
        """Store what an operation did (see :mod:`pos_app.core.effects`)."""
        cols = effects.columns()
        with self._lock:
            self._db.execute(
                f"UPDATE operations SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                (*cols.values(), entry_id))

    def release_hold(self, entry_id: int) -> None:
        """A hold this operation put on a card was confirmed or released: no longer open."""
        with self._lock:
            self._db.execute("UPDATE operations SET held = NULL WHERE id = ?", (entry_id,))

    def search(self, where: JournalFilter, *, limit: int | None = None,
               oldest_first: bool = False) -> list[Entry]:
        """Entries matching a filter, newest first unless ``oldest_first``."""
        clauses, params = where.sql()
        sql = "SELECT * FROM operations"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY id" + ("" if oldest_first else " DESC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self._entry(r) for r in rows]

    def facets(self) -> dict[str, list[str]]:
        """The services, card kinds and operations the journal holds (for filter choices)."""
        out = {}
        with self._lock:
            for col in ("service", "kind", "operation"):
                rows = self._db.execute(f"SELECT DISTINCT {col} FROM operations"
                                        f" WHERE {col} != '' ORDER BY {col}").fetchall()
                out[col] = [r[0] for r in rows]
        return out

    def open_shift(self, *, live: bool = True) -> ShiftRow:
        with self._lock:
            cur = self._db.execute("INSERT INTO shifts (opened, live) VALUES (?, ?)",
                                   (_now(), int(live)))
        shift = self.shift(int(cur.lastrowid or 0))
        assert shift is not None
        return shift

    def close_shift(self, shift_id: int, *, note: str | None = None) -> None:
        with self._lock:
            self._db.execute("UPDATE shifts SET closed = ?, note = COALESCE(?, note), live = 0"
                             " WHERE id = ? AND closed IS NULL", (_now(), note, shift_id))

    def set_shift_live(self, shift_id: int, live: bool) -> None:
        with self._lock:
            self._db.execute("UPDATE shifts SET live = ? WHERE id = ?", (int(live), shift_id))

    def shift(self, shift_id: int) -> ShiftRow | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM shifts WHERE id = ?", (shift_id,)).fetchone()
        return None if row is None else ShiftRow.from_row(row)

    def shifts(self, *, limit: int | None = None, open_only: bool = False) -> list[ShiftRow]:
        """Shifts newest first."""
        sql = "SELECT * FROM shifts" + (" WHERE closed IS NULL" if open_only else "")
        sql += " ORDER BY id DESC" + ("" if limit is None else f" LIMIT {int(limit)}")
        with self._lock:
            rows = self._db.execute(sql).fetchall()
        return [ShiftRow.from_row(r) for r in rows]

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
            attempts=row["attempts"], owner=row["owner"], lease=row["lease"],
            settled=_loads(row["settled"]), kind=row["kind"] or "", holder=row["holder"] or "",
            effects=Effects.from_columns(dict(row)),
        )


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


# -- schema 2 -------------------------------------------------------------------------------

_FIGURE_TYPES = {"stamps_given": "INTEGER", "stamps_taken": "INTEGER",
                 "rewards_used": "INTEGER", "stamps_after": "INTEGER"}
_SHIFTS = """
CREATE TABLE IF NOT EXISTS shifts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opened TEXT NOT NULL,
    closed TEXT,
    note TEXT,
    live INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS operations_created ON operations (created);
"""


def migrate(db: sqlite3.Connection) -> None:
    """Bring a journal of schema 1 to 2: figure, kind and holder columns (filled in for the
    operations already done) and the shifts table. Safe to run on any version."""
    have = {r[1] for r in db.execute("PRAGMA table_info(operations)")}
    added = [c for c in ("kind", "holder", *effect_names()) if c not in have]
    for col in added:
        db.execute(f"ALTER TABLE operations ADD COLUMN {col} {_FIGURE_TYPES.get(col, 'TEXT')}")
    for stmt in _SHIFTS.split(";"):
        if stmt.strip():
            db.execute(stmt)
    if added:
        _backfill(db)
    _hold_effects(db)
    db.execute(_SCHEMA_ROW, (str(SCHEMA_VERSION),))


#: The ``meta`` key marking a journal whose holds have their effects.
_HOLD_EFFECTS = "hold_effects"


def _hold_effects(db: sqlite3.Connection) -> None:
    """Holds journalled before they had effects: one confirmed counts the points it took as
    spent, one waiting for the cashier holds them (see :mod:`pos_app.core.effects`). Once per
    journal; an up-to-date journal is only read."""
    if db.execute("SELECT 1 FROM meta WHERE key = ?", (_HOLD_EFFECTS,)).fetchone():
        return
    first = "json_extract(args, '$[0]')"
    hold = "operation = ? AND json_valid(args) AND json_type(args, '$[0]') = 'text'"
    db.execute(f"UPDATE operations SET points_spent = {first} WHERE {hold}"
               " AND state = 'done' AND points_spent IS NULL", (OpName.HOLD.value,))
    db.execute(f"UPDATE operations SET held = {first} WHERE {hold} AND state = 'pending'"
               " AND held IS NULL AND json_valid(steps) AND EXISTS (SELECT 1 FROM"
               " json_each(operations.steps) WHERE json_extract(value, '$.state') = ?)",
               (OpName.HOLD.value, STEP_WAITING))
    db.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (_HOLD_EFFECTS,))


def _backfill(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT id, operation, args, outcome, before, after FROM operations"
                      " WHERE state = 'done'").fetchall()
    for row in rows:
        before = _loads(row["before"]) or {}
        cols = effects_for(row["operation"], _loads(row["args"]) or [], _loads(row["outcome"]),
                           before, _loads(row["after"])).columns()
        cols["kind"] = str(before.get("kind") or "")
        db.execute(f"UPDATE operations SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                   (*cols.values(), row["id"]))
    db.execute("UPDATE operations SET kind = COALESCE(json_extract(before, '$.kind'), '')"
               " WHERE kind IS NULL AND json_valid(before)")


def _fold(text: str | None) -> str | None:
    """Case-insensitive matching for every script (SQLite's own LIKE folds ASCII only)."""
    return None if text is None else text.casefold()


def _utc(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class JournalFilter:
    """Which journal rows to show or export. Empty fields match everything.

    ``card`` is a card's code or id exactly; ``text`` is found anywhere in the code or the
    holder's name, whatever the case; ``since`` is inclusive, ``until`` exclusive.
    ``waiting`` and ``cancelled`` (``True``: only those, ``False``: none of those) tell the
    operations waiting for the cashier from the other pending ones, and those the cashier
    cancelled from the other failed ones, as the journal list does.
    """

    service: str = ""
    card: str = ""
    operation: str = ""
    kind: str = ""
    states: tuple[State, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    text: str = ""
    waiting: bool | None = None
    cancelled: bool | None = None

    def sql(self) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for col in ("service", "operation", "kind"):
            value = getattr(self, col).strip()
            if value:
                clauses.append(f"{col} = ?")
                params.append(value)
        if self.card.strip():
            clauses.append("(card = ? OR card_id = ?)")
            params += [self.card.strip()] * 2
        if self.states:
            clauses.append(f"state IN ({','.join('?' * len(self.states))})")
            params += [s.value for s in self.states]
        for wanted, state, step_state, mark in (
                (self.waiting, State.PENDING, STEP_WAITING, None),
                (self.cancelled, State.FAILED, STEP_CANCELLED, MARK_BY_CASHIER)):
            if wanted is None:
                continue
            marked = " AND json_extract(value, '$.mark') = ?" if mark else ""
            clause = (f"(state = ? AND EXISTS (SELECT 1 FROM json_each(steps) WHERE"
                      f" json_extract(value, '$.state') = ?{marked}))")
            clauses.append(clause if wanted else f"NOT {clause}")
            params += [state.value, step_state, *([mark] if mark else [])]
        if self.since is not None:
            clauses.append("created >= ?")
            params.append(_utc(self.since))
        if self.until is not None:
            clauses.append("created < ?")
            params.append(_utc(self.until))
        text = self.text.strip()
        if text:
            pattern = "%" + text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace(
                "_", "\\_") + "%"
            # Codes are matched by SQLite's LIKE (ASCII case folded); names in any script.
            clauses.append("(card LIKE ? ESCAPE '\\' OR card_id LIKE ? ESCAPE '\\'"
                           " OR pos_fold(holder) LIKE ? ESCAPE '\\')")
            params += [pattern] * 3
        return clauses, params


@dataclass(frozen=True)
class ShiftRow:
    """A cashier's shift: from ``opened`` to ``closed`` (``None`` while open), UTC ISO times.

    ``live`` says an app is running it now; ``note`` says how it was closed if not by hand.
    """

    id: int
    opened: str
    closed: str | None
    note: str | None
    live: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ShiftRow:
        return cls(row["id"], row["opened"], row["closed"], row["note"], bool(row["live"]))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "opened": self.opened, "closed": self.closed,
                "note": self.note}
