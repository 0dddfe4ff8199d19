"""The Loona adapter against the Loona sandbox over real HTTP (nothing mocked)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from pos_app.core.backends.base import Step
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    ConfigError,
    IdempotencyConflict,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Refused,
    ServiceUnavailable,
    StaleCode,
)
from pos_app.core.operations import Operation, OpName
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.loona import adapter as loona_module
from pos_app.core.services.loona.adapter import LoonaBackend
from pos_app.core.services.loona.sandbox import DEMO, DEMO_IDS, LoonaApp
from pos_app.core.services.loona.seed import CLIENT_ID, CLIENT_SECRET

D = Decimal
TX = "transactions/*"
LOOKUP = "passes/encrypted/*"


def make(server: SandboxServer, secret: str = CLIENT_SECRET, **kwargs: Any) -> LoonaBackend:
    kwargs.setdefault("timeout", httpx.Timeout(3.0))
    return LoonaBackend(server.url, server.base_url + "/oauth/token", CLIENT_ID, secret,
                        **kwargs)


@pytest.fixture
def backend(loona_server: SandboxServer) -> Iterator[LoonaBackend]:
    adapter = make(loona_server)
    yield adapter
    adapter.close()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    """One server per module for tests that change nothing (starting one per test is slow)."""
    server = SandboxServer(LoonaApp(), seed=2).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def reader(shared_server: SandboxServer) -> Iterator[LoonaBackend]:
    """An adapter on the shared server."""
    adapter = make(shared_server)
    yield adapter
    adapter.close()


def op(name: str, *args: object) -> Operation:
    return Operation.parse(name, [str(a) for a in args])


def apply(backend: LoonaBackend, card: Card | str, operation: Operation, key: str = "key-1",
          ) -> tuple[dict[str, Any], dict[str, Any], Card]:
    """Plan, execute and refresh as the counter does: ``(answer, outcome, card after)``."""
    if isinstance(card, str):
        card = backend.get_card(card)
    plan = backend.plan(card, operation)
    assert len(plan.steps) == 1
    answers = [backend.execute(card, plan.steps[0], key)]
    return answers[0], backend.outcome(plan, answers), backend.refresh(card, answers)


def ledger(server: SandboxServer) -> list[dict[str, Any]]:
    return server.app.ledger


# -- codes and cards ----------------------------------------------------------------------------


def test_claim_takes_any_printable_code_by_default(reader: LoonaBackend) -> None:
    assert reader.claim("6179518025") == "6179518025"
    assert reader.claim("  abc def/1?\r\n") == "abc def/1?"
    assert reader.claim("x" * 256) == "x" * 256
    assert reader.claim("ÜNÏ-код") == "ÜNÏ-код"
    for bad in ("", "   ", "x" * 257, "a\x00b", "a\nb", "a\x1bb"):
        assert reader.claim(bad) is None


def test_pattern_setting_narrows_the_claim(loona_server: SandboxServer) -> None:
    adapter = make(loona_server, pattern=r"\d{10}")
    try:
        assert adapter.claim("6179518025") == "6179518025"
        assert adapter.claim("448234-808-346") is None
        assert adapter.claim("61795180251") is None
    finally:
        adapter.close()
    with pytest.raises(ConfigError):
        make(loona_server, pattern="(")
    with pytest.raises(ConfigError):
        make(loona_server, secret="")


@pytest.mark.parametrize(("name", "kind", "status", "ops"), [
    ("discount", CardKind.DISCOUNT, CardStatus.ACTIVE, ("purchase",)),
    ("bonus", CardKind.POINTS, CardStatus.ACTIVE, ("purchase", "spend", "purchase-spend")),
    ("bonus_dynamic", CardKind.POINTS, CardStatus.ACTIVE,
     ("purchase", "spend", "purchase-spend")),
    ("bonus_id", CardKind.POINTS, CardStatus.ACTIVE, ("purchase", "spend", "purchase-spend")),
    ("gift", CardKind.GIFT, CardStatus.ACTIVE, ("spend",)),
    ("coupon_new", CardKind.COUPON, CardStatus.INACTIVE, ("coupon-activate",)),
    ("coupon_active", CardKind.COUPON, CardStatus.ACTIVE, ("coupon-redeem",)),
    ("coupon_used", CardKind.COUPON, CardStatus.USED, ()),
    ("chop", CardKind.CHOP, CardStatus.ACTIVE, ("stamp",)),
    ("chop_reward", CardKind.CHOP, CardStatus.ACTIVE, ("stamp", "reward")),
    ("expired", CardKind.GIFT, CardStatus.EXPIRED, ()),
    ("blocked", CardKind.POINTS, CardStatus.BLOCKED, ()),
])
def test_every_demo_card_reads(reader: LoonaBackend, name: str, kind: CardKind,
                               status: CardStatus, ops: tuple[str, ...]) -> None:
    card = reader.get_card(DEMO[name])
    assert card.service == "loona"
    assert card.code == DEMO[name] and card.card_id == str(DEMO_IDS[name])
    assert (card.kind, card.status) == (kind, status)
    assert tuple(o.value for o in card.operations) == ops
    assert card.holder is not None and card.holder.name
    json.dumps(card.to_json())


def test_card_values(reader: LoonaBackend) -> None:
    discount = reader.get_card(DEMO["discount"])
    assert discount.percent == 5 and discount.level == "Bronze"
    assert discount.total_spent == D("2500.00") and discount.balance is None
    assert discount.expires == dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert discount.holder is not None and discount.holder.phone == "+74443334423"
    bonus = reader.get_card(DEMO["bonus"])
    assert (bonus.balance, bonus.balance_unit) == (D("350.00"), "points")
    assert bonus.max_spend_percent == 30 and bonus.level == "Silver"
    assert bonus.template == "14"
    gift = reader.get_card(DEMO["gift"])
    assert (gift.balance, gift.balance_unit) == (D("1000.00"), "money")
    chop = reader.get_card(DEMO["chop"])
    assert chop.stamps is not None and (chop.stamps.current, chop.stamps.max) == (3, 10)
    assert chop.rewards == 0
    assert reader.get_card(DEMO["chop_reward"]).rewards == 1


def test_a_qr_with_the_plain_pass_id_falls_back_to_the_id(backend: LoonaBackend,
                                                          loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["bonus_id"])
    paths = [r["path"] for r in loona_server.requests][-2:]
    assert paths == [f"/version1/passes/encrypted/{DEMO['bonus_id']}",
                     f"/version1/passes/{DEMO['bonus_id']}"]
    assert card.code == DEMO["bonus_id"] and card.balance == D("80.00")
    answer, _, after = apply(backend, card, op("spend", "10"))
    assert answer["balance"] == "70.00" and after.code == DEMO["bonus_id"]


def test_unknown_codes_are_not_found(backend: LoonaBackend,
                                     loona_server: SandboxServer) -> None:
    with pytest.raises(CardNotFound):
        backend.get_card("no-such-card")
    with pytest.raises(CardNotFound):
        backend.get_card("1234567")          # digits: tried as an id as well
    assert loona_server.requests[-1]["path"] == "/version1/passes/1234567"
    with pytest.raises(InvalidCode):
        backend.get_card("bad\x00code")


@pytest.mark.parametrize("code", ["a/b", "..", ".", "../passes/51202", "50%", "%2e%2e",
                                  "a?size=1", "x#frag", "with space", "a;b", "ünï/..", "+1"])
def test_codes_never_leave_their_path_segment(reader: LoonaBackend,
                                              shared_server: SandboxServer, code: str) -> None:
    with pytest.raises(CardNotFound):
        reader.get_card(code)
    path = shared_server.requests[-1]["path"]
    prefix = "/version1/passes/encrypted/"
    assert path.startswith(prefix)
    rest = path[len(prefix):]
    assert "/" not in rest and rest not in (".", "..")
    assert unquote(rest) == code


# -- operations on every kind -------------------------------------------------------------------


def test_discount_purchase(backend: LoonaBackend, loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["discount"])
    plan = backend.plan(card, op("purchase", "33.33"))
    assert plan.preview == {"discount": D("1.67"), "to_pay": D("31.66")}
    step = plan.steps[0]
    assert step.action == "purchase"
    assert step.body == {"passId": DEMO_IDS["discount"], "purchaseId": None, "amount": "33.33"}
    assert step.expect == {"total_spent": D("33.33")}
    answer = backend.execute(card, step, "sale-1")
    assert answer["discountAmount"] == "1.67" and answer["amountToPay"] == "31.66"
    assert backend.outcome(plan, [answer]) == {"discount": D("1.67"), "to_pay": D("31.66")}
    after = backend.refresh(card, [answer])
    assert after.total_spent == D("2533.33") and after.code == card.code
    entry = ledger(loona_server)[-1]
    assert entry["key"] == "sale-1" and entry["body"]["purchaseId"] == "sale-1"


def test_bonus_purchase_accrues_and_lifts_the_level(backend: LoonaBackend) -> None:
    _, outcome, after = apply(backend, DEMO["bonus"], op("purchase", "100"))
    assert outcome == {"to_pay": D("100.00"), "earned": D("5.00"),
                       "balance": D("355.00")}
    assert after.balance == D("355.00") and after.total_spent == D("15400.00")
    _, outcome, after = apply(backend, after, op("purchase", "14600"), key="key-2")
    assert outcome["earned"] == D("730.00") and after.level == "Gold"


def test_bonus_spend(backend: LoonaBackend, loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["bonus"])
    plan = backend.plan(card, op("spend", "50"))
    assert plan.steps[0].expect == {"balance": D("-50.00")}
    _, outcome, after = apply(backend, card, op("spend", "50"))
    assert outcome["spent"] == D("50.00") and outcome["balance"] == D("300.00")
    assert after.balance == D("300.00")
    with pytest.raises(Refused, match=r"The card has 300 points; 300\.01 points cannot"):
        backend.plan(after, op("spend", "300.01"))
    assert len(ledger(loona_server)) == 1


def test_bonus_purchase_spend(backend: LoonaBackend, loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["bonus"])
    plan = backend.plan(card, op("purchase-spend", "200", "60"))
    assert plan.preview == {"to_pay": D("140.00"), "spent": D("60.00"),
                            "max_spend": D("60.00")}
    assert plan.steps[0].body == {"passId": DEMO_IDS["bonus"], "purchaseId": None,
                                  "amount": "200.00", "spendAmount": "60.00"}
    _, outcome, after = apply(backend, card, op("purchase-spend", "200", "60"))
    assert outcome["to_pay"] == D("140.00") and outcome["earned"] == D("7.00")
    assert after.balance == D("297.00") and after.total_spent == D("15500.00")
    with pytest.raises(Refused, match=r"At most 30 points may be paid"):
        backend.plan(after, op("purchase-spend", "100", "30.01"))
    with pytest.raises(InvalidAmount):
        backend.plan(after, Operation(OpName.PURCHASE_SPEND, amount=D("10"), spend=D("11")))
    assert len(ledger(loona_server)) == 1


def test_purchase_spend_limited_by_balance(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["bonus_id"])          # 80.00, 20 %
    assert backend.plan(card, op("purchase-spend", "1000", "80")).preview["max_spend"] == 80
    with pytest.raises(Refused, match=r"At most 80 points may be paid"):
        backend.plan(card, op("purchase-spend", "1000", "80.01"))


def test_gift_spend_down_to_zero(backend: LoonaBackend) -> None:
    _, outcome, after = apply(backend, DEMO["gift"], op("spend", "250"))
    assert after.balance == D("750.00") and outcome["balance"] == D("750.00")
    _, _, after = apply(backend, after, op("spend", "750"), key="key-2")
    assert after.balance == 0 and after.operations == ()
    with pytest.raises(NotSupported, match="balance is zero"):
        backend.plan(after, op("spend", "1"))


def test_coupon_activate_then_redeem_then_refused(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["coupon_new"])
    with pytest.raises(NotSupported, match="not active yet"):
        backend.plan(card, op("coupon-redeem"))
    answer, _, card = apply(backend, card, op("coupon-activate"))
    assert answer["status"] == "ACTIVE"
    assert card.status is CardStatus.ACTIVE and card.operations == (OpName.COUPON_REDEEM,)
    plan = backend.plan(card, op("coupon-redeem"))
    assert plan.steps[0].body["status"] == "USED"
    answer = backend.execute(card, plan.steps[0], "key-2")
    card = backend.refresh(card, [answer])
    assert card.status is CardStatus.USED and card.operations == ()
    with pytest.raises(NotSupported, match="already been used"):
        backend.plan(card, op("coupon-redeem"))
    with pytest.raises(Refused, match="already been used"):   # the service refuses as well
        backend.execute(card, plan.steps[0], "key-3")


def test_chop_stamps_wrap_into_a_reward_and_the_reward_redeems(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["chop"])
    assert not card.supports(OpName.REWARD)
    with pytest.raises(NotSupported, match="no rewards"):
        backend.plan(card, op("reward", "1"))
    _, outcome, card = apply(backend, card, op("stamp", "3"))
    assert card.stamps is not None and card.stamps.current == 6 and card.rewards == 0
    assert (outcome["stamps"], outcome["rewards"]) == (6, 0)
    _, _, card = apply(backend, card, op("stamp", "5"), key="key-2")
    assert card.stamps is not None and card.stamps.current == 1 and card.rewards == 1
    assert card.supports(OpName.REWARD)
    with pytest.raises(Refused, match="1 reward;"):
        backend.plan(card, op("reward", "2"))
    plan = backend.plan(card, op("reward", "1"))
    assert plan.steps[0].body == {"passId": DEMO_IDS["chop"], "purchaseId": None, "chops": 0,
                                  "rewardsUsed": 1}
    _, _, card = apply(backend, card, op("reward", "1"), key="key-3")
    assert card.rewards == 0 and card.stamps is not None and card.stamps.current == 1


def test_chop_reward_card_redeems(backend: LoonaBackend) -> None:
    _, _, card = apply(backend, DEMO["chop_reward"], op("reward", "1"))
    assert card.rewards == 0 and not card.supports(OpName.REWARD)


@pytest.mark.parametrize(("name", "operation", "message"), [
    ("discount", op("spend", "1"), "discount card cannot"),
    ("gift", op("purchase", "1"), "gift certificate cannot"),
    ("chop", op("coupon-activate"), "chop card cannot"),
    ("coupon_active", op("coupon-activate"), "already active"),
    ("expired", op("spend", "1"), "expired"),
    ("blocked", op("purchase", "1"), "blocked"),
    ("coupon_used", op("coupon-redeem"), "already been used"),
    ("bonus", op("accrue", "5"), "cannot"),
])
def test_unsupported_operations_are_said_plainly(reader: LoonaBackend, name: str,
                                                 operation: Operation, message: str) -> None:
    with pytest.raises(NotSupported, match=message) as caught:
        reader.plan(reader.get_card(DEMO[name]), operation)
    assert "Nothing was changed" in str(caught.value)


# -- service-side errors ------------------------------------------------------------------------


def step(action: str, name: str, **fields: Any) -> Step:
    return Step(action, {"passId": DEMO_IDS[name], "purchaseId": None, **fields}, "test")


@pytest.mark.parametrize(("name", "action", "fields", "error", "message"), [
    ("discount", "spending", {"amount": "1.00"}, NotSupported, "does not support"),
    ("bonus", "spending", {"amount": "500.00"}, Refused, "not enough"),
    ("bonus", "purchase-spending", {"amount": "100.00", "spendAmount": "40.00"}, Refused,
     "more than may be paid"),
    ("coupon_new", "status", {"status": "USED"}, Refused, "not active yet"),
    ("coupon_used", "status", {"status": "USED"}, Refused, "already been used"),
    ("coupon_active", "status", {"status": "ACTIVE"}, Refused, "already active"),
    ("chop_reward", "chop", {"rewardsUsed": 5}, Refused, "that many rewards"),
    ("expired", "spending", {"amount": "1.00"}, NotSupported, "expired"),
    ("blocked", "purchase", {"amount": "1.00"}, NotSupported, "blocked"),
    ("bonus", "purchase", {"amount": "-5.00"}, Refused, "Check the amount"),
])
def test_service_refusals_map_to_plain_errors(reader: LoonaBackend,
                                              shared_server: SandboxServer, name: str,
                                              action: str, fields: dict[str, Any],
                                              error: type[Exception], message: str) -> None:
    card = reader.get_card(DEMO[name])
    with pytest.raises(error, match=message) as caught:
        reader.execute(card, step(action, name, **fields), "key-1")
    assert caught.value.applied is False
    assert ledger(shared_server) == []


def test_unknown_pass_in_a_transaction_is_not_found(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["gift"])
    with pytest.raises(CardNotFound):
        backend.execute(card, Step("spending", {"passId": 999, "amount": "1.00"}, "x"), "k")


def test_same_key_other_body_is_a_conflict(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["gift"])
    backend.execute(card, step("spending", "gift", amount="1.00"), "key-1")
    with pytest.raises(IdempotencyConflict):
        backend.execute(card, step("spending", "gift", amount="2.00"), "key-1")


def test_rate_limit_carries_retry_after(backend: LoonaBackend,
                                        loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["gift"])
    loona_server.faults.add(FaultRule(FaultKind.RATE_LIMIT, route=TX, retry_after=7))
    with pytest.raises(RateLimited) as caught:
        backend.execute(card, step("spending", "gift", amount="1.00"), "key-1")
    assert caught.value.retry_after == 7.0 and "7 s" in str(caught.value)
    assert ledger(loona_server) == []


def test_wrong_code_in_a_transaction_is_stale(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["gift"])
    with pytest.raises(StaleCode, match="refresh the card in their wallet"):
        backend.execute(replace(card, code="0000000000"), step("spending", "gift",
                                                              amount="1.00"), "key-1")
    with pytest.raises(InvalidCode):
        backend.execute(replace(card, code="кириллица"), step("spending", "gift",
                                                             amount="1.00"), "key-1")
    with pytest.raises(MissingParameter):
        backend.execute(card, Step("refund", {}, "x"), "key-1")


# -- dynamic QR ---------------------------------------------------------------------------------


def test_dynamic_qr_rotation(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["bonus_dynamic"])
    answer, _, fresh = apply(backend, card, op("purchase", "100"))
    assert fresh.code == answer["encryptedId"] != card.code
    assert fresh.level == "Silver" and fresh.balance == D("123.50")
    with pytest.raises(StaleCode) as caught:
        backend.get_card(card.code)
    assert "refresh the card in their wallet" in str(caught.value)
    with pytest.raises(StaleCode, match="refresh the card"):
        backend.execute(card, step("spending", "bonus_dynamic", amount="1.00"), "key-2")
    assert backend.get_card(fresh.code).card_id == card.card_id
    _, _, again = apply(backend, fresh, op("spend", "3.50"), key="key-3")
    assert again.balance == D("120.00") and again.code not in (card.code, fresh.code)


# -- idempotency and lost answers ---------------------------------------------------------------


def test_same_key_twice_replays_and_applies_once(backend: LoonaBackend,
                                                 loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["bonus_dynamic"])
    plan = backend.plan(card, op("spend", "20"))
    first = backend.execute(card, plan.steps[0], "key-1")
    # The retry goes with the old QR value: the replay must not depend on it.
    second = backend.execute(card, plan.steps[0], "key-1")
    assert second == first
    assert len(ledger(loona_server)) == 1
    assert backend.refresh(card, [second]).balance == D("100.50")


def test_dropped_answer_is_unknown_and_the_same_key_recovers_it(
        backend: LoonaBackend, loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["gift"])
    plan = backend.plan(card, op("spend", "100"))
    loona_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route=TX))
    with pytest.raises(OutcomeUnknown) as caught:
        backend.execute(card, plan.steps[0], "key-1")
    assert caught.value.applied is None and "safely" in str(caught.value)
    assert len(ledger(loona_server)) == 1
    answer = backend.execute(card, plan.steps[0], "key-1")
    assert answer == ledger(loona_server)[0]["result"]
    assert len(ledger(loona_server)) == 1
    assert backend.refresh(card, [answer]).balance == D("900.00")


@pytest.mark.parametrize("rule", [
    FaultRule(FaultKind.ERROR, route=TX, status=502),
    FaultRule(FaultKind.MALFORMED, route=TX, apply=True),
    FaultRule(FaultKind.MALFORMED, route=TX, body="[1, 2]", apply=True),
    FaultRule(FaultKind.HUGE, route=TX, size=2 * 1024 * 1024),
    FaultRule(FaultKind.DROP_BEFORE, route=TX),
], ids=["html-502", "html-200", "json-list", "huge", "drop-before"])
def test_junk_or_failure_on_a_transaction_is_unknown_then_safe_to_retry(
        backend: LoonaBackend, loona_server: SandboxServer, rule: FaultRule) -> None:
    card = backend.get_card(DEMO["gift"])
    plan = backend.plan(card, op("spend", "10"))
    loona_server.faults.add(rule)
    with pytest.raises(OutcomeUnknown):
        backend.execute(card, plan.steps[0], "key-1")
    backend.execute(card, plan.steps[0], "key-1")
    assert len(ledger(loona_server)) == 1
    assert backend.get_card(DEMO["gift"]).balance == D("990.00")


def test_an_error_with_http_200_is_still_an_error(backend: LoonaBackend,
                                                  loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["gift"])
    loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route=TX, body=json.dumps(
        {"code": "INSUFFICIENT_BALANCE", "message": "no"})))
    with pytest.raises(Refused, match="not enough"):
        backend.execute(card, step("spending", "gift", amount="1.00"), "key-1")


# -- malformed answers, timeouts, redirects on reads --------------------------------------------


@pytest.mark.parametrize(("rule", "error"), [
    (FaultRule(FaultKind.MALFORMED, route=LOOKUP), BadResponse),
    (FaultRule(FaultKind.MALFORMED, route=LOOKUP, body='{"type": "BONUS"}'), BadResponse),
    (FaultRule(FaultKind.MALFORMED, route=LOOKUP, body='{"id": 1, "type": "LOTTERY"}'),
     BadResponse),
    (FaultRule(FaultKind.MALFORMED, route=LOOKUP,
               body='{"id": 1, "type": "GIFT", "status": "ZOMBIE"}'), BadResponse),
    (FaultRule(FaultKind.ERROR, route=LOOKUP, status=503), ServiceUnavailable),
    (FaultRule(FaultKind.HUGE, route=LOOKUP, size=2 * 1024 * 1024), BadResponse),
    (FaultRule(FaultKind.DROP_BEFORE, route=LOOKUP), ServiceUnavailable),
], ids=["html", "no-id", "unknown-type", "unknown-status", "503", "huge", "drop"])
def test_bad_answers_on_reads(backend: LoonaBackend, loona_server: SandboxServer,
                              rule: FaultRule, error: type[Exception]) -> None:
    loona_server.faults.add(rule)
    with pytest.raises(error):
        backend.get_card(DEMO["gift"])
    assert backend.get_card(DEMO["gift"]).balance == D("1000.00")


def test_odd_but_readable_values_are_parsed(backend: LoonaBackend,
                                            loona_server: SandboxServer) -> None:
    body = {"id": "77", "type": "bonus", "balance": 12.5, "maxSpendPercent": "30",
            "level": "VIP", "purchasesTotal": None, "expirationDate": "not a date",
            "holder": None, "status": None}
    loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route=LOOKUP, body=json.dumps(body)))
    card = backend.get_card("whatever")
    assert (card.card_id, card.kind, card.status) == ("77", CardKind.POINTS, CardStatus.ACTIVE)
    assert card.balance == D("12.50") and card.max_spend_percent == 30
    assert card.level == "VIP" and card.expires is None and card.holder is None


def test_timeouts(loona_server: SandboxServer) -> None:
    adapter = make(loona_server, timeout=httpx.Timeout(0.3))
    try:
        card = adapter.get_card(DEMO["gift"])
        loona_server.faults.add(FaultRule(FaultKind.TIMEOUT, route=LOOKUP, delay=1.0))
        with pytest.raises(ServiceUnavailable, match="did not answer in time"):
            adapter.get_card(DEMO["gift"])
        plan = adapter.plan(card, op("spend", "5"))
        loona_server.faults.add(FaultRule(FaultKind.TIMEOUT, route=TX, delay=1.0))
        with pytest.raises(OutcomeUnknown):
            adapter.execute(card, plan.steps[0], "key-1")
        assert ledger(loona_server) == []
        adapter.execute(card, plan.steps[0], "key-1")
        assert len(ledger(loona_server)) == 1
    finally:
        adapter.close()


def test_redirects_are_not_followed_and_carry_no_credentials(
        backend: LoonaBackend, loona_server: SandboxServer) -> None:
    trap = SandboxServer(LoonaApp()).start()
    try:
        loona_server.faults.add(FaultRule(FaultKind.REDIRECT, route="oauth/token",
                                          location=trap.base_url + "/oauth/token"))
        with pytest.raises(BadResponse, match="redirect"):
            backend.get_card(DEMO["gift"])
        loona_server.faults.add(FaultRule(FaultKind.REDIRECT, route=LOOKUP,
                                          location=trap.url + "/passes/51205"))
        with pytest.raises(BadResponse, match="redirect"):
            backend.get_card(DEMO["gift"])
        card = backend.get_card(DEMO["gift"])
        loona_server.faults.add(FaultRule(FaultKind.REDIRECT, route=TX,
                                          location=trap.url + "/transactions/spending"))
        with pytest.raises(BadResponse, match="redirect"):
            backend.execute(card, step("spending", "gift", amount="1.00"), "key-1")
        assert list(trap.requests) == [] and trap.app.tokens_issued == 0
    finally:
        trap.stop()


# -- OAuth token ----------------------------------------------------------------------------------


def test_one_token_serves_many_calls(backend: LoonaBackend,
                                     loona_server: SandboxServer) -> None:
    for _ in range(3):
        card = backend.get_card(DEMO["gift"])
    apply(backend, card, op("spend", "1"))
    backend.find_cards(phone="+74443334423")
    backend.check()
    assert loona_server.app.tokens_issued == 1
    assert loona_server.app.unauthorized == 0


def test_token_is_renewed_before_it_expires(backend: LoonaBackend,
                                            loona_server: SandboxServer) -> None:
    loona_server.app.token_ttl = 1
    backend.get_card(DEMO["gift"])
    backend.get_card(DEMO["gift"])
    assert loona_server.app.tokens_issued == 1
    time.sleep(1.0)          # the adapter renews at 0.9 s, before the service expires it
    backend.get_card(DEMO["gift"])
    assert loona_server.app.tokens_issued == 2
    assert loona_server.app.unauthorized == 0


def test_a_401_gets_one_new_token_and_one_resend(backend: LoonaBackend,
                                                 loona_server: SandboxServer) -> None:
    card = backend.get_card(DEMO["gift"])
    loona_server.app.revoke_tokens()
    backend.get_card(DEMO["gift"])
    assert (loona_server.app.tokens_issued, loona_server.app.unauthorized) == (2, 1)
    loona_server.app.revoke_tokens()
    answer = backend.execute(card, step("spending", "gift", amount="5.00"), "key-1")
    assert answer["balance"] == "995.00"
    assert (loona_server.app.tokens_issued, loona_server.app.unauthorized) == (3, 2)
    assert len(ledger(loona_server)) == 1


def test_a_second_401_is_an_auth_error(backend: LoonaBackend,
                                       loona_server: SandboxServer) -> None:
    loona_server.app.token_ttl = 0           # every token is dead on arrival
    with pytest.raises(AuthError):
        backend.get_card(DEMO["gift"])
    assert (loona_server.app.tokens_issued, loona_server.app.unauthorized) == (2, 2)


def test_bad_secret_is_an_auth_error_and_never_shown(loona_server: SandboxServer,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cret-Never-Print"
    adapter = make(loona_server, secret=secret)
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.raises(AuthError) as caught:
            adapter.get_card(DEMO["gift"])
        with pytest.raises(AuthError):
            adapter.check()
    finally:
        adapter.close()
    encoded = base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()
    shown = str(caught.value) + caught.value.hint + repr(adapter) + caplog.text
    assert secret not in shown and encoded not in shown
    assert "client id and secret" in str(caught.value)


def test_token_service_failures(backend: LoonaBackend, loona_server: SandboxServer) -> None:
    loona_server.faults.add(FaultRule(FaultKind.ERROR, route="oauth/token", status=500))
    with pytest.raises(ServiceUnavailable):
        backend.get_card(DEMO["gift"])
    loona_server.faults.add(FaultRule(FaultKind.MALFORMED, route="oauth/token",
                                      body='{"token_type": "bearer"}'))
    with pytest.raises(BadResponse, match="access token"):
        backend.get_card(DEMO["gift"])
    loona_server.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="oauth/token"))
    with pytest.raises(RateLimited):
        backend.get_card(DEMO["gift"])
    assert backend.get_card(DEMO["gift"]).balance == D("1000.00")


def test_no_service_at_the_address() -> None:
    probe = SandboxServer(LoonaApp()).start()
    base = probe.base_url
    probe.stop()
    adapter = LoonaBackend(base + "/version1", base + "/oauth/token", CLIENT_ID, CLIENT_SECRET,
                           timeout=httpx.Timeout(1.0))
    try:
        with pytest.raises(ServiceUnavailable, match="No connection"):
            adapter.check()
    finally:
        adapter.close()


# -- search and check -------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+7 (444) 333-44-23", "84443334423", "4443334423",
                                   "3334423"])
def test_find_cards_by_phone(reader: LoonaBackend, phone: str) -> None:
    refs = reader.find_cards(phone=phone)
    assert sorted(r.code for r in refs) == sorted([DEMO["discount"], DEMO["chop"]])
    assert all(r.service == "loona" and r.holder and r.holder.name == "Peter Ivanov"
               for r in refs)
    assert {r.kind_label for r in refs} == {"Discount card", "Chop card"}


def test_find_cards_pages_and_edge_cases(backend: LoonaBackend, loona_server: SandboxServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loona_module, "PAGE_SIZE", 5)
    refs = backend.find_cards(phone="+1 555 432 50 11")
    assert sorted(r.code for r in refs) == sorted(
        [DEMO["gift"], DEMO["chop_reward"], DEMO["blocked"]])
    pages = [r["path"] for r in loona_server.requests if r["route"] == "passes"]
    assert len(pages) == 3
    assert backend.find_cards(phone="+7 999 000 00 00") == []
    # The QR of a card that holds its plain id is the id.
    maria = backend.find_cards(phone="89165557712")
    assert DEMO["bonus_id"] in {r.code for r in maria}
    assert backend.find_cards(email="anna@example.com") == []
    with pytest.raises(InvalidInput, match="7 digits"):
        backend.find_cards(phone="12-34")


def test_check_reports_the_pass_count(reader: LoonaBackend) -> None:
    assert reader.check() == f"Loona: connected, {len(DEMO)} passes"


def test_journal_values_are_plain_json(backend: LoonaBackend) -> None:
    card = backend.get_card(DEMO["bonus"])
    plan = backend.plan(card, op("purchase-spend", "100", "10"))
    json.dumps([s.body for s in plan.steps])
    answer = backend.execute(card, plan.steps[0], "key-1")
    json.dumps(answer)
