"""Scanner inputs end to end into the real cashier window (keyboard wedge)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pos_app.core.operations import OpName
from pos_app.core.sandbox.loona_seed import DEMO as LOONA
from pos_app.core.sandbox.luna_seed import DEMO as LUNA
from pos_app.qt.main_window import MainWindow
from pos_app.qt.operations_panel import SHORTCUTS

pytestmark = pytest.mark.gui


@pytest.fixture
def scanning(window: MainWindow) -> Iterator[Any]:
    from pos_app.qt.app import install_scanners

    handle = install_scanners(QApplication.instance(), window)  # type: ignore[arg-type]
    assert handle is not None
    yield handle
    handle.stop()


def test_a_scan_from_the_code_field_opens_the_card(qtbot: Any, window: MainWindow,
                                                   scanning: Any) -> None:
    with qtbot.waitSignal(window.card_shown, timeout=10000) as shown:
        QTest.keyClicks(window.code, LUNA["stamps"])  # machine speed: a scanner burst
        QTest.keyClick(window.code, Qt.Key.Key_Return)
    assert shown.args[0].code == LUNA["stamps"]


def test_a_scan_while_an_amount_is_typed_never_lands_in_the_amount(
        qtbot: Any, window: MainWindow, scanning: Any) -> None:
    with qtbot.waitSignal(window.card_shown, timeout=10000):
        window.scan(LOONA["bonus"])
    QTest.keyClick(window, getattr(Qt.Key, f"Key_{SHORTCUTS[OpName.PURCHASE]}"))
    amount = window.entry.edits[0]
    qtbot.waitUntil(amount.hasFocus, timeout=5000)
    with qtbot.waitSignal(window.card_shown, timeout=10000) as shown:
        QTest.keyClicks(amount, LUNA["cashback"])
        QTest.keyClick(amount, Qt.Key.Key_Return)
    assert shown.args[0].code == LUNA["cashback"]
    assert amount.text() == ""
