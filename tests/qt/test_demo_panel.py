"""The Demo tab's buttons wrap their labels to the button in pixels, whatever the language:
Qt elides a line wider than the button (Russian letters are wider than the 20 characters a
line used to be counted in)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from pos_app.core.sandbox.runner import start_sandbox
from pos_app.qt.demo_panel import TEXT_WIDTH, DemoCardButton, DemoPanel, wrap

pytestmark = pytest.mark.gui
NB = "\u00a0"


def test_wrap_breaks_between_words_and_keeps_no_break_spaces(qapp: QApplication) -> None:
    metrics = DemoCardButton({"code": "1", "label": "x"}).fontMetrics()
    text = f"Карта с кешбэком, 420 баллов, кешбэк 5{NB}%, карта другой компании"
    lines = wrap(text, metrics).split("\n")
    assert " ".join(lines) == text and len(lines) > 1
    assert all(metrics.horizontalAdvance(line) <= TEXT_WIDTH for line in lines)
    assert f"5{NB}%" in "\n".join(lines)
    long = "Ж" * 40
    pieces = wrap(f"a {long} b", metrics).split("\n")
    assert pieces[0] == "a" and "".join(pieces).replace(" ", "") == f"a{long}b"
    assert all(metrics.horizontalAdvance(p) <= TEXT_WIDTH for p in pieces)


@pytest.mark.usefixtures("russian")
def test_every_russian_demo_card_fits_its_button(qtbot: Any) -> None:
    box = start_sandbox()
    try:
        cards = box.demo_cards()
    finally:
        box.stop()
    panel = DemoPanel()
    qtbot.addWidget(panel)
    panel.resize(370, 600)
    panel.set_cards(cards)
    panel.show()
    qtbot.waitExposed(panel)
    assert len(panel.buttons) == len(cards) > 40
    for button in panel.buttons:
        assert button.text().replace("\n", " ") == button.title
        assert button.sizeHint().width() <= button.width(), button.title
    assert panel.buttons[0].title.startswith("Luna: Карта со штампами, 5 из 10 штампов")
