"""The window's flows around the operations: customers, refusals, hangs, double presses, junk,
the keyboard, the lists, settings, looks and faults. All against the sandbox over HTTP."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from pos_app.core.operations import Operation, OpName
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.services import names
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.luna.seed import DEMO_EMAIL, DEMO_PHONE
from pos_app.qt import theme

pytestmark = pytest.mark.gui

OFFSCREEN_DIALOG = pytest.mark.qt_log_ignore("propagateSizeHints")
K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def texts(widget: Any) -> str:
    """Every text the widget shows (labels, buttons, fields, list cells)."""
    from PySide6.QtWidgets import QTreeWidget

    parts = [w.text() for kind in (QLabel, QPushButton, QLineEdit)
             for w in widget.findChildren(kind) if w.isVisibleTo(widget)]
    trees = [widget] if isinstance(widget, QTreeWidget) else []
    for tree in trees + widget.findChildren(QTreeWidget):
        for i in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(i)
            parts += [item.text(c) for c in range(tree.columnCount())]
    return " | ".join(parts)


# -- customers ---------------------------------------------------------------------------------


@OFFSCREEN_DIALOG
def test_customer_lookup_by_phone_lists_cards_of_both_services(drive: Any) -> None:
    w = drive.w
    drive.key(K.Key_F, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    drive.qtbot.waitUntil(dialog.query.hasFocus)
    drive.type(DEMO_PHONE, dialog.query)
    drive.key(K.Key_Return, dialog.query)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    assert {ref.service for ref in dialog.refs} == {"luna", "loona"}
    shown = texts(dialog.list)
    assert "5011" in shown and "432-50" not in shown and "5554325011" not in shown
    index = next(i for i, ref in enumerate(dialog.refs) if ref.code == LUNA["cashback"])
    dialog.list.setCurrentItem(dialog.list.topLevelItem(index))
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        drive.key(K.Key_Return, dialog.list)
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)  # closed and deleted
    assert w.card.code == LUNA["cashback"] and w.card.balance is not None
    drive.qtbot.waitUntil(w.code.hasFocus)


@OFFSCREEN_DIALOG
def test_customer_lookup_by_email_and_plain_refusals(drive: Any) -> None:
    w = drive.w
    w.open_customer_lookup()
    dialog = w._dialogs[-1]
    requests = len(drive.server("luna").requests)
    drive.type("abc", dialog.query)
    drive.key(K.Key_Return, dialog.query)
    assert "phone number" in dialog.status.text() and len(drive.server("luna").requests) == \
        requests
    dialog.query.clear()
    drive.type(DEMO_EMAIL, dialog.query)
    drive.key(K.Key_Return, dialog.query)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    assert all(ref.service == "luna" for ref in dialog.refs) and len(dialog.refs) >= 10
    drive.key(K.Key_Escape, dialog.list)
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)


# -- refusals ----------------------------------------------------------------------------------


def test_a_refused_operation_is_said_and_changes_nothing(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["gift"])  # 1 000.00
    card = w.card
    sent = len(drive.ledger("loona"))
    journal = len(drive.counter.journal.entries())
    drive.start(OpName.SPEND, "5000")
    drive.qtbot.waitUntil(lambda: w.entry.error.isVisible(), timeout=10000)
    assert "1,000.00" in w.entry.error.text() and "nothing was sent" in w.entry.error.text()
    assert w.actions.currentWidget() is w.entry and w.entry.edits[0].hasFocus()
    drive.key(K.Key_Escape)
    assert w.actions.currentWidget() is w.ops_panel and w.code.hasFocus()
    assert len(drive.ledger("loona")) == sent
    assert len(drive.counter.journal.entries()) == journal
    assert w.card == card and w.card_panel.card == card

    # Refused by the service itself: the coupon was redeemed at another till meanwhile.
    drive.scan(LOONA["coupon_active"])
    shown = w.card
    elsewhere = drive.counter.apply(LOONA["coupon_active"], Operation(OpName.COUPON_REDEEM))
    assert elsewhere.ok
    sent = len(drive.ledger("loona"))
    result = drive.operation(OpName.COUPON_REDEEM)
    assert not result.ok
    assert w.banner.tone == "error" and "already been used" in w.banner.summary()
    assert "Traceback" not in w.banner.summary()
    assert len(drive.ledger("loona")) == sent
    assert w.card == shown, "the card panel keeps the card as it was"


# -- a service that hangs ----------------------------------------------------------------------


def test_a_hanging_service_leaves_the_window_answering_and_can_be_cancelled(drive: Any) -> None:
    w = drive.w
    drive.server("luna").faults.add(FaultRule(FaultKind.TIMEOUT, route="getPassInfo", delay=2))
    drive.scan(LUNA["stamps"], wait=False)
    task = w.controller.runner.current("lookup")
    assert task is not None
    drive.qtbot.waitUntil(w.progress.isVisible)
    assert w.cancel_button.isVisible() and "Looking up the card" in w.status.text()
    assert not w.card_panel.isEnabled(), "the previous card is greyed out while looking up"

    # The window answers while the request hangs: typing, tabs, the look toggle.
    started = time.monotonic()
    w.code.selectAll()
    drive.type("12345", w.code)
    assert w.code.text() == "12345"
    drive.key(K.Key_T, w, CTRL)
    assert theme.mode() is theme.Mode.DARK
    drive.key(K.Key_J, w, Qt.KeyboardModifier.AltModifier)
    assert w.tabs.currentWidget() is w.journal
    assert time.monotonic() - started < 1.5 and not task.finished.is_set()

    drive.key(K.Key_Escape, w.code)
    assert not w.progress.isVisible() and "cancelled" in w.status.text()
    assert w.card is None and w.code.hasFocus()

    # Another card can be read while the first request still hangs; its late end is dropped.
    drive.scan(LOONA["gift"])
    assert w.card is not None and w.card.code == LOONA["gift"]
    assert not task.finished.is_set()
    drive.qtbot.waitUntil(task.finished.is_set, timeout=8000)
    drive.qtbot.wait(100)
    assert w.card.code == LOONA["gift"] and not w.banner.isVisible()


def test_a_slow_lookup_is_superseded_by_the_next_scan(drive: Any) -> None:
    w = drive.w
    drive.server("luna").faults.add(FaultRule(FaultKind.DELAY, route="getPassInfo", delay=0.6))
    drive.scan(LUNA["stamps"], wait=False)
    first = w.controller.runner.current("lookup")
    drive.scan(LOONA["chop"])
    assert w.card.code == LOONA["chop"]
    drive.qtbot.waitUntil(first.finished.is_set, timeout=5000)
    drive.qtbot.wait(100)
    assert w.card.code == LOONA["chop"], "the late answer of the first scan is ignored"


# -- double presses ----------------------------------------------------------------------------


def test_a_double_confirm_sends_once(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["gift"])
    sent = len(drive.ledger("loona"))
    journal = len(drive.counter.journal.entries())
    drive.start(OpName.SPEND, "100")
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    token = w.confirm_panel.token
    button = w.confirm_panel.confirm_button
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        drive.key(K.Key_Return, w.confirm_panel)
        w.confirm_panel.confirm()
        assert not w.controller.confirm(token), "a used confirmation cannot send again"
    drive.qtbot.wait(200)
    drive.key(K.Key_Return, w.code)  # Enter again after the result: looks the card up
    drive.idle()
    assert len(drive.ledger("loona")) == sent + 1
    assert len(drive.counter.journal.entries()) == journal + 1


def test_a_double_enter_on_an_amount_sends_once(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["discount"])
    sent = len(drive.ledger("luna"))
    drive.key(K.Key_F1, w)
    edit = w.entry.edits[0]
    drive.type("300", edit)
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000):
        drive.key(K.Key_Return, edit)
        drive.key(K.Key_Return, edit)
        w.entry.keypad.press("Enter")
    drive.idle()
    assert len(drive.ledger("luna")) == sent + 1
    assert len(drive.counter.journal.entries()) == 1


# -- junk --------------------------------------------------------------------------------------


def test_junk_codes_get_a_plain_message_and_nothing_is_sent(drive: Any) -> None:
    w = drive.w
    # The services' health check at start sends its own requests: let it finish first.
    drive.qtbot.waitUntil(lambda: not w.controller.runner.busy("health"), timeout=10000)
    requests = {s: len(drive.server(s).requests) for s in ("luna", "loona")}
    drive.scan("9" * 530)
    assert w.banner.tone == "error" and "too long" in w.banner.summary()
    w.code.setText("4820\u200b193375")  # a zero-width space from a confused scanner
    drive.key(K.Key_Return, w.code)
    drive.idle()
    assert "characters no loyalty card has" in w.banner.summary()
    assert {s: len(drive.server(s).requests) for s in ("luna", "loona")} == requests

    drive.scan("hello, world!")  # Loona takes any printable code: it is asked, and says no
    assert w.banner.tone == "error" and "no card with this code" in w.banner.summary()
    assert w.card is None and not any(b.isVisible() for b in w.ops_panel.buttons.values())
    assert drive.ledger("luna") == [] and drive.ledger("loona") == []
    assert drive.counter.journal.entries() == []
    assert "Traceback" not in texts(w)


# -- keyboard ----------------------------------------------------------------------------------


def test_keyboard_alone_reaches_every_step(drive: Any) -> None:
    w = drive.w
    assert w.code.hasFocus()
    drive.key(K.Key_F2, w)  # no card: nothing happens
    assert w.actions.currentWidget() is w.ops_panel
    drive.scan(LUNA["cashback"])
    for op, button in w.ops_panel.buttons.items():
        if button.isVisible():
            assert button.text().endswith(f"\nF{list(OpName).index(op) + 1}")
    drive.key(K.Key_F2, w)
    assert w.actions.currentWidget() is w.entry and w.entry.edits[0].hasFocus()
    drive.type("30")
    drive.key(K.Key_Return)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    drive.key(K.Key_Escape)
    assert w.actions.currentWidget() is w.entry and w.entry.edits[0].text() == "30"
    drive.key(K.Key_Escape)
    assert w.actions.currentWidget() is w.ops_panel and w.code.hasFocus()
    drive.key(K.Key_F2, w)
    drive.type("30")
    drive.key(K.Key_Return)
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000):
        drive.key(K.Key_Return)
    drive.idle()
    assert w.banner.tone == "ok" and w.card.balance == 390
    assert w.code.hasFocus()
    drive.key(K.Key_Escape)
    assert not w.banner.isVisible()
    drive.key(K.Key_Escape)
    assert w.code.text() == ""
    drive.key(K.Key_Escape)
    assert w.card is None and w.card_panel.stack.currentWidget() is w.card_panel.empty


def test_typing_anywhere_goes_to_the_code_field(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])
    button = w.demo.buttons[0]
    button.setFocus()
    drive.qtbot.waitUntil(button.hasFocus)
    for ch in LOONA["chop"]:
        drive.type(ch)  # to whatever has the focus, as a keyboard scanner types
    assert w.code.hasFocus() and w.code.text() == LOONA["chop"]
    drive.key(K.Key_Return)
    drive.idle()
    assert w.card.code == LOONA["chop"]


def test_keypad_types_into_the_amount(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["gift"])
    drive.key(K.Key_F2, w)
    for key in ("1", "2", "⌫", "5", ".", "5", "."):
        w.entry.keypad.press(key)
    assert w.entry.edits[0].text() == "15.5" and w.entry.edits[0].hasFocus()
    w.entry.keypad.press("C")
    assert w.entry.edits[0].text() == ""
    w.entry.keypad.press("Enter")
    assert "missing" in w.entry.error.text()
    assert w.entry.keypad.keys["."].isEnabled()


def test_the_keypads_decimal_key_is_off_in_a_count(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["stamps"])
    drive.key(K.Key_F5, w)  # add stamps: a count
    drive.qtbot.waitUntil(lambda: w.entry.edits and w.entry.edits[0].hasFocus())
    assert not w.entry.keypad.keys["."].isEnabled()
    drive.key(K.Key_Escape)
    drive.scan(LOONA["gift"])
    drive.key(K.Key_F2, w)  # spend: an amount
    drive.qtbot.waitUntil(lambda: w.entry.edits and w.entry.edits[0].hasFocus())
    assert w.entry.keypad.keys["."].isEnabled()


# -- lists -------------------------------------------------------------------------------------


def test_journal_and_card_history(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["stamps"])
    drive.operation(OpName.STAMP, "1")
    drive.qtbot.waitUntil(lambda: bool(w.journal.rows()))
    row = w.journal.rows()[0]
    assert row[1] == "Done" and LUNA["stamps"] in row[2] and row[3] == "Add 1 stamp"

    drive.key(K.Key_H, w, Qt.KeyboardModifier.AltModifier)
    assert w.tabs.currentWidget() is w.history
    drive.qtbot.waitUntil(lambda: len(w.history.rows()) >= 10, timeout=10000)
    assert "history of this card" in w.history.caption.text()
    drive.scan(LOONA["chop"])
    drive.qtbot.waitUntil(lambda: "keeps no history" in w.history.caption.text(),
                          timeout=10000)
    assert w.history.rows() == [] and "this till has no operations" in w.history.caption.text()


# -- settings ----------------------------------------------------------------------------------


@OFFSCREEN_DIALOG
def test_settings_mask_secrets_test_each_service_and_reopen(drive: Any,
                                                            isolated_dirs: Path) -> None:
    from pos_app.core.sandbox.runner import start_sandbox

    w = drive.w
    other = start_sandbox()  # stands in for the real services
    try:
        tables = other.service_settings()
        drive.key(K.Key_Comma, w, CTRL)
        drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
        dialog = w._dialogs[-1]
        assert str(isolated_dirs / "settings.toml") in texts(dialog)
        for name, table in tables.items():
            for key, value in table.items():
                if key in dialog.boxes[name].edits:  # not [loona] templates: a list
                    dialog.boxes[name].edits[key].setText(str(value))
        secrets = [tables["luna"]["token"], tables["loona"]["client_secret"]]
        for name, key in (("luna", "token"), ("loona", "client_secret")):
            assert dialog.boxes[name].edits[key].echoMode() == QLineEdit.EchoMode.Password

        dialog.boxes["loona"].edits["client_secret"].setText("wrong")
        for name in ("luna", "loona"):
            dialog.boxes[name].test_button.click()
        luna_box, loona_box = dialog.boxes["luna"], dialog.boxes["loona"]
        drive.qtbot.waitUntil(lambda: luna_box.result.text().startswith("Works"), timeout=10000)
        drive.qtbot.waitUntil(lambda: "did not accept" in loona_box.result.text(),
                              timeout=10000)
        dialog.boxes["loona"].edits["client_secret"].setText(tables["loona"]["client_secret"])
        with drive.qtbot.waitSignal(w.ready, timeout=15000):
            drive.key(K.Key_S, dialog, CTRL)
        assert not w.controller.info.on_sandbox
        assert w.controller.info.services == list(names())
        assert w.tabs.indexOf(w.demo) == -1, "no demo cards once real services are set"
        path = isolated_dirs / "settings.toml"
        assert tables["luna"]["base_url"] in path.read_text("utf-8")
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600

        drive.qtbot.waitUntil(w.isActiveWindow)
        requests = len(other.luna.requests)
        drive.scan(LUNA["stamps"])
        assert w.card is not None and len(other.luna.requests) > requests

        w.open_settings()  # saved secrets come back masked, never in clear
        again = w._dialogs[-1]
        shown = texts(again) + " ".join(
            e.placeholderText() for b in again.boxes.values() for e in b.edits.values())
        assert not any(secret in shown for secret in secrets)
        assert again.boxes["luna"].edits["token"].text() == ""
        assert "•" in again.boxes["luna"].edits["token"].placeholderText()
        again.reject()
    finally:
        w.close()
        other.stop()


# -- looks and size ----------------------------------------------------------------------------


def test_light_and_dark(drive: Any) -> None:
    w = drive.w
    drive.scan(LUNA["stamps"])
    start = theme.mode()
    modes = []
    for _ in range(3):
        drive.key(K.Key_T, w, CTRL)
        modes.append(theme.mode())
        window = QApplication.palette().color(QPalette.ColorRole.Window)
        assert (window.lightness() < 128) == theme.colors().dark
    assert modes == [theme.Mode.DARK, theme.Mode.LIGHT, theme.Mode.SYSTEM] and start is \
        theme.Mode.SYSTEM


def test_everything_fits_at_1024x768(drive: Any) -> None:
    w = drive.w
    assert w.width() == 1024 and w.height() == 768
    assert w.minimumSizeHint().width() <= 1024 and w.minimumSizeHint().height() <= 768
    for code in (LUNA["cashback"], LUNA["subscription"], LOONA["bonus"]):
        drive.scan(code)
        for button in w.ops_panel.buttons.values():
            if button.isVisible():
                _fits(button)
    drive.start(OpName.PURCHASE_SPEND)
    frame = w.action_frame.rect()
    for widget in (w.entry.keypad, w.entry.ok_button, w.entry.back_button, *w.entry.edits):
        top_left = widget.mapTo(w.action_frame, widget.rect().topLeft())
        bottom_right = widget.mapTo(w.action_frame, widget.rect().bottomRight())
        assert frame.contains(top_left) and frame.contains(bottom_right), widget
    for button in (w.entry.ok_button, w.entry.back_button, *w.entry.keypad.keys.values()):
        _fits(button)


def _fits(button: QPushButton) -> None:
    metrics = button.fontMetrics()
    for line in button.text().split("\n"):
        assert metrics.horizontalAdvance(line) <= button.contentsRect().width(), button.text()


# -- faults ------------------------------------------------------------------------------------


def test_an_unexpected_error_is_said_plainly_and_logged(drive: Any, monkeypatch: Any,
                                                        caplog: Any) -> None:
    w = drive.w

    def broken(*_: Any) -> None:
        raise RuntimeError("internal detail 1234")

    monkeypatch.setattr(drive.counter, "lookup", broken)
    drive.scan(LUNA["stamps"])
    text = w.banner.summary()
    assert "Something went wrong in the app" in text and "log" in text
    assert "RuntimeError" not in text and "internal detail" not in text
    assert "Traceback" not in texts(w)
    assert any(r.levelname == "ERROR" and "failed unexpectedly" in r.getMessage()
               for r in caplog.records)
    monkeypatch.undo()

    drive.scan(LUNA["stamps"])
    monkeypatch.setattr(drive.counter, "apply", broken)
    drive.key(K.Key_F5, w)
    drive.type("1", w.entry.edits[0])
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000):
        drive.key(K.Key_Return, w.entry.edits[0])
    assert "Check the card and the recent operations" in w.banner.summary()
    assert "internal detail" not in w.banner.summary()
    caplog.clear()


def test_the_window_starts_without_heavy_imports(tmp_path: Path) -> None:
    script = (
        "import sys, pos_app.qt\n"
        "from pos_app.qt.app import create_window\n"
        "from pos_app.qt.drive import wait_until\n"
        "w = create_window(); w.show(); w.start()\n"
        "wait_until(lambda: w.controller.ready, 20)\n"
        "w.close()\n"
        "heavy = ('cv2', 'zxingcpp', 'numpy', 'pyzbar', 'pos_app.core.scanning.decoder')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "POS_APP_CONFIG": str(tmp_path / "settings.toml"),
           "POS_APP_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HEAVY []" in done.stdout


# -- answers lost, operations left open, start-up ------------------------------------------------


def test_a_lost_answer_is_said_and_completed_later_without_a_second_charge(drive: Any) -> None:
    from pos_app.core.counter import RetryPolicy
    from pos_app.core.journal import State

    w = drive.w
    drive.counter.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01, settle=0.01,
                                       hold=0.1)
    loona = drive.server("loona")
    loona.faults.add(FaultRule(FaultKind.DROP_AFTER, route="transactions/*", times=2))
    drive.scan(LOONA["gift"])
    result = drive.operation(OpName.SPEND, "100")
    assert result.state is State.UNKNOWN and not result.ok
    assert w.banner.tone == "warn" and "Not confirmed" in w.banner.summary()
    assert "Do not repeat it by hand" in w.banner.summary()
    drive.qtbot.waitUntil(lambda: bool(w.journal.rows()) and w.journal.rows()[0][1] ==
                          "Unknown")
    applied = len(drive.ledger("loona"))
    assert applied == 1, "the first attempt was applied, the retry replayed it"

    loona.faults.clear()
    with drive.qtbot.waitSignal(w.controller.recovered, timeout=10000) as blocker:
        w.controller.recover()
    (done,) = blocker.args[0]
    assert done.ok and done.journal_id == result.journal_id
    assert len(drive.ledger("loona")) == applied, "completing it charged nothing more"
    assert "1 earlier operation completed" in w.status.text()
    drive.qtbot.waitUntil(lambda: w.journal.rows()[0][1] == "Done")


def test_a_card_scanned_while_starting_is_looked_up_when_ready(qapp: Any, qtbot: Any) -> None:
    from pos_app.qt.app import create_window

    win = create_window(size=(1024, 768))
    win.show()
    win.start()
    win.code.setText(LOONA["chop"])
    QTest.keyClick(win.code, K.Key_Return)
    assert win.controller.counter is None, "the services are opened off the GUI thread"
    assert "as soon as they are ready" in win.status.text()
    try:
        qtbot.waitUntil(lambda: win.card is not None, timeout=15000)
        assert win.card.code == LOONA["chop"]
    finally:
        win.close()


@OFFSCREEN_DIALOG
def test_a_broken_settings_file_is_said_plainly(qapp: Any, qtbot: Any,
                                                 isolated_dirs: Path) -> None:
    from pos_app.qt.app import create_window

    (isolated_dirs / "settings.toml").write_text("[luna\n", encoding="utf-8")
    win = create_window(size=(1024, 768))
    win.show()
    win.start()
    try:
        qtbot.waitUntil(win.banner.isVisible, timeout=15000)
        text = win.banner.summary()
        assert "settings.toml" in text and "not valid TOML" in text and "Ctrl+," in text
        assert "Traceback" not in text
        win.code.setText(LUNA["stamps"])
        QTest.keyClick(win.code, K.Key_Return)
        assert "not connected" in win.banner.summary()
        win.open_settings()
        dialog = win._dialogs[-1]
        assert "could not be read" in dialog.intro.text()
        dialog.reject()
    finally:
        win.close()


def test_a_demo_card_click_scans_it(drive: Any) -> None:
    w = drive.w
    assert w.tabs.currentWidget() is w.demo and len(w.demo.buttons) == len(w.info.demo_cards)
    button = w.demo.button_for(LOONA["chop_reward"])
    assert button is not None and not button.icon().isNull()
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.card.code == LOONA["chop_reward"] and w.code.text() == LOONA["chop_reward"]
    assert w.code.hasFocus()


def test_demo_qr_codes_read_back_as_the_card_codes(drive: Any) -> None:
    """Every demo card's code on screen is a plain QR code the app's own decoder reads."""
    pytest.importorskip("zxingcpp")
    import numpy as np
    from PySide6.QtGui import QImage

    from pos_app.core.scanning.decoder import Decoder
    from pos_app.qt.demo_panel import qr_image

    decoder = Decoder()
    for card in drive.w.info.demo_cards:
        image = qr_image(card["code"]).convertToFormat(QImage.Format.Format_Grayscale8)
        rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
            image.height(), image.bytesPerLine())[:, : image.width()]
        found = decoder.decode(np.ascontiguousarray(rows))
        assert [d.text for d in found] == [card["code"]]
        assert found[0].format == "QRCode"


def test_pos_app_without_a_command_runs_the_window(qapp: Any, monkeypatch: Any,
                                                   isolated_dirs: Path) -> None:
    import signal

    from PySide6.QtCore import QTimer

    import pos_app.qt.app as app_module
    from pos_app.cli.main import main

    shown: list[Any] = []
    make = app_module.create_window

    def create_window(*args: Any, **kwargs: Any) -> Any:
        window = make(*args, **kwargs)
        window.ready.connect(lambda: QTimer.singleShot(50, window.close))
        shown.append(window)
        return window

    monkeypatch.setattr(app_module, "create_window", create_window)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert main([]) == 0
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        _remove_log_redactors()
    (window,) = shown
    assert window.info is not None and window.info.on_sandbox
    assert window.scanning is not None, "the scanner inputs were installed"
    assert window.controller.counter is None, "the counter was closed with the window"
    log_file = isolated_dirs / "data" / "logs" / "pos-app.log"
    assert "window started" in log_file.read_text("utf-8")
    window.deleteLater()


def _remove_log_redactors() -> None:
    """``setup_logging`` puts its redactor on every root handler (pytest's too): take it off."""
    import logging

    from pos_app.core.logs import Redactor

    for handler in logging.getLogger().handlers:
        for found in [f for f in handler.filters if isinstance(f, Redactor)]:
            handler.removeFilter(found)
