"""Never twice, for real (issue 10, points 1-7): late writes, two processes on one data
folder, a crash while the service still holds the request, balances that come back, queued
operations whose card moved on, operations a person settles, and nothing claimed "not applied"
once a request went out. Each scenario is driven through the sandbox's fault injection."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import tomli_w
from helpers import REPO

from pos_app.cli.main import main
from pos_app.core.backends.registry import build_backends
from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.errors import Busy
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation
from pos_app.core.paths import data_dir
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.luna.seed import DEMO_TOKEN

#: Reads give up after half a second here (the app's is ten).
SHORT = httpx.Timeout(connect=1.0, read=0.5, write=1.0, pool=1.0)
POLICY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=0.1,
                     settle=0.01, hold=2.5, poll=0.1)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox()
    yield sb
    sb.stop()


def counter_on(sandbox: Sandbox, journal: Path, policy: RetryPolicy = POLICY) -> Counter:
    c = Counter(build_backends(sandbox.service_settings(), timeout=SHORT), Journal(journal))
    c.retry = policy
    return c


@pytest.fixture
def counter(sandbox: Sandbox) -> Iterator[Counter]:
    c = counter_on(sandbox, data_dir() / "journal.sqlite3")
    yield c
    c.close()


def spends(sandbox: Sandbox, amount: int | None = None) -> list[dict]:
    return [r for r in sandbox.luna.app.ledger if r["body"].get("action") == "spendPoints"
            and (amount is None or r["body"]["sum"] == amount)]


def luna_use(sandbox: Sandbox, serial: str, action: str, amount: int) -> None:
    """Another till changes the card."""
    answer = httpx.post(sandbox.luna.url + "/usePass", headers={"x-access-token": DEMO_TOKEN},
                        json={"passSerialNumber": serial, "action": action, "sum": amount},
                        timeout=5).json()
    assert answer[0]["result"] == 1, answer


# -- 1. a write that lands after the read timeout ----------------------------------------------


def test_a_write_landing_after_the_read_timeout_is_not_sent_twice(
        counter: Counter, sandbox: Sandbox) -> None:
    sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="usePass", delay=1.2, times=1))
    started = time.monotonic()
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.ok and result.state is State.DONE, result.message
    assert len(spends(sandbox, 100)) == 1
    assert time.monotonic() - started >= 1.2  # it waited for the late write, then saw it
    assert counter.lookup(LUNA["certificate"]).balance == Decimal("1400")


# -- 2. a second process on the same data folder ---------------------------------------------


def test_a_second_process_leaves_an_operation_in_flight_to_its_owner(
        counter: Counter, sandbox: Sandbox) -> None:
    other = counter_on(sandbox, counter.journal.path)
    try:
        sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="usePass", delay=0.8,
                                          times=1))
        results = []
        worker = threading.Thread(target=lambda: results.append(counter.apply(
            LUNA["certificate"], Operation.parse("spend", ["100"]))))
        worker.start()
        deadline = time.monotonic() + 5
        while not counter.journal.unresolved() and time.monotonic() < deadline:
            time.sleep(0.02)
        (entry,) = counter.journal.unresolved()
        assert entry.owner == counter.owner.name
        assert other.recover() == []  # left to the process driving it
        with pytest.raises(Busy):
            other.resolve(entry.id)
        worker.join(10)
        assert results and results[0].ok, results
        assert len(spends(sandbox, 100)) == 1
    finally:
        other.close()


def test_an_operation_whose_owner_is_gone_is_taken_over(counter: Counter,
                                                        sandbox: Sandbox) -> None:
    sandbox.luna.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="usePass", times=None))
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.state is State.UNKNOWN
    entry = counter.journal.get(result.journal_id)
    assert entry is not None and entry.owner is None  # nobody drives it now
    # A claim held by a process that died: the next one takes it over at once.
    journal = counter.journal
    assert journal.claim(entry.id, "elsewhere:1:dead", lambda name: False) is not None
    sandbox.luna.faults.clear()
    (resolved,) = counter.recover()
    assert resolved.ok and len(spends(sandbox, 100)) == 1


# -- 3. killed while the service still holds the request -------------------------------------


WORKER = textwrap.dedent("""
    import sys
    from pos_app.core.counter import Counter
    from pos_app.core.operations import Operation
    from pos_app.core.settings import load_settings
    with Counter.open(load_settings(sys.argv[1])) as counter:
        card = counter.lookup(sys.argv[2])
        print("ready", flush=True)
        counter.apply(card, Operation.parse("spend", ["100"]))
        print("finished", flush=True)
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_recover_right_after_a_kill_waits_for_the_held_request(
        sandbox: Sandbox, isolated_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tables = sandbox.service_settings()
    for table in tables.values():
        table["max_hold"] = 4.0
    settings = isolated_dirs / "settings.toml"
    settings.write_text(tomli_w.dumps(tables), encoding="utf-8")
    sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="usePass", delay=2.0, times=1))
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(settings),
                               LUNA["certificate"]], stdout=subprocess.PIPE, text=True,
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 5
    while not sandbox.luna.requests or sandbox.luna.requests[-1]["route"] != "usePass":
        assert time.monotonic() < deadline, "the worker never sent"
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.stdout.close()
    assert main(["--config", str(settings), "recover"]) == 0  # at once
    assert "was applied" in capsys.readouterr().out
    assert len(spends(sandbox, 100)) == 1


