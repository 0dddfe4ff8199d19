"""The card's own history, as its service keeps it (where it keeps one)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.backends.base import HistoryRow
from pos_app.core.cards import Card
from pos_app.core.i18n import _, ngettext
from pos_app.core.present import service_title
from pos_app.qt.journal_view import list_time
from pos_app.qt.wrapped_list import fit_rows, wrap_last_column


class HistoryView(QWidget):
    """When, value, what (wrapped, last); newest first. Says why when there is nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("When"), _("Value"), _("What")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        wrap_last_column(self.tree, self._fit_rows)
        self.tree.setAccessibleName(_("Card history"))
        layout.addWidget(self.tree, 1)
        self.card: Card | None = None
        self.loaded_for: str | None = None
        self.set_card(None)

    def set_card(self, card: Card | None) -> None:
        """A new card: its history is not loaded yet."""
        self.card = card
        self.loaded_for = None
        self.tree.clear()
        self.tree.hide()
        if card is None:
            self._say(_("Scan a card to see its history."))

    def set_loading(self) -> None:
        self._say(_("Loading the card's history…"))

    def set_rows(self, card: Card, rows: list[HistoryRow], *, till: bool = False) -> None:
        """The card's history at its service, or (``till``) this till's journal for it."""
        if self.card is None or card.card_id != self.card.card_id:
            return
        self.loaded_for = card.card_id
        self.tree.clear()
        try:
            ordered = sorted(rows, key=lambda r: (r.when is not None, r.when), reverse=True)
        except TypeError:  # naive and aware times mixed: keep the service's order
            ordered = list(rows)
        for row in ordered:
            shown = formatting.date(row.when) if row.day_only and row.when is not None \
                else list_time(row.when)
            item = QTreeWidgetItem([shown, row.value, row.what])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        service = service_title(card.service)
        n = len(rows)
        count = formatting.number(n)
        QTimer.singleShot(0, self, self._fit_rows)
        if rows and till:
            self._say(ngettext("{service} keeps no history of its own; this till's operations "
                               "on the card ({count} entry):",
                               "{service} keeps no history of its own; this till's operations "
                               "on the card ({count} entries):", n).format(
                service=service, count=count))
            self.tree.show()
        elif rows:
            self._say(ngettext("{service} history of this card ({count} entry).",
                               "{service} history of this card ({count} entries).", n).format(
                service=service, count=count))
            self.tree.show()
        elif till:
            self._say(_("{service} keeps no history for this card, and this till has no "
                        "operations on it.").format(service=service))
        else:
            self._say(_("{service} keeps no history for this card.").format(service=service))

    def set_till_rows(self, card: Card, rows: list[HistoryRow]) -> None:
        self.set_rows(card, rows, till=True)

    def set_error(self, card: Card, text: str) -> None:
        if self.card is None or card.card_id != self.card.card_id:
            return
        self._say(_("The history could not be read: {error}").format(error=text))

    def _say(self, text: str) -> None:
        self.caption.setText(text)

    def _fit_rows(self, *_args: object) -> None:
        fit_rows(self.tree, 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit_rows)

    def rows(self) -> list[list[str]]:
        return [[self.tree.topLevelItem(i).text(c) for c in range(3)]
                for i in range(self.tree.topLevelItemCount())]
