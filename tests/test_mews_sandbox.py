"""The Mews sandbox follows the Connector API's rules (over real HTTP on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.mews.sandbox import (
    DEMO,
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_TOKEN,
    MewsApp,
)

TOKENS = {"ClientToken": DEMO_CLIENT_TOKEN, "AccessToken": DEMO_ACCESS_TOKEN,
          "Client": "tests 1.0"}


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    s = SandboxServer(MewsApp()).start()
    yield s
    s.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def post(http: httpx.Client, server: SandboxServer, path: str, body: dict[str, Any],
         **headers: str) -> httpx.Response:
    return http.post(f"{server.url}/{path}", json={**TOKENS, **body}, headers=headers)


def test_every_answer_has_a_request_id_and_errors_say_a_message(
        server: SandboxServer, http: httpx.Client) -> None:
    ok = post(http, server, "loyaltyPrograms/getAll", {"Limitation": {"Count": 1}})
    assert ok.status_code == 200 and ok.headers["Request-Id"]
    bad = post(http, server, "loyaltyPrograms/getAll", {})
    assert bad.status_code == 400
    assert bad.json()["Message"] == "Limitation is required."
    assert bad.json()["RequestId"] == bad.headers["Request-Id"]


@pytest.mark.parametrize("change", [{"ClientToken": "nope"}, {"AccessToken": "nope"},
                                    {"AccessToken": None}])
def test_tokens_are_checked(server: SandboxServer, http: httpx.Client,
                            change: dict[str, Any]) -> None:
    answer = http.post(f"{server.url}/loyaltyPrograms/getAll",
                       json={**TOKENS, **change, "Limitation": {"Count": 1}})
    assert answer.status_code == 401


def test_client_is_required_and_only_post_to_exact_paths(server: SandboxServer,
                                                         http: httpx.Client) -> None:
    body = {"ClientToken": DEMO_CLIENT_TOKEN, "AccessToken": DEMO_ACCESS_TOKEN,
            "Limitation": {"Count": 1}}
    assert http.post(f"{server.url}/loyaltyPrograms/getAll", json=body).status_code == 400
    assert post(http, server, "loyaltyprograms/getAll", {}).status_code == 404
    assert http.post(f"{server.url}/loyaltyPrograms/getAll/", json=TOKENS).status_code == 404
    assert http.get(f"{server.url}/loyaltyPrograms/getAll").status_code == 405


@pytest.mark.parametrize("count", [0, 1001, "10", None, True])
def test_limitation_count_is_required_and_capped(server: SandboxServer, http: httpx.Client,
                                                 count: Any) -> None:
    answer = post(http, server, "loyaltyPrograms/getAll", {"Limitation": {"Count": count}})
    assert answer.status_code == 400


def test_cursor_pages_newest_first_until_null(server: SandboxServer,
                                              http: httpx.Client) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        limitation: dict[str, Any] = {"Count": 5}
        if cursor:
            limitation["Cursor"] = cursor
        data = post(http, server, "loyaltyPrograms/getAll", {"Limitation": limitation}).json()
        pages += 1
        if not data["LoyaltyPrograms"]:
            assert data["Cursor"] is None
            break
        assert data["Cursor"] == data["LoyaltyPrograms"][-1]["Id"]
        seen += [p["Id"] for p in data["LoyaltyPrograms"]]
        cursor = data["Cursor"]
    assert len(seen) == len(set(seen)) == 12 and pages == 4
    created = [p["CreatedUtc"] for p in server.app.db["programs"]]
    assert created == sorted(created)   # seeded oldest first, served newest first
    assert seen[0] == server.app.db["programs"][-1]["Id"]
    assert post(http, server, "loyaltyPrograms/getAll",
                {"Limitation": {"Count": 5, "Cursor": "no-such"}}).status_code == 400


def test_prefer_minimal_answers_204_on_an_empty_page_and_an_empty_answer(
        server: SandboxServer, http: httpx.Client) -> None:
    empty = post(http, server, "loyaltyPrograms/getAll",
                 {"LoyaltyProgramIds": ["00000000-0000-0000-0000-000000000000"],
                  "Limitation": {"Count": 5}}, Prefer="return=minimal")
    assert empty.status_code == 204 and empty.content == b""
    assert "Content-Type" not in empty.headers
    without = post(http, server, "loyaltyPrograms/getAll",
                   {"LoyaltyProgramIds": ["x"], "Limitation": {"Count": 5}})
    assert without.status_code == 200 and without.json() == {"LoyaltyPrograms": [],
                                                             "Cursor": None}
    made = post(http, server, "loyaltyPrograms/add", {"LoyaltyPrograms": [
        {"Name": "Temp", "Code": "TMP", "Type": "Hotel", "Subscription": "Free"}]}).json()
    gone = post(http, server, "loyaltyPrograms/delete",
                {"LoyaltyProgramIds": [made["LoyaltyPrograms"][0]["Id"]]},
                Prefer="return=minimal")
    assert gone.status_code == 204


def test_id_lists_are_capped_at_1000_and_intervals_at_3_months(
        server: SandboxServer, http: httpx.Client) -> None:
    many = [f"id-{i}" for i in range(1001)]
    assert post(http, server, "loyaltyMemberships/getAll",
                {"LoyaltyMembershipIds": many, "Limitation": {"Count": 1}}).status_code == 400
    assert post(http, server, "loyaltyMemberships/getAll",
                {"LoyaltyMembershipIds": many[:1000],
                 "Limitation": {"Count": 1}}).status_code == 200
    long = {"StartUtc": "2026-01-01T00:00:00Z", "EndUtc": "2026-05-01T00:00:00Z"}
    short = {"StartUtc": "2026-01-01T00:00:00Z", "EndUtc": "2026-03-01T00:00:00Z"}
    assert post(http, server, "loyaltyPrograms/getAll",
                {"UpdatedUtc": long, "Limitation": {"Count": 1}}).status_code == 400
    answer = post(http, server, "loyaltyPrograms/getAll",
                  {"CreatedUtc": short, "Limitation": {"Count": 100}})
    assert answer.status_code == 200 and len(answer.json()["LoyaltyPrograms"]) == 12


def test_tiers_need_program_ids_and_customers_need_extent(server: SandboxServer,
                                                          http: httpx.Client) -> None:
    assert post(http, server, "loyaltyTiers/getAll",
                {"Limitation": {"Count": 10}}).status_code == 400
    assert post(http, server, "customers/getAll",
                {"Limitation": {"Count": 10}}).status_code == 400
    program = server.app.by_number(DEMO["member"])["LoyaltyProgramId"]
    tiers = post(http, server, "loyaltyTiers/getAll",
                 {"LoyaltyProgramIds": [program], "Limitation": {"Count": 10}}).json()
    assert sorted(t["Name"] for t in tiers["LoyaltyTiers"]) == ["Gold", "Platinum", "Silver"]


def test_memberships_in_every_state_and_by_number_or_code(server: SandboxServer,
                                                          http: httpx.Client) -> None:
    data = post(http, server, "loyaltyMemberships/getAll", {"Limitation": {"Count": 100}})
    states = {m["State"] for m in data.json()["LoyaltyMemberships"]}
    assert states == {"New", "Pending", "Enrolled", "Canceled", "Declined"}
    for name in ("MembershipNumbers", "Codes"):
        found = post(http, server, "loyaltyMemberships/getAll",
                     {name: [DEMO["member"]], "Limitation": {"Count": 10}}).json()
        assert [m["Points"] for m in found["LoyaltyMemberships"]] == [340]


def test_points_are_written_whole_and_never_negative(server: SandboxServer,
                                                     http: httpx.Client) -> None:
    mid = server.app.by_number(DEMO["member"])["Id"]
    done = post(http, server, "loyaltyMemberships/update", {"LoyaltyMembershipUpdates": [
        {"LoyaltyMembershipId": mid, "Points": {"Value": 365}}]})
    assert done.status_code == 200
    assert done.json()["LoyaltyMemberships"][0]["Points"] == 365
    negative = post(http, server, "loyaltyMemberships/update", {"LoyaltyMembershipUpdates": [
        {"LoyaltyMembershipId": mid, "Points": {"Value": -1}}]})
    assert negative.status_code == 403 and negative.json()["Message"]
    canceled = server.app.by_number(DEMO["canceled"])["Id"]
    refused = post(http, server, "loyaltyMemberships/update", {"LoyaltyMembershipUpdates": [
        {"LoyaltyMembershipId": canceled, "Points": {"Value": 1}}]})
    assert refused.status_code == 403
    assert [r["body"] for r in server.app.ledger] == [
        {"LoyaltyMembershipId": mid, "Points": {"Value": 365}}]


def test_the_rate_limit_answers_429_with_retry_after(server: SandboxServer,
                                                     http: httpx.Client) -> None:
    server.app.rate_limit = 5
    answers = [post(http, server, "loyaltyPrograms/getAll", {"Limitation": {"Count": 1}})
               for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 30
    assert answers[-1].json()["Message"]


def test_meddle_changes_points_right_after_a_read(server: SandboxServer,
                                                  http: httpx.Client) -> None:
    membership = server.app.by_number(DEMO["member"])
    server.app.meddle = {"id": membership["Id"], "delta": -40, "after_reads": 1}
    body = {"MembershipNumbers": [DEMO["member"]], "Limitation": {"Count": 1}}
    first = post(http, server, "loyaltyMemberships/getAll", body).json()
    assert first["LoyaltyMemberships"][0]["Points"] == 340
    second = post(http, server, "loyaltyMemberships/getAll", body).json()
    assert second["LoyaltyMemberships"][0]["Points"] == 300
    assert server.app.meddle is None