# -- 4. a balance that comes back is no evidence -----------------------------------------------


def test_an_unknown_operation_is_not_resent_when_the_balance_comes_back(
        counter: Counter, sandbox: Sandbox) -> None:
    faults = sandbox.luna.faults
    faults.add(FaultRule(FaultKind.DELAY, route="getPassInfo", delay=0, times=1))
    faults.add(FaultRule(FaultKind.DELAY, route="getPassOperations", delay=0, times=1))
    faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass", times=1))  # applied, lost
    faults.add(FaultRule(FaultKind.ERROR, route="get*", times=None))       # nothing to read
    before = Decimal("1500")
    result = counter.apply(LUNA["certificate"], Operation.parse("accrue", ["50"]))
    assert result.state is State.UNKNOWN, result.message
    faults.clear()
    luna_use(sandbox, LUNA["certificate"], "spendPoints", 50)  # another till: back to 1500
    assert counter.lookup(LUNA["certificate"]).balance == before
    (resolved,) = counter.recover()
    assert resolved.ok and resolved.state is State.DONE
    accruals = [r for r in sandbox.luna.app.ledger if r["body"].get("action") == "accruePoints"]
    assert len(accruals) == 1


# -- 5. a queued operation whose dynamic QR moved on -----------------------------------------


def test_a_queued_operation_is_sent_with_the_cards_current_code(counter: Counter,
                                                                sandbox: Sandbox) -> None:
    card = counter.lookup(LOONA["bonus_dynamic"])
    sandbox.loona.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="transactions/*",
                                       times=None, retry_after=0.01))
    result = counter.apply(card, Operation.parse("purchase", ["100"]))
    assert result.queued, result.message
    sandbox.loona.faults.clear()
    other = counter_on(sandbox, counter.journal.path.with_name("other-till.sqlite3"))
    try:  # another till's operation rotates the QR
        assert other.apply(LOONA["bonus_dynamic"], Operation.parse("purchase", ["10"])).ok
    finally:
        other.close()
    (resolved,) = counter.recover()
    assert resolved.ok and resolved.state is State.DONE, resolved.message
    purchases = [r for r in sandbox.loona.app.ledger if r["action"] == "purchase"]
    assert len(purchases) == 2


