"""The settings dialog says when the settings file with its secrets is readable by others
(issue 10, item 10)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from PySide6.QtWidgets import QApplication

from pos_app.core.sandbox.runner import start_sandbox

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_settings_dialog_warns_about_a_file_others_can_read(
        qtbot: Any, isolated_dirs: Path, caplog: pytest.LogCaptureFixture) -> None:
    from pos_app.qt.app import create_window

    sandbox = start_sandbox()
    path = isolated_dirs / "settings.toml"
    path.write_bytes(tomli_w.dumps(sandbox.service_settings()).encode())
    path.chmod(0o644)
    window = create_window(size=(1024, 768))
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: window.controller.ready, timeout=15000)
        window.open_settings()
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=5000)
        dialog: Any = QApplication.activeModalWidget()
        qtbot.waitUntil(lambda: "0644" in dialog.keyring.text(), timeout=5000)
        assert str(path) in dialog.keyring.text() and dialog.keyring.isVisible()
        dialog.reject()
    finally:
        window.close()
        window.deleteLater()
        sandbox.stop()
    assert any("0644" in r.getMessage() for r in caplog.records)
    caplog.clear()
