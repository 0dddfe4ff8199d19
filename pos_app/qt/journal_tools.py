"""Above the journal list: filters, CSV export and slips (print or PDF) for its rows.

The filters change what :meth:`Controller.refresh_journal` reads (the list shows the newest
rows that match); the export writes every matching row. Work on the journal runs off the GUI
thread through the controller's task runner.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QWidget,
)

from pos_app.core import formatting, i18n
from pos_app.core.cards import KIND_LABELS
from pos_app.core.errors import PosError
from pos_app.core.export import separator, write_csv
from pos_app.core.i18n import N_, NP_, _, ngettext
from pos_app.core.journal import Entry, JournalFilter, State
from pos_app.core.operations import LABELS
from pos_app.core.present import service_title
from pos_app.core.slip import Shop, build_slip
from pos_app.qt.journal_view import STATE_WORDS

#: The tools' words (marked for the catalogue; translated where shown).
TEXT = {
    "search": N_("Card code or holder"),
    "all_services": N_("All services"),
    "all_states": N_("All states"),
    "all_operations": N_("All operations"),
    "all_kinds": N_("All card kinds"),
    "dates": N_("Dates"),
    "export": N_("Export CSV…"),
    "export_tip": N_("Save the rows that match the filters as CSV (opens in Excel)"),
    "slip": N_("Slip…"),
    "slip_tip": N_("Print the selected row's slip again, or save it as PDF (Ctrl+P)"),
    "print": N_("Print…"),
    "pdf": N_("Save as PDF…"),
    "csv_filter": N_("CSV files (*.csv)"),
    "pdf_filter": N_("PDF files (*.pdf)"),
    "no_row": N_("Choose a row in the journal first (or run an operation)."),
    "printed": N_("Slip #{id} sent to the printer."),
    "saved": N_("Slip #{id} saved as {path}."),
    "no_entry": N_("Journal entry #{id} is gone."),
    "clear": N_("Clear"),
    "none_match": N_("No operations match the filters."),
    "none_yet": N_("No operations yet on this terminal."),
}
DEBOUNCE_MS = 250
#: The state filter's choices: the words the list shows (waiting for the cashier and
#: cancelled by them apart from the other pending and failed rows) and what each finds.
STATES: dict[str, tuple[str, dict[str, Any]]] = {
    "done": (STATE_WORDS[State.DONE], {"states": (State.DONE,)}),
    "failed": (STATE_WORDS[State.FAILED], {"states": (State.FAILED,), "cancelled": False}),
    "cancelled": (NP_("journal list", "Cancelled"), {"cancelled": True}),
    "unknown": (STATE_WORDS[State.UNKNOWN], {"states": (State.UNKNOWN,)}),
    "pending": (STATE_WORDS[State.PENDING], {"states": (State.PENDING,), "waiting": False}),
    "waiting": (N_("Waiting for you"), {"waiting": True}),
}


def words(key: str) -> str:
    """One of :data:`TEXT` in the chosen language."""
    return _(TEXT[key])


def qt_date_format() -> str:
    """The language's date pattern (as :func:`formatting.date` writes dates) for a date
    field: ``dd.MM.yyyy`` in Russian, ``MMM d, yyyy`` in English."""
    from babel.dates import get_date_format

    style = formatting.DATE_STYLE.get(i18n.language(), formatting.DEFAULT_DATE_STYLE)
    pattern = get_date_format(style, locale=formatting.current_locale()).pattern
    return re.sub(r"(?<!y)y{1,2}(?!y)", "yyyy", pattern)


class FilterBar(QWidget):
    """The filter widgets; ``changed`` fires (debounced) with the new :class:`JournalFilter`."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 0)
        grid.setSpacing(4)
        self.search = QLineEdit()
        self.search.setPlaceholderText(words("search"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(words("search"))
        self.service = self._combo(words("all_services"), [])
        self.state = self._combo(words("all_states"),
                                 [(value, _(w)) for value, (w, _where) in STATES.items()])
        self.operation = self._combo(words("all_operations"),
                                     [(op.value, _(label)) for op, label in LABELS.items()])
        self.kind = self._combo(words("all_kinds"),
                                [(k.value, _(label)) for k, label in KIND_LABELS.items()])
        self.dates = QCheckBox(words("dates"))
        today = QDate.currentDate()
        self.since, self.until = self._date(today), self._date(today)
        self.clear_button = QPushButton(words("clear"))
        self.clear_button.clicked.connect(self.clear)
        # Two filters a row: the panel is narrow, and the words are longer in some languages.
        grid.addWidget(self.search, 0, 0, 1, 2)
        grid.addWidget(self.service, 1, 0)
        grid.addWidget(self.state, 1, 1)
        grid.addWidget(self.operation, 2, 0)
        grid.addWidget(self.kind, 2, 1)
        dates = QHBoxLayout()
        dates.addWidget(self.dates)
        dates.addWidget(self.since, 1)
        dates.addWidget(self.until, 1)
        grid.addLayout(dates, 3, 0, 1, 2)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit_if_changed)
        self.search.textChanged.connect(self._timer.start)
        for combo in (self.service, self.state, self.operation, self.kind):
            combo.currentIndexChanged.connect(self._timer.start)
        for w in (self.since, self.until):
            w.dateChanged.connect(self._timer.start)
        self.dates.toggled.connect(self._dates_toggled)
        self.since.setEnabled(False)
        self.until.setEnabled(False)
        #: The filter last announced: ``changed`` fires only when the value differs from it.
        self._announced = self.value()

    @staticmethod
    def _combo(everything: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything, "")
        for value, label in items:
            combo.addItem(label, value)
        combo.setAccessibleName(everything)
        return combo

    @staticmethod
    def _date(day: QDate) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(qt_date_format())
        return edit

    def _emit_if_changed(self) -> None:
        value = self.value()
        if value != self._announced:
            self._announced = value
            self.changed.emit(value)

    def _dates_toggled(self, on: bool) -> None:
        self.since.setEnabled(on)
        self.until.setEnabled(on)
        self._timer.start()

    def set_services(self, services: list[str]) -> None:
        """The services the till knows (configured ones and those in the journal)."""
        chosen = self.service.currentData()
        self.service.blockSignals(True)
        while self.service.count() > 1:
            self.service.removeItem(1)
        for name in sorted(set(services)):
            self.service.addItem(service_title(name), name)
        index = self.service.findData(chosen)
        self.service.setCurrentIndex(max(index, 0))
        self.service.blockSignals(False)

    def clear(self) -> None:
        self.search.clear()
        for combo in (self.service, self.state, self.operation, self.kind):
            combo.setCurrentIndex(0)
        self.dates.setChecked(False)

    def value(self) -> JournalFilter:
        since = until = None
        if self.dates.isChecked():
            start, end = self.since.date().toPython(), self.until.date().toPython()
            since = dt.datetime.combine(start, dt.time()).astimezone()
            until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()).astimezone()
        state = self.state.currentData()
        where = STATES[state][1] if state in STATES else {}
        return JournalFilter(service=self.service.currentData(), kind=self.kind.currentData(),
                             operation=self.operation.currentData(), since=since,
                             until=until, text=self.search.text(), **where)


