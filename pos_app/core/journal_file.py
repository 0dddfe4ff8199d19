"""The journal's file: created whole, checked before use, never replaced when it cannot be read.

Decisions (see also the README):

* A new journal is built beside its place (``journal.sqlite3.new-…``) with its schema and then
  linked into place, so a journal file that exists is never legitimately empty. A file of
  0 bytes, one that is not SQLite, one SQLite finds damaged (``PRAGMA quick_check``) or one
  without the ``operations`` table is therefore damaged.
* A damaged journal is moved aside as ``journal.sqlite3.damaged-YYYYMMDDTHHMMSSZ`` (its
  ``-wal`` and ``-shm`` with it), its open entries are read if it can be read at all, and a
  new journal is started whose numbering goes on after the old one's last entry.
  :attr:`Journal.moved_aside` tells whoever opened it (the command line on stderr, the window
  in its banner); the log keeps it.
* A folder that cannot be written, a full disk and other I/O failures are not damage: nothing
  is moved, and :class:`~pos_app.core.errors.StorageError` names the file or folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from pos_app.core.errors import StorageError
from pos_app.core.i18n import N_, _, ngettext

log = logging.getLogger(__name__)

HEADER = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm")
#: Why a journal file is not one (the reason of :class:`MovedAside`).
REASONS = {
    "empty": N_("it is empty: 0 bytes"),
    "not_sqlite": N_("it is not a journal file: not an SQLite database"),
    "damaged": N_("it is damaged: {why}"),
    "no_table": N_("it has no operations table"),
}
#: A truncated journal is read entry by entry up to this many entries.
_MAX_ONE_BY_ONE = 200_000


#: How :meth:`MovedAside.message` words it: in the chosen language, or in English (the log).
_CHOSEN = SimpleNamespace(_=_, ngettext=ngettext)
_ENGLISH = SimpleNamespace(_=lambda text: text,
                           ngettext=lambda one, many, n: one if n == 1 else many)


@dataclass
class MovedAside:
    """A journal that could not be read, moved aside, and what could be read of it."""

    original: Path
    path: Path
    #: Why it could not be read: a key of :data:`REASONS`, and the detail it names.
    cause: str
    #: Its pending and unknown operations (one line each), or ``None`` if unreadable.
    open_entries: list[str] | None
    #: Its last entry's number, or ``None`` if unreadable.
    last_id: int | None
    #: How many of its entries could not be read (a truncated file).
    unreadable: int = 0
    detail: str = ""

    @property
    def reason(self) -> str:
        """Why it could not be read, in English."""
        return REASONS[self.cause].format(why=self.detail)

    def message(self, *, english: bool = False) -> str:
        """What the cashier and support are told, once (``english``: as the log keeps it)."""
        w = _ENGLISH if english else _CHOSEN
        where = {"original": self.original, "path": self.path,
                 "reason": w._(REASONS[self.cause]).format(why=self.detail)}
        if self.last_id:
            text = w._("The journal {original} could not be read ({reason}). It was moved to "
                       "{path} and a new journal was started, numbered after #{id}.").format(
                id=self.last_id, **where)
        else:
            text = w._("The journal {original} could not be read ({reason}). It was moved to "
                       "{path} and a new journal was started.").format(**where)
        if self.open_entries is None:
            text += " " + w._("Its open operations could not be listed: have support look at "
                              "the moved file before repeating any recent operation.")
        elif self.open_entries:
            text += " " + w._("These operations in it were still open; check each card "
                              "before repeating one: {operations}.").format(
                operations="; ".join(self.open_entries))
        elif not self.unreadable:
            text += " " + w._("It had no open operations.")
        if self.unreadable:
            text += " " + w.ngettext(
                "{count} of its entries could not be read: have support look at the moved "
                "file before repeating any recent operation.",
                "{count} of its entries could not be read: have support look at the moved "
                "file before repeating any recent operation.", self.unreadable).format(
                count=self.unreadable)
        return text


def prepare(path: Path, schema: str) -> MovedAside | None:
    """Make ``path`` a usable journal: create it whole, or check it and move it aside when it
    cannot be read (then create a new one). :class:`StorageError` for anything else."""
    moved = None
    with storage_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # another process may be doing the same: judge again then
            if not path.exists():
                break
            cause, seen = _damage(path)
            if cause is None:
                return None
            moved = _move_aside(path, cause, seen)
            if moved is not None:
                break
        _create(path, schema, start_after=moved.last_id if moved else None)
    if moved is not None:
        log.warning("%s", moved.message(english=True))
    return moved


@contextlib.contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's and the system's failures on ``path`` into one plain
    :class:`StorageError` naming the file or its folder."""
    try:
        yield
    except StorageError:
        raise
    except sqlite3.Error as exc:
        raise _plain(path, _sqlite_kind(exc), str(exc)) from None
    except OSError as exc:
        raise _plain(path, _os_kind(exc), exc.strerror or str(exc)) from None


