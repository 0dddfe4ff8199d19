"""The application-wide keyboard-wedge filter: scanner bursts become ``code_scanned(str)``.

Installed on the QApplication, it sees every key press whatever widget has the focus. It
**holds back** each character key for up to ``max_gap_ms`` (50 ms by default): if enough keys
follow that fast, they are a scan and never reach any widget; otherwise the held keys are sent
on to the widget they were meant for, in order, 50 ms late. Holding back (rather than letting
keys through and deleting them from the focused field once a burst is recognised) is what
guarantees that a scan never lands in an amount field: deleting afterwards would let the
field's validators, ``textChanged`` handlers and an early Enter see the code, and cannot undo
a key that moved focus or pressed a button. The price is a 50 ms delay on typed characters,
below what a person notices; function keys, shortcuts, Backspace and arrows are never delayed.

Characters are rebuilt from the key's native position (:mod:`pos_app.core.scanning.layouts`),
so a scanner still gives its code when the keyboard layout is Russian, AZERTY or QWERTZ.

Time comes from the events' own timestamps when the platform gives them (so keys that queued
up while the window was busy keep their real spacing), else from a monotonic clock.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from pos_app.core.scanning.layouts import KeyDecoder, Platform, layout_for_locale
from pos_app.core.scanning.wedge import Action, Judge, Step, WedgeDetector, WedgeOptions

__all__ = ["WedgeFilter", "native_platform"]

log = logging.getLogger(__name__)

_MODIFIER_KEYS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_ScrollLock, Qt.Key.Key_Super_L,
    Qt.Key.Key_Super_R, Qt.Key.Key_Hyper_L, Qt.Key.Key_Hyper_R,
    Qt.Key.Key_Mode_switch,
})
_SUFFIX_KEYS = {Qt.Key.Key_Return: "enter", Qt.Key.Key_Enter: "enter", Qt.Key.Key_Tab: "tab"}
_KM = Qt.KeyboardModifier
_COMMAND = _KM.ControlModifier | _KM.AltModifier | _KM.MetaModifier


def native_platform(platform_name: str | None = None) -> Platform:
    """Which native key codes Qt's platform plugin gives: ``windows``, ``mac`` or ``x11``
    (X11 and Wayland both give XKB keycodes); other plugins (offscreen...) by the OS."""
    name = platform_name if platform_name is not None else QGuiApplication.platformName()
    if name == "windows":
        return "windows"
    if name == "cocoa":
        return "mac"
    if name == "xcb" or name.startswith("wayland"):
        return "x11"
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "mac"
    return "x11"


#: Object name of the fields a scan may be typed into (the window's code field).
CODE_FIELD = "codeField"
_TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def is_entry_field(widget: QWidget | None) -> bool:
    """A text input that is not a code field (an amount, a count, a date, a name...), or one
    that says what it takes with an ``entryKind`` property."""
    return isinstance(widget, _TEXT_INPUTS) and (
        widget.objectName() != CODE_FIELD or bool(widget.property("entryKind")))


def _copy(ev: QKeyEvent) -> QKeyEvent:
    return QKeyEvent(ev.type(), ev.key(), ev.modifiers(), ev.nativeScanCode(),
                     ev.nativeVirtualKey(), ev.nativeModifiers(), ev.text(), ev.isAutoRepeat(),
                     ev.count())


def _sig(ev: QKeyEvent) -> tuple[Any, ...]:
    return (ev.type(), ev.key(), ev.text(), ev.nativeScanCode(), ev.nativeVirtualKey(),
            ev.timestamp(), ev.isAutoRepeat())


class WedgeFilter(QObject):
    """Catches keyboard-wedge scanner bursts anywhere in the application.

    ``mode``: ``"us"`` rebuilds characters from key positions (scanners ship set to a US
    keyboard), ``"as-typed"`` trusts the layout (a scanner set to the computer's keyboard
    country). ``layout``: the fallback table for events without native codes; ``None`` follows
    the input method's locale.
    """

    #: A scan: the code's characters (suffix not included).
    code_scanned = Signal(str)
    #: The same, with how it ended ("enter", "tab", "pause", "key"), its key count and length
    #: in ms (for the settings page's test).
    burst_read = Signal(str, str, int, float)

    #: While an entry field has the focus, ``field_judge(widget)`` gives the judge of a burst
    #: typed into it (``None``: every burst is a scan). Without one, a burst in an entry field
    #: is a scan from ``options.field_min_length`` characters.
    field_judge: Callable[[QWidget], Judge | None] | None = None

    def __init__(self, options: WedgeOptions | None = None, *, mode: str = "us",
                 layout: str | None = None, platform: Platform | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._detector: WedgeDetector[None] = WedgeDetector(options)
        self._fixed_layout = layout
        self.keys = KeyDecoder(platform or native_platform(), mode=mode, layout=layout)
        self._enabled = True
        self._installed: QCoreApplication | None = None
        self._queue: list[tuple[QObject, QKeyEvent]] = []
        self._swallowed: set[tuple[int, int]] = set()
        self._replaying = False
        self._passed: tuple[QObject, tuple[Any, ...]] | None = None
        self._t = time.monotonic() * 1000
        self._m = self._t
        self._burst_start = 0.0
        self._last_char_t = 0.0
        self._burst_keys = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._poll)
        if layout is None:
            self._follow_locale()

    # -- set-up -----------------------------------------------------------------------------

    @property
    def options(self) -> WedgeOptions:
        return self._detector.options

    def set_options(self, options: WedgeOptions, *, mode: str | None = None) -> None:
        """New timing rules (and keyboard mode); whatever is under way is finished first."""
        self._apply(self._detector.flush())
        self._detector = WedgeDetector(options)
        if mode is not None:
            self.keys.mode = mode

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Off: every key goes straight through (held keys are sent on first)."""
        if not enabled:
            self._apply(self._detector.flush())
        self._enabled = enabled

    def install(self, app: QCoreApplication) -> None:
        if self._installed is None:
            app.installEventFilter(self)
            self._installed = app

    def uninstall(self) -> None:
        self._timer.stop()
        if self._installed is not None:
            self._apply(self._detector.flush())
            self._installed.removeEventFilter(self)
            self._installed = None

    def _follow_locale(self) -> None:
        im = QGuiApplication.inputMethod()
        if im is None:
            return
        self.keys.layout = layout_for_locale(im.locale().name())
        im.localeChanged.connect(self._locale_changed)

    def _locale_changed(self) -> None:
        im = QGuiApplication.inputMethod()
        if im is not None and self._fixed_layout is None:
            self.keys.layout = layout_for_locale(im.locale().name())

    # -- clock ------------------------------------------------------------------------------

    def _now(self) -> float:
        """Event-clock 'now': the last event's time plus the time elapsed since it came."""
        return self._t + (time.monotonic() * 1000 - self._m)

    def _stamp(self, ev: QKeyEvent) -> float:
        """The event's time on the event clock. The platform's clock (X server time, Windows
        message time...) is taken as it is; a jump (first event, wrap-around, a switch between
        clocks) ends whatever was under way, as a pause would."""
        ts = ev.timestamp()
        if ts > 0:
            t = float(ts)
            if t < self._t or t - self._t > 3_600_000:
                self._apply(self._detector.flush())
        else:
            t = self._now()
        self._t, self._m = t, time.monotonic() * 1000
        return t

    # -- the filter -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                         QEvent.Type.ShortcutOverride)
                or not self._enabled or self._replaying or not isinstance(watched, QWidget)):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() in _MODIFIER_KEYS:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Mid-burst, a character must not fire a shortcut: claim it as a normal key.
            if self._detector.active and self._classify(event)[0] in ("char", "suffix"):
                event.accept()
                return True
            return False
        if kind == QEvent.Type.KeyRelease:
            return self._release(watched, event)
        return self._press(watched, event)

    def _classify(self, ev: QKeyEvent) -> tuple[str, str]:
        """``("char", ch)``, ``("suffix", "enter"|"tab")`` or ``("other", "")``."""
        if ev.isAutoRepeat():
            return "other", ""
        mods = ev.modifiers()
        command = mods & _COMMAND
        altgr = (mods & _KM.ControlModifier) and (mods & _KM.AltModifier)
        suffix = _SUFFIX_KEYS.get(Qt.Key(ev.key()))
        if suffix is not None:
            return ("other", "") if command else ("suffix", suffix)
        if command and not altgr and not (mods & _KM.GroupSwitchModifier):
            return "other", ""
        ch = self.keys.char(ev.text(), ev.nativeScanCode(), ev.nativeVirtualKey(),
                            shift=bool(mods & _KM.ShiftModifier))
        return ("char", ch) if ch else ("other", "")

    def _press(self, watched: QObject, ev: QKeyEvent) -> bool:
        sig = _sig(ev)
        if self._passed is not None and self._passed[1] == sig and isinstance(
                self._passed[0], QWidget) and shiboken6.isValid(self._passed[0]) and \
                watched.isAncestorOf(self._passed[0]):
            return False  # the same key propagating to a parent: already handled
        self._passed = None
        what, value = self._classify(ev)
        t = self._stamp(ev)
        before = (self._burst_keys, self._burst_start)
        step: Step[None]
        if what == "char":
            judge = None if self._detector.active else self._judge_for(watched)
            step = self._detector.char(t, value, None, judge)
        elif what == "suffix":
            step = self._detector.suffix(t, value, None)
        else:
            step = self._detector.other(t, None)
        self._apply(step, before)
        if what == "char":
            if self._detector.length == 1:
                self._burst_start = t
            self._burst_keys = self._detector.length
            self._last_char_t = t
        if step.action is Action.HOLD:
            self._queue.append((watched, _copy(ev)))
        elif step.action is Action.SWALLOW:
            if self._queue:  # the held keys turned out to be a scan: drop them
                self._forget_queue()
            self._swallowed.add((ev.key(), ev.nativeScanCode()))
        else:
            self._passed = (watched, sig)
        self._schedule()
        return step.action in (Action.HOLD, Action.SWALLOW)

    def _judge_for(self, watched: QObject) -> Judge | None:
        """The judge of a sequence starting now: from the window for an entry field."""
        focus = QApplication.focusWidget()
        widget = focus if focus is not None else watched
        if not isinstance(widget, QWidget) or not is_entry_field(widget):
            return None
        if self.field_judge is not None:
            return self.field_judge(widget)
        shortest = max(self.options.field_min_length, self.options.min_length)
        return lambda code, _ended_by: len(code) >= shortest

    def _release(self, watched: QObject, ev: QKeyEvent) -> bool:
        key = (ev.key(), ev.nativeScanCode())
        if self._queue:
            self._queue.append((watched, _copy(ev)))
            return True
        if key in self._swallowed:
            self._swallowed.discard(key)
            return True
        return bool(self._detector.in_burst)

    def _forget_queue(self) -> None:
        released = {(e.key(), e.nativeScanCode()) for _, e in self._queue
                    if e.type() == QEvent.Type.KeyRelease}
        for _, e in self._queue:
            key = (e.key(), e.nativeScanCode())
            if e.type() == QEvent.Type.KeyPress and key not in released:
                self._swallowed.add(key)
        self._queue = []
        if len(self._swallowed) > 64:  # releases that never came (focus lost...)
            self._swallowed.clear()

    def _apply(self, step: Step[None], burst: tuple[int, float] | None = None) -> None:
        if step.release:
            self._replay()
        elif step.dropped:
            self._forget_queue()
        if step.code is not None:
            keys, start = burst or (self._burst_keys, self._burst_start)
            span = max(0.0, self._last_char_t - start)
            code, ended = step.code, step.ended_by
            log.debug("wedge: %d keys in %.0f ms, ended by %s", keys, span, ended)
            # Emitted from the event loop, not from inside the key event's delivery.
            QTimer.singleShot(0, self, lambda: self._emit(code, ended, keys, span))

    def _emit(self, code: str, ended: str, keys: int, span: float) -> None:
        self.burst_read.emit(code, ended, keys, span)
        self.code_scanned.emit(code)

    def _replay(self) -> None:
        """Send the held keys on to the widgets they were meant for, in order."""
        queue, self._queue = self._queue, []
        self._replaying = True
        try:
            for receiver, ev in queue:
                if shiboken6.isValid(receiver):
                    QCoreApplication.sendEvent(receiver, ev)
        finally:
            self._replaying = False

    def _schedule(self) -> None:
        deadline = self._detector.deadline()
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(0, int(deadline - self._now()) + 1))

    def _poll(self) -> None:
        self._apply(self._detector.poll(self._now()))
        self._schedule()
