"""Every state of the screenshot tour, at 1024x768, in every language the app speaks: no text
cut and none drawn over another (issue 15: Russian is about a third longer than English).

The tour is the one ``pos-app screenshots`` runs; :mod:`pos_app.qt.text_fit` measures each
label, button, tab, field, box and list cell against what its own text asks for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.core.i18n import LANGUAGES
from pos_app.qt.text_fit import tree_cuts
from pos_app.qt.wrapped_list import fit_rows, wrap_last_column

pytestmark = [pytest.mark.gui, pytest.mark.slow,
              pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_screen_fits_1024x768(qapp: object, tmp_path: Path, language: str) -> None:
    from pos_app.qt.screenshots import shoot

    shooter = shoot(tmp_path, (1024, 768), language)
    assert len(shooter.saved) >= 15
    cut = [f"{name}: {problem}" for name, problems in shooter.cut.items()
           for problem in problems]
    assert not cut, f"{len(cut)} texts cut or overlapping in {language}:\n" + "\n".join(cut)


def test_the_checker_sees_a_list_cell_cut(qtbot: object) -> None:
    from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

    tree = QTreeWidget()
    qtbot.addWidget(tree)  # type: ignore[attr-defined]
    tree.setHeaderLabels(["Code", "Holder"])
    tree.addTopLevelItem(QTreeWidgetItem(["222099-902-290", "Михаил Жуков"]))
    tree.resize(400, 200)
    tree.show()
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    tree.setColumnWidth(0, 40)
    assert [p for p in tree_cuts(tree) if "column 1" in p]
    wrap_last_column(tree, lambda *_a: fit_rows(tree, 1))
    tree.addTopLevelItem(QTreeWidgetItem(["1", "Слово " + "Ж" * 60]))
    fit_rows(tree, 1)
    assert not [p for p in tree_cuts(tree) if "column 1" in p]
    assert [p for p in tree_cuts(tree) if "row 2 column 2" in p and "px, has" in p]
