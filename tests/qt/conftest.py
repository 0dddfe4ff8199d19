"""Fixtures for the window's tests: the real window on a fresh in-process sandbox, over HTTP.

``drive`` is a :class:`Driver`: it types and presses keys as a cashier (or a keyboard
scanner) would, and waits on the event loop for the window to answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from pos_app.core.counter import OperationResult
from pos_app.core.operations import TAKES_VALUE, OpName
from pos_app.qt.main_window import MainWindow
from pos_app.qt.operations_panel import SHORTCUTS

#: Qt's warning when a dialog is shown on the offscreen platform (harmless).
OFFSCREEN_DIALOG_WARNING = "propagateSizeHints"
#: The task channels the window starts reading on when it opens.
STARTUP = ("health", "names", "journal", "recover")


class Driver:
    """A cashier at the keyboard of ``window``."""

    Key = Qt.Key

    def __init__(self, window: MainWindow, qtbot: Any) -> None:
        self.w = window
        self.qtbot = qtbot

    @property
    def counter(self) -> Any:
        return self.w.controller.counter

    def server(self, service: str) -> Any:
        return getattr(self.counter.sandbox, service)

    def ledger(self, service: str) -> list[dict[str, Any]]:
        return list(self.server(service).app.ledger)

    def idle(self, timeout: int = 10000) -> None:
        self.qtbot.waitUntil(lambda: not self.w.controller.busy_text, timeout=timeout)

    def key(self, key: Qt.Key, widget: QWidget | None = None,
            modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(widget or self.focus(), key, modifier)

    def focus(self) -> QWidget:
        from PySide6.QtWidgets import QApplication

        return QApplication.focusWidget() or self.w

    def type(self, text: str, widget: QWidget | None = None) -> None:
        QTest.keyClicks(widget or self.focus(), text)

    def scan(self, code: str, wait: bool = True) -> None:
        """Type ``code`` into the code field, as a keyboard scanner does, and press Enter."""
        assert self.w.code.hasFocus(), "the code field should have the cursor"
        self.w.code.selectAll()
        self.type(code, self.w.code)
        self.key(Qt.Key.Key_Return, self.w.code)
        if wait:
            self.idle()

    def operation(self, op: OpName, *values: str, confirm: bool = True) -> OperationResult:
        """Press the operation's key, type its values (Enter after each), confirm if asked
        (always for what takes value; for the rest when the window asks)."""
        with self.qtbot.waitSignal(self.w.result_shown, timeout=10000) as blocker:
            self.start(op, *values)
            if confirm:
                asked = lambda: self.w.actions.currentWidget() is self.w.confirm_panel  # noqa: E731
                self.qtbot.waitUntil(lambda: asked() or blocker.signal_triggered,
                                     timeout=10000)
                assert asked() or op not in TAKES_VALUE, "a value-taking operation is confirmed"
                if asked():
                    self.key(Qt.Key.Key_Return)
        self.idle()
        result = blocker.args[0]
        assert isinstance(result, OperationResult), self.w.banner.summary()
        return result

    def start(self, op: OpName, *values: str) -> None:
        """Press the operation's key and type its values, Enter after each."""
        self.key(getattr(Qt.Key, f"Key_{SHORTCUTS[op]}"), self.w)
        for i, value in enumerate(values):
            edit = self.w.entry.edits[i]
            self.qtbot.waitUntil(edit.hasFocus, timeout=5000)
            edit.selectAll()
            self.type(value, edit)
            self.key(Qt.Key.Key_Return, edit)


@pytest.fixture
def window(qapp: Any, qtbot: Any) -> Iterator[MainWindow]:
    """The cashier window at 1024x768, ready on the sandbox; closed and checked afterwards."""
    from pos_app.qt.app import create_window

    win = create_window(size=(1024, 768))
    win.show()
    win.activateWindow()
    win.start()
    qtbot.waitUntil(lambda: win.controller.ready, timeout=15000)
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    # The start-up reads (health, template names, the journal, leftovers) have ended, so
    # that a test counting requests or reading the list sees only what it did.
    qtbot.waitUntil(lambda: not any(win.controller.runner.busy(channel) for channel in STARTUP),
                    timeout=15000)
    yield win
    runner = win.controller.runner
    win.close()
    assert runner.pool.activeThreadCount() == 0, "workers still running after close"
    leaked = [t.name for t in threading.enumerate()
              if t.name.startswith("sandbox-") and t.is_alive()]
    assert not leaked, f"sandbox threads left running: {leaked}"
    win.deleteLater()


@pytest.fixture
def drive(window: MainWindow, qtbot: Any) -> Driver:
    return Driver(window, qtbot)


@pytest.fixture(autouse=True)
def qt_language_restored() -> Iterator[None]:
    """A window a test opened in Russian leaves Qt's default locale and its translations as
    they were (a Russian default locale would make the next test's number fields refuse a
    point)."""
    from PySide6.QtCore import QCoreApplication, QLocale

    from pos_app.qt import app as qt_app

    before = QLocale()
    yield
    QLocale.setDefault(before)
    instance = QCoreApplication.instance()
    for translator in qt_app._qt_translators:
        if instance is not None:
            instance.removeTranslator(translator)
    qt_app._qt_translators.clear()
