"""The window and damaged files (issue 10, item 11): a journal moved aside is said in the
banner; a data folder that cannot be used is said plainly, without sending the cashier to the
settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui


def _window(qtbot: Any) -> Any:
    from pos_app.qt.app import create_window

    win = create_window(size=(1024, 768))
    win.show()
    win.start()
    return win


def test_a_journal_moved_aside_is_said_in_the_banner(qapp: Any, qtbot: Any,
                                                     isolated_dirs: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    journal = isolated_dirs / "data" / "journal.sqlite3"
    journal.write_bytes(b"")
    win = _window(qtbot)
    try:
        qtbot.waitUntil(lambda: win.controller.ready, timeout=15000)
        text = win.banner.summary()
        assert win.banner.isVisible() and "could not be read" in text and str(journal) in text
        assert "Ctrl+," not in text
    finally:
        win.close()
    assert any("could not be read" in r.getMessage() for r in caplog.records)
    caplog.clear()


def test_a_full_disk_at_start_is_said_without_the_settings(qapp: Any, qtbot: Any,
                                                           isolated_dirs: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 1")  # SQLite answers SQLITE_FULL, as on a full disk
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)
    win = _window(qtbot)
    try:
        qtbot.waitUntil(win.banner.isVisible, timeout=15000)
        text = win.banner.summary()
        assert "full" in text and "journal" in text and "Ctrl+," not in text
        assert "Traceback" not in text and "settings" not in text.lower()
    finally:
        win.close()
