"""The Luna adapter against the Luna sandbox over real HTTP on loopback (faults injected in the
sandbox, never by mocking the client)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from pos_app.core.backends.base import Step
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    ClientExists,
    ConfigError,
    ForeignCard,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.operations import Operation, OpName
from pos_app.core.reconcile import expected_fields, observe, step_applied
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.luna.adapter import LunaBackend, LunaClient, phone_number
from pos_app.core.services.luna.sandbox import (
    DEMO,
    DEMO_EMAIL,
    DEMO_PHONE,
    DEMO_TEMPLATES,
    DEMO_TOKEN,
)

FAST = httpx.Timeout(0.4)


@pytest.fixture
def luna(luna_server: SandboxServer) -> Iterator[LunaBackend]:
    backend = LunaBackend(luna_server.url, DEMO_TOKEN, timeout=FAST)
    yield backend
    backend.close()


def run(luna: LunaBackend, card: Card, name: str, *args: str) -> tuple[Card, dict]:
    """Plan and execute an operation; return the card read again and the outcome."""
    plan = luna.plan(card, Operation.parse(name, args))
    answers = [luna.execute(card, step, "key-1") for step in plan.steps]
    assert answers == [{"result": 1}] * len(plan.steps)
    return luna.refresh(card, answers), luna.outcome(plan, answers)


def applied(before: Card, after: Card, step: Step, done: tuple[Step, ...] = ()) -> bool | None:
    """The counter's reconciliation of one step, on the raw cards this adapter reads."""
    recorded = observe(before.raw, expected_fields([{"expect": s.expect}
                                                    for s in (*done, step)]))
    return step_applied(step.expect, recorded, [s.expect for s in done], after.raw)


def wire_calls(server: SandboxServer) -> list[str]:
    return [r["route"] for r in server.requests]


# -- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "serial"), [
    ("931520-641-829", "931520-641-829"),
    ("  931520-641-829\n", "931520-641-829"),
    ("https://app.lunaloyaltycards.com/pass/931520-641-829", "931520-641-829"),
    ("https://app.lunaloyaltycards.com/p?serial=931520-641-829&x=1", "931520-641-829"),
    ("www.example.com/cards/448234-808-346/", "448234-808-346"),
])
def test_serials_are_claimed_bare_or_inside_a_url(code: str, serial: str) -> None:
    backend = LunaBackend("http://127.0.0.1:9/api/v1", "t")
    try:
        assert backend.claim(code) == serial
    finally:
        backend.close()


@pytest.mark.parametrize("code", [
    "", "   ", "hello", "931520641829", "1931520-641-829", "931520-641-8290",
    "931520-641-829-1", "card 931520-641-829", "6179518025", "https://x.test/1931520-641-829",
    "https://x.test/" + "9" * 3000, "931520-641-829" + " " * 3000 + "x",
])
def test_junk_codes_are_not_claimed(code: str) -> None:
    backend = LunaBackend("http://127.0.0.1:9/api/v1", "t")
    try:
        assert backend.claim(code) is None
    finally:
        backend.close()


def test_a_pattern_setting_overrides_the_default_and_a_bad_one_is_a_config_error() -> None:
    backend = LunaBackend("http://127.0.0.1:9/api/v1", "t", pattern=r"LUNA:(\d+-\d+)")
    try:
        assert backend.claim("LUNA:12-34") == "12-34"
        assert backend.claim("931520-641-829") is None
    finally:
        backend.close()
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        LunaBackend("http://127.0.0.1:9/api/v1", "t", pattern="(")
    with pytest.raises(ConfigError):
        LunaBackend("http://127.0.0.1:9/api/v1", "")


def test_an_unclaimed_code_is_refused_before_sending(luna: LunaBackend,
                                                     luna_server: SandboxServer) -> None:
    with pytest.raises(InvalidCode, match="not a Luna card code"):
        luna.get_card("hello")
    assert wire_calls(luna_server) == []


# -- reading cards ---------------------------------------------------------------------------