def _plain(path: Path, kind: str, why: str) -> StorageError:
    folder = path.parent
    if kind == "full":
        return StorageError(
            _("The disk holding the journal {path} is full ({why}).").format(path=path, why=why),
            _("Free some space on it, then start again; nothing was sent."))
    if kind == "read-only":
        return StorageError(
            _("The data folder {folder} cannot be written ({why}).").format(folder=folder,
                                                                             why=why),
            _("Make it writable by this user (or set POS_APP_DATA_DIR to a folder that is), "
              "then start again; nothing was sent."))
    if kind == "damaged":
        return StorageError(_("The journal {path} is damaged ({why}).").format(path=path,
                                                                              why=why),
                            _("Start again: the app moves it aside; nothing was sent."))
    return StorageError(_("The journal {path} cannot be used ({why}).").format(path=path,
                                                                              why=why),
                        _("Check the disk and the folder {folder}; nothing was sent.").format(
                            folder=folder))


def _sqlite_kind(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        return "full"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return "read-only"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return "damaged"
    return "other"


def _os_kind(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "full"
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return "read-only"
    return "other"


def _identity(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _damage(path: Path) -> tuple[tuple[str, str] | None, tuple[int, int, int, int]]:
    """Why ``path`` is not a readable journal (a key of :data:`REASONS` and its detail;
    ``None``: it is one), and what it was."""
    seen = _identity(path)
    if seen[2] == 0:
        return ("empty", ""), seen
    with path.open("rb") as fh:
        if fh.read(len(HEADER)) != HEADER:
            return ("not_sqlite", ""), seen
    db = sqlite3.connect(path, timeout=10.0)
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            return ("damaged", str(rows[0][0])), seen
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'operations'").fetchone()
        if found is None:
            return ("no_table", ""), seen
    except sqlite3.DatabaseError as exc:
        if _sqlite_kind(exc) == "damaged":
            return ("damaged", str(exc)), seen
        raise
    finally:
        db.close()
    return None, seen


def _move_aside(path: Path, cause: tuple[str, str],
                seen: tuple[int, int, int, int]) -> MovedAside | None:
    """Rename the damaged file (and its sidecars) with a timestamp; ``None`` if another
    process changed or moved it meanwhile."""
    try:
        if _identity(path) != seen:
            return None
    except FileNotFoundError:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    while aside.exists():
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{secrets.token_hex(2)}")
    os.rename(path, aside)
    for suffix in _SIDECARS:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.rename(side, aside.with_name(aside.name + suffix))
    entries, last, unreadable = _read_what_can_be_read(aside)
    return MovedAside(path, aside, cause[0], entries, last, unreadable, cause[1])


def _read_what_can_be_read(path: Path) -> tuple[list[str] | None, int | None, int]:
    """The open entries, the last entry number and how many entries could not be read, of a
    damaged journal (read from a copy, the moved file is left as it is; a truncated file is
    padded back to its size so that the pages still there can be read)."""
    with tempfile.TemporaryDirectory(prefix="pos-app-journal-") as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        try:
            data = path.read_bytes()
            copy.write_bytes(data + b"\0" * max(0, _size_in_header(data) - len(data)))
            for suffix in _SIDECARS[:1]:
                side = path.with_name(path.name + suffix)
                if side.exists():
                    shutil.copyfile(side, copy.with_name(copy.name + suffix))
            with contextlib.closing(sqlite3.connect(copy, timeout=2.0)) as db:
                return _open_rows(db)
        except (sqlite3.Error, OSError):
            return None, None, 0


def _size_in_header(data: bytes) -> int:
    """The database size an SQLite header gives (page size x page count), or 0."""
    if len(data) < 32 or not data.startswith(HEADER):
        return 0
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page
    return page * int.from_bytes(data[28:32], "big")


def _open_rows(db: sqlite3.Connection) -> tuple[list[str], int | None, int]:
    columns = "id, service, card, operation, args, state"  # i18n-skip
    where = "state IN ('pending', 'unknown')"
    try:
        last = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'operations'"
                          ).fetchone()
        last_id = int(last[0]) if last else None
    except sqlite3.DatabaseError:
        last_id = None
    unreadable = 0
    try:
        rows = db.execute(f"SELECT {columns} FROM operations NOT INDEXED WHERE {where} "
                          "ORDER BY id").fetchall()
        if last_id is None:
            last_id = db.execute("SELECT max(id) FROM operations NOT INDEXED").fetchone()[0]
    except sqlite3.DatabaseError:
        if last_id is None:
            raise
        rows = []
        for row_id in range(1, min(last_id, _MAX_ONE_BY_ONE) + 1):  # one by one: the rest
            try:
                rows += db.execute(f"SELECT {columns} FROM operations WHERE id = ? AND "
                                   f"{where}", (row_id,)).fetchall()
            except sqlite3.DatabaseError:
                unreadable += 1
    return [_line(*row) for row in rows], last_id, unreadable


def _line(row_id: int, service: str, card: str, operation: str, args: str,
          state: str) -> str:
    try:
        words = " ".join(str(a) for a in json.loads(args or "[]"))
    except (TypeError, ValueError):
        words = ""
    return f"#{row_id} {service} {card} {operation} {words}".rstrip() + f" ({state})"


def _create(path: Path, schema: str, *, start_after: int | None) -> None:
    """Build a journal with ``schema`` beside ``path`` and link it into place (a journal
    another process put there first is kept)."""
    tmp = path.with_name(f"{path.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.executescript(schema)
            if start_after:
                db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('operations', ?)",
                           (start_after,))
            db.commit()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system
            if not path.exists():
                os.rename(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
