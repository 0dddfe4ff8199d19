"""Shifts: the cashier opens one, works, closes it; its summary is what the journal holds
between the two, per service and operation.

An app running a shift holds an OS lock on ``session.lock`` in the data folder and marks the
shift ``live``. A live shift whose lock is free at the next start was left by a crash: it is
closed then, with a note. A window closed normally leaves its shift open (not live) for the
next start to carry on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter as Tally
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pos_app.core import formatting
from pos_app.core.cards import Card
from pos_app.core.effects import EFFECT_LABELS
from pos_app.core.entry_text import entry_card, entry_sentence, entry_unit, operation_label
from pos_app.core.errors import InvalidInput
from pos_app.core.i18n import N_, _, ngettext, pgettext
from pos_app.core.journal import Entry, Journal, JournalFilter, ShiftRow, State

LOCK_FILE = "session.lock"

#: Effects summed per service and operation (``balance_after`` and the like are not sums).
SUMMED = ("to_pay", "discount", "points_earned", "points_spent", "money_added", "money_spent",
          "stamps_given", "stamps_taken", "rewards_used", "held")
#: Words for the summary, translated where shown.
TEXT = {
    # i18n: kept with the shift in the journal; {last} is a date and time
    "crash_note": N_("Closed at the next start: the app stopped without closing the shift "
                     "(last operation {last})."),
    "crash_note_none": N_("Closed at the next start: the app stopped without closing the "
                          "shift (no operation in it)."),
    "not_open": N_("No shift is open."),
    "already_open": N_("A shift is open already (#{id}, since {since})."),
    "attention": N_("Needs attention ({count}):"),
    "open_hold": N_("on hold"),
    "title": N_("Shift #{id}"),
    "holds": N_("Holds still open: {count}"),
    "nothing": N_("No operations in this shift."),
}


def state_word(state: State) -> str:
    """A state as the summary says it."""
    return {State.DONE: pgettext("shift summary", "done"),
            State.FAILED: pgettext("shift summary", "not done"),
            State.UNKNOWN: pgettext("shift summary", "unknown"),
            State.PENDING: pgettext("shift summary", "waiting")}[state]


class SessionLock:
    """An exclusive OS lock on a file, held while this process runs a shift.

    Released by the OS when the process dies, so a crashed app never keeps it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; ``False`` when another running app has it."""
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            _lock(fh)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    @property
    def held(self) -> bool:
        return self._fh is not None

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _lock(fh: IO[bytes]) -> None:
    if os.name == "nt":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _short(iso: str | None) -> str:
    """A journal time as the language writes a date and time (``open`` for none)."""
    if not iso:
        # i18n: the end of a shift still open ("31.12.2030, 09:00 – open")
        return pgettext("shift", "open")
    return formatting.datetime(dt.datetime.fromisoformat(iso))


def _period(opened: str, closed: str | None) -> str:
    """When a shift ran: ``31.12.2030, 09:00 – 17:30`` (the date once when it ends the day
    it began, so that the line fits a 58 mm slip), else both dates."""
    if opened and closed:
        start = dt.datetime.fromisoformat(opened).astimezone()
        end = dt.datetime.fromisoformat(closed).astimezone()
        if start.date() == end.date():
            return f"{formatting.datetime(start)} – {formatting.time(end)}"
    return f"{_short(opened)} – {_short(closed)}"


class ShiftBook:
    """Open, close and find shifts in the journal; close those a crash left at start."""

    def __init__(self, journal: Journal, lock: Path | SessionLock) -> None:
        self.journal = journal
        self.lock = lock if isinstance(lock, SessionLock) else SessionLock(lock)

    def start(self, *, resume: bool = True) -> str | None:
        """At the app's start: take the session lock and close a shift a crash left open;
        with ``resume`` (the window) carry on a shift left open by a clean exit.

        Returns the note of a shift closed so (kept with the shift in the language of the
        app that closed it), or ``None``. Without the lock (another app is
        running) nothing is touched, nor when this process holds it already (the window
        reopened its counter).
        """
        if self.lock.held:
            return None
        if not self.lock.acquire():
            return None
        note = None
        for shift in self.journal.shifts(open_only=True):
            if shift.live:
                last = self.journal.search(JournalFilter(since=_parse(shift.opened)), limit=1)
                note = (_(TEXT["crash_note"]).format(last=_short(last[0].updated)) if last
                        else _(TEXT["crash_note_none"]))
                self.journal.close_shift(shift.id, note=note)
            elif resume:
                self.journal.set_shift_live(shift.id, True)
        return note

    def stop(self) -> None:
        """At a clean exit: the open shift stays open for the next start; release the lock."""
        shift = self.current()
        if shift is not None and self.lock.acquire():
            self.journal.set_shift_live(shift.id, False)
        self.lock.release()

    def current(self) -> ShiftRow | None:
        shifts = self.journal.shifts(open_only=True)
        return shifts[0] if shifts else None

    def last(self) -> ShiftRow | None:
        """The open shift, else the last one closed."""
        shifts = self.journal.shifts(limit=1)
        return shifts[0] if shifts else None

    def open(self) -> ShiftRow:
        shift = self.current()
        if shift is not None:
            raise InvalidInput(_(TEXT["already_open"]).format(id=shift.id,
                                                              since=_short(shift.opened)))
        self.lock.acquire()
        return self.journal.open_shift(live=True)

    def close(self, note: str | None = None) -> ShiftRow:
        shift = self.current()
        if shift is None:
            raise InvalidInput(_(TEXT["not_open"]))
        self.journal.close_shift(shift.id, note=note)
        closed = self.journal.shift(shift.id)
        assert closed is not None
        return closed

    def summary(self, shift: ShiftRow) -> Summary:
        # Times are kept to the millisecond: the close's own millisecond is in the shift.
        until = _parse(shift.closed) + dt.timedelta(milliseconds=1) if shift.closed else None
        where = JournalFilter(since=_parse(shift.opened), until=until)
        return summarise(shift, self.journal.search(where, oldest_first=True))


def _parse(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


@dataclass
class Line:
    """One service and operation in a shift, on cards of one unit (an accrue of money on gift
    certificates apart from one of points): how many in each state, and the sums.

    The sums are those of the operations done, and the value still ``held`` by open holds
    (:func:`open_hold`): a hold confirmed counts what it took as spent, one cancelled counts
    nothing (see :mod:`pos_app.core.effects`)."""

    service: str
    operation: str
    #: What the operation's number counts on these cards (``money``, ``point``...; ``""``).
    unit: str = ""
    states: Tally[str] = field(default_factory=Tally)
    sums: dict[str, Decimal] = field(default_factory=dict)
    #: One of the cards as the journal recorded it, to name the operation as its button did.
    card: Card | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        return sum(self.states.values())

    @property
    def label(self) -> str:
        """The operation's name on these cards, in the chosen language ("Top up the
        balance")."""
        return operation_label(self.operation, self.card)

    def add(self, entry: Entry) -> None:
        self.states[entry.state.value] += 1
        if self.card is None:
            self.card = entry_card(entry)
        if entry.state is State.DONE:
            names: tuple[str, ...] = SUMMED
        elif open_hold(entry):
            names = ("held",)
        else:
            return
        for name in names:
            value = getattr(entry.effects, name)
            if value is not None:
                self.sums[name] = self.sums.get(name, Decimal(0)) + Decimal(value)

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "unit": self.unit,
                "count": self.count,
                "states": {s.value: self.states.get(s.value, 0) for s in State},
                "sums": {k: str(v) for k, v in self.sums.items()}}


