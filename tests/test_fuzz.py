"""Fuzzing with Hypothesis: scanned codes, typed amounts and arguments, and server answers.

Whatever comes in, nothing but a :class:`PosError` (a plain message for the cashier) comes
out, no request leaves the configured service addresses or splits a code over path segments,
and nothing is applied at a service on an invalid input.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.core.backends.registry import build_backends
from pos_app.core.counter import Counter, RetryPolicy
from pos_app.core.errors import PosError
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation, OpName
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services import names as service_names
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA

FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
TIMEOUT = httpx.Timeout(2.0)


@dataclass
class Rig:
    """One sandbox and a counter over it, shared by the examples of a module."""

    sandbox: Sandbox
    counter: Counter
    urls: list[str]

    def requests(self) -> list[dict[str, Any]]:
        return [r for s in self.sandbox.servers for r in s.requests]

    def clear_requests(self) -> None:
        for server in self.sandbox.servers:
            server.requests.clear()

    def ledger_sizes(self) -> tuple[int, ...]:
        return tuple(len(server.app.ledger) for server in self.sandbox.servers)

    def ledger_since(self, before: tuple[int, ...]) -> list[dict[str, Any]]:
        return [row for server, n in zip(self.sandbox.servers, before, strict=True)
                for row in server.app.ledger[n:]]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    sandbox = start_sandbox()
    tables = sandbox.service_settings()
    backends = build_backends(tables, timeout=TIMEOUT)
    journal = Journal(tmp_path_factory.mktemp("fuzz") / "journal.sqlite3")
    counter = Counter(backends, journal, sandbox=sandbox)  # type: ignore[arg-type]
    counter.retry = RetryPolicy(attempts=2, base_delay=0.0, max_delay=0.0, settle=0.01,
                                hold=0.1)
    urls: list[str] = []
    for backend in backends:
        client = backend.http._client  # every URL the adapter sends to, before it goes out
        client.event_hooks["request"] = [lambda request: urls.append(str(request.url))]
    yield Rig(sandbox, counter, urls)
    counter.close()


def _allowed(rig: Rig, url: str) -> bool:
    tables = rig.sandbox.service_settings()
    bases = [table["base_url"].rstrip("/") + "/" for table in tables.values()]
    return url == tables["loona"]["token_url"] or any(url.startswith(b) for b in bases)


# -- scanned codes --------------------------------------------------------------------------

HOSTILE_CODES = [
    "../../oauth/token", "..", ".", "%2e%2e", "a/../../b", "/etc/passwd", "?page=1#x",
    "http://evil.example/931520-641-829", "https://127.0.0.2:9/p/931520-641-829",
    "//evil.example/x", "@evil.example", "a\r\nHost: evil", "x%00y", "%2F%2F", "\\..\\..",
    "931520-641-829/../../../x", "931520-641-829?x=/../y", "passes/51201", "encrypted/..",
    "  6179518025  ", "٣٣٣٣٣٣-٣٣٣-٣٣٣", "９３１５２０-６４１-８２９", "\u202e931520-641-829",
    "x" * 5000, "\x00", "", " ", "\ufeff6179518025",
]
codes = st.one_of(
    st.text(max_size=80),
    st.sampled_from(HOSTILE_CODES),
    st.from_regex(r"[0-9]{6}-[0-9]{3}-[0-9]{3}", fullmatch=True),
    st.builds(lambda a, b: a + LUNA["stamps"] + b, st.text(max_size=20), st.text(max_size=20)),
    st.builds(lambda a, b: a + LOONA["gift"] + b,
              st.sampled_from(["", "/", "../", "%2F", "?", "#"]), st.text(max_size=10)),
    st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=40),
)


@FUZZ
@given(code=codes)
def test_scanned_codes_raise_only_plain_errors_and_stay_on_the_base_url(
        rig: Rig, code: str) -> None:
    rig.clear_requests()
    rig.urls.clear()
    before = rig.ledger_sizes()
    try:
        card = rig.counter.lookup(code)
    except PosError as exc:
        assert str(exc)
    else:
        assert card.service in service_names()
    assert rig.ledger_sizes() == before
    for url in rig.urls:
        assert _allowed(rig, url), url
    for request in rig.requests():
        path = request["path"]
        parts = path.split("/")
        assert ".." not in parts and "." not in parts, path
        if path.startswith("/api/v1/"):
            assert len(parts) == 4, path  # Luna codes travel in the body, never the path
        elif path.startswith("/version1/passes/encrypted/"):
            assert len(parts) == 5 and unquote(parts[4]).strip() == parts_code(code), path
        elif path.startswith("/version1/passes/"):
            assert len(parts) == 4 and unquote(parts[3]).isdigit(), path
        elif path.startswith("/v3/"):
            assert len(parts) in (3, 5), path  # a consumer token is one segment
        elif path.startswith(("/Loyalty/", "/Customer/")):  # CP Extender: one segment each
            assert len(parts) == 4 and parts[1:4:2] in (["Loyalty", "BalanceCheck"],
                                                        ["Customer", parts[3]]), path
        else:
            assert path in ("/oauth/token", "/SSO/Login"), path


def parts_code(code: str) -> str:
    return code.strip().strip("\x00").strip()


# -- amounts and arguments ------------------------------------------------------------------

names = st.one_of(st.sampled_from([o.value for o in OpName]), st.text(max_size=20))
typed = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["0", "-1", "1e9", "NaN", "inf", "1,2,3", "0.001", "1 000 000,01", "−5",
                     "9" * 40, "1.5", "12.345", "€ 10", "10 руб.", "0x10", "１０", "٣",
                     "2020-01-01", "9999-12-31", "31.12.2099", " ", "+", "."]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10**15, max_value=10**15).map(str),
)
cards = st.sampled_from([("luna", LUNA[k]) for k in ("cashback", "certificate", "stamps",
                                                      "subscription", "discount")]
                        + [("loona", k) for k in ("bonus", "gift", "chop", "discount")])


@FUZZ
@given(name=names, args=st.lists(typed, max_size=3), target=cards)
def test_typed_operations_raise_only_plain_errors_and_apply_nothing_invalid(
        rig: Rig, name: str, args: list[str], target: tuple[str, str]) -> None:
    service, code = target
    if service == "loona":
        code = next(c["code"] for c in rig.sandbox.loona.app.info()["cards"]
                    if c["code"] and _loona_name(rig, c["code"]) == code)
    before = rig.ledger_sizes()
    try:
        operation = Operation.parse(name, args)
    except PosError as exc:
        assert str(exc)
        assert rig.ledger_sizes() == before
        return
    _apply_checked(rig, code, operation, before)


amounts = st.one_of(st.decimals(min_value=Decimal("-1e7"), max_value=Decimal("1e7"), places=2),
                    st.sampled_from([Decimal(0), Decimal("-0.01"), Decimal("0.01"),
                                     Decimal("1e7"), Decimal("999999999")]))
direct_ops = st.one_of(
    st.builds(Operation, st.sampled_from([OpName.PURCHASE, OpName.SPEND]), amount=amounts),
    st.builds(Operation, st.just(OpName.PURCHASE_SPEND), amount=amounts, spend=amounts),
    st.builds(Operation, st.sampled_from([OpName.ACCRUE, OpName.STAMP, OpName.UNSTAMP,
                                          OpName.REWARD]),
              count=st.integers(min_value=-10**6, max_value=10**6)),
    st.builds(Operation, st.sampled_from(list(OpName))),
)


@FUZZ
@given(operation=direct_ops, target=cards)
def test_out_of_range_operations_are_refused_before_sending(
        rig: Rig, operation: Operation, target: tuple[str, str]) -> None:
    """Operations built without ``Operation.parse`` (as a view could): bad values are refused
    by the adapter's plan, with nothing sent."""
    service, code = target
    if service == "loona":
        code = next(c["code"] for c in rig.sandbox.loona.app.info()["cards"]
                    if c["code"] and _loona_name(rig, c["code"]) == code)
    _apply_checked(rig, code, operation, rig.ledger_sizes())


