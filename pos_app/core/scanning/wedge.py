"""Keyboard-wedge scanners: tell a scanner's burst of keys from a person typing (Qt-free).

A scanner in keyboard mode types a whole code in a few tens of milliseconds: every key follows
the previous one within a few ms (USB) or in packets a few tens of ms apart (Bluetooth), and
usually ends with Enter or Tab. People type 80-400 ms per key, with the odd fast pair. So a
*burst* is at least ``min_length`` characters each at most ``max_gap_ms`` after the previous
one; it ends at Enter or Tab (swallowed) or at the first longer pause.

:class:`WedgeDetector` is fed key presses with their time and answers, for each, what to do
with it: **hold** it (it may be the start of a burst: the caller keeps it back), **swallow** it
(part of a recognised burst), or **pass** it on; plus the held keys to **release** (deliver
late, in order: it was a person after all) and a finished **code**. It never looks at a clock:
the caller calls :meth:`WedgeDetector.poll` when :meth:`WedgeDetector.deadline` is reached.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = [
    "Action",
    "Judge",
    "Step",
    "WedgeDetector",
    "WedgeOptions",
    "field_judge",
]

T = TypeVar("T")

#: Suffix keys that end a burst.
SUFFIX_KEYS = ("enter", "tab")

#: Decides, once a burst has ended, whether its text is a scan (``True``) or typing; given
#: the text and how the burst ended (``enter``, ``tab``, ``pause``, ``key``).
Judge = Callable[[str, str], bool]


@dataclass(frozen=True)
class WedgeOptions:
    """Timing rules. The defaults work for USB scanners (1-30 ms per key) and Bluetooth ones
    (keys in packets up to ~45 ms apart); people rarely type three keys in a row each within
    50 ms. Raise ``max_gap_ms`` for a slow Bluetooth scanner, ``min_length`` for a cashier
    who types very fast (to the length of the shortest code scanned)."""

    #: A key more than this after the previous one is not part of the same burst.
    max_gap_ms: float = 50.0
    #: Fewer characters than this are typing, whatever their speed.
    min_length: int = 4
    #: Keys that end a burst and are swallowed with it (``"enter"``, ``"tab"``).
    suffixes: tuple[str, ...] = SUFFIX_KEYS
    #: After a burst that ended by a pause, a late Enter/Tab within this is swallowed too
    #: (so that it never submits the field the cursor is in).
    suffix_grace_ms: float = 150.0
    #: In an entry field (an amount, a count, a date), a burst shorter than this is typing;
    #: 0 means the shortest code the configured services have.
    field_min_length: int = 0

    def __post_init__(self) -> None:
        if self.max_gap_ms <= 0:
            raise ValueError("max_gap_ms must be positive")
        if self.min_length < 2:
            raise ValueError("min_length must be at least 2")
        if self.field_min_length < 0:
            raise ValueError("field_min_length cannot be negative")
        bad = set(self.suffixes) - set(SUFFIX_KEYS)
        if bad:
            raise ValueError(f"unknown suffix keys: {sorted(bad)}")

    @classmethod
    def from_settings(cls, table: Mapping[str, Any]) -> WedgeOptions:
        """From ``settings.section("scanner")``: ``wedge_max_gap_ms``, ``wedge_min_length``,
        ``wedge_suffixes`` (a list), ``wedge_field_min_length``; missing or invalid values keep
        the defaults."""
        d = cls()
        try:
            gap = float(table.get("wedge_max_gap_ms", d.max_gap_ms))
            length = int(table.get("wedge_min_length", d.min_length))
            field_length = int(table.get("wedge_field_min_length", d.field_min_length))
            raw = table.get("wedge_suffixes", list(d.suffixes))
            suffixes = tuple(str(s).lower() for s in raw) if isinstance(raw, list | tuple) \
                else d.suffixes
            return cls(max_gap_ms=gap, min_length=length, suffixes=suffixes,
                       suffix_grace_ms=d.suffix_grace_ms, field_min_length=field_length)
        except (TypeError, ValueError):
            return d

    def to_settings(self) -> dict[str, Any]:
        return {"wedge_max_gap_ms": self.max_gap_ms, "wedge_min_length": self.min_length,
                "wedge_suffixes": list(self.suffixes),
                "wedge_field_min_length": self.field_min_length}


def field_judge(kind: str, shortest: int, claimed: Callable[[str], bool],
                typed: Callable[[], str] = str) -> Judge:
    """How a burst typed into an entry field of ``kind`` (``money``, ``count``, ``date``,
    ``name``, ``phone``, ``email``, or ``""`` for other text) is judged: a scan only when it
    is at least ``shortest`` characters (the shortest code of the configured services), a
    service ``claimed`` it, and the field's text with it (``typed()``: what is before the
    cursor) is not what the field takes: an amount, a count, a date... typed fast by a
    person, whole or in quick runs of keys. In a field of no known kind, only a burst that a
    scanner's Enter or Tab ended is a scan (a person pauses before pressing Enter)."""
    from pos_app.core.operations import fits_field

    def judge(code: str, ended_by: str) -> bool:
        if len(code) < shortest:
            return False
        if kind and (fits_field(kind, code) or fits_field(kind, typed() + code)):
            return False
        if not kind and ended_by not in SUFFIX_KEYS:
            return False
        return claimed(code)

    return judge


class Action(enum.Enum):
    HOLD = "hold"        # keep the key back: it may start a burst
    SWALLOW = "swallow"  # the key belongs to a scan: drop it
    PASS = "pass"        # deliver the key now
    NONE = "none"        # (poll) no key involved


