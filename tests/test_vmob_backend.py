"""The vmob adapter and the counter against the vmob sandbox over real HTTP (nothing mocked):
every outcome code in words, overflow with and without multi-card fill, both replay answers
after a lost answer and on a first send, the offer report, plain errors, what was last heard."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.core.backends.registry import build_backend
from pos_app.core.cards import CardKind
from pos_app.core.counter import Counter, OperationResult, RetryPolicy
from pos_app.core.errors import ConfigError, InvalidAmount, NotSupported, OutcomeUnknown
from pos_app.core.heard import with_last_heard
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation, OpName
from pos_app.core.present import card_text, outcome_rows
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services import vmob
from pos_app.core.services.vmob.adapter import VmobBackend
from pos_app.core.services.vmob.sandbox import VmobApp
from pos_app.core.services.vmob.seed import DEMO, MERCHANT_KEY, OFFERS

POINTS = "v3/consumerLoyaltyCards/*"
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, settle=0.0)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    srv = SandboxServer(VmobApp(), seed=3).start()
    yield srv
    srv.stop()


Make = Callable[..., Counter]


@pytest.fixture
def make(server: SandboxServer, tmp_path: Path) -> Iterator[Make]:
    """A counter over the vmob sandbox; keyword arguments override its settings."""
    made: list[Counter] = []

    def build(**changes: Any) -> Counter:
        table = {**server.app.settings(server), **changes}
        backend = build_backend(vmob.SERVICE, table, timeout=httpx.Timeout(10.0))
        counter = Counter([backend], Journal(tmp_path / "journal.sqlite3"))
        counter.retry = FAST
        made.append(counter)
        return counter

    yield build
    for counter in made:
        counter.close()


def accrue(counter: Counter, who: str, n: int) -> OperationResult:
    return counter.apply(DEMO[who], Operation.parse("accrue", [str(n)]))


def rows(result: OperationResult) -> dict[str, str]:
    return dict(outcome_rows(result.outcome))


def words(result: OperationResult) -> str:
    return " | ".join(f"{k}: {v}" for k, v in outcome_rows(result.outcome)) + str(
        result.error or "")


# -- the card and the settings ---------------------------------------------------------------


def test_a_consumer_code_is_a_points_card_that_says_it_has_no_live_balance(make: Make,
                                                                           server: SandboxServer
                                                                           ) -> None:
    counter = make()
    card = counter.lookup(DEMO["near"])
    assert (card.service, card.kind, card.balance) == ("vmob", CardKind.POINTS, None)
    assert card.operations == (OpName.PURCHASE, OpName.ACCRUE)
    assert "no call that reads" in card.balance_note and "not a live balance" in card_text(card)
    assert list(server.requests) == []  # a lookup sends nothing: there is nothing to read
    assert make(earn_rate="").lookup(DEMO["near"]).operations == (OpName.ACCRUE,)


def test_settings_are_checked(server: SandboxServer) -> None:
    table = server.app.settings(server)
    for key, value in (("loyalty_card_id", "x"), ("earn_rate", "lots"), ("earn_rate", "-1"),
                       ("fill_multiple_cards", "maybe"), ("merchant_key", "a\nb"),
                       ("offer_pattern", "(")):
        with pytest.raises(ConfigError):
            VmobBackend.from_settings({**table, key: value})
    backend = VmobBackend.from_settings({**table, "fill_multiple_cards": "false",
                                         "loyalty_card_id": "53"})
    assert (backend.fill, backend.loyalty_card_id) == (False, 53)
    backend.close()


def test_claims_tokens_offers_and_patterns(make: Make) -> None:
    backend = make().backends["vmob"]
    assert backend.claim(DEMO["fresh"]) == DEMO["fresh"]
    assert backend.claim(" OFR-7Q2M9X ") == "OFR-7Q2M9X"
    assert backend.claim("931520-641-829") is None and backend.claim("6179518025") is None
    assert backend.claim("https://evil.example/" + DEMO["fresh"]) is None
    custom = make(pattern=r"VM:(.+)").backends["vmob"]
    assert custom.claim("VM:ab/c+d") == "ab/c+d" and custom.claim(DEMO["fresh"]) is None


def test_the_token_travels_as_one_path_segment(make: Make, server: SandboxServer) -> None:
    counter = make(pattern=r"VM:(.+)")
    result = counter.apply("VM:a/../b+c d", Operation.parse("accrue", ["1"]))
    assert result.state is State.FAILED and "customer's code" in str(result.error)
    path = server.requests[-1]["path"]
    assert path == "/v3/consumerLoyaltyCards/a%2F%2E%2E%2Fb%2Bc%20d/points"


def test_check_says_what_works_and_a_wrong_key_is_named(make: Make) -> None:
    assert make().check()[0][1] is True
    _, works, text = make(merchant_key="d3Jvbmc6a2V5").check()[0]
    assert not works and "merchant key" in text


# -- points and every outcome ----------------------------------------------------------------


def test_points_with_multi_card_fill_complete_a_card_row_by_row(make: Make,
                                                               server: SandboxServer) -> None:
    result = accrue(make(), "near", 15)
    assert result.ok and result.state is State.DONE, result.message
    said = rows(result)
    assert said["Points earned"] == "15"
    assert said["Card 1"] == "+2 points, now 10, complete: a reward earned"
    assert said["Card 2"] == "+10 points, now 10, complete: a reward earned"
    assert said["Card 3"] == "+3 points, now 3"
    assert result.outcome["rewards_earned"] == 2 and result.outcome["balance"] == 3
    entry = server.app.ledger[-1]
    assert entry["key"] == entry["body"]["transactionId"] and len(server.app.ledger) == 1
    assert entry["body"] == {"loyaltyCardId": 53, "pointsRequested": 15,
                             "transactionId": entry["key"], "autoActivateReward": False,
                             "fillMultipleCards": True}


def test_without_multi_card_fill_says_how_many_went_on_and_why_not_the_rest(make: Make) -> None:
    result = accrue(make(fill_multiple_cards=False), "near", 5)
    assert result.ok
    said = rows(result)
    assert said["Points earned"] == "2"
    assert said["Card 1"] == "+2 points, now 10, complete: a reward earned"
    assert said["Not added"] == ("3 of 5 points: the card is full and filling a new card is "
                                 "switched off")


def test_outcome_1_daily_point_limit_partly_allocated(make: Make) -> None:
    result = accrue(make(), "daily_points", 10)
    assert result.ok
    said = rows(result)
    assert said["Card 1"] == "+5 points, now 7, the customer's daily point limit is reached"
    assert said["Not added"] == "5 of 10 points: the customer's daily point limit is reached"
    again = accrue(make(), "daily_points", 3)
    assert not again.ok and again.state is State.FAILED
    assert str(again.error).startswith("vmob added no points: the customer's daily point "
                                       "limit is reached.")


def test_outcome_3_inactive_card_and_4_daily_requests(make: Make, server: SandboxServer) -> None:
    counter = make()
    inactive = accrue(counter, "inactive", 2)
    assert inactive.state is State.FAILED
    assert "the customer's loyalty card is inactive" in str(inactive.error)
    assert accrue(counter, "daily_requests", 1).ok
    limited = accrue(counter, "daily_requests", 1)
    assert limited.state is State.FAILED
    assert "daily limit of point requests is reached" in str(limited.error)
    assert len(server.app.ledger) == 1


def test_outcome_5_no_new_card_and_6_reward_not_activated(make: Make) -> None:
    last = accrue(make(), "last_card", 5)
    assert last.ok
    said = rows(last)
    assert said["Card 1"] == "+1 point, now 10, complete: a reward earned"
    assert said["Not added"].startswith("4 of 5 points: a new card could not be activated")
    reward = accrue(make(auto_activate_reward=True), "reward_fails", 4)
    assert reward.ok
    assert rows(reward)["Card 1"] == ("+3 points, now 10, complete: a reward earned, the "
                                      "reward could not be activated automatically")
    assert rows(reward)["Card 2"] == "+1 point, now 1"


def test_purchase_earns_points_at_the_earn_rate(make: Make, server: SandboxServer) -> None:
    counter = make()
    result = counter.apply(DEMO["fresh"], Operation.parse("purchase", ["45,90"]))
    assert result.ok and rows(result)["Points earned"] == "4"
    assert server.app.ledger[-1]["body"]["pointsRequested"] == 4
    with pytest.raises(InvalidAmount, match="earns no points"):
        counter.apply(DEMO["fresh"], Operation.parse("purchase", ["5"]))
    with pytest.raises(NotSupported, match="earn rate"):
        make(earn_rate="").apply(DEMO["fresh"], Operation.parse("purchase", ["50"]))
    assert len(server.app.ledger) == 1


def test_more_points_allocated_than_asked_is_shown_as_answered(make: Make,
                                                               server: SandboxServer) -> None:
    """The vendor's own sample answers 25 points to a request for 2: never capped."""
    sample = {"loyaltyCardId": 2236, "pointsBalance": 5, "pointsAllocated": 25,
              "pointCreationSummary": [
                  {"instanceId": "a2a1", "pointsBalance": 10, "pointsAllocated": 10,
                   "outcomeCode": 0, "outcomeDescription": "Points issued successfuly"},
                  {"instanceId": "49a7", "pointsBalance": 10, "pointsAllocated": 10,
                   "outcomeCode": 0, "outcomeDescription": "Points issued successfuly"},
                  {"instanceId": "c1f8", "pointsBalance": 5, "pointsAllocated": 5,
                   "outcomeCode": 0, "outcomeDescription": "Points issued successfuly"}]}
    server.faults.add(FaultRule(FaultKind.MALFORMED, route=POINTS, body=json.dumps(sample)))
    result = accrue(make(), "fresh", 2)
    assert result.ok and rows(result)["Points earned"] == "25"
    assert rows(result)["Allocated"] == "25 points, more than the 2 asked, as vmob answered"
    assert result.outcome["rewards_earned"] == 2


