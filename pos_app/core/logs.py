"""Logging to a rotating file in the platform's log folder, with personal data masked and
secrets redacted.

``setup_logging(settings)`` is called once by the command line and by the window. Every record
that reaches the file (and every handler already on the root logger, such as the command
line's stderr one) goes through :class:`Redactor` first:

* configured secret values (and the Basic credentials built from them) become ``[secret]``;
* values of ``Authorization`` and ``x-access-token`` headers become ``[redacted]``;
* the user info of any URL (``https://user:password@host``) becomes ``[secret]``;
* phone-like digit runs of 7 digits or more are masked like :func:`cards.mask_phone`
  (card serials like ``448234-808-346`` and dates are kept: they identify cards and
  moments, not people);
* names and e-mails next to name/e-mail keys (``fName``, ``lastName``, ``holder``...) are cut
  to an initial.

Files are created readable by the user alone and rotate at 1 MB, five kept.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pos_app.core.cards import mask_phone
from pos_app.core.paths import log_dir

LOG_FILE = "pos-app.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

SECRET_MARK = "[secret]"
REDACTED = "[redacted]"

_HEADER = re.compile(
    r"(?i)(\b(?:authorization|x-access-token)\b['\"]?\s*[:=,]\s*(?:b?['\"])?\s*)"
    r"((?:bearer|basic)\s+)?([^\s'\",;}\]]+)")
#: ``scheme://user:password@`` in any URL: the user info is masked whole.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@'\"]*@")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()\-]{5,}\d(?!\w)")
#: Card serials, dates and times: not personal, and needed to read a log.
_KEEP = re.compile(r"(?<![\w-])(?:\d{6}-\d{3}-\d{3}|\d{4}-\d{2}-\d{2}"
                   r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)(?![\w-])")
_NAME = re.compile(
    r"(?i)(['\"]?\b(?:f_?name|s_?name|first_?name|last_?name|holder|client_?name|"
    r"e-?mail)\b['\"]?\s*[:=]\s*['\"]?)([^'\",;}\]\n]+)")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _mask_phones(text: str) -> str:
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    def one(match: re.Match[str]) -> str:
        value = match.group(0)
        if _digits(value) < 7:
            return value
        if _digits(value) <= 15:
            return mask_phone(value)
        # Several numbers in a row: mask each long one on its own.
        return re.sub(r"\S+", lambda m: mask_phone(m.group(0)) if _digits(m.group(0)) >= 7
                      else m.group(0), value)

    text = _PHONE.sub(one, _KEEP.sub(keep, text))
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _mask_name(match: re.Match[str]) -> str:
    value = match.group(2).strip()
    if "@" in value:
        return match.group(1) + value[:1] + "•••@" + value.split("@", 1)[1]
    return match.group(1) + " ".join(w[:1] + "." for w in value.split() if w)


class Redactor(logging.Filter):
    """A handler filter that rewrites each record's text with secrets and personal data
    masked (the record's arguments are merged in first, so nothing escapes through them)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add_secrets(secrets)

    def add_secrets(self, values: Iterable[str]) -> None:
        """Redact these values (and their Base64 forms) from now on; short ones are ignored."""
        found = set(self.secrets)
        for value in values:
            if isinstance(value, str) and len(value.strip()) >= 4:
                found.add(value.strip())
        self.secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, SECRET_MARK)
        text = _USERINFO.sub(lambda m: m.group(1) + SECRET_MARK + "@", text)
        text = _HEADER.sub(lambda m: m.group(1) + (m.group(2) or "") + REDACTED, text)
        text = _NAME.sub(_mask_name, text)
        return _mask_phones(text)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pos_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be shown
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = self.redact(text), None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._pos_redacted = True
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created readable by the user alone."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def configured_secrets(settings: Any) -> list[str]:
    """Every secret value in the settings, with those the services derive from them."""
    from pos_app.core.services import SERVICES

    values: list[str] = []
    data = getattr(settings, "data", None) or {}
    for spec in SERVICES:
        table = data.get(spec.name)
        if isinstance(table, dict):
            values.extend(spec.secrets_in(table))
    return values


_handler: logging.Handler | None = None
_redactor: Redactor | None = None


def setup_logging(settings: Any = None, *, level: int = logging.INFO,
                  folder: Path | None = None) -> Path:
    """Log to ``pos-app.log`` in the platform's log folder (``folder`` for tests); return its
    path. Calling it again (new settings) replaces the handler and adds the new secrets."""
    global _handler, _redactor
    path = (folder or log_dir()) / LOG_FILE
    root = logging.getLogger()
    if _redactor is None:
        _redactor = Redactor()
    _redactor.add_secrets(configured_secrets(settings))
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                         encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    handler.addFilter(_redactor)
    root.addHandler(handler)
    for other in root.handlers:  # e.g. the command line's stderr handler
        if _redactor not in other.filters:
            other.addFilter(_redactor)
    before = root.getEffectiveLevel()
    if before > level:
        # Let the file see more, without making the handlers already there (the command
        # line's stderr one) any chattier than they were.
        for other in root.handlers:
            if other is not handler and other.level == logging.NOTSET:
                other.setLevel(before)
        root.setLevel(level)
    _handler = handler
    return path


def logging_active() -> bool:
    """Whether :func:`setup_logging` has a file handler in place."""
    return _handler is not None


def shutdown_logging() -> None:
    """Remove the file handler (tests, and the window when it closes)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
