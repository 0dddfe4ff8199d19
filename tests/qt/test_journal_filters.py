"""The journal's filter bar: it asks for a new list only when the filter really changed,
and names services as people know them."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.journal import JournalFilter
from pos_app.qt.journal_tools import DEBOUNCE_MS, FilterBar

pytestmark = pytest.mark.gui


@pytest.fixture
def bar(qtbot: Any) -> FilterBar:
    widget = FilterBar()
    qtbot.addWidget(widget)
    return widget


def _announced(bar: FilterBar, qtbot: Any) -> list[JournalFilter]:
    seen: list[JournalFilter] = []
    bar.changed.connect(seen.append)
    qtbot.wait(DEBOUNCE_MS * 3)
    return seen


def test_a_new_bar_asks_for_nothing(bar: FilterBar, qtbot: Any) -> None:
    # A re-read announced at start-up lands in the middle of the first operation, and the
    # list shows that operation as it was while being sent ("Pending" for a hold that waits).
    assert _announced(bar, qtbot) == []


def test_a_change_undone_within_the_pause_asks_for_nothing(bar: FilterBar, qtbot: Any) -> None:
    seen: list[JournalFilter] = []
    bar.changed.connect(seen.append)
    bar.search.setText("123")
    bar.search.clear()
    bar.state.setCurrentIndex(2)
    bar.state.setCurrentIndex(0)
    qtbot.wait(DEBOUNCE_MS * 3)
    assert seen == []
    bar.search.setText("123")
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0].text == "123"
    bar.dates.setChecked(True)
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen[1].since is not None
    bar.clear()
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert seen[2] == JournalFilter()


def test_services_are_listed_by_their_titles(bar: FilterBar) -> None:
    bar.set_services(["vmob", "cpextender", "luna", "cpextender"])
    names = [bar.service.itemText(i) for i in range(1, bar.service.count())]
    assert names == ["CP Extender", "Luna", "vmob"]