# -- never twice: lost answers and replays ---------------------------------------------------


@pytest.mark.parametrize("replay", ["409", "201"])
def test_a_lost_answer_is_retried_once_with_the_same_id_and_applied_once(
        make: Make, server: SandboxServer, replay: str) -> None:
    server.app.replay = replay
    server.faults.add(FaultRule(FaultKind.DROP_AFTER, route=POINTS))
    counter = make()
    result = accrue(counter, "fresh", 4)
    assert result.ok and result.state is State.DONE, result.message
    assert [r["route"] for r in server.requests].count(f"{POINTS[:-1]}{DEMO['fresh']}/points") \
        == 2
    assert len(server.app.ledger) == 1
    assert server.app.ledger[0]["key"] == counter.journal.get(result.journal_id).key
    said = rows(result)
    assert "applied once" in said["Already applied"] and "Points earned" not in said
    assert server.app.consumers[DEMO["fresh"]]["instances"][-1]["pointsBalance"] == 4


@pytest.mark.parametrize("replay", ["409", "201"])
def test_a_replay_answer_on_a_first_send_is_a_refusal(make: Make, server: SandboxServer,
                                                      replay: str) -> None:
    server.app.replay = replay
    counter = make()
    backend = counter.backends["vmob"]
    card = counter.lookup(DEMO["fresh"])
    plan = counter.plan(card, Operation.parse("accrue", ["2"]))
    backend.execute(card, plan.steps[0], "used-elsewhere")  # someone used this id before
    with pytest.raises(Exception, match="refused the operation's transaction id") as caught:
        backend.execute(card, plan.steps[0], "used-elsewhere")
    assert "added no points" in str(caught.value)
    assert ("HTTP 409" if replay == "409" else "outcome 2") in str(caught.value)
    assert len(server.app.ledger) == 1


