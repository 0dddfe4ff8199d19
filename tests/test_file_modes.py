"""Files holding secrets are private: made 0600 on every save, a wider one is warned about
(log, ``pos-app check``, the settings dialog); the data folder is 0700 wherever it is
(issue 10, item 10). POSIX modes: skipped on Windows."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.core.paths import data_dir
from pos_app.core.settings import load_settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

SECRET_FILE = '[luna]\nbase_url = "https://luna.example.com/api"\ntoken = "luna-token-123456"\n'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _expected(caplog: pytest.LogCaptureFixture, path: Path) -> list[logging.LogRecord]:
    found = [r for r in caplog.records if r.levelno == logging.WARNING
             and str(path) in r.getMessage()]
    caplog.clear()
    return found


def test_a_hand_made_settings_file_readable_by_others_is_warned_about(
        isolated_dirs: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_text(SECRET_FILE)
    path.chmod(0o644)
    settings = load_settings()
    assert settings.warnings and "0644" in settings.warnings[0]
    assert str(path) in settings.warnings[0]
    assert _expected(caplog, path)


def test_a_private_file_or_one_without_secrets_is_not_warned_about(isolated_dirs: Path) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_text(SECRET_FILE)
    path.chmod(0o600)
    assert load_settings().warnings == []
    path.write_text('[sandbox]\nenabled = true\n[scanner]\nwedge_enabled = true\n')
    path.chmod(0o644)
    assert load_settings().warnings == []


def test_check_says_the_file_is_readable_by_others(isolated_dirs: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_text(SECRET_FILE.replace("https://luna.example.com/api", "http://127.0.0.1:9/a"))
    path.chmod(0o640)
    main(["check"])
    out = capsys.readouterr().out
    assert "WARN" in out and str(path) in out and "0640" in out
    assert _expected(caplog, path)


def test_save_makes_the_file_private_whatever_was_there(isolated_dirs: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_text(SECRET_FILE)
    path.chmod(0o644)
    stale = path.with_name(path.name + ".tmp")
    stale.write_text("left over")
    stale.chmod(0o644)
    settings = load_settings()
    caplog.clear()
    settings.save()
    assert _mode(path) == 0o600
    assert "luna-token-123456" in path.read_text()
    assert load_settings().warnings == []


def test_the_data_folder_is_private_when_pos_app_data_dir_is_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.umask(0o022)
    try:
        existing = tmp_path / "existing"
        existing.mkdir(mode=0o755)
        existing.chmod(0o755)
        monkeypatch.setenv("POS_APP_DATA_DIR", str(existing))
        assert _mode(data_dir()) == 0o700
        fresh = tmp_path / "new" / "data"
        monkeypatch.setenv("POS_APP_DATA_DIR", str(fresh))
        assert _mode(data_dir()) == 0o700
    finally:
        os.umask(old)


def test_a_shared_folder_is_not_made_private(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: world-writable and sticky
    monkeypatch.setenv("POS_APP_DATA_DIR", str(shared))
    assert data_dir() == shared
    assert _mode(shared) == 0o1777
