"""The window's journal filters and export, the shift tab, and slips (Ctrl+P, PDF, reprint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QDate, Qt

from pos_app.core.export import read_csv
from pos_app.core.journal import Journal
from pos_app.core.operations import OpName
from pos_app.core.paths import data_dir
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.qt import slip_print
from pos_app.qt.main_window import MainWindow

pytestmark = pytest.mark.gui


def _pdf_text(path: Path) -> str:
    return " ".join(pypdf.PdfReader(path).pages[0].extract_text().split())


@pytest.fixture
def crashed_shift() -> int:
    """A shift an app was running when it died (live, its lock free), before the window."""
    journal = Journal(data_dir() / "journal.sqlite3")
    shift = journal.open_shift(live=True)
    journal.close()
    return shift.id


def test_filters_and_export_from_the_window(drive: Any, qtbot: Any, tmp_path: Path) -> None:
    w = drive.w
    drive.scan(LUNA["cashback"])
    drive.operation(OpName.ACCRUE, "5")
    drive.scan(LOONA["gift"])
    drive.operation(OpName.SPEND, "100")
    qtbot.waitUntil(lambda: len(w.journal.entries) == 2, timeout=5000)
    bar = w.journal_tools.bar
    qtbot.waitUntil(lambda: bar.service.findData("loona") > 0, timeout=5000)
    bar.service.setCurrentIndex(bar.service.findData("loona"))
    qtbot.waitUntil(lambda: [e.service for e in w.journal.entries] == ["loona"], timeout=5000)
    bar.clear()
    bar.search.setText("жуков")  # the Luna card's holder, typed in lower case
    qtbot.waitUntil(lambda: [e.operation for e in w.journal.entries] == ["accrue"],
                    timeout=5000)
    bar.search.setText("no such card")
    qtbot.waitUntil(lambda: not w.journal.entries, timeout=5000)
    assert w.journal.empty.text() == "No operations match the filters."
    bar.clear()
    bar.dates.setChecked(True)
    bar.since.setDate(QDate.currentDate().addDays(1))
    bar.until.setDate(QDate.currentDate().addDays(1))
    qtbot.waitUntil(lambda: not w.journal.entries, timeout=5000)
    bar.since.setDate(QDate.currentDate())
    bar.until.setDate(QDate.currentDate())
    qtbot.waitUntil(lambda: len(w.journal.entries) == 2, timeout=5000)
    bar.kind.setCurrentIndex(bar.kind.findData("gift"))
    qtbot.waitUntil(lambda: len(w.journal.entries) == 1, timeout=5000)
    out = tmp_path / "gift.csv"
    with qtbot.waitSignal(w.journal_tools.said, timeout=5000) as said:
        w.journal_tools.export(out)
    assert "1 journal row saved" in said.args[0]
    (row,) = read_csv(out)
    assert row["service"] == "loona" and row["money_spent"] == "100.00"
    assert row["balance_after"] == "900.00"


def test_ctrl_p_prints_the_last_operation_and_a_row_is_reprinted_as_pdf(
        drive: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = drive.w
    printed: list[Any] = []
    monkeypatch.setattr(slip_print, "ask_and_print",
                        lambda slip, parent, width: printed.append((slip, width)) or True)
    drive.scan(LUNA["discount"])
    result = drive.operation(OpName.PURCHASE, "200")
    drive.key(Qt.Key.Key_P, w, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(printed), timeout=5000)
    slip, width = printed[0]
    assert width == 58 and slip.footer == f"Journal #{result.journal_id}" and not slip.copy
    assert ("To pay", "190.00") in slip.rows and ("Discount", "10.00") in slip.rows
    assert LUNA["discount"] not in " ".join(slip.lines())
    # An older row, chosen in the journal, saved as PDF: marked as a copy.
    drive.scan(LUNA["stamps"])
    drive.operation(OpName.STAMP, "1")
    tree = w.journal.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 2, timeout=5000)
    tree.setCurrentItem(tree.topLevelItem(1))
    tree.setFocus()
    pdf = tmp_path / "copy.pdf"
    with qtbot.waitSignal(w.journal_tools.said, timeout=5000):
        w.journal_tools.save_pdf(pdf)
    text = _pdf_text(pdf)
    assert "Purchase of 200.00" in text and "To pay 190.00" in text and "Copy" in text
    assert f"Journal #{result.journal_id}" in text


def test_the_shift_tab_opens_sums_and_closes(drive: Any, qtbot: Any) -> None:
    w = drive.w
    view = w.shift_view
    qtbot.waitUntil(lambda: w.shift.book is not None, timeout=5000)
    assert view.toggle_button.text() == "Open shift"
    qtbot.mouseClick(view.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.toggle_button.text() == "Close shift", timeout=5000)
    w.code.setFocus()
    drive.scan(LUNA["cashback"])
    drive.operation(OpName.PURCHASE, "100")
    drive.scan(LOONA["chop"])
    drive.operation(OpName.STAMP, "2")
    # The summary is refreshed as operations end: wait for both to be in it, done.
    qtbot.waitUntil(lambda: all(part in view.text.toPlainText() for part in (
        "Loona: 1 operation", "Luna: 1 operation", "Stamps given")) and
        "Needs attention" not in view.text.toPlainText(), timeout=10000)
    text = view.text.toPlainText()
    assert "Luna: 1 operation" in text and "Points earned" in text and "Stamps given" in text
    assert "Shift #1 open since" in view.status.text()
    assert "Stamps given" in w.shift.document().toPlainText()
    qtbot.mouseClick(view.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.toggle_button.text() == "Open shift", timeout=5000)
    assert "closed" in view.status.text()
    assert w.controller.counter.journal.shift(1).closed is not None


def test_a_shift_a_crash_left_open_is_closed_at_start_with_a_note(
        crashed_shift: int, window: MainWindow, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: "stopped without closing" in window.banner.summary(),
                    timeout=5000)
    qtbot.waitUntil(lambda: window.shift_view.summary is not None, timeout=5000)
    assert window.controller.counter.journal.shift(crashed_shift).note
    assert "stopped without closing" in window.shift_view.text.toPlainText()
