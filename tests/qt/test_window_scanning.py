"""Scanner inputs end to end into the real cashier window (keyboard wedge)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pos_app.core.operations import OpName
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
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


@pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) ", "PulseAudioService")
def test_a_code_shown_to_the_camera_opens_the_card(qtbot: Any, window: MainWindow,
                                                   scanning: Any, tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    pytest.importorskip("zxingcpp")
    from pos_app.core.scanning.synthetic import write_qr_video

    video = write_qr_video(tmp_path / "counter-camera.avi",
                           [(None, 3), (LUNA["certificate"], 15), (None, 5)],
                           size=(320, 240), fps=30)
    with qtbot.waitSignal(window.card_shown, timeout=15000) as shown:
        scanning.configure({"wedge_enabled": False, "camera_enabled": True,
                            "camera_source": str(video), "camera_file_speed": 1.0,
                            "feedback_sound": "beep"})
    assert shown.args[0].code == LUNA["certificate"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty as the serial port")
def test_a_serial_scanner_read_opens_the_card(qtbot: Any, window: MainWindow, scanning: Any,
                                              tmp_path: Path) -> None:
    pytest.importorskip("PySide6.QtSerialPort")
    master, slave = os.openpty()
    port = os.ttyname(slave)
    os.close(slave)
    try:
        scanning.configure({"wedge_enabled": False, "serial_enabled": True,
                            "serial_port": port, "serial_suffix": "cr",
                            "feedback_sound": "beep"})
        qtbot.waitUntil(lambda: scanning.serial is not None and scanning.serial.is_open,
                        timeout=5000)
        with qtbot.waitSignal(window.card_shown, timeout=10000) as shown:
            os.write(master, LOONA["gift"].encode() + b"\r")
        assert shown.args[0].code == LOONA["gift"]
    finally:
        scanning.stop()
        os.close(master)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_scan_while_the_save_dialog_is_open_cancels_it(drive: Any, tmp_path: Path) -> None:
    """Qt's file dialog (Export CSV) waits in a loop of its own: a scan closes it, as
    cancelled, and the card opens in front; nothing is written."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog

    w = drive.w

    def file_dialogs() -> list[QFileDialog]:
        return [x for x in QApplication.topLevelWidgets()
                if isinstance(x, QFileDialog) and x.isVisible()]

    seen: dict[str, bool] = {}

    def scan() -> None:
        seen["open"] = bool(file_dialogs())
        w.scanned(LUNA["stamps"])

    def safety() -> None:  # so that a dialog left open fails the test instead of hanging it
        seen["left_open"] = bool(file_dialogs())
        for dialog in file_dialogs():
            dialog.reject()

    QTimer.singleShot(500, scan)
    QTimer.singleShot(4000, safety)
    w.journal_tools.ask_export()  # returns when the dialog has closed
    assert seen.get("open"), "the save dialog was shown"
    assert not seen.get("left_open"), "the scan left the save dialog open"
    drive.idle()
    assert w.card is not None and w.card.code == LUNA["stamps"]
    assert not list(Path.home().glob("journal-*.csv"))
