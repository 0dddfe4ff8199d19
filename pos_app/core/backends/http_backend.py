"""The base of every adapter whose service speaks HTTP.

It owns what the services share: one reused client with its timeouts and answer deadline, the
``pattern`` setting, and the status policy (a redirect is never followed, 429 is honoured with
its ``Retry-After``, a 5xx leaves a change in doubt but a read simply failed). An adapter says
only what differs: its wire client, its default codes, its own error codes.

``pattern`` means the same for every service: a regular expression that must match the whole
scanned code (surrounding spaces trimmed); the code the service is sent is the first group when
the pattern has groups, else the whole code.
"""

from __future__ import annotations

import abc
import math
import re
from typing import Any, ClassVar

import httpx

from pos_app.core.backends.base import Backend
from pos_app.core.backends.http import DEFAULT_TIMEOUT, Answer, ServiceHttp, retry_after_seconds
from pos_app.core.errors import (
    BadResponse,
    ConfigError,
    InvalidCode,
    OutcomeUnknown,
    PosError,
    RateLimited,
    ServiceUnavailable,
)
from pos_app.core.i18n import _
from pos_app.core.money import format_number


def compile_pattern(title: str, pattern: str | None) -> re.Pattern[str] | None:
    """The ``pattern`` setting compiled; :class:`ConfigError` when it is not a regex."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        raise ConfigError(_("The {service} code pattern {pattern} is not a valid regular "
                            "expression.").format(service=title, pattern=repr(pattern))
                          ) from None


def pattern_claim(pattern: re.Pattern[str], text: str) -> str | None:
    """What ``pattern`` takes of ``text``: group 1 if it has groups, else the whole code."""
    match = pattern.fullmatch(text)
    if match is None:
        return None
    found = (match.group(1) if pattern.groups else match.group(0)) or ""
    return found.strip() or None


class HttpBackend(Backend):
    """An adapter over HTTP: ``self.http`` is its client, ``claim`` honours ``pattern``."""

    #: Longer scanned values are never this service's.
    max_code_length: ClassVar[int] = 2048
    #: Added to :class:`OutcomeUnknown` errors (an idempotent service can say a retry is safe);
    #: marked with ``N_()``, translated when shown.
    unknown_hint: ClassVar[str | None] = None

    def __init__(self, base_url: str, *, pattern: str | None = None,
                 timeout: httpx.Timeout | None = None,
                 headers: dict[str, str] | None = None) -> None:
        if not base_url or not str(base_url).strip():
            raise ConfigError(_("The {service} address is not set.").format(service=self.title))
        self.pattern = compile_pattern(self.title, pattern)
        self.http = ServiceHttp(self.title, str(base_url).strip(),
                                timeout=timeout or DEFAULT_TIMEOUT, headers=headers)

    def close(self) -> None:
        self.http.close()

    def claim(self, code: str) -> str | None:
        """The code as this service takes it, or ``None``: by ``pattern`` when one is set."""
        if not isinstance(code, str):
            return None
        text = code.strip()
        if not text or len(text) > self.max_code_length:
            return None
        if self.pattern is not None:
            return pattern_claim(self.pattern, text)
        return self.claim_default(text)

    def claimed(self, code: str, message: str, hint: str) -> str:
        """The code as this service takes it; :class:`InvalidCode` (``message``, ``hint``)
        when it is not one of the service's, before anything is sent."""
        found = self.claim(code)
        if found is None:
            raise InvalidCode(message, hint)
        return found

    @abc.abstractmethod
    def claim_default(self, text: str) -> str | None:
        """The service's own rule for which codes are its (``text`` is trimmed, not empty)."""

    def status_failure(self, answer: Answer, *, mutating: bool) -> PosError | None:
        """The error a redirect, a 429, a 5xx or a 1xx means; ``None`` for other statuses."""
        status, title = answer.status, self.title
        if 300 <= status < 400:
            return BadResponse(_("{service} answered with a redirect (HTTP {status}); it was "
                                 "not followed.").format(service=title, status=status),
                               _("Check the {service} address in the settings.").format(
                                   service=title), service=title)
        if status == 429:
            wait = retry_after_seconds(answer.headers)
            hint = (_("Wait {seconds} s and try again; nothing was changed.").format(
                seconds=format_number(math.ceil(wait)))
                if wait is not None else _("Wait a moment and try again; nothing was changed."))
            return RateLimited(_("{service} is busy (too many requests).").format(service=title),
                               hint, service=title, retry_after=wait)
        if status >= 500 or status < 200:
            if mutating:
                hint = _(self.unknown_hint) if self.unknown_hint else None
                return OutcomeUnknown(_("{service} failed while processing the operation (HTTP "
                                        "{status}).").format(service=title, status=status),
                                      hint, service=title)
            return ServiceUnavailable(_("{service} is not working right now (HTTP "
                                        "{status}).").format(service=title, status=status),
                                      _("Try again in a moment; nothing was changed."),
                                      service=title)
        return None

    @staticmethod
    def table_text(table: dict[str, Any], key: str) -> str:
        """A settings value as stripped text (``""`` when missing)."""
        value = table.get(key)
        return "" if value is None else str(value).strip()
