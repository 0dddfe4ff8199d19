"""The off-GUI-thread runner: results on the GUI thread, cancellation, plain errors."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput, PosError, Refused
from pos_app.qt.controller import customer_query
from pos_app.qt.tasks import AppFault, TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qapp: Any) -> Any:
    runner = TaskRunner()
    yield runner
    assert runner.shutdown(5000)
    runner.deleteLater()


def test_work_runs_off_the_gui_thread_and_results_come_back_on_it(runner: Any,
                                                                   qtbot: Any) -> None:
    got: list[tuple[str, bool]] = []
    runner.run(lambda: threading.current_thread().name,
               on_ok=lambda name: got.append(
                   (name, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(got))
    worker, on_gui_thread = got[0]
    assert on_gui_thread and worker != threading.main_thread().name


def test_a_superseded_or_cancelled_task_is_dropped_however_late(runner: Any,
                                                                qtbot: Any) -> None:
    gate = threading.Event()
    got: list[str] = []

    def slow(name: str) -> str:
        gate.wait(5)
        return name

    first = runner.run(slow, "first", channel="lookup", on_ok=got.append)
    second = runner.run(lambda: "second", channel="lookup", on_ok=got.append)
    assert first.cancelled and runner.current("lookup") is second
    qtbot.waitUntil(lambda: got == ["second"])
    assert not runner.busy("lookup")

    third = runner.run(slow, "third", channel="lookup", on_ok=got.append)
    assert runner.cancel("lookup") and third.cancelled and not runner.busy("lookup")
    assert not runner.cancel("lookup"), "nothing left to cancel"
    gate.set()
    qtbot.waitUntil(lambda: first.finished.is_set() and third.finished.is_set())
    qtbot.waitUntil(lambda: runner.running == 0)
    assert got == ["second"]


def test_failures_reach_the_view_as_plain_errors(runner: Any, qtbot: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    errors: list[PosError] = []

    def refuse() -> None:
        raise Refused("There is not enough on the card for this.")

    def crash() -> None:
        raise ZeroDivisionError("division by zero")

    runner.run(refuse, on_error=errors.append)
    runner.run(crash, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2)
    kinds = {type(e) for e in errors}
    assert kinds == {Refused, AppFault}
    fault = next(e for e in errors if isinstance(e, AppFault))
    assert "Something went wrong" in str(fault) and "division" not in str(fault)
    assert any(r.levelname == "ERROR" and "failed unexpectedly" in r.getMessage()
               for r in caplog.records)
    caplog.clear()


def test_shutdown_waits_and_releases_dropped_results(qapp: Any) -> None:
    runner = TaskRunner()
    started = threading.Event()
    released: list[str] = []

    def make() -> str:
        started.set()
        return "resource"

    runner.run(make, channel="open", on_ok=lambda _: None, on_drop=released.append)
    started.wait(5)
    assert runner.shutdown(5000)
    assert released == ["resource"]
    late = runner.run(lambda: "late")
    assert late.cancelled, "nothing new starts after shutdown"
    runner.deleteLater()


@pytest.mark.parametrize(("text", "expected"), [
    ("+1 (555) 432-50-11", {"phone": "+1 (555) 432-50-11"}),
    ("m.zhukov@example.com", {"email": "m.zhukov@example.com"}),
])
def test_customer_query(text: str, expected: dict[str, str]) -> None:
    assert customer_query(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "abc", "me@local", "call 5554325011"])
def test_customer_query_refuses_what_is_neither(text: str) -> None:
    with pytest.raises(InvalidInput):
        customer_query(text)
