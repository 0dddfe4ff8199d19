"""Holds that wait for the cashier, through the real window on the CP Extender sandbox: a
hold the till cannot finish (no authorization code), finishing another card's hold, a
filtered journal, a cancelled hold, the buttons' hint and the state filter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos_app.core.journal import State
from pos_app.core.operations import OpName
from pos_app.core.services.cpextender.seed import DEMO

pytestmark = pytest.mark.gui


def _waiting(drive: Any, count: int = 1) -> None:
    """Until the journal has ``count`` waiting operations and the window has read it."""
    drive.qtbot.waitUntil(lambda: len(drive.counter.journal.waiting()) == count
                          and not drive.w.controller.runner.busy("journal"), timeout=10000)


def _press(drive: Any, button: Any) -> Any:
    with drive.qtbot.waitSignal(drive.w.result_shown, timeout=10000) as done:
        button.click()
    drive.idle()
    return done.args[0]


def test_1_a_hold_without_a_code_says_counterpoint_from_the_start(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["web"])
    result = drive.operation(OpName.HOLD, "50")
    assert result.waiting
    banner = w.banner.summary()
    assert "Counterpoint" in banner and "in the journal" not in banner, banner
    assert "Counterpoint" in w.banner.title.text()
    assert "Counterpoint" in w.status.text() and "finish or cancel" not in w.status.text()
    _waiting(drive)
    drive.qtbot.waitUntil(lambda: "Counterpoint" in w.card_panel.waiting.text())
    assert "in the journal" not in w.card_panel.waiting.text()
    journal = w.journal
    assert "Counterpoint" in journal.open_label.text()
    # no button that can never work
    assert journal.finish_button.isHidden() and journal.cancel_button.isHidden()
    assert journal.rows()[0][1] == "Waiting"
    # nothing but the Authorize was sent
    assert [r["action"] for r in drive.ledger("cpextender")] == ["Loyalty/Authorize"]


def test_1_an_old_hold_without_a_code_is_marked_when_finish_is_pressed(drive: Any) -> None:
    """One recorded before the till knew (no mark): Finish says Counterpoint, and Cancel is
    not offered afterwards (it would fail the same way)."""
    w = drive.w
    drive.scan(DEMO["web"])
    result = drive.operation(OpName.HOLD, "50")
    entry = drive.counter.journal.get(result.journal_id)
    steps = entry.steps
    steps[1].pop("mark", None)
    with drive.counter.journal._lock:
        drive.counter.journal._db.execute("UPDATE operations SET steps = ? WHERE id = ?",
                                          (json.dumps(steps), entry.id))
    w.controller.refresh_journal()
    _waiting(drive)
    drive.qtbot.waitUntil(lambda: not w.journal.finish_button.isHidden())
    finished = _press(drive, w.journal.finish_button)
    assert finished.waiting and "Counterpoint" in w.banner.title.text(), w.banner.summary()
    drive.qtbot.waitUntil(w.journal.cancel_button.isHidden)
    assert drive.counter.journal.get(entry.id).waiting_step == 1


def test_2_finishing_another_cards_hold_shows_that_card_and_says_it_was_finished(
        drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    hold = drive.operation(OpName.HOLD, "200")
    drive.scan(DEMO["history"])
    assert w.card is not None and w.card.code == DEMO["history"]
    _waiting(drive)
    journal = w.journal
    row = next(i for i in range(journal.tree.topLevelItemCount())
               if journal.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
               == hold.journal_id)
    journal.tree.setCurrentItem(journal.tree.topLevelItem(row))
    finished = _press(drive, journal.finish_button)
    assert finished.ok and finished.state is State.DONE
    banner = w.banner.summary()
    assert "Take the 200 points held" in w.banner.title.text(), banner
    assert DEMO["plenty"] in banner and "Brian" in banner, banner
    assert w.card is not None and w.card.code == DEMO["plenty"]
    assert w.card_panel.code.text() == DEMO["plenty"]
    assert w.controller.card.code == DEMO["plenty"]


def test_3_a_new_hold_is_offered_to_finish_whatever_the_filter(drive: Any) -> None:
    w = drive.w
    tools = w.journal_tools
    drive.scan(DEMO["plenty"])
    tools.bar.search.setText("33")
    drive.qtbot.waitUntil(lambda: w.controller.journal_filter.text == "33", timeout=5000)
    drive.idle()
    drive.w.code.setFocus()
    result = drive.operation(OpName.HOLD, "100")
    assert result.waiting
    _waiting(drive)
    journal = w.journal
    drive.qtbot.waitUntil(lambda: "1 waiting for you" in journal.open_label.text())
    assert not journal.finish_button.isHidden() and journal.finish_button.isEnabled()
    assert "filter" in journal.open_label.text()
    assert all(r[1] != "Waiting" for r in journal.rows())
    finished = _press(drive, journal.finish_button)
    assert finished.ok and finished.state is State.DONE


def test_4_a_cancelled_hold_reads_as_cancelled_and_is_said_once(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    drive.operation(OpName.HOLD, "300")
    _waiting(drive)
    cancelled = _press(drive, w.journal.cancel_button)
    assert cancelled.state is State.FAILED
    banner = w.banner.summary()
    assert banner.count("Cancelled") == 1 and banner.count("Hold 300 points") == 1, banner
    assert w.banner.tone != "error"
    assert w.status.text() == "Cancelled."
    drive.qtbot.waitUntil(lambda: bool(w.journal.rows()) and w.journal.rows()[0][1]
                          == "Cancelled")
    from pos_app.qt import theme
    item = w.journal.tree.topLevelItem(0)
    assert item.foreground(0).color().name() != theme.colors().error_fg.lower()


def test_6_several_holds_and_none_chosen_say_to_choose_one(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    drive.operation(OpName.HOLD, "10")
    drive.operation(OpName.HOLD, "20")
    _waiting(drive, 2)
    journal = w.journal
    journal.tree.clearSelection()
    assert not journal.finish_button.isEnabled()
    assert journal.choose_hint.isVisibleTo(journal)
    assert "Choose the operation in the list" in journal.choose_hint.text()
    journal.tree.setCurrentItem(journal.tree.topLevelItem(0))
    assert journal.finish_button.isEnabled() and not journal.choose_hint.isVisibleTo(journal)


def test_7_the_state_filter_finds_waiting_holds_and_cancelled_ones(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    drive.operation(OpName.ACCRUE, "5")
    drive.operation(OpName.HOLD, "10")
    drive.operation(OpName.HOLD, "20")
    drive.operation(OpName.HOLD, "30")
    _waiting(drive, 3)
    w.journal.tree.setCurrentItem(w.journal.tree.topLevelItem(0))
    _press(drive, w.journal.cancel_button)
    _waiting(drive, 2)
    combo = w.journal_tools.bar.state
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Waiting for you" in labels and "Cancelled" in labels, labels

    def shown(label: str, states: list[str]) -> None:
        combo.setCurrentIndex(labels.index(label))
        drive.qtbot.waitUntil(lambda: [r[1] for r in w.journal.rows()] == states,
                              timeout=5000)

    shown("Waiting for you", ["Waiting", "Waiting"])
    shown("Cancelled", ["Cancelled"])
    shown("Pending", [])
    shown("Not done", [])
    shown("Done", ["Done"])


@pytest.mark.usefixtures("russian")
def test_5_the_russian_banner_note_sentence_and_buttons_use_one_verb_pair(drive: Any) -> None:
    w = drive.w
    drive.scan(DEMO["plenty"])
    result = drive.operation(OpName.HOLD, "100")
    assert result.waiting
    _waiting(drive)
    journal = w.journal
    drive.qtbot.waitUntil(lambda: bool(w.card_panel.waiting.text()))
    assert (journal.finish_button.text(), journal.cancel_button.text()) == ("Завершить",
                                                                            "Отменить")
    texts = [w.banner.title.text(), w.banner.text.text(), w.card_panel.waiting.text(),
             journal.open_label.text(), w.status.text()]
    for text in texts:
        lowered = text.lower()
        assert "подтвер" not in lowered, text
    for text in texts[:1] + texts[2:]:
        lowered = text.lower()
        assert "заверш" in lowered and "отмен" in lowered, text
