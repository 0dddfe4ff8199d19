"""Lists whose last column wraps: every other column at its width, rows as high as their
wrapped text needs, nothing off-screen or scrolled sideways (the journal, the history, the
customer lookup)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget


def fit_rows(tree: QTreeWidget, column: int) -> None:
    """Give each row the height its wrapped text in ``column`` needs at the column's width
    (the tree itself sizes rows without it)."""
    width = max(tree.columnWidth(column) - 8, 40)
    metrics = tree.fontMetrics()
    flags = int(Qt.TextFlag.TextWordWrap)
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        box = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, item.text(column))
        item.setSizeHint(column, QSize(width, box.height() + 6))


def wrap_last_column(tree: QTreeWidget, fit: object) -> None:
    """Every column at its width but the last, which takes the rest and wraps: nothing is
    off-screen or needs scrolling sideways. ``fit`` re-fits the rows when widths change."""
    tree.setUniformRowHeights(False)
    tree.setWordWrap(True)
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = tree.header()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(tree.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    header.sectionResized.connect(fit)
