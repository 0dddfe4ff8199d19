"""Known service secrets never appear on screen: not in the settings dialog (masked), not in
any text the window shows, not in the result of a failing call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.qt.main_window import MainWindow

OFFSCREEN_DIALOG_WARNING = "propagateSizeHints"  # Qt on the offscreen platform (harmless)

pytestmark = pytest.mark.gui

LUNA_TOKEN = "sandbox-luna-token"


@pytest.fixture
def configured(isolated_dirs: Path) -> Iterator[Sandbox]:
    sandbox = start_sandbox()
    tables = sandbox.service_settings()
    assert tables["luna"]["token"] == LUNA_TOKEN
    (isolated_dirs / "settings.toml").write_bytes(tomli_w.dumps(tables).encode())
    yield sandbox
    sandbox.stop()


def _shown_text(root: QWidget) -> list[str]:
    """Every text a person can read on ``root`` and its children (masked fields as shown)."""
    texts = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLineEdit):
            texts.append(widget.displayText())
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        texts.append(widget.toolTip())
        texts.append(widget.windowTitle())
    return texts


@pytest.mark.qt_log_ignore(OFFSCREEN_DIALOG_WARNING)
def test_secrets_are_masked_everywhere_on_screen(qtbot: Any, configured: Sandbox) -> None:
    from pos_app.qt.app import create_window

    window: MainWindow = create_window(size=(1024, 768))
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: window.controller.ready, timeout=15000)
        secrets = [LUNA_TOKEN, configured.service_settings()["loona"]["client_secret"]]
        with qtbot.waitSignal(window.card_shown, timeout=10000):
            window.scan(LUNA["stamps"])
        window.open_settings()
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=5000)
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        masked = [e for e in dialog.findChildren(QLineEdit)
                  if e.echoMode() == QLineEdit.EchoMode.Password]
        assert len(masked) >= 2
        shown = "\n".join(_shown_text(window) + _shown_text(dialog))
        for secret in secrets:
            assert secret not in shown
        image = dialog.grab().toImage()  # what a screenshot would hold: rendered, not read
        assert not image.isNull()
        dialog.reject()
    finally:
        window.close()
        window.deleteLater()
