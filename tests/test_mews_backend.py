"""The Mews adapter against the Mews sandbox over real HTTP on loopback (faults injected in the
sandbox, never by mocking the client), alone and through the counter and the command line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pos_app import __version__
from pos_app.cli.main import main
from pos_app.core.cards import CardKind, CardStatus, Holder
from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardChanged,
    CardNotFound,
    ConfigError,
    InvalidAmount,
    InvalidInput,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation, OpName
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.mews.adapter import MewsBackend
from pos_app.core.services.mews.sandbox import (
    DEMO,
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_TOKEN,
    DEMO_EMAIL,
    NEW_GUEST_EMAIL,
    MewsApp,
)

FAST = httpx.Timeout(0.5)
WRITE = "loyaltyMemberships/update"


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    s = SandboxServer(MewsApp()).start()
    yield s
    s.stop()


@pytest.fixture
def mews(server: SandboxServer) -> Iterator[MewsBackend]:
    backend = MewsBackend(server.base_url, DEMO_CLIENT_TOKEN, DEMO_ACCESS_TOKEN, timeout=FAST)
    yield backend
    backend.close()


@pytest.fixture
def counter(mews: MewsBackend, tmp_path: Path) -> Iterator[Counter]:
    c = Counter([mews], Journal(tmp_path / "journal.sqlite3"))
    c.retry = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=0.05,
                          settle=0.01, hold=0.0)
    c._sleep = lambda _: None
    yield c
    c.journal.close()


def calls(server: SandboxServer, route: str) -> int:
    return sum(1 for r in server.requests if r["route"] == route)


def points(server: SandboxServer, number: str) -> int:
    return int(server.app.by_number(number)["Points"])


# -- the card -------------------------------------------------------------------------------------


def test_a_membership_shows_member_program_tier_state_points_and_expiry(
        mews: MewsBackend, server: SandboxServer) -> None:
    card = mews.get_card(DEMO["spend"])
    assert (card.kind, card.status, card.balance) == (CardKind.MEMBERSHIP, CardStatus.ACTIVE,
                                                      Decimal(1200))
    assert card.holder is not None and card.holder.name == "Tomas Berg"
    assert (card.template, card.level, card.expires) == ("Harbour Club", "Platinum",
                                                         dt.date(2028, 12, 31))
    assert card.operations == (OpName.ACCRUE, OpName.SPEND, OpName.SET_EXPIRY)
    assert card.card_id == server.app.by_number(DEMO["spend"])["Id"]
    assert mews.get_card(card.card_id).code == DEMO["spend"]   # the counter reads it by id
    assert server.app.last_client == f"pos-app {__version__}"


def test_a_company_member_and_a_pending_one(mews: MewsBackend) -> None:
    company = mews.get_card(DEMO["company"])
    assert company.holder is not None and company.holder.name == "Northwind Travel"
    pending = mews.get_card(DEMO["pending"])
    assert pending.status is CardStatus.PENDING and pending.usable
    assert pending.operations == (OpName.ACCRUE, OpName.SET_EXPIRY)   # nothing to spend


@pytest.mark.parametrize("which", ["canceled", "declined"])
def test_canceled_and_declined_memberships_are_not_usable(mews: MewsBackend,
                                                          server: SandboxServer,
                                                          which: str) -> None:
    card = mews.get_card(DEMO[which])
    assert not card.usable and card.operations == ()
    assert card.status_label == which.capitalize()
    with pytest.raises(Refused, match=f"{which}: it cannot be used"):
        mews.plan(card, Operation.parse("accrue", ["5"]))
    assert server.app.ledger == []


def test_one_lookup_call_then_the_deprecated_codes_filter_as_a_fallback(
        mews: MewsBackend, server: SandboxServer) -> None:
    mews.get_card(DEMO["member"])
    assert calls(server, "loyaltyMemberships/getAll") == 1
    server.app.numbers_filter = False
    assert mews.get_card(DEMO["member"]).balance == 340
    assert calls(server, "loyaltyMemberships/getAll") == 3


def test_programs_and_tiers_are_cached_and_read_again_on_a_miss(
        mews: MewsBackend, server: SandboxServer) -> None:
    mews.get_card(DEMO["member"])
    first = calls(server, "loyaltyPrograms/getAll")
    mews.get_card(DEMO["spend"])
    mews.get_card(DEMO["spa"])
    assert calls(server, "loyaltyPrograms/getAll") == first
    tier = server.app.db["tiers"][0]
    server.app.db["tiers"].append({**tier, "Id": "99999999-0000-4000-8000-000000000001",
                                   "Name": "Diamond", "Ordering": 9})
    server.app.by_number(DEMO["member"])["LoyaltyTierId"] = "99999999-0000-4000-8000-000000000001"
    assert mews.get_card(DEMO["member"]).level == "Diamond"
    assert calls(server, "loyaltyPrograms/getAll") > first


def test_unknown_numbers_and_the_program_setting(server: SandboxServer,
                                                 mews: MewsBackend) -> None:
    with pytest.raises(CardNotFound):
        mews.get_card("HC-999999")
    program = server.app.by_number(DEMO["member"])["LoyaltyProgramId"]
    only = MewsBackend(server.base_url, DEMO_CLIENT_TOKEN, DEMO_ACCESS_TOKEN,
                       program_id=program, timeout=FAST)
    try:
        assert only.get_card(DEMO["member"]).code == DEMO["member"]
        with pytest.raises(CardNotFound):
            only.get_card(DEMO["spa"])   # another program's membership
        assert [t.id for t in only.templates()] == [program]
    finally:
        only.close()


def test_claims_membership_numbers_or_the_pattern(server: SandboxServer,
                                                  mews: MewsBackend) -> None:
    assert mews.claim(" HC-000123 ") == "HC-000123"
    assert mews.claim("448234-808-346") is None
    assert mews.claim("hello") is None
    custom = MewsBackend(server.base_url, "a", "b", pattern=r"MEWS:(.+)")
    try:
        assert custom.claim("MEWS:77") == "77" and custom.claim("HC-000123") is None
    finally:
        custom.close()


@pytest.mark.parametrize("tokens", [("", "x"), ("x", ""), ("x y", "z")])
def test_missing_or_broken_tokens_are_a_settings_error(tokens: tuple[str, str]) -> None:
    with pytest.raises(ConfigError):
        MewsBackend("http://127.0.0.1:9", *tokens)


# -- operations -----------------------------------------------------------------------------------


def test_accrue_spend_and_set_expiry_write_whole_values(counter: Counter,
                                                        server: SandboxServer) -> None:
    added = counter.apply(DEMO["member"], Operation.parse("accrue", ["25"]))
    assert added.ok and added.after is not None and added.after.balance == 365
    assert added.outcome["earned"] == 25 and added.outcome["balance"] == 365
    taken = counter.apply(DEMO["member"], Operation.parse("spend", ["65"]))
    assert taken.ok and points(server, DEMO["member"]) == 300
    assert taken.outcome["spent"] == 65 and taken.outcome["balance"] == 300
    day = dt.date.today() + dt.timedelta(days=400)
    dated = counter.apply(DEMO["member"], Operation.parse("set-expiry", [day.isoformat()]))
    assert dated.ok and dated.after is not None and dated.after.expires == day
    assert [r["body"] for r in server.app.ledger] == [
        {"LoyaltyMembershipId": added.before.card_id, "Points": {"Value": 365}},
        {"LoyaltyMembershipId": added.before.card_id, "Points": {"Value": 300}},
        {"LoyaltyMembershipId": added.before.card_id,
         "ExpirationDate": {"Value": f"{day.isoformat()}T23:59:59Z"}}]


def test_points_never_go_below_zero_and_must_be_whole(mews: MewsBackend,
                                                      server: SandboxServer) -> None:
    card = mews.get_card(DEMO["member"])
    with pytest.raises(Refused, match="has 340 points; 341 cannot be taken"):
        mews.plan(card, Operation.parse("spend", ["341"]))
    with pytest.raises(InvalidAmount, match="whole points"):
        mews.plan(card, Operation.parse("spend", ["1.5"]))
    with pytest.raises(NotSupported):
        mews.plan(card, Operation.parse("stamp", ["1"]))
    plan = mews.plan(card, Operation.parse("spend", ["340"]))
    assert plan.steps[0].body["Points"] == {"Value": 0}
    assert plan.steps[0].expect == {"field": "Points", "value": 0, "delta": -340}
    assert server.app.ledger == []


# -- the lost-update guard ------------------------------------------------------------------------


def test_a_change_made_elsewhere_is_refused_and_shown(counter: Counter,
                                                      server: SandboxServer) -> None:
    membership = server.app.by_number(DEMO["member"])
    # Another till takes 40 points right after the cashier's card was read.
    server.app.meddle = {"id": membership["Id"], "delta": -40, "after_reads": 1}
    result = counter.apply(DEMO["member"], Operation.parse("accrue", ["10"]))
    assert not result.ok and result.state is State.FAILED
    assert isinstance(result.error, CardChanged) and result.error.current == 300
    assert "now 300, not 340" in result.message and "nothing was changed" in result.message
    assert [r["action"] for r in server.app.ledger] == ["meddle"]
    # Looked at again and confirmed: planned from 300 now.
    again = counter.apply(DEMO["member"], Operation.parse("accrue", ["10"]))
    assert again.ok and points(server, DEMO["member"]) == 310


def test_the_guard_holds_on_a_card_the_window_read_earlier(counter: Counter,
                                                           server: SandboxServer) -> None:
    card = counter.lookup(DEMO["spend"])
    server.app.by_number(DEMO["spend"])["Points"] = 1205   # another till, meanwhile
    # The counter reads it again before planning: the plan sees 1205, the cashier saw 1200.
    with pytest.raises(CardChanged, match="now 1,205, not 1,200") as caught:
        counter.apply(card, Operation.parse("spend", ["100"]))
    assert caught.value.current == 1205
    assert points(server, DEMO["spend"]) == 1205 and counter.journal.entries() == []
    # Confirmed again against the new value: it goes through.
    again = counter.apply(card, Operation.parse("spend", ["100"]))
    assert again.ok and points(server, DEMO["spend"]) == 1105


def test_a_changed_answer_409_reads_as_look_again(mews: MewsBackend,
                                                  server: SandboxServer) -> None:
    card = mews.get_card(DEMO["member"])
    plan = mews.plan(card, Operation.parse("accrue", ["1"]))
    server.faults.add(FaultRule(FaultKind.ERROR, route=WRITE, status=409))
    with pytest.raises(CardChanged, match="changed meanwhile: look again"):
        mews.execute(card, plan.steps[0], "k")


def test_a_write_that_already_shows_is_not_written_again(mews: MewsBackend,
                                                         server: SandboxServer) -> None:
    card = mews.get_card(DEMO["member"])
    step = mews.plan(card, Operation.parse("accrue", ["5"])).steps[0]
    server.app.by_number(DEMO["member"])["Points"] = 345
    with pytest.raises(OutcomeUnknown, match="already shows 345"):
        mews.execute(card, step, "k")
    assert server.app.ledger == []


# -- lost answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [FaultKind.DROP_AFTER, FaultKind.DROP_BEFORE])
def test_a_lost_answer_is_resolved_by_reading(counter: Counter, server: SandboxServer,
                                              fault: FaultKind) -> None:
    server.faults.add(FaultRule(fault, route=WRITE))
    result = counter.apply(DEMO["member"], Operation.parse("accrue", ["7"]))
    assert result.ok and result.state is State.DONE, result.message
    assert points(server, DEMO["member"]) == 347
    assert len([r for r in server.app.ledger if r["action"] == WRITE]) == 1


def test_a_lost_answer_then_an_unexplained_value_stays_unknown(counter: Counter,
                                                               server: SandboxServer) -> None:
    counter.retry = RetryPolicy(attempts=1, settle=0)
    server.faults.add(FaultRule(FaultKind.DROP_AFTER, route=WRITE))
    result = counter.apply(DEMO["member"], Operation.parse("accrue", ["7"]))
    assert result.state is State.UNKNOWN and result.journal_id is not None
    server.app.by_number(DEMO["member"])["Points"] = 999    # the back office, meanwhile
    again = counter.resolve(result.journal_id)
    assert again.state is State.UNKNOWN and "does not explain" in again.message
    server.app.by_number(DEMO["member"])["Points"] = 347    # the value the step wrote
    settled = counter.resolve(result.journal_id)
    assert settled.state is State.DONE
    assert len([r for r in server.app.ledger if r["action"] == WRITE]) == 1


def test_a_lost_answer_to_a_step_not_applied_is_sent_once_more(counter: Counter,
                                                               server: SandboxServer) -> None:
    counter.retry = RetryPolicy(attempts=1, settle=0)
    server.faults.add(FaultRule(FaultKind.TIMEOUT, route=WRITE, delay=1.0))
    result = counter.apply(DEMO["member"], Operation.parse("spend", ["40"]))
    assert result.state is State.UNKNOWN and result.journal_id is not None
    settled = counter.resolve(result.journal_id)
    assert settled.state is State.DONE and points(server, DEMO["member"]) == 300
    assert len([r for r in server.app.ledger if r["action"] == WRITE]) == 1


# -- errors ---------------------------------------------------------------------------------------


def test_bad_tokens_are_401(server: SandboxServer) -> None:
    wrong = MewsBackend(server.base_url, DEMO_CLIENT_TOKEN, "WRONG-TOKEN", timeout=FAST)
    try:
        with pytest.raises(AuthError, match="client token or the access token"):
            wrong.get_card(DEMO["member"])
        with pytest.raises(AuthError):
            wrong.check()
    finally:
        wrong.close()


def test_403_shows_mews_message_and_the_request_id_goes_to_the_log(
        mews: MewsBackend, server: SandboxServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pos_app.core.services.mews")
    card = mews.get_card(DEMO["member"])
    with pytest.raises(Refused, match=r"^Points cannot be negative\."):
        mews.wire.update_membership({"LoyaltyMembershipId": card.card_id,
                                     "Points": {"Value": -5}})
    logged = [r.getMessage() for r in caplog.records if "Request-Id" in r.getMessage()]
    assert logged and "HTTP 403" in logged[-1]
    assert server.requests and logged[-1].split("Request-Id ")[1] != "none"
    assert DEMO_ACCESS_TOKEN not in caplog.text and DEMO_CLIENT_TOKEN not in caplog.text


def test_429_is_honoured_with_retry_after(mews: MewsBackend, server: SandboxServer) -> None:
    mews.get_card(DEMO["member"])
    server.app.rate_limit = len(server.requests)
    with pytest.raises(RateLimited) as caught:
        mews.get_card(DEMO["member"])
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 30
    assert "Wait" in str(caught.value)


def test_the_counter_waits_out_a_429(counter: Counter, server: SandboxServer) -> None:
    server.faults.add(FaultRule(FaultKind.RATE_LIMIT, route=WRITE, times=2, retry_after=0.01))
    result = counter.apply(DEMO["member"], Operation.parse("accrue", ["1"]))
    assert result.ok and points(server, DEMO["member"]) == 341


@pytest.mark.parametrize(("status", "error"), [(500, ServiceUnavailable),
                                               (408, ServiceUnavailable),
                                               (404, BadResponse)])
def test_other_failures_of_a_read(mews: MewsBackend, server: SandboxServer, status: int,
                                  error: type[Exception]) -> None:
    server.faults.add(FaultRule(FaultKind.ERROR, route="loyaltyMemberships/getAll",
                                status=status))
    with pytest.raises(error):
        mews.get_card(DEMO["member"])


def test_a_write_answer_that_cannot_be_read_is_unknown(mews: MewsBackend,
                                                       server: SandboxServer) -> None:
    card = mews.get_card(DEMO["member"])
    step = mews.plan(card, Operation.parse("accrue", ["1"])).steps[0]
    server.faults.add(FaultRule(FaultKind.MALFORMED, route=WRITE, body="[]", apply=True))
    with pytest.raises(OutcomeUnknown):
        mews.execute(card, step, "k")
    server.faults.add(FaultRule(FaultKind.ERROR, route=WRITE, status=502))
    with pytest.raises(OutcomeUnknown):
        mews.execute(card, mews.plan(mews.get_card(DEMO["member"]),
                                     Operation.parse("accrue", ["1"])).steps[0], "k")


def test_a_wrong_address_is_said(server: SandboxServer) -> None:
    wrong = MewsBackend(server.base_url + "/nowhere", DEMO_CLIENT_TOKEN, DEMO_ACCESS_TOKEN,
                        timeout=FAST)
    try:
        with pytest.raises(BadResponse, match="Check the Mews address"):
            wrong.check()
    finally:
        wrong.close()


# -- programs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "requests"), [(5, 3), (10, 2), (4, 4), (1000, 1)])
def test_programs_are_paged_to_the_end(mews: MewsBackend, server: SandboxServer, page: int,
                                       requests: int) -> None:
    mews.program_page = page
    programs = mews.programs()
    assert len(programs) == len({p.id for p in programs}) == 12
    assert calls(server, "loyaltyPrograms/getAll") == requests
    harbour = next(p for p in programs if p.code == "HC")
    assert [t.name for t in harbour.tiers] == ["Silver", "Gold", "Platinum"]


def test_a_cursor_that_repeats_is_refused(mews: MewsBackend, server: SandboxServer) -> None:
    body = json.dumps({"LoyaltyPrograms": [{"Id": "a"}], "Cursor": "a"})
    server.faults.add(FaultRule(FaultKind.MALFORMED, route="loyaltyPrograms/getAll",
                                body=body, times=3))
    mews.program_page = 1
    with pytest.raises(BadResponse, match="same page cursor"):
        mews.programs()


def test_program_add_rename_and_delete(mews: MewsBackend, server: SandboxServer) -> None:
    made = mews.program_add("Lobby Bar", "LB")
    assert made.id and any(p.name == "Lobby Bar" for p in mews.programs())
    mews.program_rename(made.id, "Lobby Bar & Terrace")
    assert [p.name for p in mews.programs() if p.id == made.id] == ["Lobby Bar & Terrace"]
    mews.program_delete(made.id)
    assert all(p.id != made.id for p in mews.programs())
    with pytest.raises(InvalidInput):
        mews.program_rename(made.id, "Gone")
    with pytest.raises(InvalidInput):
        mews.program_add("", "X")



def test_a_delete_answered_with_a_proxy_page_is_not_said_done(mews: MewsBackend,
                                                              server: SandboxServer) -> None:
    made = mews.program_add("Pool Bar", "PB")
    server.faults.add(FaultRule(FaultKind.MALFORMED, route="loyaltyPrograms/delete",
                                body="<html>OK</html>", apply=False))
    with pytest.raises(OutcomeUnknown, match="could not be read"):
        mews.program_delete(made.id)
    assert any(p.id == made.id for p in mews.programs())  # and the app does not say otherwise

def test_a_program_with_active_memberships_is_not_deleted(mews: MewsBackend,
                                                          server: SandboxServer) -> None:
    harbour = next(p for p in mews.programs() if p.code == "HC")
    with pytest.raises(Refused, match="has 4 active memberships; it was not deleted"):
        mews.program_delete(harbour.id)
    assert calls(server, "loyaltyPrograms/delete") == 0
    # Mews itself refuses it too (403 with its message), should the check be raced.
    with pytest.raises(Refused, match="has active memberships"):
        mews.wire.delete_program(harbour.id)


# -- enrol ----------------------------------------------------------------------------------------


def test_enrol_finds_the_guest_by_email_and_adds_a_membership(counter: Counter,
                                                              mews: MewsBackend) -> None:
    programs = {t.name: t.id for t in counter.templates()}
    assert len(programs) == 12 and "Harbour Club" in programs
    card = counter.enrol("mews", programs["Harbour Club"],
                         Holder("Mila", "Horak", "", NEW_GUEST_EMAIL))
    assert card.code.startswith("HC-") and len(card.code) == 11
    assert card.holder is not None and card.holder.name == "Mila Horak"
    assert card.balance == 0 and card.status is CardStatus.ACTIVE
    with pytest.raises(Refused, match="already a member of Harbour Club"):
        counter.enrol("mews", programs["Harbour Club"], Holder("Mila", "Horak", "",
                                                               NEW_GUEST_EMAIL))
    with pytest.raises(CardNotFound, match="no guest with the email"):
        counter.enrol("mews", programs["Harbour Club"], Holder("A", "B", "", "x@example.com"))
    with pytest.raises(InvalidInput, match="email"):
        counter.enrol("mews", programs["Harbour Club"], Holder("A", "B", "+420 777 123 456"))
    with pytest.raises(InvalidInput, match="not a Mews loyalty program"):
        counter.enrol("mews", "nope", Holder("A", "B", "", NEW_GUEST_EMAIL))


def test_find_memberships_by_email(counter: Counter) -> None:
    refs = counter.find_cards(email=DEMO_EMAIL)
    assert sorted(r.code for r in refs) == [DEMO["member"], DEMO["new"]]
    assert counter.find_cards(phone="+420777123456") == []


# -- the command line (in-process sandbox) --------------------------------------------------------


def test_cli_programs_and_program_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mews", "programs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 12
    harbour = next(p for p in listed if p["code"] == "HC")
    assert [t["name"] for t in harbour["tiers"]] == ["Silver", "Gold", "Platinum"]
    assert main(["mews", "program-add", "Pool Club", "PC"]) == 0
    new_id = capsys.readouterr().out.strip().rsplit(": ", 1)[1]
    assert main(["mews", "program-rename", new_id, "Pool & Spa Club"]) == 0
    assert "Pool & Spa Club" in capsys.readouterr().out
    assert main(["mews", "programs"]) == 0
    assert "Pool & Spa Club" in capsys.readouterr().out
    assert main(["mews", "program-delete", new_id]) == 0
    capsys.readouterr()
    assert main(["mews", "program-delete", harbour["id"]]) == 1
    assert "active memberships; it was not deleted" in capsys.readouterr().err


def test_cli_card_and_apply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card", DEMO["member"], "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert (card["service"], card["balance"], card["level"]) == ("mews", "340", "Gold")
    assert main(["apply", DEMO["member"], "accrue", "10"]) == 0
    assert main(["apply", DEMO["canceled"], "accrue", "10"]) == 1
    assert "canceled" in capsys.readouterr().err


def test_a_write_mews_does_not_accept_is_refused(mews: MewsBackend) -> None:
    with pytest.raises(Refused, match="Invalid LoyaltyMembershipId"):
        mews.wire.update_membership({"LoyaltyMembershipId": "no-such",
                                     "Points": {"Value": 5}})


def test_an_operation_reads_the_member_name_once(counter: Counter,
                                                 server: SandboxServer) -> None:
    """Mews's request limit is shared by every till on the access token: the counter's
    re-reads take the member's name already read."""
    counter.lookup(DEMO["member"])
    server.requests.clear()
    card = counter.lookup(DEMO["member"])
    result = counter.apply(card, Operation.parse("accrue", ["1"]))
    assert result.ok and result.after is not None and result.after.holder == card.holder
    routes = [r["route"] for r in server.requests]
    assert routes.count("customers/getAll") == 1
    assert routes.count("loyaltyMemberships/getAll") == 4   # scan, re-read, pre-write, after
    assert len(routes) == 6
