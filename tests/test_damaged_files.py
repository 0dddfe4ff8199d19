"""Damaged files (issue 10, item 11): a journal that cannot be read is never replaced (moved
aside with a timestamp, the cashier told, its open entries listed); a truncated or garbage
journal, a non-UTF-8 settings file, a read-only data folder and a full disk each give one
plain message naming the right file."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli.main import main
from pos_app.core.backends.base import Plan, Step
from pos_app.core.errors import ConfigError, StorageError
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.settings import load_settings


def _plan() -> Plan:
    op = Operation.parse("stamp", ["2"])
    return Plan(op, (Step("usePass", {"action": "addStamps", "count": 2}, "Add 2 stamps"),))


def _journal_with_entries(path: Path, done: int = 34, open_: int = 1) -> None:
    journal = Journal(path)
    for n in range(done + open_):
        entry = journal.begin(service="luna", card="931520-641-829", card_id="931520-641-829",
                              plan=_plan(), key=f"k{n}", before={"stamps": n, "pad": "x" * 400})
        if n < done:
            journal.finish(entry, State.DONE, after={"stamps": n + 2})
    journal.close()


def _aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name + ".damaged-"))


def _expected(caplog: pytest.LogCaptureFixture) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    caplog.clear()
    return said


@contextlib.contextmanager
def _reopened(path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[tuple[Journal, Any]]:
    """Open the damaged journal at ``path``: it must have been moved aside (and logged)."""
    journal = Journal(path)
    try:
        assert journal.moved_aside is not None
        yield journal, journal.moved_aside
    finally:
        journal.close()
    assert _expected(caplog)


# -- the journal -------------------------------------------------------------------------------


def test_a_zero_byte_journal_is_moved_aside_not_replaced(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"")
    journal = Journal(path)
    try:
        moved = journal.moved_aside
        assert moved is not None and "empty" in moved.reason
        assert [p.stat().st_size for p in _aside(path)] == [0]
        assert moved.path == _aside(path)[0]
        assert str(path) in moved.message() and str(moved.path) in moved.message()
        assert journal.entries() == []
    finally:
        journal.close()
    assert _expected(caplog)
    again = Journal(path)  # the new journal is a good one: nothing moved the second time
    assert again.moved_aside is None and len(_aside(path)) == 1
    again.close()


def test_a_new_journal_is_never_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    assert path.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".new")]


def test_a_truncated_journal_is_moved_aside_and_its_open_entries_reported(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "journal.sqlite3"
    _journal_with_entries(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size * 2 // 3)
    with _reopened(path, caplog) as (journal, moved):
        assert "damaged" in moved.reason and _aside(path)
        assert moved.open_entries is not None and moved.unreadable > 0
        assert f"{moved.unreadable} of its entries could not be read" in moved.message()
        # Numbering goes on after the old journal's entries: #35 is never given twice.
        entry = journal.begin(service="luna", card="c", card_id="c", plan=_plan(), key="new",
                              before=None)
        assert moved.last_id == 35 and entry == 36


def test_open_entries_of_a_readable_but_damaged_journal_are_listed(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture
                                                                   ) -> None:
    path = tmp_path / "journal.sqlite3"
    _journal_with_entries(path, done=3, open_=2)
    db = sqlite3.connect(path)  # damage an index page: the rows stay readable
    page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'operations_state'"
                      ).fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\x0d" + os.urandom(size - 1))
    with _reopened(path, caplog) as (_, moved):
        assert moved.open_entries is not None and len(moved.open_entries) == 2
        text = moved.message()
        assert "#4" in text and "#5" in text and "931520-641-829" in text
        assert moved.last_id == 5


def test_a_journal_with_a_garbage_header_is_moved_aside(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "journal.sqlite3"
    _journal_with_entries(path, done=2, open_=1)
    data = bytearray(path.read_bytes())
    data[:100] = os.urandom(100)
    path.write_bytes(bytes(data))
    with _reopened(path, caplog) as (_, moved):
        assert moved.open_entries is None and "not a journal" in moved.reason
        assert "could not be listed" in moved.message()
        assert _aside(path)[0].read_bytes() == bytes(data)


def test_a_file_without_the_operations_table_is_not_a_journal(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture
                                                              ) -> None:
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    with _reopened(path, caplog) as (_, moved):
        assert "operations" in moved.reason


def test_the_command_line_says_it_once_and_goes_on(isolated_dirs: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    path = isolated_dirs / "data" / "journal.sqlite3"
    path.write_bytes(b"")
    assert main(["journal"]) == 0
    err = capsys.readouterr().err
    assert "could not be read" in err and str(path) in err and "Traceback" not in err
    assert main(["journal"]) == 0
    assert "could not be read" not in capsys.readouterr().err
    assert _expected(caplog)


# -- the settings file -------------------------------------------------------------------------


def test_a_settings_file_that_is_not_utf8_is_said_plainly(isolated_dirs: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_bytes(b'[luna]\nbase_url = "https://luna.example.com/\xff\xfe"\n')
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(path) in str(info.value) and "UTF-8" in str(info.value)
    assert main(["card", LUNA["stamps"]]) == 4
    err = capsys.readouterr().err
    assert "UTF-8" in err and "Traceback" not in err


# -- the data folder and the disk --------------------------------------------------------------


@contextlib.contextmanager
def _read_only_folder() -> Iterator[Path]:
    """A data folder this process cannot write. Root ignores modes, so as root the process
    takes the effective uid of ``nobody`` for the duration (and gets root back after)."""
    top = Path(tempfile.mkdtemp(prefix="pos-ro-"))
    folder = top / "data"
    folder.mkdir()
    top.chmod(0o755)
    folder.chmod(0o555)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    try:
        if root:
            os.seteuid(65534)
        yield folder
    finally:
        if root:
            os.seteuid(0)
        folder.chmod(0o755)
        shutil.rmtree(top)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes and uids")
def test_a_read_only_data_folder_is_said_plainly(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with _read_only_folder() as folder:
        with pytest.raises(StorageError) as info:
            Journal(folder / "journal.sqlite3")
        assert str(folder) in str(info.value) and "settings" not in str(info.value).lower()
        monkeypatch.setenv("POS_APP_DATA_DIR", str(folder))
        monkeypatch.setenv("POS_APP_CONFIG", str(folder / "settings.toml"))
        code = main(["card", LUNA["stamps"]])
        err = capsys.readouterr().err
    assert code == 4
    assert str(folder) in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes and uids")
def test_a_read_only_folder_with_a_journal_in_it_is_not_moved_aside(tmp_path: Path) -> None:
    top = Path(tempfile.mkdtemp(prefix="pos-ro-"))
    try:
        folder = top / "data"
        folder.mkdir()
        _journal_with_entries(folder / "journal.sqlite3", done=2, open_=0)
        with _existing_read_only(top, folder):
            with pytest.raises(StorageError) as info:
                Journal(folder / "journal.sqlite3")
            assert str(folder) in str(info.value)
        assert not _aside(folder / "journal.sqlite3")
    finally:
        shutil.rmtree(top)


@contextlib.contextmanager
def _existing_read_only(top: Path, folder: Path) -> Iterator[None]:
    top.chmod(0o755)
    folder.chmod(0o555)
    for f in folder.iterdir():
        f.chmod(0o644)
    root = os.geteuid() == 0
    try:
        if root:
            os.seteuid(65534)
        yield
    finally:
        if root:
            os.seteuid(0)
        folder.chmod(0o755)


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new SQLite connection may grow its file by no page at all: SQLite itself then
    answers SQLITE_FULL ("database or disk is full") as on a full disk."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_full_disk_at_creation_is_said_plainly(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "journal.sqlite3"
    _full_disk(monkeypatch)
    with pytest.raises(StorageError) as info:
        Journal(path)
    text = str(info.value)
    assert "full" in text and str(tmp_path) in text and "settings" not in text.lower()
    assert not path.exists() or path.stat().st_size > 0


def test_a_full_disk_at_start_on_the_command_line(isolated_dirs: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _full_disk(monkeypatch)
    assert main(["card", LUNA["stamps"]]) == 4
    err = capsys.readouterr().err
    assert "full" in err and "journal" in err and "Traceback" not in err
