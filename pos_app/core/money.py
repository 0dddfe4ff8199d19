"""Money and counts typed by a cashier: parsing, validation and formatting.

Money is always :class:`~decimal.Decimal` with two places. Amounts may be typed with a comma
or a point as the decimal separator, with spaces or apostrophes between thousands, and with a
currency sign or code around them.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from pos_app.core.errors import InvalidAmount
from pos_app.core.i18n import N_, _
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
_DIGITS_HINT = N_("Type the digits 0-9 (a Latin keyboard's digits).")
#: The default names of the figure a message is about (``what=``): labels, marked for the
#: catalogue; a caller passes its own label the same way (``what=N_("Amount to spend")``).
AMOUNT, COUNT = N_("Amount"), N_("Count")


def typed(text: str) -> str:
    """What a person typed, quoted as the language quotes it in a message (``'12x'``,
    ``«12x»``); control characters are shown escaped, never sent to the screen as they are."""
    # i18n: quotes around what the cashier typed, inside a message («{text}» in Russian).
    return _("'{text}'").format(text=repr(text)[1:-1])


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
                 maximum: Decimal = MAX_AMOUNT, what: str = AMOUNT) -> Decimal:
    """Parse a money amount typed by a person into a two-place ``Decimal``.

    Raises :class:`InvalidAmount` with a plain message for anything that is not a sensible
    positive amount: negative, zero (unless ``allow_zero``), NaN, infinite, more than two
    decimal places, or above ``maximum``. ``what`` names the figure in the message: a label
    marked with ``N_()`` (translated here).
    """
    field = _(what) if what else what
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, bool):
        raise InvalidAmount(_not_a_number().format(field=field))
    elif isinstance(text, int):
        value = Decimal(text)
    else:
        value = _parse_text(str(text), field)
    if not value.is_finite():
        raise InvalidAmount(_not_a_number().format(field=field))
    limit = format_money(maximum)
    if value.adjusted() >= MAX_DIGITS:
        raise InvalidAmount(
            # i18n: {field} is the label of what was typed (Amount, Points...): in Russian
            # write "{field}: …", the label does not take a case.
            _("{field} is too large: it has too many digits for any card (the limit is "
              "{limit}).").format(field=field, limit=limit), _check_amount())
    if value < 0:
        raise InvalidAmount(_negative().format(field=field))
    if value == 0 and not allow_zero:
        raise InvalidAmount(_("{field} must be more than zero.").format(field=field))
    if value > maximum:
        raise InvalidAmount(_too_large().format(field=field, value=format_money(value),
                                                limit=limit), _check_amount())
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise InvalidAmount(_("{field} has more than two decimal places.").format(field=field),
                            _("Type it with at most two digits after the separator."))
    return value.quantize(CENT)


# The sentences several checks share (functions: the language is chosen after import).
def _not_a_number() -> str:
    # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
    return _("{field} must be a number.")


def _negative() -> str:
    # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
    return _("{field} cannot be negative.")


def _too_large() -> str:
    # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
    return _("{field} {value} is too large (the limit is {limit}).")


def _not_typed_number() -> str:
    # i18n: {field} is the label of what was typed, {text} what was typed, quoted.
    return _("{field} {text} is not a number.")


def _foreign_digits() -> str:
    # i18n: {field} is the label of what was typed, {text} what was typed, quoted.
    return _("{field} {text} has digits other than 0-9.")


def _check_amount() -> str:
    return _("Check the amount and type it again.")


def _parse_text(raw: str, field: str) -> Decimal:
    text = raw.strip()
    if not text:
        # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
        raise InvalidAmount(_("{field} is missing.").format(field=field))
    shown = typed(text)
    if len(text) > 40:
        raise InvalidAmount(_not_a_number().format(field=field))
    negative = False
    for _round in range(2):
        text = _CURRENCY.sub("", text).strip()
        if text.startswith(("-", "−")):
            negative, text = True, text[1:].strip()
        elif text.startswith("+"):
            text = text[1:].strip()
    text = _GROUPING.sub("", text)
    if foreign_digits(text):
        raise InvalidAmount(_foreign_digits().format(field=field, text=shown), _(_DIGITS_HINT))
    if not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise InvalidAmount(_not_typed_number().format(field=field, text=shown),
                            _("Type digits, with a comma or a point before any decimals."))
    text = _normalise_separators(text, shown, field)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(_not_typed_number().format(field=field, text=shown)) from None
    return -value if negative else value


def _normalise_separators(text: str, shown: str, field: str) -> str:
    """Decide which of ``,`` and ``.`` is the decimal separator and drop the grouping."""
    bad = InvalidAmount(_not_typed_number().format(field=field, text=shown))
    last_comma, last_point = text.rfind(","), text.rfind(".")
    if last_comma >= 0 and last_point >= 0:
        decimal_sep = "," if last_comma > last_point else "."
    elif last_comma >= 0 or last_point >= 0:
        sep = "," if last_comma >= 0 else "."
        parts = text.split(sep)
        # "1,234,567" or "1.234.567": grouping; "12,5" or "12.50": decimal; "1,234": grouping.
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(p) == 3 for p in parts[1:]):
                raise bad
            return text.replace(sep, "")
        decimal_sep = sep
    else:
        return text
    group_sep = "." if decimal_sep == "," else ","
    whole, _sep, frac = text.rpartition(decimal_sep)
    if decimal_sep in whole:
        raise bad
    groups = whole.split(group_sep)
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        raise bad
    return "".join(groups) + "." + frac


def parse_count(text: str | int, *, what: str = COUNT, allow_zero: bool = False,
                maximum: int = MAX_COUNT) -> int:
    """Parse a whole positive number (stamps, rewards, points); ``what`` names it in the
    message (a label marked with ``N_()``, translated here)."""
    field = _(what) if what else what
    if isinstance(text, bool):
        raise InvalidAmount(_whole().format(field=field))
    if isinstance(text, int):
        value = text
    else:
        cleaned = _GROUPING.sub("", str(text).strip())
        shown = typed(str(text).strip())
        if foreign_digits(cleaned):
            raise InvalidAmount(_foreign_digits().format(field=field, text=shown),
                                _(_DIGITS_HINT))
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", cleaned):
            raise InvalidAmount(
                # i18n: {field} is the label of what was typed, {text} what was typed, quoted.
                _("{field} {text} is not a whole number.").format(field=field, text=shown),
                _("Type digits only."))
        value = int(cleaned)
    if value < 0:
        raise InvalidAmount(_negative().format(field=field))
    if value == 0 and not allow_zero:
        # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
        raise InvalidAmount(_("{field} must be at least 1.").format(field=field))
    if value > maximum:
        raise InvalidAmount(_too_large().format(field=field, value=format_number(value),
                                                limit=format_number(maximum)))
    return value


def _whole() -> str:
    # i18n: {field} is the label of what was typed (Amount, Points...): "{field}: …".
    return _("{field} must be a whole number.")


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
