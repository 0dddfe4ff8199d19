"""What the cashier hears and sees on a read: a short high beep and a green flash for a good
read; a low double tone, a red flash and the reason for a code that no service claims.

Sound: ``"auto"`` plays generated WAVs through QSoundEffect when QtMultimedia is installed
(``PySide6-Addons``) and the computer has an audio output, else ``QApplication.beep()`` (once
for good, twice for bad); ``"beep"`` always the system beep; ``"off"`` silence. QtMultimedia is
imported on the first read, never when the window starts, and not at all on the offscreen and
minimal platforms (tests, headless runs), where nobody listens.
"""

from __future__ import annotations

import logging
import math
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from pos_app.core.i18n import _

__all__ = ["Feedback", "tone_wav"]  # i18n-skip: names

log = logging.getLogger(__name__)

GOOD_COLOR = QColor(40, 170, 80)
BAD_COLOR = QColor(210, 50, 50)


def tone_wav(path: Path, tones: list[tuple[float, float]], *, rate: int = 22050,
             volume: float = 0.5) -> Path:
    """Write a mono 16-bit WAV of ``(frequency Hz, seconds)`` tones (0 Hz: silence), each
    faded in and out over 5 ms so that it does not click."""
    frames = bytearray()
    fade = int(rate * 0.005)
    for freq, seconds in tones:
        n = int(rate * seconds)
        for i in range(n):
            env = min(1.0, i / fade, (n - 1 - i) / fade) if fade else 1.0
            value = math.sin(2 * math.pi * freq * i / rate) * volume * env if freq else 0.0
            frames += struct.pack("<h", int(value * 32767))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


class _Flash(QWidget):
    """A coloured frame around the window and, for a bad read, the reason at its top."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.color = GOOD_COLOR
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setObjectName("scanFeedback")
        self.label.setStyleSheet("QLabel#scanFeedback { background: rgba(160, 30, 30, 230); "
                                 "color: white; padding: 10px; border-radius: 6px; "
                                 "font-weight: bold; }")
        self.label.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._done)
        window.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            width = min(560, max(200, parent.width() - 40))
            self.label.setFixedWidth(width)
            self.label.adjustSize()
            self.label.move(QPoint((parent.width() - width) // 2, 12))

    def flash(self, color: QColor, message: str, ms: int) -> None:
        self.color = color
        self.label.setText(message)
        self.label.setVisible(bool(message))
        self._fit()
        self.show()
        self.raise_()
        self._timer.start(ms)

    def _done(self) -> None:
        self.hide()
        self.label.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pen = QPen(self.color)
        pen.setWidth(8)
        painter.setPen(pen)
        painter.drawRect(QRect(4, 4, self.width() - 8, self.height() - 8))
        painter.end()


class Feedback(QObject):
    """Good/bad read feedback on ``window``. ``shown(good, text)`` follows each signal given
    (tests, and for a window that wants to show the reason in its own banner too)."""

    shown = Signal(bool, str)

    def __init__(self, window: QWidget | None, *, sound: str = "auto", flash: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self.sound = sound
        self.flash_enabled = flash
        self._window = window
        self._flash: _Flash | None = None
        self._effects: dict[str, Any] | None = None
        self.last_sound = ""
        #: Write the reason of a bad read on the flash (off when the window says it itself).
        self.say_reason = True

    def good(self, code: str) -> None:
        """A code that a service claims was read."""
        self._play("good")
        self._show(GOOD_COLOR, "", 350)
        self.shown.emit(True, code)

    def bad(self, code: str, reason: str) -> None:
        """A code was read that cannot be used; ``reason`` says why (shown for a few s)."""
        self._play("bad")
        shown = code if len(code) <= 40 else code[:37] + "…"
        said = _("Scanned “{code}”: {reason}").format(code=shown, reason=reason)
        self._show(BAD_COLOR, said if self.say_reason else "",
                   4000 if self.say_reason else 600)
        self.shown.emit(False, reason)

    def cancel(self) -> None:
        """Take a flash still showing away (the window says what followed the read)."""
        if self._flash is not None:
            self._flash._done()

    def _show(self, color: QColor, message: str, ms: int) -> None:
        if not self.flash_enabled or self._window is None:
            return
        if self._flash is None:
            self._flash = _Flash(self._window)
        self._flash.flash(color, message, ms)

    @property
    def flash_widget(self) -> QWidget | None:
        return self._flash

    def _play(self, which: str) -> None:
        if self.sound == "off":
            self.last_sound = ""
            return
        effects = self._sound_effects() if self.sound == "auto" else {}
        effect = effects.get(which)
        if effect is not None:
            effect.play()
            self.last_sound = f"wav:{which}"
            return
        QApplication.beep()
        if which == "bad":
            QTimer.singleShot(180, QApplication.beep)
        self.last_sound = f"beep:{which}"

    def _sound_effects(self) -> dict[str, Any]:
        """QSoundEffects for both tones, made on first use; empty without QtMultimedia or an
        audio output."""
        if self._effects is not None:
            return self._effects
        self._effects = {}
        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return self._effects
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            log.info("no QtMultimedia (%s): the system beep is used", exc)
            return self._effects
        if not QMediaDevices.audioOutputs():
            log.info("no audio output: the system beep is used")
            return self._effects
        folder = Path(tempfile.gettempdir()) / "pos-app-sounds"
        files = {
            "good": tone_wav(folder / "good.wav", [(1800, 0.09)]),
            "bad": tone_wav(folder / "bad.wav", [(330, 0.16), (0, 0.06), (220, 0.22)]),
        }
        for name, path in files.items():
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self._effects[name] = effect
        return self._effects
