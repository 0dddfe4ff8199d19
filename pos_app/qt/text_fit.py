"""Find text a window cuts: labels, buttons, tabs, fields and boxes whose words do not fit
their place, and widgets drawn over their neighbours. Used by the screenshot tour and its test
(every state, in every language, at 1024x768); a developer's tool, not shipped.

Qt never elides a button's or a plain label's text by itself: a layout that squeezes one below
its size hint cuts the text, and a tab bar elides. So "cut" here means the widget is smaller
than what its own text asks for.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QStyle,
    QTabBar,
    QTreeWidget,
    QWidget,
)

#: Pixels of slack before a difference counts (rounding in font metrics).
SLACK = 2
#: What a combo box adds around its text: its frame, padding and the arrow.
COMBO_FRAME = 30


def _name(widget: QWidget) -> str:
    text = ""
    for getter in ("text", "title", "placeholderText", "currentText"):
        value = getattr(widget, getter, None)
        if callable(value):
            try:
                text = str(value())
            except TypeError:
                continue
            if text:
                break
    label = widget.objectName() or type(widget).__name__
    return f"{label} {text[:60]!r}"


def _shown(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.width() > 0 and widget.height() > 0


def _inside_scroll_area(widget: QWidget, root: QWidget) -> bool:
    """Whether ``widget`` sits in a scroll area's viewport (it may scroll; not cut)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def cut_texts(root: QWidget) -> list[str]:
    """Each visible text under ``root`` (``root`` included) that its widget cuts."""
    problems: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not _shown(w, root) and w is not root:
            continue
        hint = w.sizeHint()
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + SLACK and not _inside_scroll_area(w, root):
                    problems.append(f"{_name(w)} needs {need} px of height, has {w.height()}")
            elif hint.width() > w.width() + SLACK:
                problems.append(f"{_name(w)} needs {hint.width()} px, has {w.width()}")
        elif isinstance(w, QAbstractButton) and w.text():
            if hint.width() > w.width() + SLACK:
                problems.append(f"{_name(w)} needs {hint.width()} px, has {w.width()}")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if not w.isTabVisible(i):
                    continue
                rect, want = w.tabRect(i), w.tabSizeHint(i)
                if rect.width() + SLACK < want.width() and not w.usesScrollButtons():
                    problems.append(f"tab {w.tabText(i)!r} needs {want.width()} px, has "
                                    f"{rect.width()}")
        elif isinstance(w, QLineEdit) and not w.text() and w.placeholderText():
            room = w.width() - 16
            need = w.fontMetrics().horizontalAdvance(w.placeholderText())
            if need > room + SLACK:
                problems.append(f"{_name(w)} placeholder needs {need} px, has {room}")
        elif isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title()) + 16
            if need > w.width() + SLACK:
                problems.append(f"{_name(w)} title needs {need} px, has {w.width()}")
        elif isinstance(w, QComboBox) and w.currentText() and not w.isEditable():
            need = w.fontMetrics().horizontalAdvance(w.currentText()) + COMBO_FRAME
            if need > w.width() + SLACK:
                problems.append(f"{_name(w)} needs {need} px, has {w.width()}")
        elif isinstance(w, QTreeWidget):
            problems.extend(tree_cuts(w))
    problems.extend(overlaps(root))
    return problems


def tree_cuts(tree: QTreeWidget) -> list[str]:
    """The cells of a list's rows in view whose text does not fit: a line wider than its
    column, or (in a wrapping column) a word wider than the column or more lines than the row
    is high."""
    problems: list[str] = []
    header = tree.header()
    margin = 2 * (tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                           tree) + 1)
    view = tree.viewport().rect()
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        row = tree.visualItemRect(item)
        if item.isHidden() or not row.intersects(view):
            continue
        for col in range(tree.columnCount()):
            text = item.text(col)
            if not text or header.isSectionHidden(col):
                continue
            room = header.sectionSize(col) - margin
            if col == 0 and tree.rootIsDecorated():
                room -= tree.indentation()
            metrics = QFontMetrics(item.font(col))
            lines = text.split("\n")
            where = f"row {i + 1} column {col + 1} {text[:60]!r}"
            if tree.wordWrap() and col == tree.columnCount() - 1:
                widest = max(metrics.horizontalAdvance(word) for line in lines
                             for word in line.split() or [""])
                high = metrics.boundingRect(QRect(0, 0, room, 100_000),
                                            int(Qt.TextFlag.TextWordWrap), text).height()
            else:
                widest = max(metrics.horizontalAdvance(line) for line in lines)
                high = len(lines) * metrics.lineSpacing()
            if widest > room + SLACK:
                problems.append(f"{where} needs {widest} px, has {room}")
            if high > row.height() + SLACK:
                problems.append(f"{where} needs {high} px of height, has {row.height()}")
    return problems


def overlaps(root: QWidget) -> list[str]:
    """Visible sibling widgets with text that are drawn over each other."""
    problems: list[str] = []
    for parent in [root, *root.findChildren(QWidget)]:
        if not _shown(parent, root) and parent is not root:
            continue
        kids = [k for k in parent.children() if isinstance(k, QWidget) and not k.isWindow()
                and _shown(k, root) and _has_text(k)]
        for i, a in enumerate(kids):
            ra: QRect = a.geometry()
            for b in kids[i + 1:]:
                common = ra.intersected(b.geometry())
                if common.width() > SLACK and common.height() > SLACK:
                    problems.append(f"{_name(a)} overlaps {_name(b)}")
    return problems


def _has_text(widget: QWidget) -> bool:
    if isinstance(widget, QLabel):
        return bool(widget.text())
    if isinstance(widget, QAbstractButton):
        return bool(widget.text())
    return isinstance(widget, QLineEdit | QComboBox | QGroupBox | QTabBar)
