"""Driving the window from a script (screenshots, benchmarks): waiting and typing.

Waiting runs the Qt event loop (never a bare sleep), so that workers' results are delivered.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget


def pump(ms: int = 10) -> None:
    """Run the event loop for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, step_ms: int = 5,
               what: str = "the window") -> None:  # i18n-skip: for a timeout
    """Run the event loop until ``predicate()`` is true; ``TimeoutError`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        pump(step_ms)


def type_text(widget: QWidget, text: str, enter: bool = False) -> None:
    """Type into ``widget`` as a keyboard scanner does, optionally ending with Enter; letters
    beyond ASCII (a Cyrillic name) arrive as key events carrying their text, as an input
    method sends them (QTest only knows ASCII keys)."""
    for char in text:
        if char.isascii():
            QTest.keyClick(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, char))
    if enter:
        QTest.keyClick(widget, Qt.Key.Key_Return)


def key(widget: QWidget, which: Qt.Key, modifier: Qt.KeyboardModifier =
        Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, which, modifier)


def fresh_dirs(prefix: str = "pos-app-") -> tempfile.TemporaryDirectory[str]:
    """Point settings and data at a new temp folder (fresh sandbox demo data); keep the handle."""
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    os.environ["POS_APP_CONFIG"] = os.path.join(tmp.name, "settings.toml")
    os.environ["POS_APP_DATA_DIR"] = os.path.join(tmp.name, "data")
    return tmp
