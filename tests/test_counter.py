"""The counter over real HTTP to the in-process sandbox: journal, retries, recovery."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.errors import InvalidCode, NotSupported, ServiceUnavailable
from pos_app.core.journal import State
from pos_app.core.operations import Operation
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.services import names
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.settings import load_settings


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter.open(load_settings())
    c.retry = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=0.1,
                          hold=0.3,
                          settle=0.01)
    yield c
    c.close()


def _ledger(counter: Counter, service: str) -> list[dict]:
    server = counter.sandbox.server(service)
    return server.app.ledger


def test_no_settings_means_the_sandbox_and_every_service(counter: Counter) -> None:
    assert counter.on_sandbox
    assert set(counter.backends) == set(names())
    assert counter.lookup(LUNA["stamps"]).service == "luna"
    assert counter.lookup(LOONA["bonus"]).service == "loona"
    assert counter.lookup(f"https://wallet.example/p/{LUNA['cashback']}?x=1").code == \
        LUNA["cashback"]


def test_operation_is_journalled_with_before_and_after(counter: Counter) -> None:
    result = counter.apply(LUNA["cashback"], Operation.parse("purchase", ["100"]))
    assert result.ok and result.state is State.DONE
    entry = counter.journal.get(result.journal_id)
    assert entry is not None and entry.state is State.DONE
    assert entry.service == "luna" and entry.card == LUNA["cashback"]
    assert entry.operation == "purchase" and entry.args == ["100.00"]
    assert [s["state"] for s in entry.steps] == ["done", "done"]
    assert Decimal(entry.after["balance"]) == Decimal(entry.before["balance"]) + 5
    assert len(_ledger(counter, "luna")) == 2


def test_refusals_happen_before_the_journal(counter: Counter) -> None:
    with pytest.raises(NotSupported):
        counter.apply(LUNA["discount"], Operation.parse("stamp", ["1"]))
    with pytest.raises(InvalidCode):
        counter.lookup("\x00\x01junk")
    assert counter.journal.entries() == []


def test_luna_lost_answer_is_checked_not_resent(counter: Counter) -> None:
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass"))
    result = counter.apply(LUNA["certificate"], Operation.parse("spend", ["100"]))
    assert result.ok, result.message
    assert len(_ledger(counter, "luna")) == 1
    assert result.after is not None and result.after.balance == Decimal("1400")


def test_luna_refused_connection_is_resent(counter: Counter) -> None:
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="usePass"))
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="usePass",
                                              retry_after=0.05))
    result = counter.apply(LUNA["stamps"], Operation.parse("stamp", ["1"]))
    assert result.ok, result.message
    assert len(_ledger(counter, "luna")) == 1


def test_loona_lost_answer_is_replayed_with_the_same_key(counter: Counter) -> None:
    counter.sandbox.loona.faults.add(FaultRule(FaultKind.DROP_AFTER, route="transactions/*"))
    result = counter.apply(LOONA["bonus_dynamic"], Operation.parse("spend", ["20"]))
    assert result.ok, result.message
    ledger = _ledger(counter, "loona")
    assert len(ledger) == 1
    assert result.after is not None and result.after.balance == Decimal("100.50")
    assert result.after.code != LOONA["bonus_dynamic"]  # the dynamic QR rotated


def test_give_up_after_the_bound_then_resolve(counter: Counter) -> None:
    card = counter.lookup(LUNA["certificate"])
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass",
                                              times=None))
    # The read just before sending goes through; every read after it (the card's history
    # too) fails.
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="getPassInfo"))
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.ERROR, route="get*",
                                              times=None, status=503))
    result = counter.apply(card, Operation.parse("spend", ["100"]))
    assert not result.ok and result.state is State.UNKNOWN
    assert [e.id for e in counter.journal.unresolved()] == [result.journal_id]
    counter.sandbox.luna.faults.clear()
    resolved = counter.recover()
    assert [r.state for r in resolved] == [State.DONE]
    assert len(_ledger(counter, "luna")) == 1
    assert counter.lookup(LUNA["certificate"]).balance == Decimal("1400")
    assert counter.journal.unresolved() == []


def test_half_done_multi_step_resumes_at_the_missing_step(counter: Counter) -> None:
    # The first step (accrue points) goes through; the second keeps failing.
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.DELAY, route="usePass", delay=0))
    counter.sandbox.luna.faults.add(FaultRule(FaultKind.ERROR, route="usePass", times=None))
    before = counter.lookup(LUNA["cashback"])
    result = counter.apply(before, Operation.parse("purchase", ["200"]))
    assert not result.ok and result.state is State.UNKNOWN
    entry = counter.journal.get(result.journal_id)
    assert entry is not None and [s["state"] for s in entry.steps] == ["done", "unknown"]
    counter.sandbox.luna.faults.clear()
    (resolved,) = counter.recover()
    assert resolved.ok
    after = counter.lookup(LUNA["cashback"])
    assert after.balance == before.balance + 10
    assert after.total_spent == before.total_spent + 200
    assert len(_ledger(counter, "luna")) == 2


def test_crash_before_sending_is_recovered(counter: Counter) -> None:
    """A journal row left pending (the till died right after writing it) is sent once."""
    card = counter.lookup(LOONA["chop"])
    plan = counter.plan(card, Operation.parse("stamp", ["2"]))
    entry = counter.journal.begin(service="loona", card=card.code, card_id=card.card_id,
                                  plan=plan, key="crash-key-1", before=card.snapshot())
    (resolved,) = counter.recover()
    assert resolved.ok and resolved.journal_id == entry
    assert counter.lookup(LOONA["chop"]).stamps.current == 5  # type: ignore[union-attr]
    counter.recover()
    assert len(_ledger(counter, "loona")) == 1


def test_find_cards_and_check(counter: Counter) -> None:
    found = counter.find_cards(phone="+1 (555) 432-50-11")
    assert {r.service for r in found} == {"luna", "loona"}
    assert all(ok for _, ok, _ in counter.check())


def test_a_customers_cards_come_active_first(counter: Counter) -> None:
    from pos_app.core.cards import listing_rank

    found = counter.find_cards(phone="+1 (555) 432-50-11")
    statuses = [r.status for r in found]
    assert statuses[0] == "active", statuses  # Enter opens the first
    assert [listing_rank(s) for s in statuses] == sorted(listing_rank(s) for s in statuses)
    assert "deleted" in statuses and "blocked" in statuses
    assert statuses.index("blocked") > statuses.index("deleted")
    luna = [r.code for r in found if r.service == "luna" and r.status == "active"]
    assert luna == [r.code for r in counter.backends["luna"].find_cards(
        phone="+1 (555) 432-50-11") if r.status == "active"]  # each service's order kept


def test_unreachable_service_queues_additions_and_refuses_spending(counter: Counter) -> None:
    from pos_app.core.sandbox.server import SandboxServer

    stamps = counter.lookup(LUNA["stamps"])
    certificate = counter.lookup(LUNA["certificate"])
    server = counter.sandbox.luna
    port, app = server.server_address[1], server.app
    server.stop()

    queued = counter.apply(stamps, Operation.parse("stamp", ["1"]))
    assert queued.queued and queued.state is State.PENDING
    assert "queued" in queued.message
    assert "luna" in counter.unreachable
    with pytest.raises(ServiceUnavailable) as refused:
        counter.apply(certificate, Operation.parse("spend", ["10"]))
    assert "nothing was charged" in str(refused.value)

    counter.sandbox.luna = SandboxServer(app, port=port).start()
    (sent,) = counter.recover()
    assert sent.ok and sent.journal_id == queued.journal_id
    assert counter.lookup(LUNA["stamps"]).stamps.current == 6  # type: ignore[union-attr]
    assert "luna" not in counter.unreachable
    assert len(app.ledger) == 1


def test_sandbox_data_survives_a_restart_in_one_state_file(isolated_dirs) -> None:
    import json

    with Counter.open(load_settings()) as first:
        first.apply(LUNA["stamps"], Operation.parse("stamp", ["1"]))
        first.apply(LOONA["gift"], Operation.parse("spend", ["100"]))
    state = json.loads((isolated_dirs / "data" / "sandbox.json").read_text("utf-8"))
    assert set(state) == {"luna", "loona"}
    with Counter.open(load_settings()) as second:
        assert second.lookup(LUNA["stamps"]).stamps.current == 6  # type: ignore[union-attr]
        assert second.lookup(LOONA["gift"]).balance == Decimal("900.00")


def test_a_luna_write_that_lands_late_is_not_sent_twice(counter: Counter) -> None:
    """The answer is lost and the write shows only later: the second read sees it."""
    server = counter.sandbox.luna
    app = server.app
    card = counter.lookup(LUNA["certificate"])
    server.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="usePass"))
    reads = []

    def late_write(seconds: float) -> None:
        reads.append(seconds)
        if len(reads) == 2:  # during the settle pause before the second read
            import httpx

            httpx.post(server.url + "/usePass", headers={"x-access-token": app.token},
                       json={"passSerialNumber": LUNA["certificate"], "action": "spendPoints",
                             "sum": 100}, timeout=5).raise_for_status()

    counter._sleep = late_write
    result = counter.apply(card, Operation.parse("spend", ["100"]))
    assert result.ok, result.message
    assert len(app.ledger) == 1
    assert counter.lookup(LUNA["certificate"]).balance == Decimal("1400")