def _loona_name(rig: Rig, qr: str) -> str:
    from pos_app.core.services.loona.seed import DEMO_IDS

    app = rig.sandbox.loona.app
    pass_id = next(p.id for p in app.passes.values() if p.qr_value == qr)  # type: ignore[attr-defined]
    return next(name for name, i in DEMO_IDS.items() if i == pass_id)


def _apply_checked(rig: Rig, code: str, operation: Operation,
                   before: tuple[int, ...]) -> None:
    """Apply; an error leaves both ledgers as they were; a success applies only sane values."""
    try:
        result = rig.counter.apply(code, operation)
    except PosError as exc:
        assert str(exc)
        assert rig.ledger_sizes() == before
        return
    after = rig.ledger_sizes()
    if not result.ok:
        if result.state is not State.UNKNOWN:  # a timeout under load may leave it unknown
            assert after == before, result.message
        return
    rows = rig.ledger_since(before)
    assert len(rows) <= 3  # none when every step rounds to nothing (a 0.01 Luna purchase)
    for row in rows:
        for key in ("sum", "numberStumps", "numberRewards", "amount", "spendAmount", "chops",
                    "rewardsUsed", "pointsRequested"):
            if key in row["body"]:
                assert Decimal(str(row["body"][key])) >= 0, row


