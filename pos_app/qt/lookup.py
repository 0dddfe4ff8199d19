"""Customer lookup: find a customer's cards by phone or email, and pick one to open."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.backends.base import CardRef
from pos_app.core.cards import STATUS_LABELS, CardStatus
from pos_app.core.i18n import _, ngettext
from pos_app.core.present import service_title
from pos_app.qt import theme
from pos_app.qt.controller import Controller
from pos_app.qt.wrapped_list import fit_rows, wrap_last_column


def status_words(status: str) -> str:
    """A card status as the card panel says it, whatever form the service gave it in."""
    key = status.strip().lower().replace(" ", "-")
    try:
        return _(STATUS_LABELS[CardStatus(key)])
    except ValueError:
        text = status.strip()  # the service's own word: its first letter made upper case
        return text[:1].upper() + text[1:]


class CustomerLookupDialog(QDialog):
    """Type a phone or an email, Enter searches; Enter (or a double click) on a card picks it.

    The cursor stays in the query: typing always edits it, Up and Down choose a card, and
    Enter opens the chosen card only while the query is the one its results are for (once
    the query is changed, Enter searches again). ``picked(code)`` is emitted with the chosen
    card's code and the dialog closes.
    """

    picked = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(_("Find a customer's card"))
        self.setModal(True)
        self.refs: list[CardRef] = []
        #: The query the listed cards were found for.
        self.shown_query: str | None = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setPlaceholderText(_("Phone number or email"))
        self.query.setAccessibleName(_("Phone or email"))
        self.query.setObjectName("codeField")
        # A phone or an email typed fast is typing; a scanned code that looks like neither
        # closes the dialog and opens the card (issue 14.4, 14.6).
        self.query.setProperty("entryKind", "contact")
        self.query.setMaxLength(120)
        self.query.returnPressed.connect(self._enter)
        self.query.textEdited.connect(self._query_edited)
        self.query.installEventFilter(self)
        self.search_button = QPushButton(_("Search  (Enter)"))
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        layout.addLayout(row)
        status = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel(_("The customer's cards at every service are listed."))
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        status.addWidget(self.progress)
        status.addWidget(self.status, 1)
        layout.addLayout(status)
        self.list = QTreeWidget()
        # Two lines a row, so that long words (Russian statuses and kinds) fit the dialog at
        # 1024x768 without scrolling sideways: the code over its service, the kind over its
        # status, the holder's name over the phone (wrapped if need be).
        self.list.setHeaderLabels([_("Card"), _("Kind and status"), _("Holder")])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        wrap_last_column(self.list, self._fit_rows)
        self.list.itemActivated.connect(lambda *_args: self.pick())
        self.list.setAccessibleName(_("Cards found"))
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        close = QPushButton(_("Close  (Esc)"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.open_button = QPushButton(_("Open the card  (Enter)"))
        self.open_button.setProperty("role", "primary")
        self.open_button.setAutoDefault(False)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.pick)
        buttons.addWidget(close)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout.addLayout(buttons)
        controller.customers_found.connect(self._found)
        controller.customers_failed.connect(self._failed)
        self.resize(880, 600)

    def _enter(self) -> None:
        """Enter in the query: open the chosen card of this query's results, else search."""
        if self.shown_query is not None and self.query.text().strip() == self.shown_query \
                and self.list.currentItem() is not None:
            self.pick()
        else:
            self.search()

    def _query_edited(self, text: str) -> None:
        """A changed query: the cards listed are another search's; Enter searches again."""
        if self.shown_query is not None and text.strip() != self.shown_query:
            self.open_button.setEnabled(False)
            self._say(_("Press Enter to search for the new number or email."), None)
        elif self.shown_query is not None and self.refs:
            self.open_button.setEnabled(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the query choose a card; typing in the list goes to the query."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if watched is self.query and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down,
                                                     Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            QCoreApplication.sendEvent(self.list, QKeyEvent(event.type(), event.key(),
                                                            event.modifiers()))
            return True
        if watched is self.list and event.text() and event.text().isprintable() and \
                not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                         | Qt.KeyboardModifier.AltModifier):
            self.query.setFocus(Qt.FocusReason.OtherFocusReason)
            QCoreApplication.sendEvent(self.query, QKeyEvent(event.type(), event.key(),
                                                             event.modifiers(), event.text()))
            return True
        return False

    def search(self) -> None:
        text = self.query.text().strip()
        if not text:
            self._say(_("Type the customer's phone number or email."), "warn")
            return
        self.list.clear()
        self.refs = []
        self.shown_query = None
        self.open_button.setEnabled(False)
        self.progress.show()
        self._say(_("Searching for {query}…  Esc cancels.").format(query=text), None)
        self.controller.find_customers(text)

    def reject(self) -> None:
        """Esc: cancel a running search first; a second Esc closes."""
        if self.progress.isVisible():
            self.controller.cancel_search()
            self.progress.hide()
            self._say(_("The search was cancelled."), None)
            return
        super().reject()

    def _found(self, query: str, refs: list[CardRef]) -> None:
        self.progress.hide()
        self.refs = list(refs)
        self.shown_query = query
        self.list.clear()
        for ref in self.refs:
            holder = ""
            if ref.holder is not None:
                holder = "\n".join(p for p in (ref.holder.name, ref.holder.masked_phone
                                               if ref.holder.phone else "") if p)
            item = QTreeWidgetItem([f"{ref.code}\n{service_title(ref.service)}",
                                    f"{ref.kind_label}\n{status_words(ref.status)}", holder])
            self.list.addTopLevelItem(item)
        QTimer.singleShot(0, self, self._fit_rows)
        if self.refs:
            n = len(self.refs)
            self._say(ngettext("{count} card found. Up/Down to choose, Enter to open it; type "
                               "to search again.",
                               "{count} cards found. Up/Down to choose, Enter to open it; "
                               "type to search again.", n).format(count=formatting.number(n)),
                      None)
            self.list.setCurrentItem(self.list.topLevelItem(0))
            self.query.setFocus(Qt.FocusReason.OtherFocusReason)
            self.open_button.setEnabled(True)
        else:
            self._say(_("No cards found. Check the number, or try the email address."), "warn")
            self.query.setFocus()
            self.query.selectAll()

    def _fit_rows(self, *_args: object) -> None:
        fit_rows(self.list, self.list.columnCount() - 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_rows)  # once the columns have their widths

    def _failed(self, text: str) -> None:
        self.progress.hide()
        self._say(text, "error")
        self.query.setFocus()

    def _say(self, text: str, tone: str | None) -> None:
        self.status.setText(text)
        theme.set_badge(self.status, tone)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.hasFocus():
            self.pick()
            return
        super().keyPressEvent(event)

    def pick(self) -> None:
        """Open the selected card in the window (only a result of the query shown)."""
        item = self.list.currentItem()
        if item is None or not self.isVisible() or self.shown_query is None \
                or self.query.text().strip() != self.shown_query:
            return
        index = self.list.indexOfTopLevelItem(item)
        if 0 <= index < len(self.refs):
            self.picked.emit(self.refs[index].code)
            self.accept()
