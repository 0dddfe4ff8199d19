"""The operation buttons: only what the card supports now, each with its function key."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pos_app.core.cards import Card
from pos_app.core.i18n import _
from pos_app.core.operations import TAKES_VALUE, OpName
from pos_app.core.units import op_label

#: Every operation keeps its key whatever the card, so that hands learn them.
SHORTCUTS: dict[OpName, str] = {
    OpName.PURCHASE: "F1",
    OpName.SPEND: "F2",
    OpName.PURCHASE_SPEND: "F3",
    OpName.ACCRUE: "F4",
    OpName.STAMP: "F5",
    OpName.UNSTAMP: "F6",
    OpName.REWARD: "F7",
    OpName.COUPON_ACTIVATE: "F8",
    OpName.COUPON_REDEEM: "F9",
    OpName.SET_EXPIRY: "F10",
    OpName.REPORT_OFFER: "F12",
    OpName.HOLD: "F11",
}
COLUMNS = 3
#: Widest a line of an operation button's words may be, in pixels: three buttons side by side
#: fit the card's half of a 1024x768 window; longer words (Russian's) wrap onto two lines.
LINE_WIDTH = 176


def wrap_label(text: str, metrics: QFontMetrics, width: int = LINE_WIDTH) -> str:
    """``text`` broken between words into lines no wider than ``width`` (a single word
    wider than that stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


class OperationsPanel(QWidget):
    """Large buttons for the card's operations; ``chosen`` says which one was pressed."""

    chosen = Signal(object)  # OpName
    #: A key pressed for an operation the card cannot do now (the window says why).
    unavailable = Signal(object)  # OpName

    def __init__(self, shortcut_parent: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card: Card | None = None
        self._enabled = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.note)
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.buttons: dict[OpName, QPushButton] = {}
        self.shortcuts: dict[OpName, QShortcut] = {}
        for op in OpName:
            key = SHORTCUTS[op]
            button = QPushButton()
            button.setProperty("role", "op")
            self._label(button, op, op_label(op, None))
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _checked=False, op=op: self._choose(op))
            button.hide()
            self.buttons[op] = button
            shortcut = QShortcut(QKeySequence(key), shortcut_parent)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda op=op: self._choose(op))
            self.shortcuts[op] = shortcut
        self.set_card(None)

    def set_card(self, card: Card | None) -> None:
        """Show the buttons of what ``card`` can do now, in a fixed order."""
        self.card = card
        for button in self.buttons.values():
            self.grid.removeWidget(button)
            button.hide()
        ops = [op for op in OpName if card is not None and card.supports(op)]
        for i, op in enumerate(ops):
            row, col = divmod(i, COLUMNS)
            button = self.buttons[op]
            self._label(button, op, op_label(op, card))
            self.grid.addWidget(button, row, col)
            button.show()
        if card is None:
            self.note.setText(_("The card's operations appear here once it is read.\n"
                                "Ctrl+F finds a customer's cards by phone or email."))
        elif not ops:
            self.note.setText(_("Nothing can be done with this card now ({status}).").format(
                status=card.status_label))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self._sync()

    @staticmethod
    def _label(button: QPushButton, op: OpName, label: str) -> None:
        """The button's words, its key below them, and a tooltip saying what it does."""
        key = SHORTCUTS[op]
        button.ensurePolished()  # the style sheet's font (bigger and bold) is the one drawn
        button.setText(f"{wrap_label(label, button.fontMetrics())}\n{key}")
        button.setToolTip(_("{operation} ({key}) — asks to confirm").format(
            operation=label, key=key) if op in TAKES_VALUE else f"{label} ({key})")
        button.setAccessibleName(label)

    def set_enabled(self, enabled: bool) -> None:
        """Enable or disable every operation (while something is being sent)."""
        self._enabled = enabled
        self._sync()

    def available(self) -> list[OpName]:
        if self.card is None:
            return []
        return [op for op in OpName if self.card.supports(op)]

    def _sync(self) -> None:
        ops = set(self.available())
        for op, button in self.buttons.items():
            button.setEnabled(self._enabled and op in ops)
            # Every key answers: what the card cannot do now is said, not ignored.
            self.shortcuts[op].setEnabled(self._enabled)

    def _choose(self, op: OpName) -> None:
        if not self._enabled:
            return
        if op in self.available():
            self.chosen.emit(op)
        else:
            self.unavailable.emit(op)
