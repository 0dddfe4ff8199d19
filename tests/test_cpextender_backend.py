"""The CP Extender adapter and the counter over real HTTP to the sandbox: card, history,
customer search, every operation, the documented errors, the login renewal, holds confirmed,
cancelled and left by a crash, and lost answers that never earn or confirm twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.backends.base import Step
from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.errors import (
    AuthError,
    CardNotFound,
    ConfigError,
    FinishAtService,
    InvalidCode,
    InvalidInput,
    NotSupported,
    Refused,
)
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation, OpName
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.cpextender.adapter import CpExtenderBackend
from pos_app.core.services.cpextender.sandbox import CpExtenderApp
from pos_app.core.services.cpextender.seed import DEMO, PERMANENT_TOKEN

QUICK = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=0.05,
                    settle=0.01)


@pytest.fixture
def cp_server() -> Iterator[SandboxServer]:
    server = SandboxServer(CpExtenderApp(), seed=4).start()
    yield server
    server.stop()


@pytest.fixture
def app(cp_server: SandboxServer) -> CpExtenderApp:
    assert isinstance(cp_server.app, CpExtenderApp)
    return cp_server.app


def _backend(server: SandboxServer, **changes: Any) -> CpExtenderBackend:
    table = {**server.app.settings(server), **changes}
    return CpExtenderBackend.from_settings({k: v for k, v in table.items() if v is not None})


@pytest.fixture
def backend(cp_server: SandboxServer) -> Iterator[CpExtenderBackend]:
    b = _backend(cp_server)
    yield b
    b.close()


@pytest.fixture
def counter(backend: CpExtenderBackend, tmp_path: Path) -> Iterator[Counter]:
    c = Counter([backend], Journal(tmp_path / "journal.sqlite3"))
    c.retry = QUICK
    c._sleep = lambda _: None
    yield c
    c.journal.close()


def _routes(server: SandboxServer) -> list[str]:
    return [r["route"] for r in server.requests]


def _actions(app: CpExtenderApp) -> list[str]:
    return [row["action"] for row in app.ledger]


# -- cards, history, customers, check -------------------------------------------------------


def test_the_card_shows_available_points_and_the_rest_beside_them(
        backend: CpExtenderBackend) -> None:
    card = backend.get_card(" cpol-123185 ")
    assert (card.service, card.code, card.balance) == ("cpextender", DEMO["held"],
                                                       Decimal(504))
    assert card.holder is not None and card.holder.name == "Ann Lee"
    facts = dict(card.facts)
    assert (facts["Total points"], facts["On hold"], facts["Pending"]) == (
        "1,504", "1,000", "0")
    assert facts["Earning"].startswith("1 point per dollar")
    assert "100 points = $1" in facts["Redemption"]
    assert card.template == "Loyalty program 1"
    assert card.operations == (OpName.PURCHASE, OpName.ACCRUE, OpName.SPEND, OpName.HOLD)
    empty = backend.get_card(DEMO["empty"])
    assert empty.balance == 0 and OpName.SPEND not in empty.operations


def test_history_is_the_balance_check_history_read_month_first(
        backend: CpExtenderBackend) -> None:
    card = backend.get_card(DEMO["history"])
    rows = backend.history(card)
    assert len(rows) > 100 and all(r.when is not None for r in rows)
    assert rows == sorted(rows, key=lambda r: r.when or dt.datetime.min, reverse=True)
    held = backend.history(backend.get_card(DEMO["held"]))
    pending = next(r for r in held if "Pending Charge" in r.what)
    assert "WB-101-10444" in pending.what and pending.value == "+1,000 points"
    summary = next(r for r in held if r.what == "Historical Summary")
    assert summary.when is not None and summary.when.date() < dt.date.today()


def test_not_enrolled_unknown_and_foreign_codes_are_said_plainly(
        backend: CpExtenderBackend) -> None:
    with pytest.raises(NotSupported, match="not enrolled in the loyalty program"):
        backend.get_card(DEMO["not_enrolled"])
    with pytest.raises(CardNotFound, match="no customer with this number"):
        backend.get_card("CPOL-999999")
    with pytest.raises(InvalidCode):
        backend.get_card("931520-641-829")
    assert backend.claim("6179518025") is None  # another service's code, without a pattern


def test_a_pattern_takes_other_customer_numbers(cp_server: SandboxServer) -> None:
    b = _backend(cp_server, pattern=r"CP:(\w[\w-]*)")
    try:
        assert b.claim("CP:CPOL-205937") == "CPOL-205937"
        assert b.claim(DEMO["plenty"]) is None
        assert b.get_card("CP:CPOL-205937").balance == 2500
    finally:
        b.close()


def test_find_a_customer_by_email(counter: Counter) -> None:
    refs = counter.find_cards(email="brian@example.com")
    assert [(r.service, r.code) for r in refs] == [("cpextender", DEMO["plenty"])]
    assert refs[0].holder is not None and refs[0].holder.name == "Brian Ortiz"
    assert counter.find_cards(email="nobody@example.com") == []
    assert counter.backends["cpextender"].find_cards(phone="+1 555 0100") == []
    with pytest.raises(InvalidInput):
        counter.backends["cpextender"].find_cards(email="a/b@../x")


def test_check_uses_status_and_version_then_the_login(backend: CpExtenderBackend,
                                                      cp_server: SandboxServer) -> None:
    assert backend.check() == "CP Extender: Ok, version 1.0.0.0, signed in"
    assert _routes(cp_server) == ["Connection/Status", "Connection/GetVersion", "SSO/Login"]


def test_the_token_is_reused_and_renewed_once_on_a_401(backend: CpExtenderBackend,
                                                       app: CpExtenderApp,
                                                       cp_server: SandboxServer) -> None:
    backend.get_card(DEMO["plenty"])
    backend.get_card(DEMO["plenty"])
    assert _routes(cp_server).count("SSO/Login") == 1
    app.expire_tokens()
    assert backend.get_card(DEMO["plenty"]).balance == 2500
    assert _routes(cp_server).count("SSO/Login") == 2


def test_a_permanent_token_needs_no_login(cp_server: SandboxServer) -> None:
    b = _backend(cp_server, username=None, password=None, token=PERMANENT_TOKEN)
    try:
        assert b.check().endswith("permanent token accepted")
        assert b.get_card(DEMO["plenty"]).balance == 2500
        assert "SSO/Login" not in _routes(cp_server)
    finally:
        b.close()
    wrong = _backend(cp_server, username=None, password=None, token="not-the-token")
    try:
        with pytest.raises(AuthError, match="permanent token"):
            wrong.check()
        with pytest.raises(AuthError, match="permanent token"):
            wrong.get_card(DEMO["plenty"])
    finally:
        wrong.close()


def test_wrong_credentials_and_missing_settings(cp_server: SandboxServer) -> None:
    b = _backend(cp_server, password="wrong")
    try:
        with pytest.raises(AuthError, match="user name and password"):
            b.check()
    finally:
        b.close()
    with pytest.raises(ConfigError, match="user name and password, or a permanent token"):
        CpExtenderBackend.from_settings({"base_url": cp_server.url})
    with pytest.raises(ConfigError, match="earn_rate"):
        _backend(cp_server, earn_rate="lots")


# -- operations -----------------------------------------------------------------------------


def test_accrue_earns_with_the_key_as_reference(counter: Counter, app: CpExtenderApp) -> None:
    result = counter.apply(DEMO["plenty"], Operation.parse("accrue", ["40"]))
    assert result.ok and result.state is State.DONE
    assert result.after is not None and result.after.balance == 2540
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None
    assert [(r["action"], r["key"], r["body"]["Reference"]) for r in app.ledger] == [
        ("Loyalty/Earn", entry.key, entry.key)]


def test_purchase_earns_floor_of_amount_times_rate(cp_server: SandboxServer,
                                                   tmp_path: Path) -> None:
    b = _backend(cp_server, earn_rate="1.5")
    c = Counter([b], Journal(tmp_path / "j.sqlite3"))
    try:
        result = c.apply(DEMO["plenty"], Operation.parse("purchase", ["12.99"]))
        assert result.ok and result.outcome["earned"] == 19  # floor(19.485)
        assert cp_server.app.ledger[-1]["body"]["Points"] == 19
        with pytest.raises(InvalidInput, match="too small"):
            c.apply(DEMO["plenty"], Operation.parse("purchase", ["0.50"]))
    finally:
        c.close()
    plain = _backend(cp_server, earn_rate=None)
    try:
        card = plain.get_card(DEMO["plenty"])
        assert OpName.PURCHASE not in card.operations
        with pytest.raises(NotSupported, match="earn_rate"):
            plain.plan(card, Operation.parse("purchase", ["10"]))
    finally:
        plain.close()


def test_spend_is_authorize_then_confirm_under_one_key(counter: Counter,
                                                       app: CpExtenderApp) -> None:
    result = counter.apply(DEMO["plenty"], Operation.parse("spend", ["300"]))
    assert result.ok and result.state is State.DONE, result.message
    assert result.after is not None and result.after.balance == 2200
    assert dict(result.after.facts)["On hold"] == "0"
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None
    assert [s["state"] for s in entry.steps] == ["done", "done"]
    assert [(r["action"], r["key"]) for r in app.ledger] == [
        ("Loyalty/Authorize", entry.key), ("Authorize/Confirm", entry.key)]
    assert app.ledger[0]["body"]["SaleId"] == entry.key
    assert app.ledger[1]["body"] == {"Ref": entry.key,
                                     "AuthCode": entry.steps[0]["answer"]["AuthCode"]}


def test_spend_above_the_available_points_is_refused_before_sending(
        counter: Counter, app: CpExtenderApp, cp_server: SandboxServer) -> None:
    with pytest.raises(Refused, match="may spend 504 points"):
        counter.apply(DEMO["held"], Operation.parse("spend", ["505"]))
    assert app.ledger == []
    assert "Loyalty/Authorize" not in _routes(cp_server)
    with pytest.raises(InvalidInput, match="whole points"):
        counter.apply(DEMO["plenty"], Operation.parse("spend", ["1.5"]))


def test_the_service_refusals_become_plain_messages(backend: CpExtenderBackend,
                                                    app: CpExtenderApp) -> None:
    card = backend.get_card(DEMO["held"])
    step = Step("Loyalty/Authorize", {"Type": "loyalty", "Ref": DEMO["held"], "SaleId": None,
                                      "RequestedPoints": 600}, "x")
    with pytest.raises(Refused, match=r"no points left to spend \(No Balance Remaining\)"):
        backend.execute(card, step, "k-1")
    enrolled = Step("Loyalty/Earn", {"CustomerNumber": DEMO["not_enrolled"], "Points": 5,
                                     "Reason": "x", "Reference": None}, "x")
    with pytest.raises(NotSupported, match="not enrolled"):
        backend.execute(card, enrolled, "k-2")
    unknown = Step("Loyalty/Earn", {"CustomerNumber": "CPOL-999999", "Points": 5,
                                    "Reason": "x", "Reference": None}, "x")
    with pytest.raises(CardNotFound, match="CustomerNumber Not Found"):
        backend.execute(card, unknown, "k-3")
    gone = Step("Authorize/Confirm", {"Ref": None, "AuthCode": "G" + "0" * 32}, "x")
    with pytest.raises(Refused, match="no longer has this hold open"):
        backend.execute(card, gone, "k-4")
    assert app.ledger == []


# -- holds ----------------------------------------------------------------------------------


def test_a_hold_waits_on_the_card_and_in_the_journal_then_is_confirmed(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp) -> None:
    result = counter.apply(DEMO["plenty"], Operation.parse("hold", ["250"]))
    assert result.ok and result.waiting and result.state is State.PENDING, result.message
    assert "waiting to be finished or cancelled" in result.message
    card = backend.get_card(DEMO["plenty"])
    assert card.balance == 2250 and dict(card.facts)["On hold"] == "250"
    assert [e.id for e in counter.journal.waiting(DEMO["plenty"])] == [result.journal_id]
    assert counter.journal.unresolved() == []
    assert counter.recover() == []  # recovery never confirms it on its own
    assert _actions(app) == ["Loyalty/Authorize"]
    done = counter.finish(result.journal_id or 0)
    assert done.ok and done.state is State.DONE and not done.waiting, done.message
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Confirm"]
    after = backend.get_card(DEMO["plenty"])
    assert (after.balance, dict(after.facts)["Total points"]) == (2250, "2,250")
    assert counter.journal.waiting() == []
    with pytest.raises(InvalidInput, match="not waiting"):
        counter.finish(result.journal_id or 0)


def test_a_hold_cancelled_releases_the_points(counter: Counter, backend: CpExtenderBackend,
                                              app: CpExtenderApp) -> None:
    result = counter.apply(DEMO["plenty"], Operation.parse("hold", ["250"]))
    cancelled = counter.finish(result.journal_id or 0, cancel=True)
    assert cancelled.ok and cancelled.state is State.FAILED
    assert "released; nothing was taken" in cancelled.message
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Cancel"]
    assert backend.get_card(DEMO["plenty"]).balance == 2500
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None and [s["state"] for s in entry.steps] == ["done", "cancelled"]


def test_a_confirm_refused_cancels_the_hold(counter: Counter, backend: CpExtenderBackend,
                                            app: CpExtenderApp,
                                            cp_server: SandboxServer) -> None:
    cp_server.faults.add(FaultRule(FaultKind.ERROR, route="Authorize/Confirm", status=400))
    result = counter.apply(DEMO["plenty"], Operation.parse("spend", ["100"]))
    assert not result.ok and result.state is State.FAILED, result.message
    assert "released" in str(counter.journal.get(result.journal_id or 0).error)  # type: ignore[union-attr]
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Cancel"]
    assert backend.get_card(DEMO["plenty"]).balance == 2500


def test_an_unreachable_confirm_leaves_the_hold_for_the_cashier(
        counter: Counter, app: CpExtenderApp, cp_server: SandboxServer) -> None:
    cp_server.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="Authorize/*", times=None))
    result = counter.apply(DEMO["plenty"], Operation.parse("spend", ["100"]))
    assert not result.ok and result.waiting and result.state is State.PENDING
    assert _actions(app) == ["Loyalty/Authorize"]
    cp_server.faults.clear()
    assert counter.finish(result.journal_id or 0).ok
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Confirm"]


class _Crash(BaseException):
    """The till dies (a BaseException, as a kill would not run handlers)."""


def _crash_at_confirm(backend: CpExtenderBackend, monkeypatch: pytest.MonkeyPatch, *,
                      after_sending: bool) -> None:
    execute = backend.execute

    def dying(card: Any, step: Step, key: str) -> dict[str, Any]:
        if step.action == "Authorize/Confirm":
            if after_sending:
                execute(card, step, key)
            raise _Crash
        return execute(card, step, key)

    monkeypatch.setattr(backend, "execute", dying)


def test_a_crash_between_the_steps_leaves_the_hold_visible_and_unconfirmed(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _crash_at_confirm(backend, monkeypatch, after_sending=False)
    with pytest.raises(_Crash):
        counter.apply(DEMO["plenty"], Operation.parse("spend", ["120"]))
    monkeypatch.undo()
    [entry] = counter.journal.unresolved()
    [result] = counter.recover()
    assert result.waiting and result.state is State.PENDING
    assert _actions(app) == ["Loyalty/Authorize"]  # recovery never confirms on its own
    assert [e.id for e in counter.journal.waiting(DEMO["plenty"])] == [entry.id]
    assert backend.get_card(DEMO["plenty"]).balance == 2380
    assert counter.finish(entry.id, cancel=True).ok
    assert backend.get_card(DEMO["plenty"]).balance == 2500


def test_a_crash_after_the_confirm_landed_is_recovered_without_resending(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _crash_at_confirm(backend, monkeypatch, after_sending=True)
    with pytest.raises(_Crash):
        counter.apply(DEMO["plenty"], Operation.parse("spend", ["120"]))
    monkeypatch.undo()
    [result] = counter.recover()
    assert result.ok and result.state is State.DONE, result.message
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Confirm"]


def test_an_authorize_without_authcode_is_finished_in_counterpoint(
        counter: Counter, app: CpExtenderApp) -> None:
    result = counter.apply(DEMO["web"], Operation.parse("spend", ["50"]))
    from pos_app.cli.main import _exit_code

    assert result.error is not None and _exit_code(result.error) == 3
    assert not result.ok and result.waiting
    assert isinstance(result.error, FinishAtService)
    assert "Finish it in Counterpoint" in result.message
    again = counter.finish(result.journal_id or 0)
    assert again.waiting and isinstance(again.error, FinishAtService)
    with pytest.raises(FinishAtService):
        counter.finish(result.journal_id or 0, cancel=True)
    assert _actions(app) == ["Loyalty/Authorize"]
    assert [e.id for e in counter.journal.waiting()] == [result.journal_id]


# -- never twice ----------------------------------------------------------------------------


def test_a_lost_earn_answer_never_earns_twice(counter: Counter, backend: CpExtenderBackend,
                                              app: CpExtenderApp,
                                              cp_server: SandboxServer) -> None:
    cp_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="Loyalty/Earn"))
    result = counter.apply(DEMO["plenty"], Operation.parse("accrue", ["30"]))
    assert result.ok and result.state is State.DONE, result.message
    assert _actions(app) == ["Loyalty/Earn"]
    assert backend.get_card(DEMO["plenty"]).balance == 2530
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None
    card, step = backend.get_card(DEMO["plenty"]), Step.from_json(entry.steps[0])
    sent = dt.datetime.now(dt.UTC)
    assert backend.evidence(card, step, entry.key, sent=sent) is True
    assert backend.evidence(card, step, "another-key", sent=sent) is False


def test_a_lost_confirm_answer_never_confirms_twice(counter: Counter,
                                                    backend: CpExtenderBackend,
                                                    app: CpExtenderApp,
                                                    cp_server: SandboxServer) -> None:
    cp_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="Authorize/Confirm"))
    result = counter.apply(DEMO["plenty"], Operation.parse("spend", ["75"]))
    assert result.ok and result.state is State.DONE, result.message
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Confirm"]
    assert backend.get_card(DEMO["plenty"]).balance == 2425


def test_a_lost_authorize_answer_leaves_a_hold_to_finish_in_counterpoint(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp,
        cp_server: SandboxServer) -> None:
    """The hold landed but its AuthCode was lost with the answer: never authorized twice."""
    cp_server.faults.add(FaultRule(FaultKind.DROP_AFTER, route="Loyalty/Authorize"))
    result = counter.apply(DEMO["plenty"], Operation.parse("spend", ["60"]))
    assert result.waiting and isinstance(result.error, FinishAtService)
    assert _actions(app) == ["Loyalty/Authorize"]
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None
    card = backend.get_card(DEMO["plenty"])
    step = Step.from_json(entry.steps[0])
    assert backend.evidence(card, step, entry.key, sent=dt.datetime.now(dt.UTC)) is True


def test_evidence_tells_confirmed_from_held_from_cancelled(counter: Counter,
                                                           backend: CpExtenderBackend) -> None:
    held = counter.apply(DEMO["plenty"], Operation.parse("hold", ["10"]))
    entry = counter.journal.get(held.journal_id or 0)
    assert entry is not None
    card, now = backend.get_card(DEMO["plenty"]), dt.datetime.now(dt.UTC)
    confirm = Step.from_json(entry.steps[1])
    assert confirm.cancel is not None
    assert backend.evidence(card, confirm, entry.key, sent=now) is False
    assert backend.evidence(card, confirm.cancel, entry.key, sent=now) is False
    counter.finish(entry.id, cancel=True)
    assert backend.evidence(card, confirm.cancel, entry.key, sent=now) is True
    assert backend.evidence(card, confirm, entry.key, sent=now) is None


# -- command line ---------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from pos_app.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_holds_lists_confirms_and_cancels(
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = _run(capsys, "apply", DEMO["held"], "hold", "100", "--json")
    held = json.loads(out)
    assert code == 0 and held["waiting"] and held["state"] == "pending"
    first = held["journal_id"]
    code, out, _ = _run(capsys, "card", DEMO["held"])
    assert code == 0 and "CP Extender · Points card" in out and "404 points" in out
    assert f"Waiting      #{first} hold 100" in out and "On hold      1,100" in out
    code, out, _ = _run(capsys, "journal")
    assert f"#{first:<5}" in out and "waiting" in out
    code, _, err = _run(capsys, "apply", DEMO["plenty"], "hold-confirm", str(first))
    assert code == 2 and "not an operation on this card" in err
    code, _, err = _run(capsys, "apply", DEMO["held"], "hold-confirm", "x")
    assert code == 2 and "journal id" in err
    code, out, _ = _run(capsys, "apply", DEMO["held"], "hold-confirm", str(first))
    assert code == 0 and out.startswith("Done: Hold 100 points")
    code, out, _ = _run(capsys, "apply", DEMO["held"], "hold", "4", "--json")
    second = json.loads(out)["journal_id"]
    code, out, _ = _run(capsys, "apply", DEMO["held"], "hold-cancel", f"#{second}")
    assert code == 0 and "released; nothing was taken" in out
    code, out, _ = _run(capsys, "card", DEMO["held"], "--json")
    card = json.loads(out)
    assert card["balance"] == "404" and card["waiting"] == []
    assert card["facts"]["On hold"] == "1,000"


def test_a_500_fails_a_read_plainly_and_leaves_an_earn_to_be_checked(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp,
        cp_server: SandboxServer) -> None:
    from pos_app.core.errors import ServiceUnavailable

    cp_server.faults.add(FaultRule(FaultKind.ERROR, route="Loyalty/*/BalanceCheck",
                                   status=500))
    with pytest.raises(ServiceUnavailable, match="HTTP 500"):
        backend.get_card(DEMO["plenty"])
    cp_server.faults.add(FaultRule(FaultKind.ERROR, route="Loyalty/Earn", status=500))
    result = counter.apply(DEMO["plenty"], Operation.parse("accrue", ["5"]))
    assert result.ok and _actions(app) == ["Loyalty/Earn"]  # read first, then sent once
    assert backend.get_card(DEMO["plenty"]).balance == 2505


def test_a_hold_whose_confirm_cannot_be_sent_keeps_waiting(counter: Counter,
                                                           app: CpExtenderApp,
                                                           cp_server: SandboxServer) -> None:
    held = counter.apply(DEMO["plenty"], Operation.parse("hold", ["30"]))
    cp_server.faults.add(FaultRule(FaultKind.DROP_BEFORE, route="Authorize/*", times=None))
    again = counter.finish(held.journal_id or 0)
    assert again.waiting and again.state is State.PENDING and not again.ok
    assert counter.journal.unresolved() == []
    cp_server.faults.clear()
    assert counter.finish(held.journal_id or 0).state is State.DONE
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Confirm"]


def test_cancelling_a_hold_already_released_records_it(counter: Counter,
                                                        backend: CpExtenderBackend,
                                                        app: CpExtenderApp) -> None:
    """A Cancel that landed before the till died: the next one is refused (404), and the
    card shows the hold gone, so the operation is recorded cancelled."""
    held = counter.apply(DEMO["plenty"], Operation.parse("hold", ["30"]))
    entry = counter.journal.get(held.journal_id or 0)
    assert entry is not None
    card = backend.get_card(DEMO["plenty"])
    undo = Step.from_json(entry.steps[1]).cancel
    assert undo is not None
    backend.execute(card, backend.bind(undo, [entry.steps[0]["answer"]]), entry.key)
    result = counter.finish(entry.id, cancel=True)
    assert result.ok and result.state is State.FAILED and "released" in result.message
    assert _actions(app) == ["Loyalty/Authorize", "Authorize/Cancel"]


def test_a_hold_without_authcode_says_counterpoint_from_the_start(
        counter: Counter, backend: CpExtenderBackend, app: CpExtenderApp) -> None:
    """Issue: the till said "finish or cancel it in the journal" until Finish was pressed."""
    result = counter.apply(DEMO["web"], Operation.parse("hold", ["50"]))
    assert result.waiting and isinstance(result.error, FinishAtService), result.message
    assert "Finish it in Counterpoint" in result.message
    assert result.after is not None and result.after.balance == 750  # the hold shows
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None and entry.at_service and entry.waiting_step == 1
    assert "Counterpoint" in (entry.error or "")
    assert _actions(app) == ["Loyalty/Authorize"]
    with pytest.raises(FinishAtService):
        counter.finish(entry.id, cancel=True)
    assert counter.journal.get(entry.id).at_service  # type: ignore[union-attr]
    assert _actions(app) == ["Loyalty/Authorize"]
    # an ordinary hold is not marked, and one cancelled by the cashier reads as cancelled
    plain = counter.apply(DEMO["plenty"], Operation.parse("hold", ["10"]))
    assert plain.ok and plain.error is None
    assert not counter.journal.get(plain.journal_id or 0).at_service  # type: ignore[union-attr]
    undone = counter.finish(plain.journal_id or 0, cancel=True)
    assert undone.cancelled and undone.step == "Release the 10 points held"
    assert counter.journal.get(plain.journal_id or 0).cancelled  # type: ignore[union-attr]
    again = counter.apply(DEMO["plenty"], Operation.parse("hold", ["20"]))
    done = counter.finish(again.journal_id or 0)
    assert done.state is State.DONE and done.step == "Take the 20 points held"


def test_the_command_line_says_a_hold_without_a_code_is_finished_in_counterpoint(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "apply", DEMO["web"], "hold", "50", "--json")
    assert code == 3 and "Counterpoint" in out
    code, out, _ = _run(capsys, "card", DEMO["web"])
    assert "the till cannot finish it; finish it in Counterpoint" in out, out
    assert "hold-confirm" not in out
