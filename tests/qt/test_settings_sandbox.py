"""The settings dialog and the sandbox rule (issue 10, item 8): saving without a service keeps
the till on the sandbox, explicitly; a file that configures nothing is said plainly and the
dialog keeps its other tables."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui
OFFSCREEN_DIALOG = pytest.mark.qt_log_ignore("propagateSizeHints")


@OFFSCREEN_DIALOG
def test_saving_the_settings_on_the_sandbox_says_sandbox_in_the_file(
        drive: Any, isolated_dirs: Path) -> None:
    w = drive.w
    assert w.controller.info.on_sandbox
    drive.key(Qt.Key.Key_Comma, w, Qt.KeyboardModifier.ControlModifier)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    with drive.qtbot.waitSignal(w.ready, timeout=15000):
        dialog.save_button.click()
    assert w.controller.info.on_sandbox
    data = tomllib.loads((isolated_dirs / "settings.toml").read_text("utf-8"))
    assert data == {"sandbox": {"enabled": True}}



@OFFSCREEN_DIALOG
def test_after_saving_the_banner_says_connected_and_the_tab_stays(drive: Any) -> None:
    w = drive.w
    w.tabs.setCurrentWidget(w.journal)
    drive.key(Qt.Key.Key_Comma, w, Qt.KeyboardModifier.ControlModifier)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    with drive.qtbot.waitSignal(w.ready, timeout=15000):
        dialog.save_button.click()
    assert "Connecting with the new settings" not in w.banner.summary()
    assert "Connected with the new settings" in w.banner.summary()
    assert w.tabs.currentWidget() is w.journal  # the cashier's tab, not the demo cards


@OFFSCREEN_DIALOG
def test_a_file_with_no_service_is_said_and_the_dialog_keeps_its_tables(
        qapp: Any, qtbot: Any, isolated_dirs: Path) -> None:
    from pos_app.qt.app import create_window

    (isolated_dirs / "settings.toml").write_text("[scanner]\nwedge_min_length = 6\n")
    win = create_window(size=(1024, 768))
    win.show()
    win.start()
    try:
        qtbot.waitUntil(win.banner.isVisible, timeout=15000)
        text = win.banner.summary()
        assert "configures no service" in text and "[sandbox] enabled = true" in text
        win.open_settings()
        dialog = win._dialogs[-1]
        assert "could not be read" not in dialog.intro.text()
        assert dialog.settings.data["scanner"] == {"wedge_min_length": 6}
        dialog.reject()
    finally:
        win.close()
