"""Who is driving an open operation: one owner per running :class:`~pos_app.core.counter.Counter`.

An owner is a name (``host:pid:random``) and a lock file in the data folder that its process
holds with an operating-system lock for as long as it runs. Another process asks whether an
owner is still there by trying to take that lock: the lock is released by the system when the
process ends in any way (a crash, SIGKILL, a power cut), so a stale owner is seen at once,
without waiting for a lease to run out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import socket
import weakref
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

FOLDER = "owners"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")

if os.name == "nt":  # pragma: no cover - exercised on Windows
    import msvcrt

    def try_lock(fh: IO[bytes]) -> bool:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fh: IO[bytes]) -> None:
        with contextlib.suppress(OSError):
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def unlock(fh: IO[bytes]) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _path(folder: Path, name: str) -> Path:
    return folder / FOLDER / (_SAFE.sub("_", name) + ".lock")


class Owner:
    """This process's owner name, held by a lock file until :meth:`release`."""

    def __init__(self, data_folder: Path) -> None:
        self.folder = data_folder
        host = _SAFE.sub("_", socket.gethostname())[:40] or "host"
        self.name = f"{host}:{os.getpid()}:{secrets.token_hex(4)}"
        path = _path(data_folder, self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] | None = open(path, "a+b")  # noqa: SIM115 - held while we run
        if not try_lock(self._fh):  # pragma: no cover - a fresh random name
            raise OSError(f"cannot lock {path}")
        # A counter dropped without close() still lets go of its name (and its file).
        self._finalizer = weakref.finalize(self, _drop, self._fh, path)

    def release(self) -> None:
        """Give the name up (the lock file is removed)."""
        self._fh = None
        self._finalizer()


def _drop(fh: IO[bytes], path: Path) -> None:
    unlock(fh)
    fh.close()
    with contextlib.suppress(OSError):
        path.unlink()


def is_alive(data_folder: Path, name: str) -> bool:
    """Whether the process that holds owner ``name`` is still running."""
    path = _path(data_folder, name)
    try:
        fh = open(path, "r+b")  # noqa: SIM115
    except FileNotFoundError:
        return False
    except OSError as exc:  # unreadable: assume it is there rather than take its work over
        log.info("owner %s: lock file unreadable (%s)", name, type(exc).__name__)
        return True
    with fh:
        if try_lock(fh):
            unlock(fh)
            with contextlib.suppress(OSError):
                path.unlink()
            return False
    return True
