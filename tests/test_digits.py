"""Numbers a cashier types: ASCII digits only, the same rule for counts, amounts, dates,
phones and template ids; absurdly long amounts refused with a message (issue 10, item 12)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.core.backends.base import check_holder
from pos_app.core.cards import Holder
from pos_app.core.counter import Counter
from pos_app.core.errors import InvalidAmount, InvalidInput
from pos_app.core.money import parse_amount, parse_count
from pos_app.core.operations import Operation, parse_date
from pos_app.core.settings import load_settings

#: Full-width, Arabic-Indic, Devanagari and superscript digits: all "digits" to Python.
NOT_ASCII = ["１２３", "٣", "१२", "²", "1２"]


@pytest.mark.parametrize("text", NOT_ASCII)
def test_counts_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(InvalidAmount, match="0-9"):
        parse_count(text, what="Stamps")
    with pytest.raises(InvalidAmount):
        Operation.parse("stamp", [text])


@pytest.mark.parametrize("text", NOT_ASCII)
def test_amounts_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(InvalidAmount, match="0-9"):
        parse_amount(text)


def test_dates_take_ascii_digits_only() -> None:
    with pytest.raises(InvalidInput):
        parse_date("２０４０-01-01")
    assert parse_date("2040-01-01").year == 2040


@pytest.mark.parametrize("text", ["9" * 27, "9" * 40, "1" * 29 + ",5", "99999999999999999999"])
def test_amounts_longer_than_any_card_are_refused_plainly(text: str) -> None:
    with pytest.raises(InvalidAmount, match=r"too large|too many digits"):
        parse_amount(text)


@pytest.mark.parametrize("value", [Decimal("1e100000"), Decimal("9" * 60), 10 ** 80])
def test_huge_numbers_given_directly_are_refused_plainly(value: Decimal | int) -> None:
    with pytest.raises(InvalidAmount, match=r"too large|too many digits"):
        parse_amount(value)


@given(st.text(alphabet=st.characters(categories=["Nd", "No"]) | st.sampled_from(",. "),
               max_size=45))
def test_amounts_and_counts_never_crash_on_any_digits(text: str) -> None:
    for parse in (parse_amount, parse_count):
        with contextlib.suppress(InvalidAmount):
            parse(text)


@pytest.mark.parametrize("phone", ["+７ ９００ １２３ ４５ ６７", "+٧٩٠٠١٢٣٤٥٦٧"])
def test_phones_take_ascii_digits_only(phone: str) -> None:
    with pytest.raises(InvalidInput, match="phone"):
        check_holder(Holder("Ivan", "Petrov", phone, ""))
    assert check_holder(Holder("Ivan", "Petrov", "+7 900 123 45 67", "")).phone


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter.open(load_settings())
    yield c
    c.close()


@pytest.mark.parametrize("service", ["luna", "loona"])
@pytest.mark.parametrize("template", ["１２", "²", "٣"])
def test_template_ids_take_ascii_digits_only(counter: Counter, service: str,
                                             template: str) -> None:
    sent = len(getattr(counter.sandbox, service).requests)
    with pytest.raises(InvalidInput, match="template"):
        counter.enrol(service, template, Holder("Ivan", "Petrov", "+7 900 123 45 67", ""))
    assert len(getattr(counter.sandbox, service).requests) == sent
