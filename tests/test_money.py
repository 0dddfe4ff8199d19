from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.core.errors import InvalidAmount
from pos_app.core.money import format_money, parse_amount, parse_count, to_decimal, to_int


@pytest.mark.parametrize(("text", "expected"), [
    ("12", "12.00"), ("12.5", "12.50"), ("12,5", "12.50"), ("12,50", "12.50"),
    ("1 234,50", "1234.50"), ("1,234.50", "1234.50"), ("1,234.50", "1234.50"),
    ("1.234,50", "1234.50"), ("1,234", "1234.00"), ("12,345", "12345.00"),
    ("$12.50", "12.50"), ("12.50 €", "12.50"), ("₽ 100", "100.00"), ("100 руб.", "100.00"),
    ("EUR 9,99", "9.99"), ("0,5", "0.50"), (" 7 ", "7.00"), ("1'000", "1000.00"),
])
def test_amounts_people_type_are_understood(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "fragment"), [
    ("-5", "negative"), ("0", "more than zero"), ("0,00", "more than zero"),
    ("NaN", "not a number"), ("inf", "not a number"), ("abc", "not a number"),
    ("", "missing"), ("12.3456", "two decimal places"), ("0,125", "two decimal places"),
    ("1e9", "not a number"),
    ("99999999", "too large"), ("1.2.3", "not a number"), ("12,34,5", "not a number"),
    ("--5", "negative"), ("1,234,567", "too large"),
])
def test_bad_amounts_are_refused_plainly(text: str, fragment: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount(text)
    assert fragment in str(info.value)


def test_decimal_inputs_and_zero_when_allowed() -> None:
    assert parse_amount(Decimal("0"), allow_zero=True) == Decimal("0.00")
    with pytest.raises(InvalidAmount):
        parse_amount(Decimal("NaN"))
    with pytest.raises(InvalidAmount):
        parse_amount(True)  # type: ignore[arg-type]


def test_a_huge_amount_is_refused_in_words() -> None:
    # 27 digits: more than the default decimal context holds once given two places.
    with pytest.raises(InvalidAmount, match="too large"):
        parse_amount("100000000000000000000000000")


@given(st.text(max_size=30))
def test_parse_amount_never_crashes(text: str) -> None:
    try:
        value = parse_amount(text)
    except InvalidAmount:
        return
    assert value > 0 and value == value.quantize(Decimal("0.01"))


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2))
def test_formatted_amounts_parse_back(value: Decimal) -> None:
    assert parse_amount(format_money(value)) == value


def test_counts() -> None:
    assert parse_count("3") == 3
    assert parse_count(" 1 000 ") == 1000
    for bad in ("0", "-1", "1.5", "x", "99999999999"):
        with pytest.raises(InvalidAmount):
            parse_count(bad)


def test_service_numbers_are_read_defensively() -> None:
    assert to_decimal("12.50") == Decimal("12.50")
    assert to_decimal("5") == Decimal(5)
    assert to_decimal(3.1) == Decimal("3.1")
    assert to_decimal("junk") is None
    assert to_decimal("NaN") is None
    assert to_decimal(None) is None
    assert to_decimal(True) is None
    assert to_int("7") == 7
    assert to_int("7.5") is None


def test_format_money() -> None:
    assert format_money(Decimal("1234567.5")) == "1,234,567.50"  # never split
    assert format_money(Decimal("-3")) == "-3.00"
    assert format_money(None) == "—"
