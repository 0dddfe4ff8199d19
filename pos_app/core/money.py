"""Money and counts typed by a cashier: parsing, validation and formatting.

Money is always :class:`~decimal.Decimal` with two places. Amounts may be typed with a comma
or a point as the decimal separator, with spaces or apostrophes between thousands, and with a
currency sign or code around them.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from pos_app.core.errors import InvalidAmount
from pos_app.core.lazy_re import LazyPattern

CENT = Decimal("0.01")
#: Between groups of thousands: a no-break space, so that "1 234.50" is never split
#: across two lines (parsing takes it, and plain spaces, back).
GROUP = "\u00a0"
#: Larger amounts are refused as typing mistakes.
MAX_AMOUNT = Decimal("1000000")
#: Larger stamp/reward/point counts in one operation are refused as typing mistakes.
MAX_COUNT = 100000

_CURRENCY = LazyPattern(
    r"^(?:[$€£¥₽₴₸₹₩₺₪฿]|руб\.?|р\.?|rub|usd|eur|gbp|uah|kzt|byn|chf|pln|czk)\s*"
    r"|\s*(?:[$€£¥₽₴₸₹₩₺₪฿]|руб\.?|р\.?|rub|usd|eur|gbp|uah|kzt|byn|chf|pln|czk)$",
    re.IGNORECASE,
)
_GROUPING = LazyPattern(r"[\s\u00a0\u202f\u2009'’_]")
#: Amounts with more digits before the separator are refused before any arithmetic.
MAX_DIGITS = 15
_DIGITS_HINT = "Type the digits 0-9 (a Latin keyboard's digits)."


def foreign_digits(text: str) -> bool:
    """Whether ``text`` has digits other than ASCII 0-9 (full-width, Arabic-Indic,
    superscripts...). Counts, amounts, dates, phones and template ids take 0-9 only."""
    return any(ch.isdigit() and not "0" <= ch <= "9" for ch in text)


def ascii_int(text: str, *, max_digits: int = 18) -> int | None:
    """``text`` (trimmed) as a whole positive number written in 0-9, else ``None``."""
    text = text.strip()
    if not text or len(text) > max_digits or not text.isascii() or not text.isdecimal():
        return None
    return int(text)


def parse_amount(text: str | int | Decimal, *, allow_zero: bool = False,
                 maximum: Decimal = MAX_AMOUNT, what: str = "Amount") -> Decimal:
    """Parse a money amount typed by a person into a two-place ``Decimal``.

    Raises :class:`InvalidAmount` with a plain message for anything that is not a sensible
    positive amount: negative, zero (unless ``allow_zero``), NaN, infinite, more than two
    decimal places, or above ``maximum``.
    """
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, bool):
        raise InvalidAmount(f"{what} must be a number.")
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        value = _parse_text(str(text), what)
    if not value.is_finite():
        raise InvalidAmount(f"{what} must be a number.")
    if value.adjusted() >= MAX_DIGITS:
        raise InvalidAmount(f"{what} is too large: it has too many digits for any card (the "
                            f"limit is {format_money(maximum)}).", "Check the amount and type "
                            "it again.")
    if value < 0:
        raise InvalidAmount(f"{what} cannot be negative.")
    if value == 0 and not allow_zero:
        raise InvalidAmount(f"{what} must be more than zero.")
    if value > maximum:
        raise InvalidAmount(f"{what} {format_money(value)} is too large (the limit is "
                            f"{format_money(maximum)}).", "Check the amount and type it again.")
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmount(f"{what} has more than two decimal places.",
                            "Type it with at most two digits after the separator.")
    return value.quantize(CENT)


def _parse_text(raw: str, what: str) -> Decimal:
    text = raw.strip()
    if not text or len(text) > 40:
        raise InvalidAmount(f"{what} is missing." if not text else f"{what} is not a number.")
    negative = False
    for _ in range(2):
        text = _CURRENCY.sub("", text).strip()
        if text.startswith(("-", "−")):
            negative, text = True, text[1:].strip()
        elif text.startswith("+"):
            text = text[1:].strip()
    text = _GROUPING.sub("", text)
    if foreign_digits(text):
        raise InvalidAmount(f"{what} {raw.strip()!r} has digits other than 0-9.", _DIGITS_HINT)
    if not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise InvalidAmount(f"{what} {raw.strip()!r} is not a number.",
                            "Type digits, with a comma or a point before the cents.")
    text = _normalise_separators(text, raw, what)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"{what} {raw.strip()!r} is not a number.") from None
    return -value if negative else value


def _normalise_separators(text: str, raw: str, what: str) -> str:
    """Decide which of ``,`` and ``.`` is the decimal separator and drop the grouping."""
    last_comma, last_point = text.rfind(","), text.rfind(".")
    if last_comma >= 0 and last_point >= 0:
        decimal_sep = "," if last_comma > last_point else "."
    elif last_comma >= 0 or last_point >= 0:
        sep = "," if last_comma >= 0 else "."
        parts = text.split(sep)
        # "1,234,567" or "1.234.567": grouping; "12,5" or "12.50": decimal; "1,234": grouping.
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(p) == 3 for p in parts[1:]):
                raise InvalidAmount(f"{what} {raw.strip()!r} is not a number.")
            return text.replace(sep, "")
        decimal_sep = sep
    else:
        return text
    group_sep = "." if decimal_sep == "," else ","
    whole, _, frac = text.rpartition(decimal_sep)
    if decimal_sep in whole:
        raise InvalidAmount(f"{what} {raw.strip()!r} is not a number.")
    groups = whole.split(group_sep)
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        raise InvalidAmount(f"{what} {raw.strip()!r} is not a number.")
    return "".join(groups) + "." + frac


def parse_count(text: str | int, *, what: str = "Count", allow_zero: bool = False,
                maximum: int = MAX_COUNT) -> int:
    """Parse a whole positive number (stamps, rewards, points)."""
    if isinstance(text, bool):
        raise InvalidAmount(f"{what} must be a whole number.")
    if isinstance(text, int):
        value = text
    else:
        cleaned = _GROUPING.sub("", str(text).strip())
        if foreign_digits(cleaned):
            raise InvalidAmount(f"{what} {str(text).strip()!r} has digits other than 0-9.",
                                _DIGITS_HINT)
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", cleaned):
            raise InvalidAmount(f"{what} {str(text).strip()!r} is not a whole number.",
                                "Type digits only.")
        value = int(cleaned)
    if value < 0:
        raise InvalidAmount(f"{what} cannot be negative.")
    if value == 0 and not allow_zero:
        raise InvalidAmount(f"{what} must be at least 1.")
    if value > maximum:
        raise InvalidAmount(f"{what} {value} is too large (the limit is {maximum}).")
    return value


#: Numbers in service answers beyond this magnitude are not taken (``"1e100000"``).
MAX_ANSWER_NUMBER = Decimal(10) ** 19


def to_decimal(value: object) -> Decimal | None:
    """Read a number from an untrusted service answer (string, int or float) or ``None``
    (also for a magnitude no card holds, or more than 12 decimal places)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", ".").replace(" ", "")
        if not text or len(text) > 64:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not result.is_finite() or abs(result) >= MAX_ANSWER_NUMBER:
        return None
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        return None
    return result


def to_int(value: object) -> int | None:
    """Read a whole number from an untrusted service answer, or ``None``."""
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def money(value: Decimal) -> Decimal:
    """Round a computed amount to cents (half up, as a till does)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | None, *, sign: bool = True) -> str:
    """An amount as people read it in the chosen language, with the shop's currency sign
    (``sign=False``: without): ``1 234,50 ₽`` or ``1,234.50``; ``None`` -> ``'—'``
    (:func:`pos_app.core.formatting.money`)."""
    from pos_app.core import formatting

    return formatting.money(value, sign=sign)


def format_number(value: Decimal | int | None) -> str:
    """Points or a balance without needless zeros: ``Decimal('12.00')`` -> ``'12'``
    (:func:`pos_app.core.formatting.number`)."""
    from pos_app.core import formatting

    return formatting.number(value)
