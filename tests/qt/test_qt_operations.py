"""Every operation of every card kind of both services, through the real window over HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pos_app.core.cards import CardStatus
from pos_app.core.journal import State
from pos_app.core.money import format_money
from pos_app.core.operations import TAKES_VALUE, OpName
from pos_app.core.present import changes
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.units import describe

pytestmark = pytest.mark.gui

EXPIRY = (dt.date.today() + dt.timedelta(days=500)).isoformat()
Op = OpName

#: (service, demo card, [(operation, values typed)...]): every operation each kind supports.
CARDS: list[tuple[str, str, list[tuple[OpName, tuple[str, ...]]]]] = [
    ("luna", "stamps", [(Op.STAMP, ("2",)), (Op.REWARD, ("1",)), (Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "cashback", [(Op.PURCHASE, ("1000",)), (Op.PURCHASE_SPEND, ("1000", "100")),
                          (Op.SPEND, ("50",)), (Op.ACCRUE, ("25",)), (Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "subscription", [(Op.STAMP, ("1",)), (Op.UNSTAMP, ("2",)), (Op.SPEND, ("3",)),
                              (Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "coupon", [(Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "discount", [(Op.PURCHASE, ("1240.50",)), (Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "certificate", [(Op.SPEND, ("200",)), (Op.ACCRUE, ("100",)),
                             (Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "membership", [(Op.SET_EXPIRY, (EXPIRY,))]),
    ("luna", "deleted", [(Op.STAMP, ("1",))]),
    ("luna", "not_installed", [(Op.STAMP, ("3",))]),
    ("loona", "discount", [(Op.PURCHASE, ("1000",))]),
    ("loona", "bonus", [(Op.PURCHASE, ("500",)), (Op.SPEND, ("50",)),
                        (Op.PURCHASE_SPEND, ("500", "100"))]),
    ("loona", "bonus_dynamic", [(Op.PURCHASE_SPEND, ("100", "20")), (Op.PURCHASE, ("40",))]),
    ("loona", "bonus_id", [(Op.SPEND, ("10",))]),
    ("loona", "gift", [(Op.SPEND, ("250",))]),
    ("loona", "coupon_new", [(Op.COUPON_ACTIVATE, ()), (Op.COUPON_REDEEM, ())]),
    ("loona", "coupon_active", [(Op.COUPON_REDEEM, ())]),
    ("loona", "chop", [(Op.STAMP, ("2",))]),
    ("loona", "chop_reward", [(Op.REWARD, ("1",)), (Op.STAMP, ("4",))]),
]


def _code(service: str, name: str) -> str:
    return (LUNA if service == "luna" else LOONA)[name]


@pytest.mark.parametrize(("service", "name", "ops"), CARDS,
                         ids=[f"{s}-{n}" for s, n, _ in CARDS])
def test_every_operation(drive: Any, service: str, name: str,
                         ops: list[tuple[OpName, tuple[str, ...]]]) -> None:
    w = drive.w
    drive.scan(_code(service, name))
    assert w.card is not None and w.card.service == service, w.banner.summary()
    for op, values in ops:
        assert w.card.supports(op), f"{name} should offer {op} (has {w.card.operations})"
        assert w.ops_panel.buttons[op].isVisible() and w.ops_panel.buttons[op].isEnabled()
        sent_before = len(drive.ledger(service))
        result = drive.operation(op, *values)

        assert result.ok and result.state is State.DONE, w.banner.summary()
        assert w.banner.isVisible() and w.banner.tone == "ok"
        assert f"Done: {describe(result.operation, result.before, w._name())}." in \
            w.banner.summary()
        assert len(drive.ledger(service)) > sent_before, "nothing reached the service"
        assert result.after is not None
        assert w.card == result.after and w.card_panel.card == result.after
        assert changes(result.before, result.after), f"{op}: the card did not change"
        entry = drive.counter.journal.entries(limit=1)[0]
        assert entry.id == result.journal_id and entry.state is State.DONE
        drive.qtbot.waitUntil(lambda e=entry: bool(w.journal.entries)
                              and w.journal.entries[0].id == e.id)
        if op in TAKES_VALUE:
            assert w.confirm_panel.sent, "a value-taking operation must be confirmed"
        to_pay = result.outcome.get("to_pay")
        if to_pay is not None:
            assert w.banner.to_pay.isVisible()
            assert w.banner.to_pay.text() == format_money(Decimal(str(to_pay)))
        assert w.code.hasFocus(), "the cursor goes back to the code field"


def test_discount_card_shows_the_amount_to_pay(drive: Any) -> None:
    drive.scan(LUNA["discount"])
    result = drive.operation(OpName.PURCHASE, "1240.50")
    # 5 % of 1 240.50 is 62.03 (half up): 1 178.47 to pay, in the banner's large figure.
    assert result.outcome["to_pay"] == Decimal("1178.47")
    assert drive.w.banner.to_pay.text() == "1,178.47"
    assert "Discount" in drive.w.banner.summary()


def test_purchase_with_spending_shows_the_limit_and_what_is_left(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])  # 350.00, at most 30 % of a purchase
    drive.start(OpName.PURCHASE_SPEND, "500")
    drive.qtbot.waitUntil(lambda: w.entry.edits[1].text() == "150.00")
    assert "Most that may be spent: 150 points" in w.entry.hint.text()
    assert "Left to pay: 350.00" in w.entry.hint.text()
    w.entry.edits[1].selectAll()
    drive.type("120", w.entry.edits[1])
    assert "Left to pay: 380.00" in w.entry.hint.text()
    drive.key(drive.Key.Key_Return, w.entry.edits[1])
    drive.qtbot.waitUntil(lambda: w.actions.currentWidget() is w.confirm_panel)
    text = _texts(w.confirm_panel)
    assert "Purchase of 500.00, paying 120 points from the card?" in text
    assert "Most that may be spent" in text and "150 points" in text
    assert "To pay" in text and "380.00" in text
    before = len(drive.ledger("loona"))
    with drive.qtbot.waitSignal(w.result_shown, timeout=10000):
        drive.key(drive.Key.Key_Return)
    assert len(drive.ledger("loona")) == before + 1
    assert w.banner.to_pay.text() == "380.00"


def test_cards_that_cannot_be_used_say_so(drive: Any) -> None:
    w = drive.w
    for code, status in ((LOONA["expired"], CardStatus.EXPIRED),
                         (LOONA["blocked"], CardStatus.BLOCKED),
                         (LOONA["coupon_used"], CardStatus.USED)):
        drive.scan(code)
        assert w.card is not None and w.card.status is status
        assert w.card_panel.status.text() == w.card.status_label
        assert w.card_panel.status.property("badge") == "error"
        assert not any(b.isVisible() for b in w.ops_panel.buttons.values())
        assert "Nothing can be done" in w.ops_panel.note.text()
    drive.scan(LOONA["coupon_new"])
    assert w.card_panel.status.property("badge") == "warn"
    assert [op for op, b in w.ops_panel.buttons.items() if b.isVisible()] == [
        OpName.COUPON_ACTIVATE]


def test_phone_is_masked_on_the_card_panel(drive: Any) -> None:
    w = drive.w
    drive.scan(LOONA["bonus"])  # Anna Smirnova, +7 (912) 555-01-23
    shown = _texts(w.card_panel)
    assert "Anna Smirnova" in shown
    assert "0123" in shown and "555-01" not in shown and "9125550123" not in shown
    assert w.card.holder is not None and w.card.holder.masked_phone in shown


def _texts(widget: Any) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel)
                    if label.isVisibleTo(widget))
