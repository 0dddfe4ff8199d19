"""The "Enrol customer" dialog in the real window, against the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.services import names as service_names
from pos_app.core.services.luna.seed import DEMO_TEMPLATES
from pos_app.qt.enrol import EnrolDialog

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def _open(drive: Any) -> EnrolDialog:
    w = drive.w
    drive.qtbot.waitUntil(w.isActiveWindow)
    drive.key(K.Key_N, w, CTRL)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    assert isinstance(dialog, EnrolDialog)
    drive.qtbot.waitUntil(lambda: bool(dialog.templates), timeout=10000)
    assert dialog.first.hasFocus() and dialog.enrol_button.isEnabled()
    return dialog


def _pick(dialog: EnrolDialog, service: str, template: str) -> None:
    index = next(i for i, t in enumerate(dialog.templates)
                 if (t.service, t.id) == (service, template))
    dialog.template.setCurrentIndex(index)


def test_the_cursor_goes_to_the_detail_refused_and_luna_asks_both_names(drive: Any) -> None:
    dialog = _open(drive)
    sent = len(drive.server("luna").requests)
    _pick(dialog, "luna", str(DEMO_TEMPLATES["stamps"]))
    assert "first and a last name" in dialog.status.text()  # what Luna needs, said first
    drive.type("Anna", dialog.first)
    drive.type("12", dialog.phone)
    drive.key(K.Key_Return, dialog.phone)
    assert "both the customer's first and last name" in dialog.status.text()
    assert dialog.last.hasFocus()
    drive.type("Ivanova", dialog.last)
    assert dialog.last.text() == "Ivanova", (dialog.first.text(), dialog.last.text())
    drive.key(K.Key_Return, dialog.last)
    assert "not a phone number" in dialog.status.text()
    assert dialog.phone.hasFocus() and dialog.phone.selectedText() == "12"
    dialog.phone.clear()
    drive.type("+7 912 000 11 22", dialog.phone)
    drive.type("anna@", dialog.email)
    drive.key(K.Key_Return, dialog.email)
    assert "not an email address" in dialog.status.text() and dialog.email.hasFocus()
    assert len(drive.server("luna").requests) == sent  # nothing sent
    _pick(dialog, "loona", "14")
    assert "first or last name" in dialog.status.text() or "not an email" in \
        dialog.status.text()
    drive.key(K.Key_Escape, dialog.email)

def test_enrol_on_loona_shows_the_new_card_as_if_scanned(drive: Any) -> None:
    w = drive.w
    dialog = _open(drive)
    assert {t.service for t in dialog.templates} == (
        set(service_names()) - {"vmob", "cpextender"})  # they do not enrol
    sent = (len(drive.server("luna").requests), len(drive.server("loona").requests))

    drive.key(K.Key_Return, dialog.first)  # nothing typed: said plainly, nothing sent
    assert "first or last name" in dialog.status.text() and dialog.first.hasFocus()
    _pick(dialog, "loona", "14")  # one name is enough for Loona
    drive.type("Anna", dialog.first)
    drive.type("12", dialog.phone)
    drive.key(K.Key_Return, dialog.phone)
    assert "not a phone number" in dialog.status.text()
    assert (len(drive.server("luna").requests), len(drive.server("loona").requests)) == sent

    dialog.phone.clear()
    drive.type("+7 912 000 11 22", dialog.phone)
    _pick(dialog, "loona", "14")
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        drive.key(K.Key_Return, dialog.template)
    card = shown.args[0]
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)  # closed and deleted
    assert card.service == "loona" and card.holder.name == "Anna"
    assert w.card == card and w.card_panel.card == card and w.code.text() == card.code
    assert [row["action"] for row in drive.ledger("loona")] == ["create"]
    assert w.ops_panel.available(), "the new card's operations are offered"
    drive.qtbot.waitUntil(w.code.hasFocus)


def test_enrol_on_luna_is_busy_until_answered_and_esc_cancels(drive: Any) -> None:
    w = drive.w
    dialog = _open(drive)
    drive.key(K.Key_Escape, dialog.first)
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)
    assert not drive.ledger("luna") and w.card is None

    dialog = _open(drive)
    drive.server("luna").faults.add(FaultRule(FaultKind.DELAY, route="createPass", delay=0.5))
    drive.type("Ivan", dialog.first)
    drive.type("Petrov", dialog.last)
    drive.type("ivan@example.com", dialog.email)
    _pick(dialog, "luna", str(DEMO_TEMPLATES["stamps"]))
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        drive.key(K.Key_Return, dialog.email)
        assert dialog.progress.isVisible() and not dialog.enrol_button.isEnabled()
        assert not dialog.first.isEnabled()
        drive.key(K.Key_Return, dialog)  # a second Enter sends nothing more
        drive.key(K.Key_Escape, dialog)  # the service is being asked: the dialog stays
        assert dialog.isVisible() and "wait" in dialog.status.text()
    card = shown.args[0]
    assert card.service == "luna" and card.kind_label == "Stamp card"
    assert [row["action"] for row in drive.ledger("luna")] == ["createClient", "createPass"]
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)
    assert w.card == card and w.code.text() == card.code