def test_an_operation_left_open_is_finished_by_another_process_without_doubling(
        make: Make, server: SandboxServer) -> None:
    """Every answer lost: the operation stays unknown; a fresh counter (the app restarted)
    resumes it with the same id, reads the replay as applied, and nothing is added twice."""
    server.faults.add(FaultRule(FaultKind.DROP_AFTER, route=POINTS, times=3))
    first = accrue(make(), "near", 1)
    assert first.state is State.UNKNOWN
    assert isinstance(first.error, OutcomeUnknown)
    later = make()
    done = later.recover()
    assert [r.state for r in done] == [State.DONE]
    assert len(server.app.ledger) == 1
    assert server.app.consumers[DEMO["near"]]["instances"][0]["pointsBalance"] == 9


def test_a_500_is_plain_and_retried_with_the_same_id(make: Make, server: SandboxServer) -> None:
    server.faults.add(FaultRule(FaultKind.ERROR, route=POINTS, status=500, times=None))
    result = accrue(make(), "fresh", 1)
    assert result.state is State.UNKNOWN
    assert "vmob failed while processing the operation (HTTP 500)" in str(result.error)
    server.faults.clear()
    assert [r.state for r in make().recover()] == [State.DONE]
    assert len(server.app.ledger) == 1


def test_400_and_403_are_plain_refusals(make: Make, server: SandboxServer) -> None:
    bad_card = accrue(make(loyalty_card_id=54), "fresh", 1)
    assert bad_card.state is State.FAILED
    assert str(bad_card.error).startswith("vmob did not accept the points (HTTP 400")
    wrong_key = accrue(make(merchant_key="d3Jvbmc6a2V5"), "fresh", 1)
    assert wrong_key.state is State.FAILED
    assert "the store's merchant key or the customer's code was not accepted" in str(
        wrong_key.error)
    unknown = make(pattern=r"(.+)").apply("someone-else", Operation.parse("accrue", ["1"]))
    assert "customer's code" in str(unknown.error)
    assert server.app.ledger == []


# -- offer codes -------------------------------------------------------------------------------


