"""Retry safety cases the soak found: a lost answer followed by another kind of failure, and
a Luna card changed by another till between the lookup and the operation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import load_soak

from pos_app.core.counter import Counter
from pos_app.core.journal import State
from pos_app.core.operations import Operation
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox()
    yield sb
    sb.stop()


@pytest.fixture
def counter(sandbox: Sandbox, tmp_path: Path) -> Iterator[Counter]:
    c = load_soak().build_counter(sandbox, tmp_path / "journal.sqlite3")
    yield c
    c.close()


def test_junk_from_the_token_route_after_a_lost_answer_is_not_a_failure(
        counter: Counter, sandbox: Sandbox) -> None:
    app = sandbox.loona.app
    card = counter.lookup(LOONA["gift"])
    sandbox.loona.faults.add(FaultRule(FaultKind.DROP_AFTER, route="transactions/*"))
    sandbox.loona.faults.add(FaultRule(FaultKind.MALFORMED, route="oauth/token",
                                       body="<html>proxy error</html>"))
    counter._sleep = lambda _: app.revoke_tokens()  # type: ignore[attr-defined]
    result = counter.apply(card, Operation.parse("spend", ["10"]))
    applied = len(app.ledger)
    assert applied == 1  # the first attempt went through
    assert result.state is not State.FAILED, "journal says failed, the service applied it"


def test_a_stale_luna_card_does_not_block_reconciliation(counter: Counter,
                                                         sandbox: Sandbox) -> None:
    card = counter.lookup(LUNA["certificate"])
    other = counter.lookup(LUNA["certificate"])  # another till spends meanwhile
    assert counter.apply(other, Operation.parse("spend", ["100"])).ok
    sandbox.luna.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass"))
    result = counter.apply(card, Operation.parse("spend", ["50"]))
    assert len(sandbox.luna.app.ledger) == 2
    assert result.state is State.DONE, result.message
