"""The dialogs and lists of the window in Russian (issue 15): the settings, enrolment and
customer lookup dialogs, the journal, the card's history and the shift tab speak Russian, with
Russian plurals and dates, and Qt's own standard buttons come from Qt's Russian translation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel

from pos_app.core import formatting
from pos_app.core.backends.base import HistoryRow
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.journal import Entry, State
from pos_app.core.services.luna.seed import DEMO_PHONE
from pos_app.core.settings import load_settings
from pos_app.qt.controller import Controller

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
#: A day that is not today: lists show its date.
PAST = "2026-01-02T10:11:12+00:00"


def _entry(number: int, state: State, created: str = PAST) -> Entry:
    return Entry(id=number, created=created, updated=created, service="luna", card="5011",
                 card_id="c-1", operation="accrue", args=["5"], key=f"k{number}", state=state,
                 before={"kind": "points"})


def test_qt_standard_buttons_come_out_in_russian(russian: None, qapp: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pos_app.qt.app import install_language

    try:
        assert install_language(qapp) == "ru"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Save)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Отмена"
        assert box.button(QDialogButtonBox.StandardButton.Save).text() == "Сохранить"
        box.deleteLater()
        # Qt 6's file dialog asks for words qtbase_ru has only in their Qt 5 form.
        files = QFileDialog()
        files.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        labels = {label.text() for label in files.findChildren(QLabel)}
        assert {"&Перейти к:", "&Типы файлов:", "&Имя файла:"} <= labels, labels
        files.deleteLater()
    finally:
        monkeypatch.setenv("POS_APP_LANGUAGE", "en")
        assert install_language(qapp) == "en"  # Qt's translation taken down again
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    box.deleteLater()


@pytest.fixture
def controller(qapp: Any, qtbot: Any) -> Iterator[Controller]:
    made = Controller()
    yield made
    qtbot.waitUntil(lambda: made.runner.pool.activeThreadCount() == 0, timeout=5000)


def test_the_settings_dialog_in_russian(russian: None, controller: Controller,
                                        qtbot: Any) -> None:
    from pos_app.qt.settings_dialog import SettingsDialog

    dialog = SettingsDialog(controller, load_settings())
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Настройки"
    assert dialog.save_button.text() == "Сохранить  (Ctrl+S)"
    assert "песочнице" in dialog.intro.text()
    assert dialog.display.language.itemText(0).startswith("Как в системе (Русский")
    assert dialog.display.currency.itemText(0) == "Как в системе"
    box = next(iter(dialog.boxes.values()))
    assert box.test_button.text() == "Проверить подключение"
    dialog.display.language.setCurrentIndex(dialog.display.language.findData("en"))
    # Said in English (the language chosen) and in Russian (the one on screen).
    assert "restarted" in dialog.display.note.text()
    assert "перезапуска" in dialog.display.note.text()
    dialog.display.currency.setEditText("XYZ")
    dialog.save()
    assert dialog.error.text().startswith("«XYZ» — не код валюты")


def test_the_enrol_dialog_in_russian(russian: None, drive: Any) -> None:
    from pos_app.qt.enrol import EnrolDialog

    w = drive.w
    drive.key(K.Key_N, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    assert isinstance(dialog, EnrolDialog)
    drive.qtbot.waitUntil(lambda: bool(dialog.templates), timeout=10000)
    assert dialog.windowTitle() == "Регистрация клиента"
    assert dialog.enrol_button.text() == "Зарегистрировать и выдать карту  (Enter)"
    assert dialog.cancel_button.text() == "Отмена  (Esc)"
    assert dialog.status.text() == "Нужны имя и фамилия и телефон или e-mail."  # Luna's
    assert dialog.phone.placeholderText().startswith("С кодом страны")
    dialog.first.setText("Анна")  # QTest types ASCII only
    dialog.last.setText("Жукова")
    drive.type("+7 912 000 11 22", dialog.phone)
    drive.key(K.Key_Return, dialog.phone)
    assert dialog.status.text().startswith("Регистрируем клиента Анна Жукова")
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs, timeout=10000)


def test_the_lookup_by_phone_in_russian_with_its_plural(russian: None, drive: Any) -> None:
    w = drive.w
    drive.key(K.Key_F, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    assert dialog.windowTitle() == "Поиск карты клиента"
    header = dialog.list.headerItem()
    assert [header.text(i) for i in range(3)] == ["Карта", "Вид и статус", "Владелец"]
    drive.type(DEMO_PHONE, dialog.query)
    drive.key(K.Key_Return, dialog.query)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    n = len(dialog.refs)
    word = ("Найдена {n} карта" if n % 10 == 1 and n % 100 != 11 else
            "Найдены {n} карты" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else
            "Найдено {n} карт").format(n=n)
    assert dialog.status.text().startswith(word + ". Вверх/вниз — выбрать")
    first = dialog.list.topLevelItem(0)
    assert first.text(0).split("\n") == [dialog.refs[0].code, "Luna"]
    assert first.text(1).split("\n")[1] in ("Действует", "Удалена из кошелька",
                                              "Не добавлена в кошелёк", "Заблокирована")
    drive.key(K.Key_Escape, dialog.list)
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)


def test_the_journal_in_russian_dates_states_and_plurals(russian: None, qtbot: Any) -> None:
    from pos_app.qt.journal_view import JournalView

    view = JournalView()
    qtbot.addWidget(view)
    today = dt.datetime.now(dt.UTC).isoformat()
    view.set_entries([_entry(3, State.UNKNOWN, today), _entry(2, State.UNKNOWN),
                      _entry(1, State.DONE)])
    header = view.tree.headerItem()
    assert [header.text(i) for i in range(3)] == ["Время", "Карта", "Операция"]
    rows = view.rows()
    assert re.fullmatch(r"\d{2}:\d{2}", rows[0][0])  # today: the time, 24-hour clock
    assert re.fullmatch(r"02\.01\.2026\n\d{2}:\d{2}", rows[2][0])  # another day: its date
    assert rows[2][0].split("\n")[1] == formatting.time(dt.datetime.fromisoformat(PAST))
    assert [row[1] for row in rows] == ["Неясно", "Неясно", "Готово"]
    assert view.open_label.text().startswith("Не завершены: 2 с неизвестным результатом")
    assert view.tree.topLevelItem(2).toolTip(0).startswith("Запись журнала №1, 02.01.2026")
    view.set_entries([])
    assert view.empty.text() == "На этом терминале ещё не было операций."


def test_the_history_in_russian_with_its_plural_and_dates(russian: None, qtbot: Any) -> None:
    from pos_app.qt.history_view import HistoryView

    view = HistoryView()
    qtbot.addWidget(view)
    card = Card("luna", "5011", "c-1", CardKind.POINTS, CardStatus.ACTIVE)
    view.set_card(card)
    assert view.caption.text() == "Отсканируйте карту, чтобы увидеть её историю."
    rows = [HistoryRow(dt.datetime(2026, 1, 2, 10, 11), "Начисление", "+5"),
            HistoryRow(dt.datetime(2026, 1, 3, 9, 0), "Списание", "-2"),
            HistoryRow(None, "Выпуск карты", "")]
    view.set_rows(card, rows)
    assert view.caption.text() == "История этой карты в Luna (3 записи)."
    assert [r[0] for r in view.rows()] == ["03.01.2026\n09:00", "02.01.2026\n10:11", "—"]
    view.set_rows(card, rows[:1])
    assert view.caption.text().endswith("(1 запись).")
    # A service that gives the day only (CP Extender): no made-up midnight.
    view.set_rows(card, [HistoryRow(dt.datetime(2026, 1, 2), "Sale", "+5 баллов",
                                    day_only=True)])
    assert [r[0] for r in view.rows()] == ["02.01.2026"]


def test_the_shift_tab_in_russian(russian: None, drive: Any, qtbot: Any) -> None:
    w = drive.w
    view = w.shift_view
    qtbot.waitUntil(lambda: w.shift.book is not None, timeout=5000)
    assert view.toggle_button.text() == "Открыть смену"
    assert view.status.text() == "Смена не открыта. Откройте её, когда начнёте работу."
    qtbot.mouseClick(view.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.toggle_button.text() == "Закрыть смену", timeout=5000)
    assert re.fullmatch(r"Смена №1 открыта с \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}\.",
                        view.status.text())
    assert view.print_button.text() == "Печать…"


def test_the_scanner_settings_in_russian(russian: None, qapp: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QGroupBox

    from pos_app.core.settings import Settings
    from pos_app.qt.scanning.inputs_settings import ScannerSettingsDialog

    dialog = ScannerSettingsDialog(Settings(load_settings().path))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Сканеры"
    titles = [box.title() for box in dialog.findChildren(QGroupBox)]
    assert titles == ["Сканер-клавиатура (USB или Bluetooth, режим клавиатуры)", "Камера",
                      "COM-сканер (COM-порт / режим USB serial)", "После считывания"]
    page = dialog.page
    assert page.wedge_gap.suffix() == " мс"
    page._wedge_read("TEST-1", "pause", 12, 40.4)
    assert page.wedge_test.text() == "Считано «TEST-1» (12 нажатий за 40 мс, конец: пауза)."
    page._wedge_read("TEST-1", "enter", 22, 30)
    assert "(22 нажатия за 30 мс, конец: Enter)" in page.wedge_test.text()



@pytest.mark.parametrize(("email", "kind", "statuses"), [
    ("eva.novak@example.com", "Участие в программе", {"На рассмотрении", "Действует"}),
    ("brian@example.com", "Карта с баллами", {"Клиент Counterpoint"}),
])
def test_the_lookup_by_email_says_kinds_and_states_as_the_card_does(
        russian: None, drive: Any, email: str, kind: str, statuses: set[str]) -> None:
    w = drive.w
    drive.key(K.Key_F, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    drive.type(email, dialog.query)
    drive.key(K.Key_Return, dialog.query)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    rows = [dialog.list.topLevelItem(i).text(1).split("\n")
            for i in range(dialog.list.topLevelItemCount())]
    assert {r[0] for r in rows} == {kind}
    assert {r[1] for r in rows} <= statuses, rows
    drive.key(K.Key_Escape, dialog.list)


def test_an_addition_done_in_part_in_russian(russian: None) -> None:
    from decimal import Decimal

    from pos_app.core.units import Unit
    from pos_app.qt.result_banner import partly_done

    assert partly_done(Decimal(5), Decimal(10), Unit.POINTS) == (
        "Выполнено частично: начислено 5 из 10 баллов.")
    assert partly_done(Decimal(0), Decimal(21), Unit.POINTS) == (
        "Выполнено частично: начислено 0 из 21 балла.")
