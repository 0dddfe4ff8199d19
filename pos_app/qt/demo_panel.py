"""Demo cards of the sandbox, each with its QR code: a click scans it.

The codes are drawn dark on white whatever the theme, with a quiet zone, so that a webcam on
another machine can read them off this screen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import segno
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.core.i18n import _
from pos_app.core.present import service_title

QR_PIXELS = 132
#: Width of one demo card's cell; the panel fits as many columns as its width allows.
CELL_WIDTH = 168
#: Widest line of a demo card's label, in pixels: the button's least width less its frame
#: (a line counted in characters is too wide in Russian, and Qt elides what does not fit).
TEXT_WIDTH = QR_PIXELS + 12


def wrap(text: str, metrics: QFontMetrics, width: int = TEXT_WIDTH) -> str:
    """``text`` in lines no wider than ``width`` pixels, broken between words (inside a word
    only when the word alone is wider); a no-break space (``5 %``) keeps its neighbours."""
    lines: list[str] = []
    line = ""
    for word in re.split(r"[ \t\n]+", text.strip()):
        while metrics.horizontalAdvance(word) > width and len(word) > 1:
            if line:
                lines.append(line)
                line = ""
            cut = next((n for n in range(len(word) - 1, 0, -1)
                        if metrics.horizontalAdvance(word[:n]) <= width), 1)
            lines.append(word[:cut])
            word = word[cut:]
        joined = f"{line} {word}" if line else word
        if line and metrics.horizontalAdvance(joined) > width:
            lines.append(line)
            line = word
        else:
            line = joined
    if line:
        lines.append(line)
    return "\n".join(lines)


@lru_cache(maxsize=256)
def qr_image(code: str, pixels: int = QR_PIXELS) -> QImage:
    """``code`` as a QR code about ``pixels`` wide (whole pixels per module, 4-module border).

    Drawn module by module (no PNG round trip), dark on white whatever the theme.
    """
    qr = segno.make_qr(code, error="m")  # never a Micro QR: few scanners read those
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    modules = len(rows)
    scale = max(1, pixels // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(rows):
        x = 0
        while x < modules:
            if row[x]:
                start = x
                while x < modules and row[x]:
                    x += 1
                painter.drawRect(start * scale, y * scale, (x - start) * scale, scale)
            else:
                x += 1
    painter.end()
    return image


def qr_pixmap(code: str, pixels: int = QR_PIXELS) -> QPixmap:
    return QPixmap.fromImage(qr_image(code, pixels))


class DemoCardButton(QToolButton):
    """One demo card: its QR code above its label."""

    def __init__(self, card: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = str(card["code"])
        label = str(card.get("label") or card.get("kind") or "")
        service = service_title(str(card["service"])) if card.get("service") else ""
        self.title = f"{service}: {label}" if service else label
        self.setText(wrap(self.title, self.fontMetrics()))
        pixmap = qr_pixmap(self.code)
        self.setIcon(pixmap)
        self.setIconSize(pixmap.size())
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        holder = card.get("holder") or ""
        self.setToolTip(f"{self.title}\n{self.code}" + (f"\n{holder}" if holder else ""))
        self.setAccessibleName(_("Demo card {name}").format(name=self.title))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.setText(wrap(self.title, self.fontMetrics()))

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), QR_PIXELS + 24), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(QR_PIXELS + 24, hint.height())


class DemoPanel(QScrollArea):
    """Every demo card of the sandbox; ``scan(code)`` when one is clicked."""

    scan = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        outer = QVBoxLayout(inner)
        note = QLabel(_("Sandbox: no service is configured. These demo cards live on this "
                        "computer; click one to scan it."))
        note.setWordWrap(True)
        note.setProperty("muted", True)
        outer.addWidget(note)
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        self.columns = 2
        outer.addLayout(self.grid)
        outer.addStretch(1)
        self.setWidget(inner)
        self.buttons: list[DemoCardButton] = []

    def set_cards(self, cards: list[dict[str, Any]]) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for card in cards:
            button = DemoCardButton(card)
            button.clicked.connect(lambda _checked=False, code=button.code: self.scan.emit(code))
            self.buttons.append(button)
        self._lay_out()

    def _lay_out(self) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
        for i, button in enumerate(self.buttons):
            self.grid.addWidget(button, *divmod(i, self.columns))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = max(1, (self.viewport().width() - 12) // CELL_WIDTH)
        if columns != self.columns:
            self.columns = columns
            self._lay_out()

    def button_for(self, code: str) -> DemoCardButton | None:
        return next((b for b in self.buttons if b.code == code), None)
