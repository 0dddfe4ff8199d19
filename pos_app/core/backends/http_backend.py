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


def compile_pattern(title: str, pattern: str | None) -> re.Pattern[str] | None:
    """The ``pattern`` setting compiled; :class:`ConfigError` when it is not a regex."""
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        raise ConfigError(f"The {title} code pattern {pattern!r} is not a valid regular "
                          "expression.") from None


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
    #: Added to :class:`OutcomeUnknown` errors (an idempotent service can say a retry is safe).
    unknown_hint: ClassVar[str | None] = None

    def __init__(self, base_url: str, *, pattern: str | None = None,
                 timeout: httpx.Timeout | None = None,
                 headers: dict[str, str] | None = None) -> None:
        if not base_url or not str(base_url).strip():
            raise ConfigError(f"The {self.title} address is not set.")
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
            return BadResponse(f"{title} answered with a redirect (HTTP {status}); it was not "
                               "followed.", f"Check the {title} address in the settings.",
                               service=title)
        if status == 429:
            wait = retry_after_seconds(answer.headers)
            hint = (f"Wait {wait:g} s and try again; nothing was changed." if wait is not None
                    else "Wait a moment and try again; nothing was changed.")
            return RateLimited(f"{title} is busy (too many requests).", hint, service=title,
                               retry_after=wait)
        if status >= 500 or status < 200:
            if mutating:
                return OutcomeUnknown(f"{title} failed while processing the operation "
                                      f"(HTTP {status}).", self.unknown_hint, service=title)
            return ServiceUnavailable(f"{title} is not working right now (HTTP {status}).",
                                      "Try again in a moment; nothing was changed.",
                                      service=title)
        return None

    @staticmethod
    def table_text(table: dict[str, Any], key: str) -> str:
        """A settings value as stripped text (``""`` when missing)."""
        value = table.get(key)
        return "" if value is None else str(value).strip()
