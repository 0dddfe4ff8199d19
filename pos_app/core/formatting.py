"""Numbers, money, dates and times as the chosen language writes them (Babel, CLDR data).

``1 234,50 ₽`` and ``31.12.2030`` in Russian; ``1,234.50`` and ``Dec 31, 2030`` in English.
Everything a person reads goes through here; what machines read (``--json``, the journal,
CSV values, the services' wire) keeps ISO dates and plain decimals.

The currency sign is the shop's (``[shop] currency``, an ISO code such as ``RUB``) once
:func:`set_currency` is given one; without it money is shown as a number with two places.
Babel is imported on the first call, so commands that print JSON never load it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import lru_cache
from typing import Any

from pos_app.core import i18n

#: What is shown for a value the card does not have.
NONE = "—"
#: The date style per language (CLDR ``short``/``medium``); English writes the month's name
#: so that 03.04 is never read the wrong way round.
DATE_STYLE = {"ru": "short"}
DEFAULT_DATE_STYLE = "medium"

#: :func:`set_currency`'s "the shop did not say": the system territory's currency is used.
UNSET = "unset"
_currency: str | None = UNSET


def set_currency(code: str | None) -> None:
    """Show money with ``code``'s sign (``"RUB"`` -> ``₽``), as a bare number (``None``), or
    with the system territory's currency (:data:`UNSET`: ``ru_RU`` -> ``₽``; none without a
    territory)."""
    global _currency
    if code != UNSET:
        code = code.strip().upper() if code and code.strip() else None
    _currency = code


def currency() -> str | None:
    """The currency whose sign money is shown with, if any."""
    if _currency == UNSET:
        where = i18n.territory()
        return _territory_currency(where) if where else None
    return _currency


@lru_cache(maxsize=8)
def _territory_currency(where: str) -> str | None:
    from babel.numbers import get_territory_currencies

    try:
        found = get_territory_currencies(where, tender=True, non_tender=False)
    except Exception:  # an unknown territory: no sign
        return None
    return found[0] if found else None


def valid_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 code CLDR knows (``RUB``, ``EUR``)."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        return False
    from babel.core import get_global  # CLDR's global data only: no locale is loaded

    return code in get_global("all_currencies")


@lru_cache(maxsize=16)
def _locale(language: str, territory: str | None) -> Any:
    from babel import Locale, UnknownLocaleError

    if territory:
        try:
            return Locale.parse(f"{language}_{territory}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(language)


def current_locale() -> Any:
    """The Babel ``Locale`` of the chosen language (with the system's territory if CLDR has
    that pair, e.g. ``en_GB``)."""
    return _locale(i18n.language(), i18n.territory())


def _room(value: Decimal) -> Context:
    """Enough precision for every whole digit (a mistyped huge amount is shown too)."""
    return Context(prec=max(28, value.adjusted() + 4), rounding=ROUND_HALF_UP)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), context=_room(value))


def money(value: Decimal | int | None, *, sign: bool = True) -> str:
    """An amount with two places, grouped as the language groups thousands, with the shop's
    currency sign when it has one (``sign=False`` leaves it out, e.g. in a field)."""
    if value is None:
        return NONE
    from babel.numbers import format_currency, format_decimal

    amount = _cents(Decimal(value))
    code = currency() if sign else None
    with localcontext(_room(amount)):
        if code:
            return format_currency(amount, code, locale=current_locale(),
                                   currency_digits=False, format_type="standard",
                                   decimal_quantization=False)
        return format_decimal(amount, format="#,##0.00", locale=current_locale(),
                              decimal_quantization=False)


def number(value: Decimal | int | None) -> str:
    """Points, stamps or a balance without needless zeros: ``12`` or ``1 234`` or ``12,50``."""
    if value is None:
        return NONE
    from babel.numbers import format_decimal

    if isinstance(value, int) or value == value.to_integral_value():
        with localcontext(_room(Decimal(value))):
            return format_decimal(int(value), format="#,##0", locale=current_locale())
    amount = _cents(Decimal(value))
    with localcontext(_room(amount)):
        return format_decimal(amount, format="#,##0.00", locale=current_locale(),
                              decimal_quantization=False)


def decimal_separator() -> str:
    """The language's decimal separator (``,`` in Russian), for hints in amount fields."""
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(current_locale())


def date(value: dt.date | None) -> str:
    """A calendar date: ``31.12.2030`` in Russian, ``Dec 31, 2030`` in English."""
    if value is None:
        return NONE
    from babel.dates import format_date

    if isinstance(value, dt.datetime):
        value = value.date()
    style = DATE_STYLE.get(i18n.language(), DEFAULT_DATE_STYLE)
    return format_date(value, format=style, locale=current_locale())


def time(value: dt.datetime | dt.time | None, *, seconds: bool = False) -> str:
    """A time of day in the language's clock (``14:05``, ``2:05 PM``)."""
    if value is None:
        return NONE
    from babel.dates import format_time

    if isinstance(value, dt.datetime):
        value = value.astimezone().time() if value.tzinfo else value.time()
    return format_time(value, format="medium" if seconds else "short", locale=current_locale())


def datetime(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A moment in local time: its date (as :func:`date`) and time, joined as the language
    joins them."""
    if value is None:
        return NONE
    from babel.dates import get_datetime_format

    local = value.astimezone() if value.tzinfo else value
    pattern = get_datetime_format("short", locale=current_locale())
    return pattern.replace("{1}", date(local.date())).replace(
        "{0}", time(local, seconds=seconds))


def iso_datetime(text: str | None) -> str:
    """A journal's ISO timestamp as :func:`datetime` shows it (``—`` for none or junk)."""
    if not text:
        return NONE
    try:
        return datetime(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


def percent(value: Decimal | int | None) -> str:
    """A discount rate given in percent (``5`` -> ``5 %`` in Russian, ``5%`` in English)."""
    if value is None:
        return NONE
    from babel.numbers import format_percent

    rate = Decimal(value) / 100
    return format_percent(rate.normalize(), locale=current_locale(), decimal_quantization=False)


def listing(items: list[str]) -> str:
    """Items joined as the language joins a list ("A, B and C", "A, B и C")."""
    if not items:
        return ""
    from babel.lists import format_list

    return format_list(list(items), locale=current_locale())
