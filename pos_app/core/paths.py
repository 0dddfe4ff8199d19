"""Where settings and data live: platform folders, overridable by flags and environment.

``--config FILE`` or ``POS_APP_CONFIG`` points at another settings file; ``POS_APP_DATA_DIR``
moves the data folder (journal, sandbox state, logs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "pos-app"
APP_AUTHOR = "pos-app"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The settings file: ``explicit``, else ``$POS_APP_CONFIG``, else the platform's one."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("POS_APP_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP_NAME, APP_AUTHOR) / "settings.toml"


def data_dir() -> Path:
    """The data folder (journal, sandbox state), created readable by the user alone."""
    env = os.environ.get("POS_APP_DATA_DIR")
    path = Path(env).expanduser() if env else platformdirs.user_data_path(APP_NAME, APP_AUTHOR)
    return ensure_private_dir(path)


def log_dir() -> Path:
    env = os.environ.get("POS_APP_DATA_DIR")
    if env:
        return ensure_private_dir(Path(env).expanduser() / "logs")
    return ensure_private_dir(platformdirs.user_log_path(APP_NAME, APP_AUTHOR))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and keep it 0700 (also when it was there already, e.g. named by
    ``POS_APP_DATA_DIR``; see :func:`~pos_app.core.file_modes.make_private_dir`)."""
    from pos_app.core.errors import StorageError
    from pos_app.core.file_modes import make_private_dir
    from pos_app.core.i18n import _

    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StorageError(_("The folder {path} cannot be created ({error}).").format(
            path=path, error=exc.strerror or exc),
            _("Make its parent folder writable by this user (or set POS_APP_DATA_DIR to a "
              "folder that is); nothing was sent.")) from None
    make_private_dir(path)
    return path
