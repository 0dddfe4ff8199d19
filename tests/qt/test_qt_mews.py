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