def test_every_card_kind_is_read_with_its_values(luna: LunaBackend) -> None:
    stamps = luna.get_card("https://app.lunaloyaltycards.com/pass/" + DEMO["stamps"])
    assert (stamps.code, stamps.kind, stamps.status) == (DEMO["stamps"], CardKind.STAMPS,
                                                         CardStatus.ACTIVE)
    assert (stamps.stamps.current, stamps.stamps.max, stamps.stamps.total) == (5, 10, 25)
    assert stamps.rewards == 1 and stamps.template == "186"
    assert stamps.holder is not None and stamps.holder.name == "Михаил"
    assert stamps.operations == (OpName.STAMP, OpName.REWARD, OpName.SET_EXPIRY)
    assert stamps.raw["activeStamps"] == "5"

    cashback = luna.get_card(DEMO["cashback"])
    assert (cashback.kind, cashback.balance, cashback.percent, cashback.total_spent) == (
        CardKind.POINTS, Decimal(420), Decimal(5), Decimal(12500))
    assert cashback.holder is not None and cashback.holder.phone == DEMO_PHONE
    assert set(cashback.operations) == {OpName.PURCHASE, OpName.PURCHASE_SPEND, OpName.SPEND,
                                        OpName.ACCRUE, OpName.SET_EXPIRY}

    subscription = luna.get_card(DEMO["subscription"])
    assert subscription.kind is CardKind.SUBSCRIPTION and subscription.balance == 9
    assert (subscription.stamps.current, subscription.stamps.max) == (6, 10)
    assert set(subscription.operations) == {OpName.STAMP, OpName.UNSTAMP, OpName.SPEND,
                                            OpName.SET_EXPIRY}

    discount = luna.get_card(DEMO["discount"])
    assert (discount.kind, discount.percent) == (CardKind.DISCOUNT, Decimal(5))
    assert discount.operations == (OpName.PURCHASE, OpName.SET_EXPIRY)

    gift = luna.get_card(DEMO["certificate"])
    assert (gift.kind, gift.balance, gift.balance_unit) == (CardKind.GIFT, 1500, "money")
    assert gift.expires == dt.datetime(2030, 12, 31, 23, 59, 59)

    for key, kind in (("coupon", CardKind.COUPON), ("membership", CardKind.MEMBERSHIP)):
        card = luna.get_card(DEMO[key])
        assert card.kind is kind and card.operations == (OpName.SET_EXPIRY,)

    assert luna.get_card(DEMO["deleted"]).status is CardStatus.DELETED
    assert luna.get_card(DEMO["not_installed"]).status is CardStatus.NOT_INSTALLED


def test_nothing_that_takes_value_is_offered_on_an_empty_card(luna: LunaBackend) -> None:
    nine = luna.get_card(DEMO["stamps_nine"])
    assert nine.rewards == 0 and OpName.REWARD not in nine.operations
    with pytest.raises(Refused, match="0 unused rewards"):
        luna.plan(nine, Operation.parse("reward", ["1"]))
    subscription = luna.get_card(DEMO["subscription"])
    subscription, _ = run(luna, subscription, "spend", "9")
    subscription, _ = run(luna, subscription, "unstamp", "6")
    assert subscription.balance == 0 and subscription.stamps.current == 0
    assert set(subscription.operations) == {OpName.STAMP, OpName.SET_EXPIRY}
    gift, _ = run(luna, luna.get_card(DEMO["certificate"]), "spend", "1500")
    assert gift.balance == 0 and set(gift.operations) == {OpName.ACCRUE, OpName.SET_EXPIRY}


