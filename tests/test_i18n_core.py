"""The Qt-free core in Russian: errors with their hints, a card's fields, operations and their
units with the right plural forms, amounts typed either way (issue 15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.core import i18n
from pos_app.core.cards import KIND_LABELS, Card, CardKind, CardStatus, Stamps
from pos_app.core.checks import check_fits, why_not
from pos_app.core.effects import EFFECT_LABELS
from pos_app.core.errors import CardNotFound, ConfigError, InvalidAmount, InvalidCode, Refused
from pos_app.core.money import parse_amount, parse_count
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.present import card_fields, card_text, outcome_rows
from pos_app.core.router import clean_code
from pos_app.core.services.spec import BASE_URL
from pos_app.core.settings_schema import check_schema
from pos_app.core.units import Unit, describe, field_label, op_label, quantity


def _card(**changes: object) -> Card:
    values: dict[str, object] = {
        "service": "demo", "code": "C-1", "card_id": "1", "kind": CardKind.STAMPS,
        "status": CardStatus.ACTIVE, "stamps": Stamps(3, 10),
        "expires": dt.date(2030, 12, 31), "total_spent": Decimal("1234.5")}
    values.update(changes)
    return Card(**values)  # type: ignore[arg-type]


@pytest.mark.usefixtures("russian")
def test_errors_and_their_hints_come_out_in_russian() -> None:
    assert str(CardNotFound("Карта не найдена.")) == (
        "Карта не найдена. Проверьте код или отсканируйте карту ещё раз.")
    with pytest.raises(InvalidCode) as info:
        clean_code("   ")
    assert str(info.value) == "Код пустой. Отсканируйте карту или введите её номер."


@pytest.mark.usefixtures("russian")
def test_a_cards_fields_come_out_in_russian_with_russian_dates_and_money() -> None:
    card = _card()
    fields = dict(card_fields(card))
    assert fields["Штампы"] == "3 / 10"
    assert fields["Действует до"] == "31.12.2030"
    assert fields["Сумма покупок"] == "1\u00a0234,50\u00a0₽"
    assert card.kind_label == "Карта со штампами" and card.status_label == "Действует"
    text = card_text(card)
    assert "Карта со штампами · Действует" in text and "Код" in text and "Доступно" in text


@pytest.mark.usefixtures("russian")
def test_an_operations_description_comes_out_in_russian() -> None:
    assert Operation.parse("stamp", ["3"]).describe() == "Начислить 3 штампа"
    assert Operation.parse("purchase", ["1 234,50"]).describe() == "Покупка на 1\u00a0234,50\u00a0₽"
    assert Operation.parse("reward", ["1"]).describe() == "Погасить 1 награду"
    expiry = Operation(OpName.SET_EXPIRY, expiry=dt.date(2031, 1, 2))
    assert expiry.describe() == "Установить срок действия до 02.01.2031"
    points = _card(kind=CardKind.POINTS, balance=Decimal(40), stamps=None)
    assert describe(Operation.parse("accrue", ["5"]), points) == "Начислить 5 баллов"
    assert LABELS[OpName.STAMP] == "Начислить штампы" == op_label(OpName.STAMP, _card())
    assert field_label(OpName.UNSTAMP, _card(kind=CardKind.SUBSCRIPTION)) == (
        "Сколько посещений списать")


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(("unit", "forms"), [
    (Unit.STAMPS, ["1 штамп", "2 штампа", "5 штампов", "11 штампов", "21 штамп"]),
    (Unit.POINTS, ["1 балл", "2 балла", "5 баллов", "11 баллов", "21 балл"]),
    (Unit.VISITS, ["1 посещение", "2 посещения", "5 посещений", "11 посещений",
                   "21 посещение"]),
    (Unit.REWARDS, ["1 награда", "2 награды", "5 наград", "11 наград", "21 награда"]),
])
def test_counts_take_the_three_russian_plural_forms(unit: Unit, forms: list[str]) -> None:
    assert [quantity(n, unit) for n in (1, 2, 5, 11, 21)] == forms


@pytest.mark.usefixtures("russian")
def test_a_fraction_of_a_point_takes_the_form_of_a_fraction_and_big_counts_are_grouped() -> None:
    assert quantity(Decimal("2.5"), Unit.POINTS) == "2,50 балла"
    assert quantity(12345, Unit.POINTS) == "12\u00a0345 баллов"


def test_english_counts() -> None:
    assert [quantity(n, Unit.STAMPS) for n in (1, 2, 0)] == ["1 stamp", "2 stamps", "0 stamps"]
    assert quantity(1, Unit.CHOPS) == "1 chop" and quantity(3, Unit.VISITS) == "3 visits"
    assert Operation.parse("accrue", ["1"]).describe() == "Add 1 point"


@pytest.mark.usefixtures("russian")
def test_amount_errors_are_whole_russian_sentences() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount("abc")
    assert info.value.message == "Сумма: «abc» — не число."
    with pytest.raises(InvalidAmount) as info:
        parse_amount("-5")
    assert info.value.message == "Сумма: значение не может быть отрицательным."
    with pytest.raises(InvalidAmount) as info:
        Operation.parse("purchase-spend", ["100", "0"])
    assert info.value.message == "Сумма списания: значение должно быть больше нуля."
    with pytest.raises(InvalidAmount) as info:
        parse_count("x", what="Stamps")
    assert str(info.value) == "Штампы: «x» — не целое число. Введите только цифры."


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("typed", ["1 234,50", "1,234.50", "1\u00a0234.50", "1234,5"])
def test_amounts_are_read_either_way_in_both_languages(language: str, typed: str) -> None:
    i18n.set_language(language)
    assert parse_amount(typed) == Decimal("1234.50")


@pytest.mark.usefixtures("russian")
def test_checks_speak_russian() -> None:
    assert why_not(OpName.STAMP, None) == "Сначала отсканируйте карту."
    gift = _card(kind=CardKind.GIFT, stamps=None)
    assert why_not(OpName.STAMP, gift) == "Подарочный сертификат Demo не поддерживает штампы."
    blocked = _card(status=CardStatus.BLOCKED)
    assert why_not(OpName.STAMP, blocked) == (
        "Статус карты — «заблокирована»: операция «начислить штампы» невозможна.")
    full = _card(kind=CardKind.SUBSCRIPTION, stamps=Stamps(9, 10), operations=(OpName.STAMP,))
    with pytest.raises(Refused) as info:
        check_fits(Operation.parse("stamp", ["2"]), full)
    assert info.value.message == (
        "Максимум в абонементе — 10 посещений, сейчас — 9; можно начислить ещё не больше чем "
        "1 посещение.")


@pytest.mark.usefixtures("russian")
def test_outcome_rows_and_effect_labels_are_russian() -> None:
    rows = outcome_rows({"to_pay": "900", "discount": "100"})
    assert rows == [("К оплате", "900,00\u00a0₽"), ("Скидка", "100,00\u00a0₽")]
    assert EFFECT_LABELS["stamps_given"] == "Начислено штампов"
    assert dict(KIND_LABELS.items())[CardKind.COUPON] == "Купон"
    assert BASE_URL.label == "Адрес (базовый URL)"


def test_label_tables_follow_the_language_chosen_after_import() -> None:
    assert LABELS[OpName.STAMP] == "Add stamps" and LABELS.source(OpName.STAMP) == "Add stamps"
    i18n.set_language("ru")
    assert LABELS[OpName.STAMP] == "Начислить штампы"
    assert LABELS.source(OpName.STAMP) == "Add stamps"


@pytest.mark.usefixtures("russian")
def test_settings_errors_are_russian_and_keep_table_and_key_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        check_schema(tmp_path / "settings.toml", {"shop": {"nmae": "Кофейня"}})
    text = str(info.value)
    assert text.startswith("Ошибки в файле настроек ")
    assert "в [shop] есть nmae, неизвестный приложению (может быть, name?)" in text
    assert "ничего не отправлено" in text


def test_checks_name_services_by_their_titles() -> None:
    from pos_app.core.checks import rounding_note

    gift = _card(service="cpextender", kind=CardKind.GIFT, stamps=None)
    assert why_not(OpName.STAMP, gift) == "A CP Extender gift certificate cannot collect stamps."
    assert rounding_note(Decimal("10.5"), Decimal("10"), "vmob").startswith("vmob takes whole")
