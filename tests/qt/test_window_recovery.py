"""Operations left open are shown with "Check again", and settled by it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos_app.core.journal import State
from pos_app.core.operations import Operation
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.qt.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_an_open_operation_is_listed_and_check_again_settles_it(
        qtbot: Any, window: MainWindow) -> None:
    counter = window.controller.counter
    card = counter.lookup(LOONA["chop"])
    plan = counter.plan(card, Operation.parse("stamp", ["1"]))
    entry = counter.journal.begin(service="loona", card=card.code, card_id=card.card_id,
                                  plan=plan, key="left-open-by-a-crash", before=card.snapshot())
    window.controller.refresh_journal()
    view = window.journal
    qtbot.waitUntil(lambda: not view.open_bar.isHidden(), timeout=5000)
    assert "waiting to be sent" in view.open_label.text() or "unknown" in \
        view.open_label.text()
    qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: counter.journal.get(entry).state is State.DONE, timeout=10000)
    qtbot.waitUntil(lambda: view.open_bar.isHidden(), timeout=5000)
    assert len(counter.sandbox.loona.app.ledger) == 1
