"""Shifts: opened and closed by the cashier, closed with a note after a crash, and summed right
for every service, card kind and state."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.core.backends.base import Plan, Step
from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.effects import Effects
from pos_app.core.errors import InvalidInput
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation
from pos_app.core.paths import data_dir
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.services.cpextender.seed import DEMO as CPX
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.shift import LOCK_FILE, ShiftBook, summary_text


def _book(journal: Journal) -> ShiftBook:
    return ShiftBook(journal, data_dir() / LOCK_FILE)


def _apply(counter: Counter, code: str, op: str, *args: str) -> int:
    result = counter.apply(code, Operation.parse(op, list(args)))
    assert result.journal_id is not None
    return result.journal_id


def _begin(journal: Journal, service: str, op: str, args: list[str], key: str) -> int:
    """A row as another service's adapter would leave it (services still to come)."""
    plan = Plan(Operation.parse(op, args), (Step("x", {}, op),))
    entry = journal.begin(service=service, card="CPOL-1", card_id="CPOL-1", plan=plan, key=key,
                          before={"kind": "points", "balance_unit": "points"})
    journal.label(entry, kind="points", holder="")
    return entry


def test_a_shift_of_every_service_kind_and_state_is_summed_right(counter: Counter) -> None:
    counter.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02,
                                max_retry_after=0.05, settle=0.01)
    book = _book(counter.journal)
    assert book.start() is None
    _apply(counter, LUNA["stamps"], "stamp", "1")  # before the shift: not counted
    book.open()
    with pytest.raises(InvalidInput):
        book.open()
    # Luna: stamps, points, gift money, discount.
    _apply(counter, LUNA["stamps"], "stamp", "2")
    _apply(counter, LUNA["cashback"], "purchase", "100")          # 5 points earned
    _apply(counter, LUNA["cashback"], "purchase-spend", "100", "20")  # 20 spent, 4 earned
    _apply(counter, LUNA["certificate"], "spend", "100")          # 100.00 of gift money
    _apply(counter, LUNA["discount"], "purchase", "200")          # 10.00 off
    # Loona: discount, points, gift money, chop stamps and a reward.
    _apply(counter, LOONA["discount"], "purchase", "200")         # 10.00 off
    _apply(counter, LOONA["bonus"], "purchase-spend", "100", "30")  # 30 spent, 3.50 earned
    _apply(counter, LOONA["gift"], "spend", "150")
    _apply(counter, LOONA["chop"], "stamp", "1")
    _apply(counter, LOONA["chop_reward"], "reward", "1")
    # Failed: Loona keeps answering 503 to a spend (never queued, it takes value off).
    counter.sandbox.loona.faults.add(FaultRule(FaultKind.ERROR, route="transactions/*",
                                               times=None, status=400))
    failed = _apply(counter, LOONA["bonus"], "spend", "10")
    counter.sandbox.loona.faults.clear()
    # Unknown: Luna's answer is lost and neither the card nor its history can be read.
    luna = counter.sandbox.luna.faults
    luna.add(FaultRule(FaultKind.DROP_AFTER, route="usePass", times=None))
    luna.add(FaultRule(FaultKind.DELAY, route="getPassInfo"))
    luna.add(FaultRule(FaultKind.ERROR, route="get*", times=None, status=503))
    unknown = _apply(counter, LUNA["certificate"], "spend", "50")
    luna.clear()
    # A two-phase service's hold still open, and one of its operations left pending.
    hold = _begin(counter.journal, "cpx", "spend", ["40"], "h1")
    counter.journal.finish(hold, State.DONE, outcome={"held": "40"})
    counter.journal.set_effects(hold, Effects(held=Decimal(40)))
    pending = _begin(counter.journal, "cpx", "accrue", ["7"], "p1")

    summary = book.summary(book.close())
    assert counter.journal.get(failed).state is State.FAILED  # type: ignore[union-attr]
    assert counter.journal.get(unknown).state is State.UNKNOWN  # type: ignore[union-attr]
    assert summary.count == 14, [(x.service, x.operation, x.count) for x in summary.lines]
    # Open or unknown operations and open holds first, then the failed one.
    assert [e.id for e in summary.attention] == [unknown, pending, hold, failed]
    assert [e.id for e in summary.open_holds] == [hold]
    data = summary.to_json()
    assert data["totals"] == {
        "luna": {"to_pay": "370.00", "discount": "10.00", "points_earned": "9",
                 "points_spent": "20", "money_spent": "100", "stamps_given": "2"},
        "loona": {"to_pay": "260.00", "discount": "10.00", "points_earned": "3.50",
                  "points_spent": "30.00", "money_spent": "150.00", "stamps_given": "1",
                  "rewards_used": "1"},
        "cpx": {"held": "40"},
    }
    lines = {(x["service"], x["operation"], x["unit"]): x for x in data["lines"]}
    # Loona's gift money paid out apart from its points that were not (two buttons).
    assert lines[("loona", "spend", "money")]["states"] == {"pending": 0, "unknown": 0,
                                                            "done": 1, "failed": 0}
    assert lines[("loona", "spend", "point")]["states"] == {"pending": 0, "unknown": 0,
                                                            "done": 0, "failed": 1}
    assert lines[("luna", "spend", "money")]["count"] == 2
    assert lines[("luna", "spend", "money")]["sums"] == {"money_spent": "100"}
    assert lines[("luna", "stamp", "stamp")]["count"] == 1  # the one before the shift: not in it
    counter.journal.release_hold(hold)  # the service confirmed it later
    assert book.summary(summary.shift).open_holds == []
    text = "\n".join(summary_text(summary))
    assert text.index("Needs attention (4):") < text.index("Luna: 6 operations")
    assert "Holds still open: 1" in text
    assert re.search(r"\n  Balance spent +150\.00\n", text)  # Loona's gift money
    assert max(len(line) for line in text.splitlines() if not line.startswith("    ")) <= 44
    book.stop()