@dataclass
class Summary:
    """A shift's operations: open or unknown ones and open holds first, then failed ones;
    per service and operation, counts by state and the sums of their figures."""

    shift: ShiftRow
    attention: list[Entry]
    lines: list[Line]
    totals: dict[str, dict[str, Decimal]]

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def open_holds(self) -> list[Entry]:
        return [e for e in self.attention if open_hold(e)]

    def to_json(self) -> dict[str, Any]:
        return {
            "shift": self.shift.to_json(), "count": self.count,
            "attention": [{"id": e.id, "service": e.service, "card": e.card,
                           "operation": e.operation, "args": e.args, "state": e.state.value,
                           "hold": open_hold(e), "error": e.error} for e in self.attention],
            "open_holds": len(self.open_holds),
            "lines": [line.to_json() for line in self.lines],
            "totals": {svc: {k: str(v) for k, v in sums.items()}
                       for svc, sums in self.totals.items()},
        }


def open_hold(entry: Entry) -> bool:
    """Whether the entry still holds value on a card: waiting for the cashier to confirm or
    cancel its hold (``pending``), or done at a service that reported ``held`` and not yet
    settled (:meth:`pos_app.core.journal.Journal.release_hold`)."""
    return (entry.state in (State.DONE, State.PENDING)
            and entry.effects.held is not None)