class JournalTools(QObject):
    """Filters, export and slips for the window's journal list. ``said`` carries a line for
    the status bar, ``failed`` a problem in plain words."""

    said = Signal(str)
    failed = Signal(str)

    def __init__(self, controller: Any, view: Any, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = view
        self.window = parent
        self.bar = FilterBar()
        self.export_button = QPushButton(words("export"))
        self.export_button.setToolTip(words("export_tip"))
        self.slip_button = QPushButton(words("slip"))
        self.slip_button.setToolTip(words("slip_tip"))
        menu = QMenu(self.slip_button)
        menu.addAction(words("print"), lambda: self.print_slip(prefer_selection=True))
        menu.addAction(words("pdf"), lambda: self.ask_pdf(prefer_selection=True))
        self.slip_button.setMenu(menu)
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.bar.clear_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.slip_button)
        self.bar.layout().addLayout(row, 4, 0, 1, 2)  # type: ignore[attr-defined]
        view.layout().insertWidget(0, self.bar)  # the filters above the list
        #: The journal row of the last operation run in this window (Ctrl+P prints it).
        self.last_id: int | None = None
        self.bar.changed.connect(self._filter)
        self.export_button.clicked.connect(self.ask_export)
        controller.journal_loaded.connect(self._loaded)

    # -- filters -----------------------------------------------------------------------------

    def _filter(self, where: JournalFilter) -> None:
        self.controller.journal_filter = where
        self.controller.refresh_journal()

    def _loaded(self, entries: list[Entry]) -> None:
        filtered = self.controller.journal_filter != JournalFilter()
        self.view.empty.setText(words("none_match" if filtered else "none_yet"))
        info = self.controller.info
        known = list(info.services) if info is not None else []
        self.bar.set_services(known + [e.service for e in entries])

    # -- export ------------------------------------------------------------------------------

    def ask_export(self) -> None:
        name = f"journal-{dt.date.today().isoformat()}.csv"
        path, _filter = QFileDialog.getSaveFileName(self.window, words("export"),
                                                    str(Path.home() / name), words("csv_filter"))
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """Write every row matching the filters to ``path`` (off the GUI thread)."""
        counter = self.controller.counter
        if counter is None:
            return
        where = self.bar.value()
        info = self.controller.info
        table = (info.settings.data.get("export") if info is not None else None) or {}

        def work() -> int:
            sep = separator(table.get("separator"))
            return write_csv(counter.journal.search(where, oldest_first=True), path, sep=sep)

        def done(n: int) -> None:
            self.said.emit(ngettext("{count} journal row saved to {path}.",
                                    "{count} journal rows saved to {path}.", n).format(
                count=formatting.number(n), path=path))

        self._run(work, done)

    # -- slips -------------------------------------------------------------------------------

    def chosen_id(self, *, prefer_selection: bool = False) -> int | None:
        """The selected journal row, or the last operation's (selection first if asked)."""
        item = self.view.tree.currentItem()
        selected = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
        if prefer_selection or self.view.tree.hasFocus():
            return selected or self.last_id
        return self.last_id or selected

    def print_slip(self, entry_id: int | None = None, *, prefer_selection: bool = False) -> None:
        self._with_slip(entry_id or self.chosen_id(prefer_selection=prefer_selection),
                        self._print)

    def ask_pdf(self, entry_id: int | None = None, *, prefer_selection: bool = False) -> None:
        def save(slip: Any, width: int, entry_id: int) -> None:
            name = f"slip-{entry_id}.pdf"
            path, _filter = QFileDialog.getSaveFileName(
                self.window, words("pdf"), str(Path.home() / name), words("pdf_filter"))
            if path:
                self._save(slip, width, Path(path), entry_id)

        self._with_slip(entry_id or self.chosen_id(prefer_selection=prefer_selection), save)

    def save_pdf(self, path: Path, entry_id: int | None = None) -> None:
        self._with_slip(entry_id or self.chosen_id(),
                        lambda slip, width, entry_id: self._save(slip, width, path, entry_id))

    def _print(self, slip: Any, width: int, entry_id: int) -> None:
        from pos_app.qt import slip_print  # QtPrintSupport loads when first needed

        if slip_print.ask_and_print(slip, self.window, width):
            self.said.emit(words("printed").format(id=entry_id))

    def _save(self, slip: Any, width: int, path: Path, entry_id: int) -> None:
        from pos_app.qt import slip_print

        try:
            slip_print.save_pdf(slip, path, width)
        except PosError as exc:
            self.failed.emit(str(exc))
            return
        self.said.emit(words("saved").format(id=entry_id, path=path))

    def _with_slip(self, entry_id: int | None, then: Any) -> None:
        """Read the row off the GUI thread, then lay out its slip and hand it on."""
        counter = self.controller.counter
        chosen = entry_id
        if counter is None or chosen is None:
            self.failed.emit(words("no_row"))
            return
        info = self.controller.info
        shop = Shop.from_settings(info.settings.data.get("shop") if info else None)

        def done(entry: Entry | None) -> None:
            if entry is None:
                self.failed.emit(words("no_entry").format(id=chosen))
                return
            then(build_slip(entry, shop, copy=entry.id != self.last_id), shop.width, entry.id)

        self._run(lambda: counter.journal.get(chosen), done)

    def _run(self, fn: Any, on_ok: Any) -> None:
        def error(exc: PosError) -> None:
            self.failed.emit(str(exc))

        self.controller.runner.run(fn, channel="journal-tools", on_ok=on_ok, on_error=error,
                                   what="journal tools")  # i18n-skip: for the log