@dataclass
class Step(Generic[T]):
    """What to do: first deliver ``release`` (held keys, in order), then apply ``action`` to
    the key just fed. ``code`` is a finished scan (``ended_by``: enter, tab, pause, key);
    ``dropped`` are held keys that turned out to be that scan (never to be delivered)."""

    action: Action = Action.NONE
    release: list[T] = field(default_factory=list)
    dropped: list[T] = field(default_factory=list)
    code: str | None = None
    ended_by: str = ""


class _State(enum.Enum):
    IDLE = 0
    PENDING = 1  # fewer than min_length fast keys, held back
    BURST = 2    # a scan in progress: keys swallowed


class WedgeDetector(Generic[T]):
    """The burst state machine. Times are milliseconds on any one clock (not wall time).

    ``payload`` is whatever the caller needs to deliver a held key later (a copy of the key
    event); it comes back in :attr:`Step.release`.

    A sequence started with a ``judge`` (the cursor is in an entry field) holds every key,
    burst or not, and asks the judge at its end: a scan drops the held keys, typing releases
    them, in order, so that fast typing is never lost.
    """

    def __init__(self, options: WedgeOptions | None = None) -> None:
        self.options = options or WedgeOptions()
        self._state = _State.IDLE
        self._held: list[tuple[str, T]] = []
        self._chars: list[str] = []
        self._last = 0.0
        self._grace_until = float("-inf")
        self._judge: Judge | None = None

    @property
    def active(self) -> bool:
        """Keys are being held or swallowed (a burst may be under way)."""
        return self._state is not _State.IDLE

    @property
    def in_burst(self) -> bool:
        return self._state is _State.BURST

    @property
    def length(self) -> int:
        """Characters in the sequence under way (held or swallowed)."""
        return len(self._chars) if self._state is _State.BURST else len(self._held)

    def deadline(self) -> float | None:
        """When to call :meth:`poll` (the end of the current gap), or ``None``."""
        if self._state is _State.IDLE:
            return None
        return self._last + self.options.max_gap_ms

    def char(self, t: float, ch: str, payload: T, judge: Judge | None = None) -> Step[T]:
        """A character key pressed at ``t``; ``judge`` (taken when a sequence starts) decides
        at its end whether a burst is a scan."""
        step = self._expire(t)
        if self._state is _State.IDLE:
            self._state = _State.PENDING
            self._held = [(ch, payload)]
            self._judge = judge
            step.action = Action.HOLD
        elif self._state is _State.PENDING:
            self._held.append((ch, payload))
            step.action = Action.HOLD
            if len(self._held) >= self.options.min_length:
                self._state = _State.BURST
                self._chars = [c for c, _ in self._held]
                if self._judge is None:
                    self._held = []
                    step.action = Action.SWALLOW
        elif self._judge is not None:
            self._held.append((ch, payload))
            self._chars.append(ch)
            step.action = Action.HOLD
        else:
            self._chars.append(ch)
            step.action = Action.SWALLOW
        self._last = t
        self._grace_until = float("-inf")
        return step

    def suffix(self, t: float, key: str, payload: T) -> Step[T]:
        """Enter or Tab pressed at ``t`` (``key``: ``"enter"`` or ``"tab"``)."""
        if key not in self.options.suffixes:
            return self.other(t, payload)
        step = self._expire(t)
        if self._state is _State.BURST:
            scan = self._end(step, key)
            step.action = Action.SWALLOW if scan else Action.PASS
            self._reset()
        elif self._state is _State.PENDING:
            step.release.extend(p for _, p in self._held)
            step.action = Action.PASS
            self._reset()
        elif t <= self._grace_until:
            step.action = Action.SWALLOW  # the late suffix of a burst that ended by a pause
        else:
            step.action = Action.PASS
        self._grace_until = float("-inf")
        return step

    def other(self, t: float, payload: T) -> Step[T]:
        """Any other key pressed (Backspace, arrows, F-keys, Ctrl+..., auto-repeat): it ends
        what was under way and is passed on."""
        step = self._expire(t)
        if self._state is _State.PENDING:
            step.release.extend(p for _, p in self._held)
        elif self._state is _State.BURST:
            self._end(step, "key")
        self._reset()
        self._grace_until = float("-inf")
        step.action = Action.PASS
        return step

    def poll(self, now: float) -> Step[T]:
        """Call at :meth:`deadline` (or any time): releases held keys or ends a burst once the
        gap since the last key is longer than ``max_gap_ms``."""
        return self._expire(now)

    def flush(self) -> Step[T]:
        """End whatever is under way now (switching off, focus lost): held keys are released,
        a burst long enough is finished."""
        step: Step[T] = Step()
        if self._state is _State.PENDING:
            step.release.extend(p for _, p in self._held)
        elif self._state is _State.BURST:
            self._end(step, "pause")
        self._reset()
        return step

    def _expire(self, now: float) -> Step[T]:
        step: Step[T] = Step()
        if self._state is _State.IDLE or now - self._last <= self.options.max_gap_ms:
            return step
        if self._state is _State.PENDING:
            step.release.extend(p for _, p in self._held)
        elif self._end(step, "pause"):
            self._grace_until = self._last + self.options.max_gap_ms \
                + self.options.suffix_grace_ms
        self._reset()
        return step

    def _end(self, step: Step[T], ended_by: str) -> bool:
        """A burst ended: a scan (``step.code``) unless the judge says it was typing, whose
        held keys are then released. ``True`` for a scan."""
        code = "".join(self._chars)
        held = [p for _, p in self._held]
        if self._judge is not None and not self._judge(code, ended_by):
            step.release.extend(held)
            return False
        step.code, step.ended_by = code, ended_by
        step.dropped.extend(held)
        return True

    def _reset(self) -> None:
        self._state = _State.IDLE
        self._held = []
        self._chars = []
        self._judge = None
