"""A Mews membership at the till: scanned, points added and taken, a change made elsewhere
refused and shown, a canceled membership refused (window against the sandbox over HTTP)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pos_app.core.journal import State
from pos_app.core.operations import OpName
from pos_app.core.services.mews.seed import DEMO

pytestmark = pytest.mark.gui


def test_points_added_and_taken_and_a_change_elsewhere_is_shown(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["member"])
    assert w.card is not None and w.card.service == "mews" and w.card.balance == 340
    assert set(w.ops_panel.available()) == {OpName.ACCRUE, OpName.SPEND, OpName.SET_EXPIRY}
    added = drive.operation(OpName.ACCRUE, "60")
    assert added.ok and w.card.balance == 400
    taken = drive.operation(OpName.SPEND, "100")
    assert taken.ok and w.card.balance == 300

    # Another till takes 50 points while the cashier looks at 300.
    server = drive.server("mews")
    server.app.by_number(DEMO["member"])["Points"] = 250
    writes = len(drive.ledger("mews"))
    drive.start(OpName.SPEND, "20")
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel, timeout=10000)
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        drive.key(drive.Key.Key_Return)
    drive.idle()
    assert "now 250, not 300" in w.banner.summary() and w.banner.tone == "error"
    assert w.card.balance == Decimal(250), "the new value is shown to be confirmed again"
    assert len(drive.ledger("mews")) == writes
    again = drive.operation(OpName.SPEND, "20")
    assert again.ok and again.state is State.DONE and w.card.balance == 230


def test_a_canceled_membership_is_refused(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["canceled"])
    assert w.card is not None and w.card.status_label == "Canceled"
    assert w.ops_panel.available() == []
    writes = len(drive.ledger("mews"))
    w.start_operation(OpName.ACCRUE)
    assert len(drive.ledger("mews")) == writes


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_enrol_a_guest_found_by_email_into_a_program(drive: Any) -> None:
    from PySide6.QtCore import Qt

    from pos_app.core.services.mews.seed import NEW_GUEST_EMAIL
    from pos_app.qt.enrol import EnrolDialog

    w = drive.w
    drive.qtbot.waitUntil(w.isActiveWindow)
    drive.key(drive.Key.Key_N, w, Qt.KeyboardModifier.ControlModifier)
    drive.qtbot.waitUntil(lambda: bool(w._dialogs) and w._dialogs[-1].isVisible())
    dialog = w._dialogs[-1]
    assert isinstance(dialog, EnrolDialog)
    drive.qtbot.waitUntil(lambda: bool(dialog.templates), timeout=10000)
    drive.type("Mila", dialog.first)
    drive.type("Horak", dialog.last)
    drive.type(NEW_GUEST_EMAIL, dialog.email)
    index = next(i for i, t in enumerate(dialog.templates)
                 if t.service == "mews" and t.name == "Spa Circle")
    dialog.template.setCurrentIndex(index)
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000) as shown:
        drive.key(drive.Key.Key_Return, dialog.template)
    card = shown.args[0]
    drive.qtbot.waitUntil(lambda: dialog not in w._dialogs)
    assert card.service == "mews" and card.code.startswith("SC-")
    assert card.holder.name == "Mila Horak" and card.template == "Spa Circle"
    assert [row["action"] for row in drive.ledger("mews")] == ["loyaltyMemberships/add"]