def test_an_offer_code_is_reported_never_said_redeemed(make: Make, server: SandboxServer) -> None:
    counter = make()
    code = next(iter(OFFERS))
    card = counter.lookup(code)
    assert card.kind is CardKind.COUPON and card.operations == (OpName.REPORT_OFFER,)
    plan = counter.plan(card, Operation.parse("report-offer"))
    assert plan.operation.takes_value  # confirmed first, never queued
    result = counter.apply(card, plan.operation)
    assert result.ok, result.message
    text = result.message + words(result)
    assert f"{code} reported to vmob" in text and "redeem" not in text.lower()
    row = server.app.ledger[-1]
    assert row["action"] == "redemptionAdvice" and row["body"]["redemptionText"] == code
    assert row["body"]["redemptionDate"].endswith("Z")
    again = counter.lookup(code)
    assert again.operations == () and "reported by this till" in (again.template or "")


def test_a_lost_offer_report_is_sent_again_as_the_same_report(make: Make,
                                                              server: SandboxServer) -> None:
    server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="v3/redemptionAdvice"))
    result = make().apply(next(iter(OFFERS)), Operation.parse("report-offer"))
    assert result.ok
    assert len(server.app.ledger) == 1 and len(server.app.advice) == 1



@pytest.mark.parametrize("applied", [False, True])
@pytest.mark.parametrize("junk", ["", "{}", "<html><body>OK</body></html>"])
def test_an_offer_report_answered_with_junk_is_sent_again(make: Make, server: SandboxServer,
                                                          junk: str, applied: bool) -> None:
    # vmob answers a report with 202 and no body; a 200 with anything (a proxy's page) does
    # not say the report arrived: it is sent again, and the same report counts once.
    server.faults.add(FaultRule(FaultKind.MALFORMED, route="v3/redemptionAdvice", body=junk,
                                apply=applied))
    result = make().apply(next(iter(OFFERS)), Operation.parse("report-offer"))
    assert result.ok, result.message
    assert [r["action"] for r in server.app.ledger] == ["redemptionAdvice"]
    assert server.faults.counts() == {"malformed": 1}

# -- what this till last heard ---------------------------------------------------------------


def test_the_card_shows_what_this_till_last_heard_with_its_time(make: Make) -> None:
    counter = make()
    assert with_last_heard(counter.journal, counter.lookup(DEMO["near"])).heard is None
    result = accrue(counter, "near", 5)
    assert result.after is not None and result.after.heard is not None
    card = with_last_heard(counter.journal, counter.lookup(DEMO["near"]))
    assert card.heard is not None and card.heard.balance == Decimal(3)
    assert card.heard.operation == "Add points"
    text = card_text(card)
    assert "Last heard" in text and "3 points" in text and "not a live balance" in text
    other = with_last_heard(counter.journal, counter.lookup(DEMO["fresh"]))
    assert other.heard is None
    assert card.to_json()["last_heard"]["balance"] == "3"


def test_last_heard_names_the_purchase_that_was_run(make: Make) -> None:
    """Issue: a purchase was "last heard" as "Add points"."""
    counter = make()
    result = counter.apply(DEMO["near"], Operation.parse("purchase", ["25.50"]))
    assert result.ok and result.after is not None and result.after.heard is not None
    assert result.after.heard.operation == "Purchase"
    assert "10 points (Purchase at " in card_text(result.after)
    card = with_last_heard(counter.journal, counter.lookup(DEMO["near"]))
    assert card.heard is not None and card.heard.operation == "Purchase"


def test_last_heard_in_russian_names_the_purchase(make: Make, russian: None) -> None:
    counter = make()
    result = counter.apply(DEMO["near"], Operation.parse("purchase", ["25,50"]))
    assert result.after is not None and result.after.heard is not None
    assert result.after.heard.operation == "Purchase"  # English, as --json gives it
    assert "10 баллов (Покупка: " in card_text(result.after)


def test_the_merchant_key_never_reaches_the_journal(make: Make, tmp_path: Path) -> None:
    counter = make()
    accrue(counter, "near", 1)
    counter.apply(next(iter(OFFERS)), Operation.parse("report-offer"))
    data = (tmp_path / "journal.sqlite3").read_bytes()
    wal = tmp_path / "journal.sqlite3-wal"
    data += wal.read_bytes() if wal.exists() else b""
    assert MERCHANT_KEY.encode() not in data


def test_the_command_line_shows_what_this_till_last_heard(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    from pos_app.cli.main import main

    assert main(["apply", DEMO["near"], "accrue", "5", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] and answer["outcome"]["earned"] == "5"
    assert ["Card 1", "+2 points, now 10, complete: a reward earned"] in answer["outcome"]["notes"]
    assert main(["card", DEMO["near"]]) == 0
    text = capsys.readouterr().out
    assert "not a live balance" in text and "Last heard   3 points (Add points at" in text
    assert main(["card", DEMO["near"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["last_heard"]["balance"] == "3"


def test_a_row_without_a_card_is_said_once_with_what_was_not_added(make: Make) -> None:
    result = accrue(make(), "last_card", 5)
    labels = [label for label, _ in outcome_rows(result.outcome)]
    assert labels == ["Points earned", "Card 1", "Not added"]
