"""Issue 14: slips a new cashier found at 1024x768, keyboard only; each driven as it was found.

The window is the real one on the sandbox over HTTP; a keyboard scanner is the wedge filter
fed with real key events (fast: a few ms a key), a person types at 40-200 ms a key.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.core.operations import Operation, OpName
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.luna.seed import DEMO_PHONE
from pos_app.qt.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def burst(widget: QWidget, text: str, enter: bool = True) -> None:
    """A keyboard scanner: the whole code at machine speed, then Enter."""
    QTest.keyClicks(widget, text)
    if enter:
        QTest.keyClick(widget, K.Key_Return)


def typed(widget: QWidget, text: str, ms: int) -> None:
    """A person typing fast: ``ms`` between keys, then Enter as fast."""
    for ch in text:
        QTest.keyClick(widget, ch)
        QTest.qWait(ms)
    QTest.keyClick(widget, K.Key_Return)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


@pytest.fixture
def scanning(window: MainWindow) -> Iterator[Any]:
    from pos_app.qt.app import install_scanners

    handle = install_scanners(QApplication.instance(), window)  # type: ignore[arg-type]
    yield handle
    handle.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def luna_only(isolated_dirs: Path, qapp: Any, qtbot: Any) -> Iterator[Any]:
    """The window with Luna alone configured, on a Luna sandbox; and a scanner."""
    from pos_app.core.sandbox.server import SandboxServer
    from pos_app.core.services.luna.sandbox import LunaApp
    from pos_app.qt.app import create_window, install_scanners

    app = LunaApp()
    server = SandboxServer(app, seed=1).start()
    (isolated_dirs / "settings.toml").write_text(
        f'[luna]\nbase_url = "{server.url}"\ntoken = "{app.token}"\n', encoding="utf-8")
    win = create_window(size=(1024, 768))
    win.show()
    win.activateWindow()
    win.start()
    qtbot.waitUntil(lambda: win.controller.ready, timeout=15000)
    handle = install_scanners(qapp, win)
    handle.configure(win.controller.info.settings)
    yield win, server
    handle.stop()
    win.close()
    win.deleteLater()
    server.stop()


# -- 1. an unclaimed scan ends the previous card -----------------------------------------------


def test_1_a_code_no_service_claims_ends_the_previous_card(luna_only: Any, qtbot: Any) -> None:
    w, server = luna_only
    with qtbot.waitSignal(w.card_shown, timeout=10000):
        burst(w.code, LUNA["stamps"])
    assert w.card is not None and w.card.code == LUNA["stamps"]
    burst(w.code, "HELLO-WORLD-42")  # Luna does not claim it; nothing else is configured
    qtbot.waitUntil(lambda: w.card is None, timeout=3000)
    assert w.banner.tone == "error" and "Card not read" in w.banner.summary()
    sent = len(server.app.ledger)
    QTest.keyClick(w, K.Key_F5)  # add a stamp: to nobody
    qtbot.wait(300)
    assert len(server.app.ledger) == sent
    assert w.actions.currentWidget() is w.ops_panel and w.card_panel.card is None


# -- 2. a refused spend puts the cursor in the spend -------------------------------------------


def test_2_a_refused_spend_puts_the_cursor_in_the_spend(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])  # 350.00, up to 30 % of a purchase
    drive.start(OpName.PURCHASE_SPEND, "500", "200")  # 200 > 150 allowed
    drive.qtbot.waitUntil(w.entry.error.isVisible, timeout=10000)
    spend, purchase = w.entry.edits[1], w.entry.edits[0]
    assert spend.hasFocus() and spend.selectedText() == spend.text() == "200"
    drive.type("100")
    assert purchase.text() == "500" and spend.text() == "100"
    # Everything fits: neither field is covered, "On the card" is whole.
    frame = w.action_frame.rect()
    boxes = [QRect(e.mapTo(w.action_frame, e.rect().topLeft()), e.size()) for e in
             (purchase, spend, w.entry.hint, w.entry.error)]
    for box in boxes:
        assert frame.contains(box), box
    assert not boxes[0].intersects(boxes[1]) and not boxes[1].intersects(boxes[2])
    hint = w.entry.hint
    assert hint.height() >= hint.heightForWidth(hint.width()), "the hint is cut"


# -- 3. a result stays until the next card or Esc ----------------------------------------------


def test_3_an_extra_enter_keeps_the_result_and_the_journal_shows_it(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["discount"])  # 5 %
    requests = len(drive.server("loona").requests)
    drive.operation(OpName.PURCHASE, "1000")
    assert w.banner.to_pay.text() == "950.00"
    drive.key(K.Key_Return, w.code)  # one Enter too many
    drive.idle()
    assert w.banner.isVisible() and w.banner.to_pay.text() == "950.00"
    assert len(drive.server("loona").requests) == requests + 2  # the purchase and its re-read
    drive.qtbot.waitUntil(lambda: bool(w.journal.rows()))
    assert "To pay 950.00" in w.journal.rows()[0][3]
    assert "Discount 50.00" in w.journal.rows()[0][3]
    drive.key(K.Key_Escape)
    assert not w.banner.isVisible()

    drive.scan(LOONA["bonus_dynamic"])  # its QR changes after every operation
    drive.operation(OpName.PURCHASE, "40")
    assert w.card.code != LOONA["bonus_dynamic"] and w.code.text() == w.card.code
    drive.key(K.Key_Return, w.code)
    drive.idle()
    assert w.banner.tone == "ok" and w.card is not None


# -- 4. fast typing in a field is typing -------------------------------------------------------


def test_4_fast_typing_into_an_amount_or_a_date_is_typing(drive: Any, scanning: Any) -> None:
    w = drive.w
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        burst(w.code, LOONA["bonus"])
    card = w.card
    drive.key(K.Key_F1, w)
    amount = w.entry.edits[0]
    drive.qtbot.waitUntil(amount.hasFocus)
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000) as shown:
        typed(amount, "1500", 45)
    result = shown.args[0]
    assert result is not None and result.operation.amount == Decimal("1500.00")
    assert w.card is not None and w.card.card_id == card.card_id

    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        burst(w.code, LUNA["stamps"])
    drive.key(K.Key_F10, w)
    date = w.entry.edits[0]
    drive.qtbot.waitUntil(date.hasFocus)
    date.selectAll()
    typed(date, "2031-05-31", 40)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is not w.entry
                          or w.entry.error.isVisible(), timeout=10000)
    assert w.card is not None and w.card.code == LUNA["stamps"]
    drive.idle()  # (the banner writes the date as English writes it)
    assert w.banner.tone == "ok" and "May 31, 2031" in w.banner.summary()

    # A scanner in the same field still opens the scanned card.
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        burst(w.code, LOONA["bonus"])
    drive.key(K.Key_F1, w)
    amount = w.entry.edits[0]
    drive.qtbot.waitUntil(amount.hasFocus)
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        burst(amount, LUNA["cashback"])
    assert shown.args[0].code == LUNA["cashback"] and amount.text() == ""


def test_4_the_shortest_code_in_a_field_follows_the_services_or_the_setting(
        drive: Any, scanning: Any) -> None:
    assert scanning.shortest_code() == 5  # Luna 14, Loona 5 on the sandbox
    scanning.configure({"wedge_field_min_length": 20})
    assert scanning.shortest_code() == 20


# -- 5. Find customer: typing edits the query --------------------------------------------------


def test_5_find_customer_typing_always_edits_the_query(drive: Any) -> None:
    w = drive.w
    drive.key(K.Key_F, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    drive.qtbot.waitUntil(dialog.query.hasFocus)
    drive.type(DEMO_PHONE)
    drive.key(K.Key_Return)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    first = list(dialog.refs)
    dialog.query.selectAll()
    drive.type("+7 912 555 01 23")  # another customer, typed where the cursor is
    assert dialog.query.text() == "+7 912 555 01 23"
    drive.key(K.Key_Return)  # searches: does not open the previous search's first card
    drive.qtbot.waitUntil(lambda: bool(dialog.refs) and dialog.refs != first, timeout=10000)
    assert dialog.isVisible() and w.card is None
    drive.key(K.Key_Down)
    chosen = dialog.refs[1]
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        drive.key(K.Key_Return)
    assert shown.args[0].code == chosen.code


# -- 6. a scan while a dialog is open ----------------------------------------------------------


def test_6_a_scan_while_a_dialog_is_open_opens_the_card_in_front(drive: Any,
                                                                  scanning: Any) -> None:
    w = drive.w
    # Find customer takes a scan that could be a phone or an email as its query...
    drive.key(K.Key_F, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    drive.qtbot.waitUntil(dialog.query.hasFocus)
    burst(dialog.query, LOONA["chop"], enter=False)
    drive.qtbot.waitUntil(lambda: dialog.query.text() == LOONA["chop"], timeout=3000)
    assert dialog.isVisible() and w.card is None, "no card opens behind the dialog"
    # ... and one that cannot be closes the dialog: the card opens in front; so do the others.
    for key, code in ((None, "https://wallet.example/c/" + LUNA["stamps"]),
                      (K.Key_N, LOONA["chop"]), (K.Key_Comma, LOONA["gift"])):
        if key is not None:
            drive.key(key, w, CTRL)
            drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
            dialog = w._dialogs[-1]
            drive.qtbot.wait(50)
        target = focused()
        if hasattr(target, "clear"):
            target.clear()
        with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
            burst(target, code)
        assert shown.args[0].service == ("luna" if "wallet" in code else "loona")
        drive.qtbot.waitUntil(lambda d=dialog: d not in w._dialogs, timeout=3000)


# -- 7. the window fits the screen with its title bar ------------------------------------------


def test_7_the_window_and_its_status_bar_fit_1024x768_with_a_title_bar(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])
    drive.start(OpName.PURCHASE_SPEND, "500", "200")
    drive.qtbot.waitUntil(w.entry.error.isVisible, timeout=10000)
    assert w.minimumSizeHint().height() + 30 <= 768, "the tallest state needs a taller screen"
    from pos_app.qt.app import fit_to_screen

    screen = QRect(0, 0, 1024, 768)
    for title in (0, 30):
        fit_to_screen(w, screen, (0, title))
        assert w.height() + title <= 768 and w.width() <= 1024
    bar = w.statusBar()
    assert w.rect().contains(QRect(bar.mapTo(w, bar.rect().topLeft()), bar.size()))


# -- 8./9. the services' health ----------------------------------------------------------------


@pytest.fixture
def luna_down(isolated_dirs: Path, qapp: Any, qtbot: Any, monkeypatch: Any) -> Iterator[Any]:
    """The window with Luna configured on a port where nothing answers (yet)."""
    from pos_app.qt import controller as controller_module
    from pos_app.qt.app import create_window, install_scanners

    monkeypatch.setattr(controller_module, "HEALTH_FIRST_MS", 200, raising=False)
    port = _free_port()
    (isolated_dirs / "settings.toml").write_text(
        f'[luna]\nbase_url = "http://127.0.0.1:{port}/api/v1"\ntoken = "sandbox-token"\n',
        encoding="utf-8")
    win = create_window(size=(1024, 768))
    win.show()
    win.start()
    qtbot.waitUntil(lambda: win.controller.ready, timeout=15000)
    handle = install_scanners(qapp, win)
    handle.configure(win.controller.info.settings)
    yield win, port, handle
    handle.stop()
    win.close()
    win.deleteLater()


def test_8_health_is_checked_at_start_and_again_until_the_service_is_back(
        luna_down: Any, qtbot: Any) -> None:
    from pos_app.core.sandbox.server import SandboxServer
    from pos_app.core.services.luna.sandbox import LunaApp

    w, port, _ = luna_down
    qtbot.waitUntil(lambda: "not answering" in w.status.text(), timeout=10000)
    assert "Ready" not in w.status.text() and "Luna" in w.status.text()
    assert "not answering: Luna" in w.services_label.text()
    app = LunaApp()
    app.token = "sandbox-token"
    server = SandboxServer(app, port=port).start()
    try:
        qtbot.waitUntil(lambda: "not answering" not in w.services_label.text(), timeout=10000)
        assert w.status.text().startswith("Ready")
        with qtbot.waitSignal(w.card_shown, timeout=10000):
            w.scan(LUNA["stamps"])
    finally:
        server.stop()


def test_9_a_good_read_with_the_service_down_is_said_once(luna_down: Any, qtbot: Any) -> None:
    w, _, handle = luna_down
    with qtbot.waitSignal(w.controller.lookup_failed, timeout=15000):
        burst(w.code, LUNA["stamps"])
    assert handle.feedback.last_sound == "beep:good"
    flash = handle.feedback.flash_widget
    assert flash is None or not flash.isVisible(), "green 'good read' beside the message"
    assert w.banner.tone == "warn" and "Card not read" not in w.banner.summary()
    assert "Luna is not answering" in w.banner.summary()
    assert not handle.feedback.flash_widget.label.isVisible()


# -- 10./11. every key says why not; names from the service ------------------------------------


def test_10_every_function_key_acts_or_says_why_not(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["coupon"])
    drive.key(K.Key_F9, w)
    assert w.banner.isVisible() and "cannot be redeemed from the till" in w.banner.summary()
    drive.scan(LOONA["coupon_new"])
    sent = len(drive.ledger("loona"))
    drive.key(K.Key_F9, w)
    assert "activate it first (F8)" in w.banner.summary()
    assert len(drive.ledger("loona")) == sent


def test_11_the_coupon_is_named_on_the_card_and_in_the_confirmation(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["coupon_active"])
    drive.qtbot.waitUntil(lambda: "Free coffee coupon" in w.card_panel.details.text(),
                          timeout=5000)
    drive.start(OpName.COUPON_REDEEM)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    assert w.confirm_panel.what.text() == "Redeem coupon “Free coffee coupon”?"


# -- 12. units follow the card -----------------------------------------------------------------


def test_12_units_follow_the_card(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["certificate"])
    drive.start(OpName.ACCRUE)
    assert "balance" in w.entry.form.labelForField(w.entry.edits[0]).text().lower()
    drive.key(K.Key_Escape)
    result = drive.operation(OpName.ACCRUE, "30")
    summary = w.banner.summary()
    assert "Add 30.00 to the balance" in summary and "Points" not in summary

    drive.scan(LUNA["subscription"])
    assert w.ops_panel.buttons[OpName.STAMP].text() == "Add visits\nF5"
    drive.operation(OpName.STAMP, "1")
    assert "Add 1 visit" in w.banner.summary() and "stamp" not in w.banner.summary().lower()

    drive.scan(LUNA["cashback"])
    drive.start(OpName.SPEND, "100")
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    assert w.confirm_panel.what.text() == "Pay 100 points from the card?"
    drive.key(K.Key_Escape)
    drive.key(K.Key_Escape)

    drive.scan(LOONA["chop"])
    assert w.ops_panel.buttons[OpName.STAMP].text() == "Add chops\nF5"
    result = drive.operation(OpName.STAMP, "1")
    assert result.ok and "Add 1 chop" in w.banner.summary()
    assert "chops" in w.card_panel.stamps_note.text()


# -- 13. whole sums said before sending; Loona's history is this till's ------------------------


def test_13_a_rounded_sum_is_said_before_sending_and_loona_history_is_the_journal(
        drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["discount"])
    sent = len(drive.ledger("luna"))
    drive.start(OpName.PURCHASE)
    drive.type("199.99", w.entry.edits[0])
    assert "200.00 is recorded" in w.entry.hint.text()
    drive.key(K.Key_Return)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    assert "200.00 is recorded" in w.confirm_panel.reasons.text()
    assert len(drive.ledger("luna")) == sent, "nothing sent before the cashier confirms"
    drive.key(K.Key_Escape)
    drive.key(K.Key_Escape)

    drive.scan(LOONA["bonus"])
    for _ in range(3):
        drive.operation(OpName.PURCHASE, "100")
    drive.key(K.Key_H, w, Qt.KeyboardModifier.AltModifier)
    drive.qtbot.waitUntil(lambda: len(w.history.rows()) == 3, timeout=10000)
    assert "this till's operations" in w.history.caption.text()
    assert all("Purchase of 100.00" in row[2] and "To pay 100.00" in row[2]
               for row in w.history.rows())


# -- 14. adding a lot is confirmed; a plain spend says the card's rule -------------------------


def test_14_adding_a_lot_is_confirmed_and_a_plain_spend_says_the_rule(drive: Any) -> None:
    w = drive.w
    for code, value in ((LUNA["stamps"], "25"), (LUNA["certificate"], "300")):
        drive.scan(code)
        sent = len(drive.ledger("luna"))
        drive.start(OpName.STAMP if code == LUNA["stamps"] else OpName.ACCRUE, value)
        drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel,
                              timeout=10000)
        assert "at once is more than" in w.confirm_panel.reasons.text()
        assert len(drive.ledger("luna")) == sent
        drive.key(K.Key_Escape)
        drive.key(K.Key_Escape)
    drive.scan(LOONA["bonus"])  # up to 30 % of a purchase
    drive.start(OpName.SPEND)
    assert "up to 30% of a purchase" in w.entry.hint.text()
    drive.type("50", w.entry.edits[0])
    drive.key(K.Key_Return)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    assert "up to 30% of a purchase" in w.confirm_panel.reasons.text()


# -- 15. enrolment says what happened ----------------------------------------------------------


def test_15_enrolment_says_to_whom_the_card_went_with_its_code_and_qr(drive: Any) -> None:
    w = drive.w
    for attempt in range(2):
        drive.key(K.Key_N, w, CTRL)
        drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
        dialog = w._dialogs[-1]
        drive.qtbot.waitUntil(lambda d=dialog: bool(d.templates), timeout=10000)
        drive.type("Vera", dialog.first)
        drive.type("Lind", dialog.last)
        drive.type("+7 900 111 22 33", dialog.phone)
        index = next(i for i, t in enumerate(dialog.templates)
                     if (t.service, t.id) == ("loona", "14"))
        dialog.template.setCurrentIndex(index)
        with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
            drive.key(K.Key_Return, dialog.first)
        card = shown.args[0]
        summary = w.banner.summary()
        assert "Card issued to Vera Lind" in summary and card.code in summary
        assert w.banner.qr.isVisible() and not w.banner.qr.pixmap().isNull()
        if attempt == 1:
            assert "already had" in summary



def test_15_a_card_the_customer_already_has_is_not_said_issued(drive: Any) -> None:
    from pos_app.core.services.luna.seed import DEMO_PHONE, DEMO_TEMPLATES

    w = drive.w
    drive.key(K.Key_N, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    drive.qtbot.waitUntil(lambda: bool(dialog.templates), timeout=10000)
    dialog.first.setText("Михаил")
    dialog.last.setText("Жуков")
    drive.type(DEMO_PHONE, dialog.phone)
    index = next(i for i, t in enumerate(dialog.templates)
                 if (t.service, t.id) == ("luna", str(DEMO_TEMPLATES["stamps"])))
    dialog.template.setCurrentIndex(index)
    passes = len(drive.server("luna").app.db["passes"])
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        drive.key(K.Key_Return, dialog.phone)
    card = shown.args[0]
    assert len(drive.server("luna").app.db["passes"]) == passes  # Luna gave back its card
    summary = w.banner.summary()
    assert "already has this card" in summary and "Card issued" not in summary
    assert "no new card was issued" in summary and card.code in summary

# -- 16. everything fits at 1024x768 -----------------------------------------------------------


@pytest.fixture(params=["en", "ru"])
def language(request: pytest.FixtureRequest) -> str:
    """The window's language (asked for before the window, so that it starts in it)."""
    if request.param == "ru":
        request.getfixturevalue("russian")
    return str(request.param)


@pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) ", "PulseAudioService", "propagateSizeHints",
                           "FFmpeg")
def test_16_dialogs_and_lists_fit_at_1024x768(language: str, drive: Any) -> None:
    from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QPushButton

    w = drive.w
    drive.scan(LUNA["cashback"])
    drive.operation(OpName.PURCHASE, "1234.50")
    w.tabs.setCurrentWidget(w.journal)
    drive.qtbot.waitUntil(lambda: bool(w.journal.rows()))
    tree = w.journal.tree
    names = [tree.headerItem().text(i) for i in range(tree.columnCount())]
    for column in range(tree.columnCount()):
        right = tree.columnViewportPosition(column) + tree.columnWidth(column)
        assert right <= tree.viewport().width(), f"the journal's {names[column]} is off-screen"
    grouped = re.compile(r"\d \d{3}")
    for label in w.findChildren(QLabel):
        if label.isVisible() and grouped.search(label.text()) and "\n" not in label.text():
            assert label.height() < 2 * label.fontMetrics().lineSpacing(), \
                f"{label.text()!r} wraps"

    drive.key(K.Key_Comma, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    other = dialog.display.language.findData("en" if language == "ru" else "ru")
    dialog.display.language.setCurrentIndex(other)  # the restart note is shown too
    dialog.resize(min(dialog.width(), 1024), min(dialog.height(), 740))
    drive.qtbot.wait(50)
    drive.qtbot.waitUntil(dialog.keyring.isVisible, timeout=5000)
    drive.qtbot.wait(100)
    for button in dialog.findChildren(QPushButton):
        if button.isVisible():
            metrics = button.fontMetrics()
            assert metrics.horizontalAdvance(button.text()) <= button.contentsRect().width(), \
                button.text()
            box = button.parentWidget()
            inside = QRect(button.mapTo(box, button.rect().topLeft()), button.size())
            assert box.rect().contains(inside), f"{button.text()!r} is clipped"
    from pos_app.qt.scanning.inputs_settings import ScannerSettingsDialog

    dialog.open_scanners()
    drive.qtbot.waitUntil(lambda: dialog.findChild(ScannerSettingsDialog) is not None)
    scanners = dialog.findChild(ScannerSettingsDialog)
    drive.qtbot.waitUntil(scanners.isVisible)
    drive.qtbot.wait(50)
    assert scanners.width() <= 1024 and scanners.height() <= 740
    for area in scanners.findChildren(QAbstractScrollArea):
        if area.isVisible():
            assert not area.horizontalScrollBar().isVisible(), "scrolls sideways"
    scanners.close()


# -- 17. both stamp directions are checked before sending --------------------------------------


def test_17_stamps_past_a_subscriptions_maximum_are_refused_in_the_field(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["subscription"])  # 6 of 10 visits
    sent = len(drive.ledger("luna"))
    for op, value in ((OpName.STAMP, "5"), (OpName.UNSTAMP, "7")):
        drive.start(op, value)
        drive.qtbot.waitUntil(w.entry.error.isVisible, timeout=5000)
        assert w.actions.currentWidget() is w.entry and w.entry.edits[0].hasFocus()
        assert not w.banner.isVisible()
        drive.key(K.Key_Escape)
    assert len(drive.ledger("luna")) == sent
    assert drive.counter.journal.entries() == []


def test_checks_of_the_core_name_units_and_reasons() -> None:
    from pos_app.core.cards import Card, CardKind, CardStatus, Stamps
    from pos_app.core.checks import confirm_reasons, recorded_sum, why_not

    gift = Card("luna", "1", "1", CardKind.GIFT, CardStatus.ACTIVE, balance=Decimal(10),
                balance_unit="money", operations=(OpName.SPEND,))
    assert recorded_sum(Decimal("199.99"), Decimal(1)) == Decimal(200)
    assert recorded_sum(Decimal("199.99"), None) == Decimal("199.99")
    assert confirm_reasons(Operation(OpName.ACCRUE, count=100), gift) == []
    assert confirm_reasons(Operation(OpName.ACCRUE, count=101), gift)
    sub = Card("luna", "2", "2", CardKind.SUBSCRIPTION, CardStatus.ACTIVE,
               stamps=Stamps(10, 10))
    assert "full" in why_not(OpName.STAMP, sub)
