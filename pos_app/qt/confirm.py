"""Confirming an operation that takes value off a card: what will happen, then Enter or Esc.

A confirmation is good for one send: the first press disables the button and later presses
(a double click, Enter held down, a second tap) do nothing.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from pos_app.core import formatting
from pos_app.core.backends.base import Plan
from pos_app.core.cards import Card
from pos_app.core.i18n import N_, _
from pos_app.core.present import (
    OUTCOME_LABELS,
    balance_text,
    outcome_rows,
    service_title,
    stamps_text,
)
from pos_app.core.units import Unit, balance_unit, describe, mark_unit, quantity
from pos_app.qt import theme
from pos_app.qt.result_banner import is_to_pay

#: The label of the card's marks before an operation, per unit.
MARKS_NOW: dict[Unit, str] = {
    Unit.STAMPS: N_("Stamps now"),
    Unit.VISITS: N_("Visits now"),
    Unit.CHOPS: N_("Chops now"),
}


def preview_rows(plan: Plan, card: Card) -> list[tuple[str, str]]:
    """What the cashier reads before confirming: figures of the plan, then the card now."""
    rows = []
    amount = plan.operation.amount
    if amount is not None and plan.operation.spend is not None:
        rows.append((_("Purchase"), formatting.money(amount)))
    rows += outcome_rows(plan.preview, card)
    limit = plan.preview.get("max_spend")
    if limit is not None:
        rows.append((_(OUTCOME_LABELS["max_spend"]),
                     quantity(Decimal(str(limit)), balance_unit(card))))
    if card.balance is not None:
        rows.append((_("On the card now"), balance_text(card) or formatting.NONE))
        after = plan.preview.get("balance")
        if after is not None:
            rows.append((_("On the card after"), quantity(Decimal(str(after)),
                                                      balance_unit(card))))
    if card.stamps is not None:
        label = MARKS_NOW.get(mark_unit(card), MARKS_NOW[Unit.STAMPS])
        rows.append((_(label), stamps_text(card) or formatting.NONE))
    if card.rewards is not None and plan.operation.count is not None:
        rows.append((_("Rewards now"), formatting.number(card.rewards)))
    return rows


class ConfirmPanel(QFrame):
    """``confirmed(token)`` once, or ``back``."""

    confirmed = Signal(int)
    back = Signal()

    def __init__(self, parent: QFrame | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmPanel")
        self.token: int | None = None
        self._sent = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.heading = QLabel(_("Confirm with the customer"))
        self.heading.setProperty("muted", True)
        layout.addWidget(self.heading)
        self.what = QLabel()
        self.what.setObjectName("title")
        self.what.setWordWrap(True)
        layout.addWidget(self.what)
        self.card_line = QLabel()
        self.card_line.setWordWrap(True)
        layout.addWidget(self.card_line)
        self.reasons = QLabel()
        self.reasons.setObjectName("confirmReasons")
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(24)
        layout.addLayout(self.rows)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(_("Back  (Esc)"))
        self.back_button.setProperty("role", "secondary")
        self.back_button.clicked.connect(self.back.emit)
        self.confirm_button = QPushButton(_("Confirm  (Enter)"))
        self.confirm_button.setProperty("role", "primary")
        self.confirm_button.clicked.connect(self.confirm)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button, 1)
        layout.addLayout(buttons)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.confirm)

    def show_plan(self, plan: Plan, card: Card, token: int, reasons: list[str] | None = None,
                  name: str = "") -> None:
        """Fill in ``plan`` on ``card``; the panel is ready for one confirmation. ``reasons``
        say why it is asked (a lot at once, a rounded sum); ``name`` is the coupon's or the
        reward's name at the service."""
        self.token = token
        self._sent = False
        self.what.setText(_("{operation}?").format(operation=describe(plan.operation, card,
                                                                      name)))
        self.reasons.setText("\n".join(reasons or []))
        self.reasons.setVisible(bool(reasons))
        theme.set_badge(self.reasons, "warn" if reasons else None)
        holder = card.holder.name if card.holder is not None else ""
        what = _("{service} {kind}").format(service=service_title(card.service),
                                            kind=card.kind_label.lower())
        self.card_line.setText(" · ".join(p for p in (what, holder) if p))
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        for i, (label, value) in enumerate(preview_rows(plan, card)):
            name = QLabel(label)
            name.setProperty("muted", True)
            val = QLabel(value)
            font = val.font()
            font.setPointSizeF(font.pointSizeF() * (1.6 if is_to_pay(label) else 1.25))
            font.setBold(True)
            val.setFont(font)
            self.rows.addWidget(name, i, 0)
            self.rows.addWidget(val, i, 1, alignment=Qt.AlignmentFlag.AlignRight)
        self.confirm_button.setEnabled(True)
        self.confirm_button.setText(_("Confirm  (Enter)"))
        theme.set_tone(self, "warn")
        self.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter confirms wherever the focus is in the panel (the shortcut's fallback)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm()
            return
        super().keyPressEvent(event)

    @property
    def sent(self) -> bool:
        return self._sent

    def confirm(self) -> None:
        """Send once: disable first, then emit; any later press is ignored."""
        if self._sent or self.token is None or not self.isVisible():
            return
        self._sent = True
        self.confirm_button.setEnabled(False)
        self.confirm_button.setText(_("Sending…"))
        self.confirmed.emit(self.token)
