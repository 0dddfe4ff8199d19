"""Customer lookup: find a customer's cards by phone or email, and pick one to open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.core.backends.base import CardRef
from pos_app.core.cards import STATUS_LABELS, CardStatus
from pos_app.core.present import service_title
from pos_app.qt import theme
from pos_app.qt.controller import Controller


def status_words(status: str) -> str:
    """A card status as the card panel says it, whatever form the service gave it in."""
    key = status.strip().lower().replace(" ", "-")
    try:
        return STATUS_LABELS[CardStatus(key)]
    except ValueError:
        return status.strip().capitalize()


class CustomerLookupDialog(QDialog):
    """Type a phone or an email, Enter searches; Enter (or a double click) on a card picks it.

    ``picked(code)`` is emitted with the chosen card's code and the dialog closes.
    """

    picked = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Find a customer's card")
        self.setModal(True)
        self.refs: list[CardRef] = []
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setPlaceholderText("Phone number or email")
        self.query.setAccessibleName("Phone or email")
        self.query.setObjectName("codeField")
        self.query.setMaxLength(120)
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton("Search  (Enter)")
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
        self.status = QLabel("The customer's cards at every service are listed.")
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        status.addWidget(self.progress)
        status.addWidget(self.status, 1)
        layout.addLayout(status)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Service", "Card", "Status", "Holder", "Code"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.itemActivated.connect(lambda *_: self.pick())
        self.list.setAccessibleName("Cards found")
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        close = QPushButton("Close  (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.open_button = QPushButton("Open the card  (Enter)")
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
        self.resize(880, 480)

    def search(self) -> None:
        text = self.query.text().strip()
        if not text:
            self._say("Type the customer's phone number or email.", "warn")
            return
        self.list.clear()
        self.refs = []
        self.open_button.setEnabled(False)
        self.progress.show()
        self._say(f"Searching for {text}…  Esc cancels.", None)
        self.controller.find_customers(text)

    def reject(self) -> None:
        """Esc: cancel a running search first; a second Esc closes."""
        if self.progress.isVisible():
            self.controller.cancel_search()
            self.progress.hide()
            self._say("The search was cancelled.", None)
            return
        super().reject()

    def _found(self, query: str, refs: list[CardRef]) -> None:
        self.progress.hide()
        self.refs = list(refs)
        self.list.clear()
        for ref in self.refs:
            holder = ""
            if ref.holder is not None:
                holder = " ".join(p for p in (ref.holder.name, ref.holder.masked_phone
                                              if ref.holder.phone else "") if p)
            item = QTreeWidgetItem([service_title(ref.service), ref.kind_label,
                                    status_words(ref.status), holder, ref.code])
            self.list.addTopLevelItem(item)
        if self.refs:
            n = len(self.refs)
            self._say(f"{n} card{'s' if n != 1 else ''} found. Pick one and press Enter.", None)
            self.list.setCurrentItem(self.list.topLevelItem(0))
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)
            self.open_button.setEnabled(True)
        else:
            self._say("No cards found. Check the number, or try the email address.", "warn")
            self.query.setFocus()
            self.query.selectAll()

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
        """Open the selected card in the window."""
        item = self.list.currentItem()
        if item is None or not self.isVisible():
            return
        index = self.list.indexOfTopLevelItem(item)
        if 0 <= index < len(self.refs):
            self.picked.emit(self.refs[index].code)
            self.accept()
