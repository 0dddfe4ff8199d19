"""An on-screen keypad for amounts and counts, for touchscreens; it types into a line edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from pos_app.core import formatting
from pos_app.core.i18n import _

KEYS = (("7", "8", "9"), ("4", "5", "6"), ("1", "2", "3"), ("00", "0", "."))
BACKSPACE, CLEAR, ENTER = "⌫", "C", "Enter"  # i18n-skip: key names
#: The decimal key (it types the language's separator, ``,`` in Russian).
POINT = "."


class Keypad(QWidget):
    """Digit keys, a decimal point, backspace and clear; ``enter`` is the big Enter key.

    The keys never take the focus, so the field being typed into keeps it.
    """

    enter = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.keys: dict[str, QPushButton] = {}
        for r, row in enumerate(KEYS):
            for c, key in enumerate(row):
                grid.addWidget(self._key(key, key), r, c)
        self.keys[POINT].setText(formatting.decimal_separator())
        grid.addWidget(self._key(BACKSPACE, _("Delete the last character")), 0, 3)
        grid.addWidget(self._key(CLEAR, _("Clear the field")), 1, 3)
        enter = self._key(ENTER, _("Continue"))
        enter.setProperty("primary", True)
        grid.addWidget(enter, 2, 3, 2, 1)

    def _key(self, key: str, tip: str) -> QPushButton:
        button = QPushButton(key)
        button.setProperty("role", "key")
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip(tip)
        button.setAccessibleName(tip if key in (BACKSPACE, CLEAR, ENTER) else key)
        button.setAutoRepeat(key == BACKSPACE)
        button.clicked.connect(lambda _checked=False, key=key: self.press(key))
        self.keys[key] = button
        return button

    def set_target(self, edit: QLineEdit | None, *, whole: bool = False) -> None:
        """Type into ``edit``; ``whole``: it takes a whole number (a count), so the decimal
        key is off."""
        self.target = edit
        self.keys[POINT].setEnabled(not whole)

    def press(self, key: str) -> None:
        """What one key does to the target field."""
        if key == ENTER:
            self.enter.emit()
            return
        edit = self.target
        if edit is None or not edit.isEnabled():
            return
        if key == BACKSPACE:
            if edit.hasSelectedText():
                edit.del_()
            else:
                edit.backspace()
        elif key == CLEAR:
            edit.clear()
        else:
            if key == POINT:
                if any(sep in edit.text() for sep in ".,") and not edit.hasSelectedText():
                    return
                key = formatting.decimal_separator()
            edit.insert(key)
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