def test_the_holder_is_optional_when_get_client_info_fails(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    luna_server.faults.add(FaultRule(FaultKind.ERROR, route="getClientInfo", status=500))
    card = luna.get_card(DEMO["cashback"])
    assert card.holder is None and card.balance == 420


# -- operations per card kind --------------------------------------------------------------


def test_stamps_wrap_into_a_reward_and_rewards_are_redeemed(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    nine = luna.get_card(DEMO["stamps_nine"])
    plan = luna.plan(nine, Operation.parse("stamp", ["1"]))
    assert plan.steps == (Step("usePass", {"passSerialNumber": DEMO["stamps_nine"],
                                           "numberStumps": 1}, "Add 1 stamp",
                               {"field": "totalStamps", "delta": 1}),)
    assert plan.preview["rewards_earned"] == 1
    after, _ = run(luna, nine, "stamp", "1")
    assert (after.stamps.current, after.stamps.total, after.rewards) == (0, 10, 1)
    assert OpName.REWARD in after.operations
    history = luna.history(after)
    assert [(h.what, h.value) for h in history[:2]] == [("Reward earned", "1 reward"),
                                                        ("Accrual", "1 stamp")]
    assert isinstance(history[0].when, dt.datetime)

    stamps = luna.get_card(DEMO["stamps"])
    stamps, _ = run(luna, stamps, "stamp", "25")
    assert (stamps.stamps.current, stamps.stamps.total, stamps.rewards) == (0, 50, 4)
    stamps, outcome = run(luna, stamps, "reward", "3")
    assert stamps.rewards == 1 and outcome["rewards_left"] == 1
    with pytest.raises(Refused, match="1 unused reward; 2 cannot"):
        luna.plan(stamps, Operation.parse("reward", ["2"]))
    assert [e["action"] for e in luna_server.app.ledger] == ["usePass", "usePass", "useReward"]


def test_cashback_purchase_applies_both_steps(luna: LunaBackend,
                                              luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    plan = luna.plan(card, Operation.parse("purchase", ["1 234,56"]))
    assert [s.body for s in plan.steps] == [
        {"passSerialNumber": DEMO["cashback"], "action": "accruePoints", "sum": 61},
        {"passSerialNumber": DEMO["cashback"], "action": "increaseTotalSpentSum", "sum": 1235}]
    assert [s.expect for s in plan.steps] == [
        {"field": "amountMoneyBonus", "delta": 61},
        {"field": "amountMoneySpentTotal", "delta": 1235}]
    assert plan.preview["earned"] == 61 and plan.preview["to_pay"] == Decimal("1234.56")
    answers = [luna.execute(card, s, "k") for s in plan.steps]
    after = luna.refresh(card, answers)
    assert (after.balance, after.total_spent, after.percent) == (481, 13735, 5)
    assert [e["body"] for e in luna_server.app.ledger] == [s.body for s in plan.steps]
    assert luna.outcome(plan, answers)["steps_done"] == 2

    # Crossing 50 000 spent raises the cashback to 7 % for the next purchase.
    after, _ = run(luna, after, "purchase", "36265")
    assert (after.balance, after.total_spent, after.percent) == (481 + 1813, 50000, 7)
    # A purchase too small for a point records only the total spent.
    plan = luna.plan(after, Operation.parse("purchase", ["10"]))
    assert [s.body["action"] for s in plan.steps] == ["increaseTotalSpentSum"]


def test_cashback_spend_accrue_and_purchase_spend(luna: LunaBackend,
                                                  luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    plan = luna.plan(card, Operation.parse("purchase-spend", ["1000", "100"]))
    assert [s.body["action"] for s in plan.steps] == ["spendPoints", "accruePoints",
                                                      "increaseTotalSpentSum"]
    assert [s.body["sum"] for s in plan.steps] == [100, 45, 1000]
    assert plan.preview["to_pay"] == Decimal("900.00")
    assert plan.preview["max_spend"] == 420
    card, outcome = run(luna, card, "purchase-spend", "1000", "100")
    assert (card.balance, card.total_spent) == (365, 13500)
    assert outcome["to_pay"] == Decimal("900.00") and outcome["earned"] == 45

    card, _ = run(luna, card, "spend", "65")
    assert card.balance == 300
    card, _ = run(luna, card, "accrue", "30")
    assert card.balance == 330
    assert len(luna_server.app.ledger) == 5


@pytest.mark.parametrize(("name", "args", "error", "words"), [
    ("spend", ["12.50"], InvalidAmount, "Luna cards hold whole points"),
    ("spend", ["421"], Refused, "420 points; 421 points cannot be spent"),
    ("purchase-spend", ["1000", "421"], Refused, "cannot be spent"),
    ("purchase-spend", ["1000", "10.5"], InvalidAmount, "whole points"),
    ("stamp", ["1"], NotSupported, "A points card cannot collect stamps."),
    ("reward", ["1"], NotSupported, "A points card cannot redeem rewards."),
])
def test_cashback_refusals_happen_before_sending(
        luna: LunaBackend, luna_server: SandboxServer, name: str, args: list[str],
        error: type[Exception], words: str) -> None:
    card = luna.get_card(DEMO["cashback"])
    with pytest.raises(error, match=words):
        luna.plan(card, Operation.parse(name, args))
    assert "usePass" not in wire_calls(luna_server)


@pytest.mark.parametrize("operation", [
    Operation(OpName.SPEND, amount=Decimal(0)),
    Operation(OpName.SPEND, amount=Decimal(-5)),
    Operation(OpName.ACCRUE, count=0),
    Operation(OpName.PURCHASE, amount=Decimal(0)),
    Operation(OpName.PURCHASE_SPEND, amount=Decimal(100), spend=Decimal(0)),
    Operation(OpName.PURCHASE_SPEND, amount=Decimal(100), spend=Decimal(101)),
])
def test_zero_and_negative_amounts_are_invalid(luna: LunaBackend,
                                               operation: Operation) -> None:
    with pytest.raises(InvalidAmount):
        luna.plan(luna.get_card(DEMO["cashback"]), operation)


def test_certificate_spend_and_accrue(luna: LunaBackend) -> None:
    card = luna.get_card(DEMO["certificate"])
    card, outcome = run(luna, card, "spend", "500")
    assert card.balance == 1000 and outcome["balance"] == 1000
    card, _ = run(luna, card, "accrue", "250")
    assert card.balance == 1250
    with pytest.raises(Refused, match=r"1,250\.00; 2,000\.00 cannot be spent"):
        luna.plan(card, Operation.parse("spend", ["2000"]))
    with pytest.raises(InvalidAmount, match="Luna certificates hold whole amounts"):
        luna.plan(card, Operation.parse("spend", ["10.50"]))
    with pytest.raises(NotSupported) as err:
        luna.plan(card, Operation.parse("purchase", ["100"]))
    assert err.value.message == "A gift certificate cannot record purchases."


def test_subscription_add_and_take_visits_and_spend_points(luna: LunaBackend,
                                                           luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["subscription"])
    plan = luna.plan(card, Operation.parse("stamp", ["4"]))
    assert plan.steps[0].body == {"passSerialNumber": DEMO["subscription"],
                                  "action": "addStamps", "numberStumps": 4}
    card, _ = run(luna, card, "stamp", "4")
    assert card.stamps.current == 10 and OpName.STAMP not in card.operations
    with pytest.raises(Refused, match="at most 10 visits"):
        luna.plan(card, Operation.parse("stamp", ["1"]))
    card, outcome = run(luna, card, "unstamp", "3")
    assert card.stamps.current == 7 and outcome["visits_left"] == 7
    with pytest.raises(Refused, match="7 visits left; 8 cannot"):
        luna.plan(card, Operation.parse("unstamp", ["8"]))
    card, _ = run(luna, card, "spend", "5")
    assert card.balance == 4
    with pytest.raises(Refused):
        luna.plan(card, Operation.parse("spend", ["5"]))
    assert [e["body"].get("action") for e in luna_server.app.ledger] == [
        "addStamps", "takeStamps", "spendPoints"]


def test_discount_purchase_shows_what_to_pay(luna: LunaBackend,
                                             luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["discount"])
    plan = luna.plan(card, Operation.parse("purchase", ["999.99"]))
    assert plan.preview["discount"] == Decimal("50.00")
    assert plan.preview["to_pay"] == Decimal("949.99")
    assert plan.steps[0].body == {"passSerialNumber": DEMO["discount"],
                                  "action": "increaseTotalSpentSum", "sum": 1000}
    card, outcome = run(luna, card, "purchase", "999.99")
    assert card.total_spent == 3500 and outcome["to_pay"] == Decimal("949.99")
    card, outcome = run(luna, card, "purchase", "16500")
    assert outcome["discount"] == Decimal("825.00") and outcome["to_pay"] == Decimal("15675.00")
    assert card.percent == 7   # 20 000 spent
    with pytest.raises(NotSupported) as err:
        luna.plan(card, Operation.parse("spend", ["10"]))
    assert err.value.message == "A discount card cannot spend points."
    assert str(err.value) == "A discount card cannot spend points. Nothing was changed."


def test_set_expiry_on_every_type(luna: LunaBackend) -> None:
    day = dt.date.today() + dt.timedelta(days=400)
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    for key in ("stamps", "cashback", "subscription", "coupon", "discount", "certificate",
                "membership", "deleted", "not_installed"):
        card = luna.get_card(DEMO[key])
        assert OpName.SET_EXPIRY in card.operations
        plan = luna.plan(card, Operation.parse("set-expiry", [day.isoformat()]))
        assert plan.steps[0].body == {"passSerialNumber": DEMO[key],
                                      "action": "setExpirationDate",
                                      "expiryDate": int(end.timestamp())}
        after, _ = run(luna, card, "set-expiry", day.isoformat())
        assert after.expires == end, key
        assert applied(card, after, plan.steps[0]) is True


def test_unsupported_operations_say_so_plainly(luna: LunaBackend) -> None:
    cards = {key: luna.get_card(DEMO[key])
             for key in ("coupon", "membership", "stamps", "subscription")}
    for key, name, args, words in (
        ("coupon", "spend", ["10"], "A coupon cannot spend points."),
        ("coupon", "coupon-redeem", [], "A coupon cannot be redeemed from the till."),
        ("membership", "accrue", ["10"], "A membership cannot earn points."),
        ("membership", "purchase", ["10"], "A membership cannot record purchases."),
        ("stamps", "purchase", ["10"], "A stamp card cannot record purchases."),
        ("stamps", "unstamp", ["1"], "A stamp card cannot have visits written off."),
        ("subscription", "reward", ["1"], "A subscription cannot redeem rewards."),
    ):
        with pytest.raises(NotSupported) as err:
            luna.plan(cards[key], Operation.parse(name, args))
        assert err.value.message == words


# -- error codes -------------------------------------------------------------------------------


def test_error_codes_1_to_5_become_typed_errors_with_plain_messages(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    wrong = LunaBackend(luna_server.url, "wrong-token")
    try:
        with pytest.raises(AuthError, match="did not accept the access token"):
            wrong.get_card(DEMO["stamps"])
        with pytest.raises(AuthError):
            wrong.check()
    finally:
        wrong.close()
    with pytest.raises(CardNotFound) as missing:
        luna.get_card("000000-000-000")
    assert missing.value.message == "No Luna card with serial 000000-000-000."
    assert "scan the card again" in str(missing.value)
    with pytest.raises(ForeignCard) as foreign:
        luna.get_card(DEMO["foreign"])
    assert foreign.value.message == "The card belongs to another company."
    with pytest.raises(MissingParameter, match="missing or invalid"):
        luna.wire.get_clients_list(999)
    with pytest.raises(MissingParameter):
        luna.wire.create_pass(DEMO_TEMPLATES["stamps"], 99999)
    with pytest.raises(ClientExists) as exists:
        luna.wire.create_client("Михаил", "Жуков", DEMO_TEMPLATES["cashback"], phone=DEMO_PHONE)
    assert exists.value.user_id == "30475"
    assert "already exists" in str(exists.value)


def test_rule_refusals_from_luna_carry_its_message(luna: LunaBackend,
                                                   luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    over = Step("usePass", {"passSerialNumber": DEMO["cashback"], "action": "spendPoints",
                            "sum": 1000}, "Spend 1000 points")
    with pytest.raises(Refused) as err:
        luna.execute(card, over, "k")
    assert err.value.message == "Cannot spend 1000: the card has 420 points."
    assert err.value.applied is False
    reward = Step("useReward", {"passSerialNumber": DEMO["cashback"], "numberRewards": 1}, "")
    with pytest.raises(Refused, match="Only stamp cards"):
        luna.execute(card, reward, "k")
    with pytest.raises(InvalidInput):
        luna.execute(card, Step("getPassInfo", {}, ""), "k")
    assert luna_server.app.ledger == []


def test_the_sandbox_refuses_an_over_spend_sent_directly(luna_server: SandboxServer) -> None:
    answer = httpx.post(luna_server.url + "/usePass", timeout=5,
                        headers={"x-access-token": DEMO_TOKEN},
                        json={"passSerialNumber": DEMO["certificate"], "action": "spendPoints",
                              "sum": "2000"}).json()
    assert answer == [{"result": 0, "error": 6,
                       "message": "Cannot spend 2000: the certificate's balance is 1500."}]


def test_an_unknown_error_code_is_a_refusal(luna: LunaBackend,
                                            luna_server: SandboxServer) -> None:
    luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo",
                                     body='[{"result": 0, "error": 17}]'))
    with pytest.raises(Refused, match=r"Luna refused the request \(error 17\)"):
        luna.get_card(DEMO["stamps"])


# -- broken answers and a broken network -----------------------------------------------------


MALFORMED = [
    "<html><body><h1>502 Bad Gateway</h1></body></html>", "", "null", "{}", "[]", "[1]",
    '{"result": 1, "type": "0"}',
    '[{"result": 1, "type": "9", "status": "installed"}]',
    '[{"result": 1, "status": "installed"}]',
    '[{"result": 1, "type": "0", "status": "lost", "activeStamps": "1"}]',
    '[{"result": 1, "type": "0", "status": "installed", "unusedRewards": "0"}]',
    '[{"result": 1, "type": "1", "status": "installed", "amountMoneyBonus": "abc",'
    ' "currentPersentBonus": "5"}]',
    '[{"result": 1, "type": "4", "status": "installed", "currentPersentBonus": "500"}]',
    '[{"result": 1, "type": "0", "status": "installed", "activeStamps": "-1",'
    ' "unusedRewards": "0"}]',
    '[{"result": 1, "type": "0", "status": "installed", "activeStamps": "1.5",'
    ' "unusedRewards": "0"}]',
]


def test_malformed_card_answers_are_bad_responses(luna: LunaBackend,
                                                  luna_server: SandboxServer) -> None:
    for body in MALFORMED:
        luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo", body=body))
        with pytest.raises(BadResponse):
            luna.get_card(DEMO["stamps"])
    assert luna.get_card(DEMO["stamps"]).stamps.current == 5


def test_numbers_in_any_form_are_read(luna: LunaBackend, luna_server: SandboxServer) -> None:
    luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="getPassInfo", body=(
        '[{"result": "1", "type": 1, "status": "Installed", "amountMoneyBonus": 12.0,'
        ' "currentPersentBonus": "4,5", "extra": {"x": [1]}}]')))
    card = luna.get_card(DEMO["cashback"])
    assert (card.balance, card.percent, card.total_spent) == (12, Decimal("4.5"), None)
    assert card.status is CardStatus.ACTIVE


def test_junk_after_a_use_pass_is_an_unknown_outcome(luna: LunaBackend,
                                                     luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    plan = luna.plan(card, Operation.parse("accrue", ["7"]))
    luna_server.faults.add(FaultRule(FaultKind.MALFORMED, route="usePass", apply=True))
    with pytest.raises(OutcomeUnknown) as err:
        luna.execute(card, plan.steps[0], "k")
    assert err.value.applied is None
    assert len(luna_server.app.ledger) == 1
    assert applied(card, luna.refresh(card, []), plan.steps[0]) is True


def test_html_5xx_is_unavailable_for_reads_and_unknown_for_use_pass(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["stamps"])
    step = luna.plan(card, Operation.parse("stamp", ["1"])).steps[0]
    for status in (500, 502, 503):
        luna_server.faults.add(FaultRule(FaultKind.ERROR, route="getPassInfo", status=status))
        with pytest.raises(ServiceUnavailable, match=f"HTTP {status}") as err:
            luna.get_card(DEMO["stamps"])
        assert not isinstance(err.value, RateLimited)
        luna_server.faults.add(FaultRule(FaultKind.ERROR, route="usePass", status=status))
        with pytest.raises(OutcomeUnknown, match=f"HTTP {status}"):
            luna.execute(card, step, "k")
    assert luna_server.app.ledger == []
    assert applied(card, luna.refresh(card, []), step) is False


def test_429_is_rate_limited_with_retry_after(luna: LunaBackend,
                                              luna_server: SandboxServer) -> None:
    luna_server.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="getPassInfo", retry_after=2))
    with pytest.raises(RateLimited) as err:
        luna.get_card(DEMO["stamps"])
    assert err.value.retry_after == 2.0
    card = luna.get_card(DEMO["stamps"])
    luna_server.faults.add(FaultRule(FaultKind.RATE_LIMIT, route="usePass", retry_after=1))
    with pytest.raises(RateLimited):
        luna.execute(card, luna.plan(card, Operation.parse("stamp", ["1"])).steps[0], "k")
    assert luna_server.app.ledger == []


def test_a_timeout_is_unavailable_for_reads_and_unknown_for_use_pass(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    luna_server.faults.add(FaultRule(FaultKind.TIMEOUT, route="getPassInfo", delay=1.0))
    with pytest.raises(ServiceUnavailable, match="did not answer in time"):
        luna.get_card(DEMO["stamps"])
    card = luna.get_card(DEMO["stamps"])
    step = luna.plan(card, Operation.parse("stamp", ["2"])).steps[0]
    luna_server.faults.add(FaultRule(FaultKind.TIMEOUT, route="usePass", delay=1.0))
    with pytest.raises(OutcomeUnknown, match="did not answer in time"):
        luna.execute(card, step, "k")
    assert luna_server.app.ledger == []


def test_a_dropped_answer_after_use_pass_is_unknown_and_never_resent(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    plan = luna.plan(card, Operation.parse("purchase", ["1000"]))
    first = luna.execute(card, plan.steps[0], "k")
    assert first == {"result": 1}
    luna_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass"))
    with pytest.raises(OutcomeUnknown):
        luna.execute(card, plan.steps[1], "k")
    assert [e["body"]["action"] for e in luna_server.app.ledger] == [
        "accruePoints", "increaseTotalSpentSum"]          # applied once, not resent
    assert wire_calls(luna_server).count("usePass") == 2
    after = luna.refresh(card, [first])
    assert (after.balance, after.total_spent) == (470, 13500)
    assert applied(card, after, plan.steps[1], done=plan.steps[:1]) is True
    assert applied(card, after, plan.steps[0]) is True


# -- customers and the other reference methods -----------------------------------------------


def test_find_cards_by_phone_or_email(luna: LunaBackend) -> None:
    refs = luna.find_cards(phone="+1 (555) 432-50-11")
    assert len(refs) == 13
    cashback = next(r for r in refs if r.code == DEMO["cashback"])
    assert (cashback.kind_label, cashback.status, cashback.template) == ("Points card",
                                                                         "active", "718")
    assert next(r for r in refs if r.code == DEMO["deleted"]).status == "deleted"
    assert cashback.holder is not None and cashback.holder.name == "Михаил Жуков"
    assert [r.code for r in luna.find_cards(phone="15554325011")] == [r.code for r in refs]
    assert [r.code for r in luna.find_cards(email=DEMO_EMAIL)] == [r.code for r in refs]
    assert luna.find_cards(phone="+1 000 000 0000") == []
    with pytest.raises(InvalidInput):
        luna.find_cards()
    with pytest.raises(InvalidInput, match="not a phone number"):
        luna.find_cards(phone="12")
    assert phone_number("+7 (444) 333-44-23") == 74443334423


def test_check_history_and_templates(luna: LunaBackend) -> None:
    assert luna.check() == "Luna: connected, 14 card templates"
    templates = {t.id: t for t in luna.wire.get_templates()}
    assert templates[186].kind is CardKind.STAMPS and templates[704].kind is CardKind.GIFT
    assert DEMO_TEMPLATES["foreign"] not in templates
    history = luna.history(luna.get_card(DEMO["stamps"]))
    assert len(history) == 10 and history[0].when == dt.datetime(2020, 12, 24, 14, 15, 5)
    assert [(h.what, h.value) for h in history[:3]] == [
        ("Accrual", "3 stamps"), ("Accrual", "2 stamps"), ("Write-off", "1 stamp")]
    cashback = {h.what: h.value for h in luna.history(luna.get_card(DEMO["cashback"]))}
    assert cashback["Total spent raised"] == "10,000.00"  # a sum, as sums are written
    assert cashback["Accrual"].endswith(" points")
    assert len(luna.wire.get_pass_operations(DEMO["stamps"], page=2)) == 0


def test_clients_and_cards_lifecycle(luna: LunaBackend, luna_server: SandboxServer) -> None:
    tpl = DEMO_TEMPLATES["stamps"]
    uid = luna.wire.create_client("Olga", "Ivanova", tpl, phone="+7 900 123-45-67")
    assert luna.wire.search_client(tpl, phone="79001234567") == uid
    assert luna.wire.search_client(tpl, email="nobody@example.com") is None
    luna.wire.update_client(uid, "Olga", "Petrova", tpl, email="olga@example.com")
    with pytest.raises(ClientExists) as err:
        luna.wire.update_client(uid, "Olga", "Petrova", tpl, phone="74443334423")
    assert err.value.user_id == "30363"
    with pytest.raises(InvalidInput):
        luna.wire.create_client("", "Ivanova", tpl, phone="79001234567")
    with pytest.raises(InvalidInput):
        luna.wire.create_client("Olga", "Ivanova", tpl)

    not_created = luna.wire.get_template_client_passes(tpl, "passnotcreated")
    assert {c.user_id for c in not_created} == {30364, uid}
    assert next(c for c in not_created if c.user_id == uid).last_name == "Petrova"

    issued = luna.wire.create_pass(tpl, uid)
    card = luna.get_card(issued.serial)
    assert card.status is CardStatus.NOT_INSTALLED and card.stamps.current == 0
    assert card.holder is not None and card.holder.name == "Olga Petrova"
    assert issued.install_url.endswith(f"/{tpl}/{uid}/")
    assert luna.wire.check_pass_exists_by_phone(tpl, "+7 900 123 45 67") is True
    assert luna.wire.check_pass_exists_by_phone(DEMO_TEMPLATES["cashback"], "79001234567") is False
    by_phone = luna.get_pass_info_by_phone(tpl, "79001234567")
    assert by_phone is not None and by_phone.code == issued.serial
    assert luna.get_pass_info_by_phone(DEMO_TEMPLATES["cashback"], "79001234567") is None
    assert [e["action"] for e in luna_server.app.ledger] == [
        "createClient", "updateClient", "createPass"]


def test_template_lists_and_client_info(luna: LunaBackend) -> None:
    tpl = DEMO_TEMPLATES["stamps"]
    installed = luna.wire.get_template_client_passes(tpl, "passInstalled")
    assert len(installed) == 14 and all(isinstance(c, LunaClient) for c in installed)
    first = next(c for c in installed if c.serial == DEMO["stamps_nine"])
    assert (first.user_id, first.first_name, first.last_name, first.phone) == (
        30363, "Peter", "Ivanov", "74443334423")
    deleted = luna.wire.get_template_client_passes(tpl, "PASSDELETED")
    assert [c.serial for c in deleted] == [DEMO["deleted"]]
    with pytest.raises(InvalidInput, match="Unknown selection"):
        luna.wire.get_template_client_passes(tpl, "everyone")
    assert [len(luna.wire.get_clients_list(tpl, page)) for page in (1, 2, 3)] == [10, 6, 0]
    client = luna.wire.get_client_info(DEMO["membership"])
    assert (client.first_name, client.last_name, client.birth_date) == ("Maria", "Garcia",
                                                                        "1990-04-12")
    assert client.holder.masked_name == "Maria G."


def test_push_messages(luna: LunaBackend, luna_server: SandboxServer) -> None:
    tpl = DEMO_TEMPLATES["stamps"]
    assert luna.wire.send_info_push("You have {{passCurrentStamps}} stamps",
                                    serial=DEMO["stamps"]) == 1
    messages = luna.wire.get_info_push_list(DEMO["stamps"])
    assert messages[0].message == "You have 5 stamps" and isinstance(messages[0].when,
                                                                     dt.datetime)
    assert [m.id for m in messages[1:]] == [203, 202, 201]
    with pytest.raises(Refused, match="not installed"):
        luna.wire.send_info_push("Hi", serial=DEMO["not_installed"])
    assert luna.wire.send_info_push("Page one", template_id=tpl) == 10
    assert luna.wire.send_info_push("Page two", template_id=tpl, page=2) == 4
    assert luna.wire.send_push_to_all(tpl, "Everyone") == 14
    assert wire_calls(luna_server).count("sendInfoPush") == 6
    with pytest.raises(InvalidInput):
        luna.wire.send_info_push("Hi")
    with pytest.raises(InvalidInput):
        luna.wire.send_info_push("", serial=DEMO["stamps"])


def test_a_lost_step_after_another_on_the_same_value_is_reconciled(
        luna: LunaBackend, luna_server: SandboxServer) -> None:
    card = luna.get_card(DEMO["cashback"])
    plan = luna.plan(card, Operation.parse("purchase-spend", ["1000", "100"]))
    first = luna.execute(card, plan.steps[0], "k")                  # spend 100: delivered
    luna_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="usePass"))
    with pytest.raises(OutcomeUnknown):
        luna.execute(card, plan.steps[1], "k")                      # accrue 45: answer lost
    after = luna.refresh(card, [first])
    assert after.balance == 365
    assert applied(card, after, plan.steps[1], done=plan.steps[:1]) is True
    assert applied(card, after, plan.steps[2], done=plan.steps[:2]) is False
    luna_server.faults.add(FaultRule(FaultKind.TIMEOUT, route="usePass", delay=1.0))
    with pytest.raises(OutcomeUnknown):
        luna.execute(card, plan.steps[2], "k")                      # not applied at all
    assert applied(card, luna.refresh(card, []), plan.steps[2], done=plan.steps[:2]) is False
    assert len(luna_server.app.ledger) == 2
