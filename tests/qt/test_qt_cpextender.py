"""CP Extender through the real window over HTTP: every operation on every demo customer,
from scan to result, and an open hold listed in the journal and finished or cancelled."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.journal import State
from pos_app.core.operations import TAKES_VALUE, OpName
from pos_app.core.services.cpextender.seed import DEMO

pytestmark = pytest.mark.gui

CUSTOMERS = [
    ("plenty", [(OpName.PURCHASE, ("42.50",)), (OpName.ACCRUE, ("25",)),
                (OpName.SPEND, ("300",))]),
    ("held", [(OpName.SPEND, ("4",)), (OpName.ACCRUE, ("10",))]),
    ("history", [(OpName.ACCRUE, ("5",)), (OpName.SPEND, ("10",))]),
    ("empty", [(OpName.ACCRUE, ("100",))]),
]


@pytest.mark.parametrize(("name", "ops"), CUSTOMERS, ids=[n for n, _ in CUSTOMERS])
def test_every_operation_on_every_customer(drive: Any, name: str,
                                           ops: list[tuple[OpName, tuple[str, ...]]]) -> None:
    w = drive.w
    drive.scan(DEMO[name])
    assert w.card is not None and w.card.service == "cpextender", w.banner.summary()
    assert w.card_panel.kind.text().startswith("CP Extender")
    assert "On hold:" in w.card_panel.value_note.text()
    assert "Earning:" in w.card_panel.details.text()
    for op, values in ops:
        assert w.ops_panel.buttons[op].isVisible(), f"{name}: {op} ({w.card.operations})"
        before = len(drive.ledger("cpextender"))
        result = drive.operation(op, *values)
        assert result.ok and result.state is State.DONE, w.banner.summary()
        assert len(drive.ledger("cpextender")) == before + len(
            drive.counter.journal.get(result.journal_id).steps)
        if op in TAKES_VALUE:
            assert w.confirm_panel.sent
        assert w.card == result.after


def test_the_customer_not_enrolled_and_the_empty_one_say_so(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["not_enrolled"])
    assert "not enrolled in the loyalty program" in w.banner.summary()
    drive.scan(DEMO["empty"])
    assert w.card is not None and w.card.balance == 0
    assert not w.ops_panel.buttons[OpName.SPEND].isVisible()


def test_a_hold_waits_in_the_journal_and_is_confirmed_or_cancelled(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    result = drive.operation(OpName.HOLD, "200")
    assert result.ok and result.waiting, w.banner.summary()
    assert "waiting to be finished or cancelled" in w.banner.summary()
    assert w.card is not None and w.card.balance == 2300
    assert "On hold: 200" in w.card_panel.value_note.text()
    journal = w.journal
    drive.qtbot.waitUntil(lambda: bool(journal.entries) and journal.entries[0].id
                          == result.journal_id)
    assert journal.rows()[0][1] == "Waiting"
    drive.qtbot.waitUntil(lambda: "1 operation on this card waiting for you"
                          in w.card_panel.waiting.text())
    assert "1 waiting for you to finish or cancel" in journal.open_label.text()
    assert not journal.finish_button.isHidden() and journal.finish_button.isEnabled()
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000) as done:
        journal.finish_button.click()
    drive.idle()
    finished = done.args[0]
    assert finished.ok and finished.state is State.DONE, w.banner.summary()
    assert [r["action"] for r in drive.ledger("cpextender")] == ["Loyalty/Authorize",
                                                                 "Authorize/Confirm"]
    assert "Total points: 2,300" in w.card_panel.value_note.text()
    drive.qtbot.waitUntil(journal.finish_button.isHidden)
    assert w.card_panel.waiting.isHidden()

    again = drive.operation(OpName.HOLD, "50")
    drive.qtbot.waitUntil(lambda: journal.entries[0].id == again.journal_id)
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000) as undone:
        journal.cancel_button.click()
    drive.idle()
    assert undone.args[0].ok and undone.args[0].state is State.FAILED
    assert "released" in w.banner.summary()
    assert w.card.balance == 2300


@pytest.mark.qt_log_ignore("propagateSizeHints")  # a dialog on the offscreen platform
def test_ctrl_f_finds_a_customer_by_email_and_opens_the_card(drive: Any) -> None:
    w = drive.w
    w.open_customer_lookup()
    dialog = w._dialogs[-1]
    drive.type("brian@example.com", dialog.query)
    drive.key(drive.Key.Key_Return, dialog.query)
    drive.qtbot.waitUntil(lambda: bool(dialog.refs), timeout=10000)
    assert [(r.service, r.code) for r in dialog.refs] == [("cpextender", DEMO["plenty"])]
    assert "CP Extender" in dialog.list.topLevelItem(0).text(0)
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    with drive.qtbot.waitSignal(w.card_shown, timeout=10000):
        drive.key(drive.Key.Key_Return, dialog.list)
    drive.idle()
    assert w.card is not None and w.card.code == DEMO["plenty"]


def test_a_hold_without_authcode_is_to_finish_in_counterpoint(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["web"])
    assert drive.operation(OpName.ACCRUE, "20").ok
    result = drive.operation(OpName.SPEND, "100")
    assert not result.ok and result.waiting
    assert "Finish it in Counterpoint" in w.banner.summary()
    assert w.banner.tone == "warn"


def test_the_program_is_named_once(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    first = w.card_panel.details.text().split("\n")[0]
    assert first.count("Loyalty program 1") == 1, first