_ATTENTION_ORDER = {State.UNKNOWN: 0, State.PENDING: 1, State.DONE: 2, State.FAILED: 3}


def summarise(shift: ShiftRow, entries: list[Entry]) -> Summary:
    """Group a shift's entries (any services, any card kinds) into a :class:`Summary`."""
    lines: dict[tuple[str, str, str], Line] = {}
    totals: dict[str, dict[str, Decimal]] = {}
    for entry in entries:
        key = (entry.service, entry.operation, entry_unit(entry))
        lines.setdefault(key, Line(*key)).add(entry)
    for line in lines.values():
        service = totals.setdefault(line.service, {})
        for name, value in line.sums.items():
            service[name] = service.get(name, Decimal(0)) + value
    attention = [e for e in entries if e.state is not State.DONE or open_hold(e)]
    attention.sort(key=lambda e: (_ATTENTION_ORDER[e.state], e.id))
    return Summary(shift, attention, [lines[k] for k in sorted(lines)], totals)


#: Characters per line of the printed summary (fits an 80 mm roll and the window's tab).
WIDTH = 42


def _pair(label: str, value: str, indent: int = 2) -> str:
    room = max(WIDTH - indent - len(value) - 1, len(label))
    return f"{' ' * indent}{label:<{room}} {value}"


def sum_value(name: str, value: Decimal) -> str:
    """A summed figure as text: money with cents, counts and points without."""
    from pos_app.core.money import format_money, format_number

    money = name in ("to_pay", "discount", "money_added", "money_spent")
    return format_money(value) if money else format_number(value)


def _states(line: Line) -> str:
    return ", ".join(f"{state_word(s)} {formatting.number(line.states[s.value])}"
                     for s in State if line.states.get(s.value))


def summary_text(summary: Summary) -> list[str]:
    """The summary as plain lines of at most about :data:`WIDTH` characters (the command
    line, the window and the printout): what needs attention first, then each service."""
    from pos_app.core.present import service_title

    shift = summary.shift
    out = [_(TEXT["title"]).format(id=shift.id), _period(shift.opened, shift.closed)]
    if shift.note:
        out.append(shift.note)
    if not summary.lines:
        return [*out, _(TEXT["nothing"])]
    if summary.attention:
        out += ["", _(TEXT["attention"]).format(count=formatting.number(len(summary.attention)))]
        for e in summary.attention:
            state = _(TEXT["open_hold"]) if open_hold(e) else state_word(e.state)
            # i18n: a journal entry needing attention ("#4 unknown: <service> <card code>")
            out.append("  " + _("#{id} {state}: {service} {card}").format(
                id=e.id, state=state, service=service_title(e.service), card=e.card))
            out.append(f"    {entry_sentence(e)}" + (f" — {e.error}" if e.error else ""))
    for service in sorted(summary.totals):
        lines = [x for x in summary.lines if x.service == service]
        n = sum(x.count for x in lines)
        many = ngettext("{count} operation", "{count} operations", n).format(
            count=formatting.number(n))
        out += ["", f"{service_title(service)}: {many}"]
        sums = summary.totals[service]
        out += [_pair(_(EFFECT_LABELS[k]), sum_value(k, sums[k])) for k in SUMMED if k in sums]
        for x in lines:
            out.append(f"  {x.label} ×{x.count}: {_states(x)}")
            out += [_pair(_(EFFECT_LABELS[k]), sum_value(k, x.sums[k]), 4)
                    for k in SUMMED if k in x.sums]
    holds = len(summary.open_holds)
    if holds:
        out += ["", _(TEXT["holds"]).format(count=formatting.number(holds))]
    return out