def test_a_shift_left_open_by_a_crash_is_closed_at_the_next_start(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    lock = tmp_path / LOCK_FILE
    first = ShiftBook(journal, lock)
    assert first.start() is None
    shift = first.open()
    other = ShiftBook(journal, lock)
    assert other.start() is None  # the first app still runs: nothing is touched
    assert journal.shift(shift.id).closed is None  # type: ignore[union-attr]
    other.stop()
    first.lock.release()  # the process dies: the OS lets its lock go
    after = ShiftBook(journal, lock)
    note = after.start()
    after.stop()
    assert note is not None and "stopped without closing" in note
    closed = journal.shift(shift.id)
    assert closed is not None and closed.closed is not None and closed.note == note
    journal.close()


def test_a_clean_exit_leaves_the_shift_open_for_the_next_start(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    lock = tmp_path / LOCK_FILE
    book = ShiftBook(journal, lock)
    book.start()
    shift = book.open()
    book.stop()
    again = ShiftBook(journal, lock)
    assert again.start() is None
    current = again.current()
    assert current is not None and current.id == shift.id and current.live
    again.close()
    assert again.current() is None
    with pytest.raises(InvalidInput):
        again.close()
    again.stop()
    journal.close()


def test_shift_command(capsys: pytest.CaptureFixture[str], counter: Counter) -> None:
    assert main(["shift"]) == 0
    assert "No shift yet" in capsys.readouterr().out
    book = _book(counter.journal)
    book.start()
    book.open()
    _apply(counter, LUNA["cashback"], "purchase", "100")
    book.stop()
    assert main(["shift", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == 1 and data["shift"]["closed"] is None
    assert data["totals"]["luna"]["points_earned"] == "5"
    assert main(["shift"]) == 0
    out = capsys.readouterr().out
    assert "Luna: 1 operation\n" in out and re.search(r"Points earned +5\n", out)
    assert main(["shift", "--id", "99"]) == 2
    assert main(["shift", "--close", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["shift"]["closed"] is not None
    assert main(["shift", "--close"]) == 2
    assert "No shift is open" in capsys.readouterr().err
    assert main(["shift", "--open", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 0


def test_a_hold_confirmed_counts_as_spent_one_cancelled_as_nothing_one_waiting_as_held(
        counter: Counter) -> None:
    """Issue: the 100 points a finished CP Extender hold took were missing from the totals."""
    book = _book(counter.journal)
    book.start()
    book.open()
    confirmed = _apply(counter, CPX["plenty"], "hold", "100")
    assert counter.finish(confirmed).ok  # the hold's Confirm is sent
    _apply(counter, CPX["plenty"], "spend", "50")
    cancelled = _apply(counter, CPX["plenty"], "hold", "30")
    assert counter.finish(cancelled, cancel=True).state is State.FAILED
    waiting = _apply(counter, CPX["plenty"], "hold", "20")
    summary = book.summary(book.close())
    data = summary.to_json()
    assert data["totals"] == {"cpextender": {"points_spent": "150", "held": "20"}}
    lines = {x["operation"]: x for x in data["lines"]}
    assert lines["hold"]["sums"] == {"points_spent": "100", "held": "20"}
    assert lines["hold"]["states"] == {"pending": 1, "unknown": 0, "done": 1, "failed": 1}
    assert [e.id for e in summary.open_holds] == [waiting]
    assert [e.id for e in summary.attention] == [waiting, cancelled]
    text = "\n".join(summary_text(summary))
    assert re.search(r"\nCP Extender: 4 operations\n  Points spent +150\n  On hold +20\n", text)
    assert f"#{waiting} on hold: CP Extender" in text and "Holds still open: 1" in text
    book.stop()


def test_a_waiting_hold_settled_by_a_person_is_spent_or_released(counter: Counter) -> None:
    """A hold finished in Counterpoint and settled here: applied is spent, not applied is
    nothing; neither stays on hold."""
    book = _book(counter.journal)
    book.start()
    book.open()
    taken = _apply(counter, CPX["plenty"], "hold", "40")
    released = _apply(counter, CPX["plenty"], "hold", "15")
    assert counter.journal.get(taken).effects.held == Decimal(40)  # type: ignore[union-attr]
    counter.settle(taken, applied=True, note="confirmed in Counterpoint")
    counter.settle(released, applied=False, note="cancelled in Counterpoint")
    summary = book.summary(book.close())
    assert summary.to_json()["totals"] == {"cpextender": {"points_spent": "40"}}
    assert summary.open_holds == []
    book.stop()


def test_a_gift_certificate_top_up_is_named_as_its_button_names_it(counter: Counter) -> None:
    """Issue: Luna's gift-certificate top-up was summed as "Add points"."""
    book = _book(counter.journal)
    book.start()
    book.open()
    top_up = _apply(counter, LUNA["certificate"], "accrue", "150")
    _apply(counter, LUNA["cashback"], "accrue", "10")
    summary = book.summary(book.close())
    text = "\n".join(summary_text(summary)) + "\n"
    assert re.search(r"\n  Top up the balance ×1: done 1\n    Balance added +150\.00\n", text)
    assert re.search(r"\n  Add points ×1: done 1\n    Points earned +10\n", text)
    lines = {(x["operation"], x["unit"]): x["count"] for x in summary.to_json()["lines"]}
    assert lines == {("accrue", "money"): 1, ("accrue", "point"): 1}
    counter.journal.finish(top_up, State.UNKNOWN, error="lost")  # in the attention list too
    text = "\n".join(summary_text(book.summary(summary.shift)))
    assert f"#{top_up} unknown: Luna" in text and "\n    Add 150.00 to the balance — lost" in text
    book.stop()


def test_the_summary_in_russian_names_a_top_up_as_the_button_does(counter: Counter,
                                                                   russian: None) -> None:
    book = _book(counter.journal)
    book.start()
    book.open()
    _apply(counter, LUNA["certificate"], "accrue", "150")
    text = "\n".join(summary_text(book.summary(book.close())))
    assert "  Пополнить баланс ×1:" in text and "Начислить баллы" not in text
    book.stop()
