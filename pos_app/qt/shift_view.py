"""The shift tab: open or close the cashier's shift and see (and print) its summary.

Operations still open or unknown, and holds not yet settled, are listed first; they block
nothing. A shift a crash left open is closed when the counter opens, and its note is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.errors import PosError
from pos_app.core.i18n import N_, _
from pos_app.core.paths import data_dir
from pos_app.core.shift import LOCK_FILE, SessionLock, ShiftBook, Summary, summary_text

#: The tab's words (marked for the catalogue; translated where shown: :func:`words`).
TEXT = {
    "open": N_("Open shift"),
    "close": N_("Close shift"),
    "print": N_("Print…"),
    "none": N_("No shift is open. Open one when you start work."),
    "since": N_("Shift #{id} open since {since}."),
    "closed": N_("Shift #{id} closed. Open a new one when the next shift starts."),
    "opened_said": N_("Shift #{id} opened."),
    "closed_said": N_("Shift #{id} closed: its summary is below."),
    "printed": N_("Shift summary sent to the printer."),
    "title": N_("Shift summary"),
}


def words(key: str) -> str:
    """One of :data:`TEXT` in the chosen language."""
    return _(TEXT[key])


class ShiftView(QWidget):
    """Shift status, Open/Close, the summary as text, Print."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # The status over the buttons: the tab is narrow, and a sentence needs its width.
        self.status = QLabel(words("none"))
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.toggle_button = QPushButton(words("open"))
        self.print_button = QPushButton(words("print"))
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(words("title"))
        layout.addWidget(self.text, 1)
        self.summary: Summary | None = None

    def show_summary(self, summary: Summary | None) -> None:
        self.summary = summary
        shift = None if summary is None else summary.shift
        if shift is None:
            self.status.setText(words("none"))
        elif shift.closed is None:
            self.status.setText(words("since").format(id=shift.id, since=_local(shift.opened)))
        else:
            self.status.setText(words("closed").format(id=shift.id))
        is_open = shift is not None and shift.closed is None
        self.toggle_button.setText(words("close") if is_open else words("open"))
        self.print_button.setEnabled(summary is not None)
        self.text.setPlainText("" if summary is None else "\n".join(summary_text(summary)))


def _local(iso: str) -> str:
    """A shift's ISO time in the language's date and time."""
    return formatting.iso_datetime(iso)


class ShiftPresenter:
    """Keeps a :class:`ShiftBook` on the controller's counter and the view up to date.

    ``say(text)`` and ``fail(text)`` report to the window's status line and banner.
    """

    def __init__(self, controller: Any, view: ShiftView, say: Any, fail: Any) -> None:
        self.controller = controller
        self.view = view
        self.say, self.fail = say, fail
        self.lock = SessionLock(data_dir() / LOCK_FILE)
        self.book: ShiftBook | None = None
        controller.opened.connect(self._opened)
        controller.journal_loaded.connect(lambda _entries: self.refresh())
        view.toggle_button.clicked.connect(self.toggle)
        view.print_button.clicked.connect(self.print_summary)

    def _opened(self, _info: object) -> None:
        counter = self.controller.counter
        if counter is None:
            return
        book = self.book = ShiftBook(counter.journal, self.lock)
        self._run(book.start, lambda note: (note and self.fail(note), self.refresh()))

    def refresh(self) -> None:
        book = self.book
        if book is None:
            return

        def work() -> Summary | None:
            shift = book.last()
            return None if shift is None else book.summary(shift)

        self._run(work, self.view.show_summary, channel="shift-summary")

    def toggle(self) -> None:
        book = self.book
        if book is None:
            return
        closing = self.view.summary is not None and self.view.summary.shift.closed is None

        def done(shift: Any) -> None:
            self.say(words("closed_said" if closing else "opened_said").format(id=shift.id))
            self.refresh()

        self._run(book.close if closing else book.open, done)

    def stop(self) -> None:
        """At exit: the open shift stays open for the next start; the lock is let go."""
        if self.book is not None:
            try:
                self.book.stop()
            except Exception:  # the journal may be closed already
                self.lock.release()
        self.lock.release()

    def print_summary(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # loaded when first needed

        if self.view.summary is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.view)
        dialog.setWindowTitle(words("title"))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.document().print_(printer)
        self.say(words("printed"))

    def document(self) -> QTextDocument:
        """The summary as a printable document (fixed-width text)."""
        doc = QTextDocument()
        doc.setDefaultFont(self.view.text.font())
        doc.setPlainText(self.view.text.toPlainText())
        return doc

    def _run(self, fn: Any, on_ok: Any, channel: str = "shift") -> None:
        def error(exc: PosError) -> None:
            self.fail(str(exc))

        self.controller.runner.run(fn, channel=channel, on_ok=on_ok, on_error=error,
                                   what=channel)
