"""This terminal's recent operations, from the journal, newest first."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.cards import Card
from pos_app.core.entry_text import entry_card, entry_sentence
from pos_app.core.i18n import N_, NP_, _, ngettext, pgettext
from pos_app.core.journal import Entry, State
from pos_app.core.present import back_office, outcome_rows, service_title, short_code
from pos_app.qt import theme
from pos_app.qt.wrapped_list import fit_rows, wrap_last_column

#: A journal entry's state in words (translate where shown: ``_(STATE_WORDS[state])``).
STATE_WORDS = {State.DONE: NP_("journal list", "Done"),
               State.FAILED: NP_("journal list", "Not done"),
               State.UNKNOWN: NP_("journal list", "Unknown"),
               State.PENDING: NP_("journal state", "Pending")}
#: The time with the entry's state under it, the card, then the operation with its figures
#: (wrapped, in what is left: at 1024x768 a separate state column left it too narrow for
#: one long word, e.g. «Зарезервировать»).
COLUMNS = (N_("Time"), N_("Card"), N_("Operation"))
#: Where an item keeps its time and its state word (:meth:`JournalView.rows`).
TIME_ROLE, STATE_ROLE = Qt.ItemDataRole.UserRole + 1, Qt.ItemDataRole.UserRole + 2


def list_time(moment: dt.datetime | None) -> str:
    """A moment as the lists show it, in the language's formats: the time today
    (``10:11``, ``10:11 AM``), else the date over the time (``02.01.2026`` / ``10:11``) so
    that the column stays narrow (English's clock with AM/PM is wider than a 24-hour one)."""
    if moment is None:
        return formatting.NONE
    local = moment.astimezone() if moment.tzinfo else moment
    if local.date() == dt.date.today():
        return formatting.time(local)
    return f"{formatting.date(local)}\n{formatting.time(local)}"


def local_time(iso: str) -> str:
    """A journal row's ISO time as the list shows it (:func:`list_time`)."""
    try:
        return list_time(dt.datetime.fromisoformat(iso))
    except ValueError:
        return iso[:16]


def full_time(iso: str) -> str:
    """A journal time with its date and seconds, for a row's tooltip."""
    try:
        return formatting.datetime(dt.datetime.fromisoformat(iso), seconds=True)
    except ValueError:
        return iso


def state_word(entry: Entry) -> str:
    """A row's state as the list says it: waiting for the cashier and cancelled by them are
    told from the other pending and failed ones."""
    if entry.waiting_step is not None:
        return _("Waiting")
    if entry.cancelled:
        return pgettext("journal list", "Cancelled")
    return _(STATE_WORDS.get(entry.state, entry.state.value))


def operation_text(entry: Entry) -> str:
    """The operation in the card's units, then the figures it produced (to pay...)."""
    text = entry_sentence(entry)
    figures = entry_figures(entry)
    return text + ("\n" + ", ".join(f"{k} {v}" for k, v in figures) if figures else "")


def entry_figures(entry: Entry, card: Card | None = None) -> list[tuple[str, str]]:
    """``To pay``, discount, points earned... of a done operation, where the journal has
    them (read defensively: older entries may have none)."""
    outcome = entry.outcome if isinstance(entry.outcome, dict) else {}
    if entry.state is not State.DONE or not outcome:
        return []
    figures = outcome.get("figures")
    source = figures if isinstance(figures, dict) else outcome
    return outcome_rows(source, card or entry_card(entry))


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
        # The sentence above its buttons: beside them it was squeezed into a narrow column
        # and the buttons were cut (worse in Russian).
        self.open_bar = QWidget()
        column = QVBoxLayout(self.open_bar)
        column.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.open_label = QLabel()
        self.open_label.setWordWrap(True)
        # as tall as its wrapped lines at the pane's width, whatever the list below wants
        self.open_label.setSizePolicy(QSizePolicy.Policy.Preferred,
                                      QSizePolicy.Policy.MinimumExpanding)
        self.check_button = QPushButton(_("Check again"))
        self.check_button.setToolTip(_("Ask the services now about the operations still open"))
        self.check_button.clicked.connect(self.check_again)
        self.finish_button = QPushButton(_("Finish"))
        self.finish_button.setToolTip(_("Send the last step of the selected waiting operation "
                                        "(confirm the hold)"))
        self.finish_button.clicked.connect(lambda: self._finish(False))
        self.cancel_button = QPushButton(_("Cancel it"))
        self.cancel_button.setToolTip(_("Undo the selected waiting operation (release the "
                                        "hold)"))
        self.cancel_button.clicked.connect(lambda: self._finish(True))
        # Why Finish and Cancel are greyed out (several wait and none is chosen).
        self.choose_hint = QLabel()
        self.choose_hint.setWordWrap(True)
        self.choose_hint.setProperty("muted", True)
        self.choose_hint.hide()
        column.addWidget(self.open_label)
        column.addWidget(self.choose_hint)
        column.addLayout(bar)
        bar.addStretch(1)
        bar.addWidget(self.check_button)
        bar.addWidget(self.finish_button)
        bar.addWidget(self.cancel_button)
        layout.addWidget(self.open_bar)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_(c) for c in COLUMNS])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        # Time, state and card at their width; the operation and its figures wrapped.
        wrap_last_column(self.tree, self._fit_rows)
        self.tree.setAccessibleName(_("Recent operations"))
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.tree)
        self.empty = QLabel(_("No operations yet on this terminal."))
        self.empty.setProperty("muted", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        self.entries: list[Entry] = []
        #: Those waiting for the cashier in the whole journal (``None``: not read yet, the
        #: rows tell).
        self.waiting: list[Entry] | None = None
        self.set_entries([])

    def set_entries(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        self.tree.clear()
        colors = theme.colors()
        tones = {State.DONE: colors.ok_fg, State.FAILED: colors.error_fg,
                 State.UNKNOWN: colors.warn_fg, State.PENDING: colors.info_fg}
        for entry in self.entries:
            when = local_time(entry.created)
            state = state_word(entry)
            item = QTreeWidgetItem([f"{when}\n{state}",
                                    f"{service_title(entry.service)}\n{short_code(entry.card)}",
                                    operation_text(entry)])
            item.setData(0, TIME_ROLE, when)
            item.setData(0, STATE_ROLE, state)
            tone = colors.muted if entry.cancelled else tones.get(entry.state, colors.muted)
            item.setForeground(0, QBrush(QColor(tone)))
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            tip = _("Journal entry #{id}, {when}").format(
                id=entry.id, when=full_time(entry.created)) + "\n" + operation_text(entry)
            if short_code(entry.card) != entry.card:
                tip += f"\n{service_title(entry.service)} {entry.card}"
            if entry.error:
                tip += f"\n{entry.error}"
            for col in range(len(COLUMNS)):
                item.setToolTip(col, tip)
            item.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            self.tree.addTopLevelItem(item)
        QTimer.singleShot(0, self, self._fit_rows)
        self.tree.setVisible(bool(self.entries))
        self.empty.setVisible(not self.entries)
        self._update_open()

    def set_waiting(self, entries: list[Entry]) -> None:
        """The operations waiting for the cashier in the whole journal, whatever the
        filters show (the buttons act on them)."""
        self.waiting = [e for e in entries if e.waiting_step is not None]
        self._update_open()

    def waiting_entries(self) -> list[Entry]:
        """Those waiting for the cashier: from :meth:`set_waiting`, else from the rows."""
        if self.waiting is not None:
            return list(self.waiting)
        return [e for e in self.entries if e.waiting_step is not None]

    def _update_open(self) -> None:
        """The sentence above the list and its buttons."""
        colors = theme.colors()
        unknown = sum(e.state is State.UNKNOWN for e in self.entries)
        queued = sum(e.state is State.PENDING and e.waiting_step is None for e in self.entries)
        waiting = [e for e in self.waiting_entries() if not e.at_service]
        at_service = [e for e in self.waiting_entries() if e.at_service]
        parts = []
        if unknown:
            parts.append(ngettext(
                "{count} unknown (the answer was lost; checking with the service)",
                "{count} unknown (the answers were lost; checking with the services)",
                unknown).format(count=formatting.number(unknown)))
        if queued:
            parts.append(ngettext("{count} waiting to be sent", "{count} waiting to be sent",
                                  queued).format(count=formatting.number(queued)))
        if waiting:
            parts.append(ngettext("{count} waiting for you to finish or cancel",
                                  "{count} waiting for you to finish or cancel",
                                  len(waiting)).format(count=formatting.number(len(waiting))))
        for place in sorted({back_office(e.service) for e in at_service}):
            count = sum(back_office(e.service) == place for e in at_service)
            # i18n: {place} is where it is finished: "Counterpoint"
            parts.append(ngettext("{count} to finish in {place} (the till cannot)",
                                  "{count} to finish in {place} (the till cannot)",
                                  count).format(count=formatting.number(count), place=place))
        shown = {e.id for e in self.entries}
        if any(e.id not in shown for e in waiting + at_service):
            parts.append(_("not all shown: the filters hide some"))
        self.check_button.setVisible(bool(unknown or queued))
        self.finish_button.setVisible(bool(waiting))
        self.cancel_button.setVisible(bool(waiting))
        self._selection_changed()
        self.open_label.setText(_("Open: {list}.").format(list=", ".join(parts))
                                if parts else "")
        self.open_label.setStyleSheet(f"color: {colors.warn_fg}; font-weight: bold;")
        self.open_bar.setVisible(bool(parts))

    def _fit_rows(self, *_args: object) -> None:
        fit_rows(self.tree, len(COLUMNS) - 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_rows)  # once the columns have their widths

    def chosen(self) -> Entry | None:
        """The waiting operation the buttons act on: the selected one, or the only one
        (never one the till cannot finish)."""
        waiting = [e for e in self.waiting_entries() if not e.at_service]
        ids = self._selected_ids()
        picked = [e for e in waiting if e.id in ids]
        if picked:
            return picked[0]
        return waiting[0] if len(waiting) == 1 and not ids else None

    def _selected_ids(self) -> set[int]:
        return {i.data(0, Qt.ItemDataRole.UserRole) for i in self.tree.selectedItems()}

    def _selection_changed(self) -> None:
        entry = self.chosen()
        for button in (self.finish_button, self.cancel_button):
            button.setEnabled(entry is not None)
            if entry is not None:
                button.setAccessibleDescription(_("Journal entry #{id}: {operation}").format(
                    id=entry.id, operation=operation_text(entry)))
        at_service = [e for e in self.waiting_entries() if e.at_service
                      and e.id in self._selected_ids()]
        hint = ""
        if at_service:
            hint = _("The till cannot finish this one: finish it in {place}.").format(
                place=back_office(at_service[0].service))
        elif entry is None and not self.finish_button.isHidden():
            hint = _("Choose the operation in the list.")
        self.choose_hint.setText(hint)
        self.choose_hint.setVisible(bool(hint))

    def _finish(self, cancel: bool) -> None:
        entry = self.chosen()
        if entry is not None:
            self.finish_wanted.emit(entry.id, cancel)

    def rows(self) -> list[list[str]]:
        """The visible text, row by row: time, state, card, operation (for tests)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append([item.data(0, TIME_ROLE), item.data(0, STATE_ROLE),
                        *(item.text(c) for c in range(1, len(COLUMNS)))])
        return out
