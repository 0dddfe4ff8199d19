"""The cashier window in Russian with roubles: its words, plurals, money and dates, and no
English left on it in its main states. Against the sandbox over HTTP, as a cashier drives it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from english_left import english_left

from pos_app.core.cards import Card, CardKind, CardStatus, Stamps
from pos_app.core.operations import OpName
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.qt.card_panel import CardPanel, marks_text
from pos_app.qt.entry_panel import date_text, parse_date

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("russian")]

#: Money as Russian writes it: "1 234,50 ₽" (the space may be a no-break one).
ROUBLES = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})*,\d{2}[ \u00a0]₽$")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def card(kind: CardKind = CardKind.STAMPS, **values: Any) -> Card:
    return Card(service="luna", code="931520-641-829", card_id="c1", kind=kind,
                status=CardStatus.ACTIVE, **values)


def service_data(w: Any) -> list[str]:
    """What the service sent about the card shown: names and values, not the app's words."""
    c = w.card
    if c is None:
        return []
    return [c.code, c.holder.name if c.holder else "", c.template or "", c.level or "",
            w.controller.card_name(c), *(v for _label, v in c.facts)]


def no_english(w: Any) -> None:
    left = english_left(w, data=service_data(w), skip=[w.demo])
    assert not left, "\n".join(left)


def test_a_scanned_stamp_card_reads_in_russian(drive: Any) -> None:
    w = drive.w
    assert w.windowTitle() == "pos-app — касса"
    assert w.lookup_button.text() == "Найти\nEnter"
    assert w.card_panel.empty.text() == "Отсканируйте карту или введите её номер и нажмите Enter."
    no_english(w)
    drive.scan(LUNA["stamps"])
    assert w.status.text().startswith("Карта прочитана: Luna")
    assert w.card_panel.stamps_note.text() == "5 из 10 штампов  ·  всего 25"
    assert w.card_panel.rewards.text() == "1 награда доступна"
    buttons = [b for b in w.ops_panel.buttons.values() if b.isVisible()]
    assert buttons
    for button in buttons:
        *label, key = button.text().split("\n")
        assert CYRILLIC.search(" ".join(label)) and key.startswith("F"), button.text()
    no_english(w)


def test_a_purchase_with_spending_is_confirmed_and_done_in_russian_with_roubles(
        drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])
    drive.start(OpName.PURCHASE_SPEND, "1234,50")
    drive.qtbot.waitUntil(lambda: bool(w.entry.edits[1].text()), timeout=5000)
    assert w.entry.edits[1].text() == "350,00"  # prefilled as a Russian types it
    assert w.entry.ok_button.text() == "Далее  (Enter)"
    assert "На карте: 350 баллов" in w.entry.hint.text()
    assert "К оплате: 884,50 ₽" in w.entry.hint.text().replace("\u00a0", " ")
    no_english(w)
    drive.key(drive.Key.Key_Return, w.entry.edits[1])
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=5000)
    assert w.confirm_panel.heading.text() == "Уточните у клиента"
    assert w.confirm_panel.confirm_button.text() == "Подтвердить  (Enter)"
    no_english(w)
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000) as blocker:
        drive.key(drive.Key.Key_Return, w.confirm_panel.confirm_button)
    assert blocker.args[0].ok
    drive.idle()
    assert w.banner.title.text().startswith("Выполнено: ")
    assert w.banner.to_pay_label.text() == "К оплате"
    assert ROUBLES.match(w.banner.to_pay.text()), w.banner.to_pay.text()
    assert w.status.text() == "Выполнено."
    no_english(w)


def test_a_refused_card_and_an_operation_it_cannot_do_are_said_in_russian(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["foreign"])
    assert w.banner.title.text() == "Карта не прочитана"
    assert w.status.text() == "Отсканируйте карту ещё раз или введите её код."
    no_english(w)
    drive.scan(LUNA["stamps"])
    drive.key(drive.Key.Key_F2, w)  # no spending on a stamp card
    assert w.banner.title.text().endswith(": невозможно")
    no_english(w)


