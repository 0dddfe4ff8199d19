"""Readers for the values a sandboxed service is sent: each returns ``None`` for a value it
cannot take, and the service turns that into its own error answer."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pos_app.core.sandbox.app import Request

_DECIMAL = re.compile(r"-?\d{1,15}(?:\.\d{1,10})?")


def whole(value: Any, *, low: int = 1, high: int = 10**9) -> int | None:
    """A whole number from ``low`` to ``high``: an int, an integral float or a digit string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and re.fullmatch(r"\s*\d{1,12}\s*", value)):
        number = int(value)
        return number if low <= number <= high else None
    return None


def decimal(value: Any) -> Decimal | None:
    """A number as sent in JSON (int, float or decimal string), exactly; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def text(value: Any, *, limit: int = 200) -> str | None:
    """A non-empty string of at most ``limit`` characters, trimmed."""
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return None
    return value.strip()


def digits(value: object) -> str:
    """The digits of a value (a phone number typed any way)."""
    return re.sub(r"\D", "", str(value)) if value is not None else ""


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int | None:
    """A query parameter from ``low`` to ``high`` (``default`` when absent)."""
    values = request.query.get(name)
    if not values:
        return default
    if not re.fullmatch(r"\d{1,9}", values[-1]) or not low <= int(values[-1]) <= high:
        return None
    return int(values[-1])


def header_text(request: Request, name: str) -> str | None:
    """A header value as UTF-8 text (the HTTP server decodes headers as Latin-1)."""
    value = request.header(name)
    if value is None:
        return None
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