def test_a_queued_operation_the_service_refuses_says_to_scan_again(counter: Counter,
                                                                   sandbox: Sandbox) -> None:
    card = counter.lookup(LOONA["bonus_dynamic"])
    sandbox.loona.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="transactions/*",
                                       times=None, retry_after=0.01))
    result = counter.apply(card, Operation.parse("purchase", ["100"]))
    assert result.queued
    sandbox.loona.faults.clear()
    sandbox.loona.faults.add(FaultRule(FaultKind.MALFORMED, route="transactions/*", times=None,
                                       body='{"code": "INVALID_ENCRYPTED_KEY"}'))
    (resolved,) = counter.recover()
    assert resolved.state is State.FAILED
    assert "scan the card again" in str(resolved.error).lower()


# -- 6. a way out of "unknown": settled by a person --------------------------------------------


def test_an_unknown_operation_is_settled_with_who_and_why(
        counter: Counter, sandbox: Sandbox, isolated_dirs: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.luna.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="usePass", times=None))
    sandbox.luna.faults.add(FaultRule(FaultKind.ERROR, route="getPassOperations", times=None))
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.state is State.UNKNOWN
    counter.close()
    code = main(["settle", str(result.journal_id), "--not-applied", "--note", ""])
    assert code == 2  # a note is required
    code = main(["settle", str(result.journal_id), "--not-applied",
                 "--note", "history at Luna shows no spend"])
    out = capsys.readouterr().out
    assert code == 0 and "settled as not applied" in out
    journal = Journal(data_dir() / "journal.sqlite3")
    try:
        entry = journal.get(result.journal_id)
    finally:
        journal.close()
    assert entry is not None and entry.state is State.FAILED
    assert entry.settled is not None and entry.settled["note"] == "history at Luna shows no spend"
    assert entry.settled["by"] and entry.settled["applied"] is False
    assert main(["settle", str(result.journal_id), "--applied", "--note", "again"]) == 2


def test_a_set_expiry_across_time_zones_is_reconciled(sandbox: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      counter: Counter) -> None:
    """The till in Tokyo, the service telling dates in UTC: the card's date is compared in the
    service's time, within a day."""
    sandbox.luna.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass", times=1))
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        result = counter.apply(LUNA["stamps"], Operation.parse("set-expiry", ["2030-12-31"]))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert result.ok and result.state is State.DONE, result.message
    assert len([r for r in sandbox.luna.app.ledger
                if r["body"].get("action") == "setExpirationDate"]) == 1


# -- 7. after sending, never "nothing applied" ------------------------------------------------


def test_a_full_disk_at_the_journals_commit_says_it_was_applied(
        counter: Counter, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def full(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(counter.journal, "step", full)
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.ok and result.state is State.DONE
    assert result.warning and "disk is full" in result.warning
    assert len(spends(sandbox, 100)) == 1
    assert any("could not record" in r.getMessage() for r in caplog.records)
    caplog.clear()


@pytest.mark.parametrize("body", ["[" * 200_000, '[{"result": 1, "x": ' * 50_000])
def test_a_deeply_nested_answer_is_an_unknown_outcome_not_a_crash(
        counter: Counter, sandbox: Sandbox, body: str) -> None:
    sandbox.luna.faults.add(FaultRule(FaultKind.MALFORMED, route="usePass", body=body,
                                      apply=True))
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.ok and result.state is State.DONE, result.message  # reconciled
    assert len(spends(sandbox, 100)) == 1


def test_a_balance_beyond_any_card_after_sending_is_not_a_crash(
        sandbox: Sandbox, isolated_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = isolated_dirs / "settings.toml"
    settings.write_text(tomli_w.dumps(sandbox.service_settings()), encoding="utf-8")
    huge = ('[{"result": 1, "type": 5, "status": "installed", "amountMoneyBonus": '
            '"1e100000", "template": "x"}]')
    sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="getPassInfo", delay=0, times=2))
    sandbox.luna.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo", body=huge,
                                      times=None))
    code = main(["--config", str(settings), "apply", LUNA["certificate"], "spend", "100"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err and "Done" in captured.out
    assert len(spends(sandbox, 100)) == 1