def test_the_expiry_date_is_typed_as_russians_write_it(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["stamps"])
    drive.key(drive.Key.Key_F10, w)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.entry, timeout=5000)
    label = w.entry.form.labelForField(w.entry.edits[0]).text()
    assert label == "Новый срок действия (ДД.ММ.ГГГГ)"
    year = dt.date.today() + dt.timedelta(days=365)
    assert w.entry.edits[0].text() == year.strftime("%d.%m.%Y")
    no_english(w)
    drive.key(drive.Key.Key_Escape, w.entry.edits[0])
    result = drive.operation(OpName.SET_EXPIRY, "31.12.2031", confirm=False)
    assert result.ok and result.operation.expiry == dt.date(2031, 12, 31)
    drive.idle()
    assert w.card_panel.expires.text() == "Действует до 31.12.2031"


def test_dates_typed_in_iso_or_the_russian_short_form() -> None:
    assert parse_date("2031-12-31") == dt.date(2031, 12, 31)
    assert parse_date(" 31.12.2031 ") == dt.date(2031, 12, 31)
    assert parse_date("1.2.2031") == dt.date(2031, 2, 1)
    for junk in ("31.12.31", "32.12.2031", "31 дек 2031", "", "31.12"):
        assert parse_date(junk) is None, junk
    assert date_text(dt.date(2031, 2, 1)) == "01.02.2031"


@pytest.mark.parametrize(("current", "maximum", "total", "words"), [
    (1, 0, None, "1 штамп"),
    (3, 0, None, "3 штампа"),
    (5, 0, None, "5 штампов"),
    (11, 0, None, "11 штампов"),
    (21, 0, None, "21 штамп"),
    (0, 1, None, "0 из 1 штампа"),
    (3, 10, None, "3 из 10 штампов"),
    (2, 21, 1234, "2 из 21 штампа  ·  всего 1 234"),
])
def test_stamp_counts_take_the_russian_plural(current: int, maximum: int, total: int | None,
                                              words: str) -> None:
    text = marks_text(card(stamps=Stamps(current, maximum)), current, maximum, total)
    assert text.replace("\u00a0", " ") == words


def test_visits_left_and_rewards_take_the_russian_plural(qtbot: Any) -> None:
    visits = card(CardKind.SUBSCRIPTION, stamps=Stamps(2, 10))
    assert marks_text(visits, 2, 10, None) == "Осталось 2 из 10 посещений"
    assert marks_text(visits, 1, 0, None) == "Осталось 1 посещение"
    assert marks_text(visits, 4, 0, None) == "Осталось 4 посещения"
    panel = CardPanel()
    qtbot.addWidget(panel)
    for count, words in ((1, "1 награда доступна"), (3, "3 награды доступны"),
                         (5, "5 наград доступно")):
        panel.set_card(card(stamps=Stamps(1, 10), rewards=count))
        assert panel.rewards.text() == words


def test_money_dates_and_days_left_on_the_card_panel(qtbot: Any) -> None:
    panel = CardPanel()
    qtbot.addWidget(panel)
    soon = dt.date.today() + dt.timedelta(days=2)
    panel.set_card(card(CardKind.POINTS, balance=Decimal("1234.50"), expires=soon,
                        total_spent=Decimal("15300"), level="Silver"))
    assert panel.expires.text() == f"Действует до {soon:%d.%m.%Y} (осталось 2 дня)"
    details = panel.details.text().replace("\u00a0", " ").replace("\u202f", " ")
    assert "Уровень: Silver" in details and "Сумма покупок: 15 300,00 ₽" in details
    panel.set_card(card(CardKind.POINTS, balance=Decimal(1), expires=dt.date(2020, 1, 31)))
    assert panel.expires.text() == "Срок действия истёк 31.01.2020"