# -- server answers -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=6),
    max_leaves=12)
luna_like = st.fixed_dictionaries(
    {}, optional={"result": st.sampled_from([0, 1, "1", "0", None, "x"]),
                  "error": st.sampled_from([0, 1, 2, 3, 4, 5, 6, "2", None, "abc", 99]),
                  "type": st.sampled_from(["0", "1", "2", "4", "5", "9", 1, None, "x"]),
                  "status": st.sampled_from(["installed", "deleted", "x", None, 3]),
                  "activeStamps": json_values, "amountMoneyBonus": json_values,
                  "currentPersentBonus": json_values, "unusedRewards": json_values,
                  "expirationDate": json_values, "userID": json_values})
loona_like = st.fixed_dictionaries(
    {}, optional={"id": st.sampled_from([51205, "51205", 0, -1, None, "x", 1.5]),
                  "type": st.sampled_from(["GIFT", "BONUS", "CHOP", "x", None, 1]),
                  "status": st.sampled_from(["ACTIVE", "USED", "x", None]),
                  "balance": json_values, "chops": json_values, "level": json_values,
                  "holder": json_values, "code": st.sampled_from(["INSUFFICIENT_BALANCE", "X",
                                                                  None, 1]),
                  "transactionId": json_values, "encryptedId": json_values,
                  "expirationDate": json_values})
bodies = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    luna_like.map(lambda d: json.dumps([d])),
    luna_like.map(json.dumps),
    loona_like.map(json.dumps),
)


@FUZZ
@given(body=bodies, service=st.sampled_from(service_names()), apply=st.booleans(),
       write=st.booleans())
def test_arbitrary_answers_raise_only_plain_errors(rig: Rig, body: str, service: str,
                                                   apply: bool, write: bool) -> None:
    backend = rig.counter.backends[service]
    server = rig.sandbox.server(service)
    exercise = server.app.exercise()
    code = exercise.spend_code
    card = backend.get_card(code)
    route = exercise.writes if write else exercise.reads
    server.faults.add(FaultRule(FaultKind.MALFORMED, route=route, body=body, apply=apply))
    try:
        if write:
            op, *args = exercise.write_op
            plan = backend.plan(card, Operation.parse(op, args))
            answer = backend.execute(card, plan.steps[0], f"fuzz-{id(body)}-{len(body)}")
            assert isinstance(answer, dict)
        else:
            assert backend.get_card(code).service == service
    except PosError as exc:
        assert str(exc)
    finally:
        server.faults.clear()


def test_hostile_code_list_is_all_refused_or_found(rig: Rig) -> None:
    """The fixed hostile codes once more, outside Hypothesis, with their paths on record."""
    seen = 0
    for code in HOSTILE_CODES:
        rig.urls.clear()
        with contextlib.suppress(PosError):
            rig.counter.lookup(code)
        seen += len(rig.urls)
        for url in rig.urls:
            assert _allowed(rig, url), (code, url)
            assert urlsplit(url).hostname == "127.0.0.1"
    assert seen > 10  # the hook sees the requests (the check is not vacuous)


#: What a sick proxy or service answers with 200 (the soak's junk).
JUNK = ("<html><body><h1>502 Bad Gateway</h1></body></html>", "", "[", "null", "[]", "{}",
        "[{}]", "[1, 2]", '{"status": "ok"}', '"ok"', "true")


def _writes(rig: Rig) -> Iterator[tuple[str, Any, Any, Any]]:
    """Each service's first write step (and vmob's offer report), with its card."""
    from pos_app.core.services.vmob.seed import OFFERS

    for service in service_names():
        backend = rig.counter.backends[service]
        exercise = rig.sandbox.server(service).app.exercise()
        card = backend.get_card(exercise.spend_code)
        op, *args = exercise.write_op
        yield service, backend, card, backend.plan(card, Operation.parse(op, args)).steps[0]
    vmob = rig.counter.backends["vmob"]
    offer = vmob.get_card(next(iter(OFFERS)))
    yield "vmob", vmob, offer, vmob.plan(offer, Operation.parse("report-offer")).steps[0]


@pytest.mark.parametrize("body", JUNK)
def test_junk_answered_to_a_write_that_was_not_applied_never_counts_as_done(
        rig: Rig, body: str) -> None:
    for service, backend, card, step in _writes(rig):
        server = rig.sandbox.server(service)
        before = rig.ledger_sizes()
        server.faults.add(FaultRule(FaultKind.MALFORMED, route=server.app.exercise().writes,
                                    body=body, apply=False))
        try:
            with pytest.raises(PosError):
                backend.execute(card, step, f"junk-{service}-{len(body)}-{body[:3]}")
        finally:
            server.faults.clear()
        assert rig.ledger_sizes() == before, service
