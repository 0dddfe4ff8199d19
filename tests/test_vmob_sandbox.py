"""The vmob sandbox over real HTTP: merchant key, Create Points with every outcome code, card
instances filled in turn or capped, daily limits, transaction id replays, Redemption Advice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.vmob.sandbox import VmobApp
from pos_app.core.services.vmob.seed import DEMO, LOYALTY_CARD_ID, MERCHANT_KEY


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    srv = SandboxServer(VmobApp(), seed=1).start()
    yield srv
    srv.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


def points(http: httpx.Client, server: SandboxServer, who: str, n: Any, *,
           tx: str | None = None, fill: bool = True, auto: bool = False,
           key: str | None = MERCHANT_KEY, card: Any = LOYALTY_CARD_ID,
           token: str | None = None) -> httpx.Response:
    body = {"loyaltyCardId": card, "pointsRequested": n,
            "transactionId": uuid.uuid4().hex if tx is None else tx,
            "autoActivateReward": auto,
            "fillMultipleCards": fill}
    headers = {} if key is None else {"x-vmob-authorization": key}
    return http.post(f"{server.url}/v3/consumerLoyaltyCards/{token or DEMO[who]}/points",
                     json=body, headers=headers)


def outcomes(answer: httpx.Response) -> list[tuple[int, int, int]]:
    """``(allocated, balance, outcome)`` per row."""
    return [(r["pointsAllocated"], r["pointsBalance"], r["outcomeCode"])
            for r in answer.json()["pointCreationSummary"]]


def test_the_merchant_key_is_checked_exactly(http: httpx.Client, server: SandboxServer) -> None:
    assert points(http, server, "fresh", 1, key=None).status_code == 403
    assert points(http, server, "fresh", 1, key="Basic " + MERCHANT_KEY).status_code == 403
    assert points(http, server, "fresh", 1, key=MERCHANT_KEY[:-2]).status_code == 403
    answer = points(http, server, "fresh", 1)
    assert answer.status_code == 201 and answer.json()["pointsAllocated"] == 1
    assert answer.headers["Content-Type"] == "application/json"
    assert server.app.ledger[-1]["key"] == server.app.ledger[-1]["body"]["transactionId"]


def test_an_unknown_consumer_is_forbidden_and_bad_bodies_are_400(
        http: httpx.Client, server: SandboxServer) -> None:
    assert points(http, server, "fresh", 1, token="not-a-consumer").status_code == 403
    for value in (0, -3, "2", 1.5, None, True):
        assert points(http, server, "fresh", value).status_code == 400, value
    assert points(http, server, "fresh", 1, card=54).status_code == 400  # not active
    assert points(http, server, "fresh", 1, card=99).status_code == 400
    assert points(http, server, "fresh", 1, tx="").status_code == 400
    assert server.app.ledger == []


def test_overflow_fills_new_instances_in_turn(http: httpx.Client, server: SandboxServer) -> None:
    answer = points(http, server, "near", 15)
    assert answer.status_code == 201
    assert outcomes(answer) == [(2, 10, 0), (10, 10, 0), (3, 3, 0)]
    data = answer.json()
    assert (data["pointsAllocated"], data["pointsBalance"]) == (15, 3)
    ids = [r["instanceId"] for r in data["pointCreationSummary"]]
    assert len(set(ids)) == 3


def test_without_multi_card_fill_the_rest_is_rejected(http: httpx.Client,
                                                      server: SandboxServer) -> None:
    answer = points(http, server, "near", 5, fill=False)
    assert outcomes(answer) == [(2, 10, 0)]
    assert answer.json()["pointsAllocated"] == 2
    again = points(http, server, "near", 4, fill=False)  # the full card was closed: a new one
    assert outcomes(again) == [(4, 4, 0)]


def test_daily_point_limit_outcome_1(http: httpx.Client, server: SandboxServer) -> None:
    answer = points(http, server, "daily_points", 10)
    assert outcomes(answer) == [(5, 7, 1)]
    assert outcomes(points(http, server, "daily_points", 1)) == [(0, 7, 1)]


def test_replay_answers_409_or_201_with_outcome_2(http: httpx.Client,
                                                 server: SandboxServer) -> None:
    first = points(http, server, "fresh", 3, tx="tx-1")
    assert first.status_code == 201
    replay = points(http, server, "fresh", 3, tx="tx-1")
    assert replay.status_code == 409 and replay.json()["error"] == "Conflict"
    server.app.replay = "201"
    replay = points(http, server, "fresh", 3, tx="tx-1")
    assert replay.status_code == 201 and outcomes(replay) == [(0, 3, 2)]
    assert len(server.app.ledger) == 1
    assert server.app.consumers[DEMO["fresh"]]["requestsToday"] == 1  # replays not counted


def test_inactive_card_outcome_3(http: httpx.Client, server: SandboxServer) -> None:
    assert outcomes(points(http, server, "inactive", 2)) == [(0, 3, 3)]
    assert server.app.ledger == []


def test_daily_request_limit_outcome_4(http: httpx.Client, server: SandboxServer) -> None:
    assert outcomes(points(http, server, "daily_requests", 2)) == [(2, 6, 0)]
    assert outcomes(points(http, server, "daily_requests", 2)) == [(0, 6, 4)]


def test_no_card_instance_left_outcome_5(http: httpx.Client, server: SandboxServer) -> None:
    answer = points(http, server, "last_card", 5)
    assert outcomes(answer) == [(1, 10, 0), (0, 0, 5)]
    assert answer.json()["pointsAllocated"] == 1


def test_reward_not_activated_outcome_6(http: httpx.Client, server: SandboxServer) -> None:
    answer = points(http, server, "reward_fails", 3, auto=True)
    assert outcomes(answer) == [(3, 10, 6)]
    done = points(http, server, "near", 2, auto=True)
    assert outcomes(done) == [(2, 10, 0)]
    assert server.app.consumers[DEMO["near"]]["instances"][-1]["rewardActive"] is True


def test_a_request_that_allocated_nothing_keeps_no_transaction_id(
        http: httpx.Client, server: SandboxServer) -> None:
    assert outcomes(points(http, server, "inactive", 2, tx="tx-9")) == [(0, 3, 3)]
    assert points(http, server, "inactive", 2, tx="tx-9").status_code == 201  # not a replay


def test_daily_counters_start_again_on_a_new_day(http: httpx.Client, server: SandboxServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcomes(points(http, server, "daily_requests", 1)) == [(1, 5, 0)]
    assert outcomes(points(http, server, "daily_requests", 1))[0][2] == 4
    monkeypatch.setattr(server.app, "today", lambda: "2099-01-01")
    assert outcomes(points(http, server, "daily_requests", 1)) == [(1, 6, 0)]


def test_redemption_advice_is_accepted_without_feedback(http: httpx.Client,
                                                        server: SandboxServer) -> None:
    url = f"{server.url}/v3/redemptionAdvice"
    headers = {"x-vmob-authorization": MERCHANT_KEY}
    body = {"redemptionText": "OFR-7Q2M9X", "redemptionDate": "2026-03-02T08:15:00Z",
            "redemptionAdviceTimezoneOffset": "+01:00"}
    answer = http.post(url, json=body, headers=headers)
    assert answer.status_code == 202 and answer.content == b""
    assert http.post(url, json=body, headers=headers).status_code == 202
    assert len(server.app.ledger) == 1  # the same advice again is the same report
    assert http.post(url, json=body).status_code == 403
    for bad in ({**body, "redemptionDate": "2026-03-02"}, {**body, "redemptionText": ""},
                {**body, "externalVenueId": "store-17"}, [1]):
        assert http.post(url, json=bad, headers=headers).status_code == 400, bad


def test_state_round_trips(http: httpx.Client, server: SandboxServer) -> None:
    points(http, server, "near", 4, tx="tx-5")
    saved = server.app.state()
    fresh = VmobApp()
    fresh.load_state(saved)
    assert fresh.consumers == server.app.consumers
    assert "tx-5" in fresh.transactions and fresh.ledger == server.app.ledger
    with pytest.raises((KeyError, TypeError, ValueError)):
        fresh.restore({"consumers": {"x": {"instances": 3}}})
    assert fresh.consumers == server.app.consumers


def test_other_routes_and_methods(http: httpx.Client, server: SandboxServer) -> None:
    headers = {"x-vmob-authorization": MERCHANT_KEY}
    assert http.get(f"{server.url}/v3/consumerLoyaltyCards/x/points",
                    headers=headers).status_code == 405
    assert http.get(f"{server.url}/v3/consumerLoyaltyCards/x/points").status_code == 403
    assert http.post(f"{server.url}/v2/anything", headers=headers).status_code == 404
