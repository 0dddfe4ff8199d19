"""One sandbox per data folder (issue 14, item 18): the window and the command line at once
see the same cards, and no operation of one is lost to the other's state file."""

from __future__ import annotations

import json

import pytest

from pos_app.cli.main import main
from pos_app.core.counter import SANDBOX_FILE, Counter
from pos_app.core.operations import Operation
from pos_app.core.paths import data_dir
from pos_app.core.sandbox.shared import JoinedSandbox, OwnedSandbox
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.settings import load_settings


def stamps(counter: Counter) -> int:
    card = counter.lookup(LUNA["stamps"])
    assert card.stamps is not None
    return card.stamps.current


def test_a_second_process_uses_the_first_ones_sandbox() -> None:
    window = Counter.open(load_settings())
    try:
        assert isinstance(window.sandbox, OwnedSandbox)
        start = stamps(window)
        other = Counter.open(load_settings())
        try:
            assert isinstance(other.sandbox, JoinedSandbox) and other.on_sandbox
            assert other.sandbox.demo_cards() == window.sandbox.demo_cards()
            assert other.apply(LUNA["stamps"], Operation.parse("stamp", ["1"])).ok
            assert window.apply(LUNA["stamps"], Operation.parse("stamp", ["1"])).ok
            assert stamps(window) == stamps(other) == start + 2
        finally:
            other.close()
    finally:
        window.close()
    saved = json.loads((data_dir() / SANDBOX_FILE).read_text("utf-8"))
    assert saved["luna"]["passes"][LUNA["stamps"]]["activeStamps"] == start + 2


def test_the_window_and_the_command_line_at_once_see_the_same_cards(
        capsys: pytest.CaptureFixture[str]) -> None:
    window = Counter.open(load_settings())
    try:
        start = stamps(window)
        assert main(["apply", LUNA["stamps"], "stamp", "1"]) == 0  # while the window is open
        capsys.readouterr()
        assert stamps(window) == start + 1  # the window sees the command line's operation
        assert window.apply(LUNA["stamps"], Operation.parse("stamp", ["1"])).ok
    finally:
        window.close()
    assert main(["card", LUNA["stamps"], "--json"]) == 0  # the sandbox's next owner
    card = json.loads(capsys.readouterr().out)
    assert card["stamps"]["current"] == start + 2  # 8 -> 10, not 9


def test_the_next_process_takes_the_sandbox_over() -> None:
    first = Counter.open(load_settings())
    first.close()
    second = Counter.open(load_settings())
    try:
        assert isinstance(second.sandbox, OwnedSandbox)
    finally:
        second.close()
