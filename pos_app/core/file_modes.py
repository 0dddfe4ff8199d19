"""Private files and folders (POSIX modes; Windows keeps per-user ACLs and is left alone).

Files holding secrets are written 0600 and the data folder is kept 0700. A file found wider
than that is said in words (:func:`exposure`); a folder is made private only when this user
owns it and it is not a shared, sticky one like ``/tmp``.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

from pos_app.core.i18n import _

log = logging.getLogger(__name__)

POSIX = sys.platform != "win32"


def exposure(path: Path, what: str) -> str | None:
    """A plain warning when ``path`` can be read or written by other users, else ``None``.

    ``what`` is the sentence that says so, translated, with ``{path}`` and ``{mode}``
    ("The settings file {path} can be read by other users of this computer (mode {mode}).").
    """
    if not POSIX:
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    # i18n: the command is typed as it is; only the words around it are translated.
    fix = _("Run: chmod 600 '{path}' (saving the settings from the app also does it).")
    return f"{what.format(path=path, mode=f'{mode:04o}')} {fix.format(path=path)}"


def make_private_fd(fd: int) -> None:
    """Mode 0600 for an open file, whatever it had (``O_CREAT``'s mode only applies to a new
    file)."""
    if POSIX:
        os.fchmod(fd, 0o600)


def make_private_dir(path: Path) -> None:
    """Mode 0700 for a folder this user owns, unless it is shared (sticky, like ``/tmp``)."""
    if not POSIX:
        return
    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077 and not mode & stat.S_ISVTX and info.st_uid == os.geteuid():
            path.chmod(0o700)
    except OSError as exc:
        log.warning("The data folder %s could not be made private (%s).", path,
                    exc.strerror or exc)
