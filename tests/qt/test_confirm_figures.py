"""What the confirmation shows comes from the plan's typed figures, for every service alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_app.core.counter import Counter
from pos_app.core.operations import Operation
from pos_app.core.settings import load_settings
from pos_app.qt.confirm import preview_rows


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter.open(load_settings())
    yield c
    c.close()


def test_a_certificate_spend_shows_what_is_left_on_the_card(counter: Counter) -> None:
    """Luna's plan once wrote ``balance_after`` where the confirmation reads ``balance``: a
    Luna certificate spend never said what would be left."""
    for card in (counter.lookup(c["code"]) for c in counter.sandbox.demo_cards()
                 if c["kind"] in ("gift", "certificate")):
        if not card.usable or not card.balance:
            continue
        plan = counter.plan(card, Operation.parse("spend", ["100"]))
        rows = dict(preview_rows(plan, card))
        assert "On the card after" in rows, (card.service, rows)
        assert rows["On the card after"].replace("\u00a0", " ").replace(" ", "").replace(",", "") \
            .startswith(str(int(card.balance) - 100)), rows
