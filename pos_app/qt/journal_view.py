"""This terminal's recent operations, from the journal, newest first."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.core.journal import Entry, State
from pos_app.core.operations import LABELS, OpName
from pos_app.core.present import service_title
from pos_app.qt import theme

STATE_WORDS = {State.DONE: "Done", State.FAILED: "Not done", State.UNKNOWN: "Unknown",
               State.PENDING: "Pending"}
COLUMNS = ("Time", "State", "Operation", "Card")


def local_time(iso: str) -> str:
    """``2026-01-02T10:11:12.000+00:00`` -> ``10:11`` today, else ``01-02 10:11``."""
    try:
        when = dt.datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso[:16]
    if when.date() == dt.date.today():
        return when.strftime("%H:%M:%S")
    return when.strftime("%m-%d %H:%M")


def operation_text(entry: Entry) -> str:
    try:
        label = LABELS[OpName(entry.operation)]
    except ValueError:
        label = entry.operation
    return f"{label} {' '.join(entry.args)}".strip()


class JournalView(QWidget):
    """A list of journal entries; the error of one that failed is in its tooltip.

    Operations still open (unknown, or queued while a service was away) are counted above the
    list with a "Check again" button: ``check_again`` asks for them to be settled now. Those
    waiting for the cashier (a hold to confirm or cancel) get "Finish" and "Cancel" buttons
    for the selected one (or the only one): ``finish_wanted(entry id, cancel)``.
    """

    check_again = Signal()
    finish_wanted = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.open_bar = QWidget()
        bar = QHBoxLayout(self.open_bar)
        bar.setContentsMargins(4, 4, 4, 4)
        self.open_label = QLabel()
        self.open_label.setWordWrap(True)
        self.check_button = QPushButton("Check again")
        self.check_button.setToolTip("Ask the services now about the operations still open")
        self.check_button.clicked.connect(self.check_again)
        self.finish_button = QPushButton("Finish")
        self.finish_button.setToolTip("Send the last step of the selected waiting operation "
                                      "(confirm the hold)")
        self.finish_button.clicked.connect(lambda: self._finish(False))
        self.cancel_button = QPushButton("Cancel it")
        self.cancel_button.setToolTip("Undo the selected waiting operation (release the hold)")
        self.cancel_button.clicked.connect(lambda: self._finish(True))
        bar.addWidget(self.open_label, 1)
        bar.addWidget(self.check_button)
        bar.addWidget(self.finish_button)
        bar.addWidget(self.cancel_button)
        layout.addWidget(self.open_bar)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setAccessibleName("Recent operations")
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.tree)
        self.empty = QLabel("No operations yet on this terminal.")
        self.empty.setProperty("muted", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self.entries: list[Entry] = []
        self.set_entries([])

    def set_entries(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        self.tree.clear()
        colors = theme.colors()
        tones = {State.DONE: colors.ok_fg, State.FAILED: colors.error_fg,
                 State.UNKNOWN: colors.warn_fg, State.PENDING: colors.info_fg}
        for entry in self.entries:
            waits = entry.waiting_step is not None
            item = QTreeWidgetItem([
                local_time(entry.created),
                "Waiting" if waits else STATE_WORDS.get(entry.state, entry.state.value),
                operation_text(entry), f"{service_title(entry.service)} {entry.card}"])
            item.setForeground(1, QBrush(QColor(tones.get(entry.state, colors.muted))))
            font = item.font(1)
            font.setBold(True)
            item.setFont(1, font)
            tip = f"#{entry.id}  {entry.created[:19].replace('T', ' ')} UTC"
            if entry.error:
                tip += f"\n{entry.error}"
            for col in range(len(COLUMNS)):
                item.setToolTip(col, tip)
            item.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            self.tree.addTopLevelItem(item)
        self.tree.setVisible(bool(self.entries))
        self.empty.setVisible(not self.entries)
        unknown = sum(e.state is State.UNKNOWN for e in self.entries)
        waiting = [e for e in self.entries if e.waiting_step is not None]
        queued = sum(e.state is State.PENDING for e in self.entries) - len(waiting)
        parts = []
        if unknown:
            parts.append(f"{unknown} unknown (the answer was lost; checking with the service)")
        if queued:
            parts.append(f"{queued} waiting to be sent")
        if waiting:
            parts.append(f"{len(waiting)} waiting for you to finish or cancel")
        self.check_button.setVisible(bool(unknown or queued))
        self.finish_button.setVisible(bool(waiting))
        self.cancel_button.setVisible(bool(waiting))
        self._selection_changed()
        self.open_label.setText("Open: " + ", ".join(parts) + "." if parts else "")
        self.open_label.setStyleSheet(f"color: {colors.warn_fg}; font-weight: bold;")
        self.open_bar.setVisible(bool(parts))

    def chosen(self) -> Entry | None:
        """The waiting operation the buttons act on: the selected one, or the only one."""
        waiting = [e for e in self.entries if e.waiting_step is not None]
        ids = {i.data(0, Qt.ItemDataRole.UserRole) for i in self.tree.selectedItems()}
        picked = [e for e in waiting if e.id in ids]
        if picked:
            return picked[0]
        return waiting[0] if len(waiting) == 1 and not ids else None

    def _selection_changed(self) -> None:
        entry = self.chosen()
        for button in (self.finish_button, self.cancel_button):
            button.setEnabled(entry is not None)
            if entry is not None:
                button.setAccessibleDescription(f"#{entry.id} {operation_text(entry)}")

    def _finish(self, cancel: bool) -> None:
        entry = self.chosen()
        if entry is not None:
            self.finish_wanted.emit(entry.id, cancel)

    def rows(self) -> list[list[str]]:
        """The visible text, row by row (for tests)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append([item.text(c) for c in range(len(COLUMNS))])
        return out
