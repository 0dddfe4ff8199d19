"""vmob in the real window over HTTP: points shown row by row, a card completing, a daily
limit, what this till last heard (never a live balance), an offer code reported."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.journal import State
from pos_app.core.operations import OpName
from pos_app.core.services.vmob.seed import DEMO, OFFERS

pytestmark = pytest.mark.gui


def test_points_row_by_row_and_what_was_last_heard(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["near"])
    assert w.card is not None and w.card.service == "vmob"
    assert "not a live balance" in w.card_panel.value_note.text()
    assert not w.card_panel.heard.isVisible() and not w.card_panel.value.isVisible()
    result = drive.operation(OpName.ACCRUE, "15")
    assert result.ok and result.state is State.DONE, w.banner.summary()
    text = w.banner.summary()
    assert "+2 points, now 10, complete: a reward earned" in text
    assert "+3 points, now 3" in text
    drive.scan(DEMO["near"])
    heard = w.card_panel.heard
    assert heard.isVisible() and heard.text().startswith("Last heard: 3 points (Add points at")
    assert "this till" in heard.text()


def test_a_purchase_is_last_heard_as_a_purchase(drive: Any) -> None:
    """Issue: after a purchase the card said "Last heard: ... (Add points at ...)"."""
    w = drive.w
    drive.scan(DEMO["near"])
    result = drive.operation(OpName.PURCHASE, "25.50")
    assert result.ok and result.state is State.DONE, w.banner.summary()
    heard = w.card_panel.heard
    assert heard.isVisible() and "(Purchase at " in heard.text(), heard.text()
    drive.scan(DEMO["near"])  # read again: the journal says the same
    assert "(Purchase at " in w.card_panel.heard.text()


def test_a_daily_limit_is_said_in_words(drive: Any) -> None:
    drive.scan(DEMO["daily_points"])
    result = drive.operation(OpName.ACCRUE, "10")
    assert result.ok
    assert "5 of 10 points: the customer's daily point limit is reached" in \
        drive.w.banner.summary()
    # Less than asked went on: the title says so, in amber, not a plain "Done".
    assert drive.w.banner.title.text() == "Done in part: 5 of 10 points added."
    assert drive.w.banner.tone == "warn"
    result = drive.operation(OpName.ACCRUE, "2")
    assert not result.ok and drive.w.banner.tone == "error"
    assert "vmob added no points" in drive.w.banner.summary()


def test_an_offer_code_is_reported_not_redeemed(drive: Any) -> None:
    code = next(iter(OFFERS))
    drive.scan(code)
    assert drive.w.ops_panel.available() == [OpName.REPORT_OFFER]
    result = drive.operation(OpName.REPORT_OFFER)
    assert result.ok
    text = drive.w.banner.summary()
    assert f"{code} reported to vmob" in text and "redeem" not in text.lower()
    assert drive.ledger("vmob")[-1]["action"] == "redemptionAdvice"



def _long_code_in_the_journal(drive: Any) -> None:
    from pos_app.qt.text_fit import tree_cuts

    w = drive.w
    w.tabs.setCurrentWidget(w.journal)
    drive.scan(DEMO["fresh"])  # 32 characters
    result = drive.operation(OpName.ACCRUE, "5")
    assert result.ok, w.banner.summary()
    tree = w.journal.tree
    drive.qtbot.waitUntil(lambda: tree.topLevelItemCount() == 1)
    drive.qtbot.wait(50)  # the rows are fitted once the columns have their widths
    item = tree.topLevelItem(0)
    shown = item.text(1).split("\n")[1]
    assert shown != DEMO["fresh"] and shown.startswith("vmAT7Hq") and shown.endswith("1Ms5Df")
    assert DEMO["fresh"] in item.toolTip(1)
    assert tree.columnWidth(2) > tree.viewport().width() // 4
    assert tree_cuts(tree) == []


def test_a_long_vmob_code_leaves_the_journal_its_operation_column(drive: Any) -> None:
    _long_code_in_the_journal(drive)


def test_a_long_vmob_code_in_the_russian_journal(russian: None, drive: Any) -> None:
    _long_code_in_the_journal(drive)
