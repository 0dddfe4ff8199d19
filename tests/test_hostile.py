"""A hostile server: huge bodies (the read is capped), answers that trickle in (the timeouts and
the overall deadline hold), redirects to another host (never followed, no credentials sent)."""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import load_soak

from pos_app.core import services
from pos_app.core.backends import http as service_http
from pos_app.core.backends.base import Backend
from pos_app.core.backends.http import MAX_BODY_BYTES, ServiceHttp
from pos_app.core.backends.registry import build_backend
from pos_app.core.counter import Counter
from pos_app.core.errors import BadResponse, OutcomeUnknown, PosError, ServiceUnavailable
from pos_app.core.journal import State
from pos_app.core.operations import Operation
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services import SERVICES, names

#: How each service is driven: its read and write routes, a card to spend from.
EXERCISES = {spec.name: spec.sandbox().exercise() for spec in SERVICES}
ROUTES = {name: (ex.reads, ex.writes) for name, ex in EXERCISES.items()}
CODES = {name: ex.spend_code for name, ex in EXERCISES.items()}
#: Services with a call that reads a card (a lookup sends a request).
READERS = [name for name, ex in EXERCISES.items() if ex.reads is not None]


def _write_op(service: str) -> Operation:
    """The exercise's operation that changes the service's demo card."""
    op, *args = EXERCISES[service].write_op
    return Operation.parse(op, args)


class _Trap(BaseHTTPRequestHandler):
    """Records anything that reaches it."""

    server: _TrapServer

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append({"method": self.command, "path": self.path,
                                 "headers": dict(self.headers.items()),
                                 "body": self.rfile.read(length) if length else b""})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _TrapServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str) -> None:
        self.seen: list[dict[str, Any]] = []
        super().__init__((host, 0), _Trap)


@pytest.fixture
def trap() -> Iterator[_TrapServer]:
    """Another host on loopback (127.0.0.2 where the system routes it) that logs requests."""
    try:
        server = _TrapServer("127.0.0.2")
    except OSError:
        server = _TrapServer("127.0.0.1")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox()
    yield sb
    sb.stop()


@pytest.fixture
def counter(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Counter]:
    monkeypatch.setattr(service_http, "DEFAULT_DEADLINE", 1.5)
    c = load_soak().build_counter(sandbox, tmp_path / "journal.sqlite3")
    yield c
    c.close()


def _server(sandbox: Sandbox, service: str) -> SandboxServer:
    return sandbox.server(service)


def _write(counter: Counter, service: str) -> tuple[Backend, Any, Any]:
    backend = counter.backends[service]
    card = backend.get_card(CODES[service])
    plan = backend.plan(card, _write_op(service))
    return backend, card, plan.steps[0]


# -- huge bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("service", names())
def test_a_huge_answer_is_cut_off_at_the_cap(counter: Counter, sandbox: Sandbox,
                                              service: str) -> None:
    server = _server(sandbox, service)
    read, write = ROUTES[service]
    backend, card, step = _write(counter, service)
    if read is not None:
        server.faults.add(FaultRule(FaultKind.HUGE, route=read, size=256 * 1024 * 1024))
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(BadResponse, match="larger than"):
                backend.get_card(CODES[service])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert time.monotonic() - started < 5.0  # 256 MiB were not read
        assert peak < 8 * MAX_BODY_BYTES
    # On a write the request did reach the service: the outcome is unknown, not "failed".
    server.faults.add(FaultRule(FaultKind.HUGE, route=write, size=8 * 1024 * 1024))
    with pytest.raises(OutcomeUnknown):
        backend.execute(card, step, "huge-key-1")


@pytest.mark.parametrize("service", names())
def test_a_huge_answer_to_an_operation_is_resolved_not_guessed(counter: Counter,
                                                                sandbox: Sandbox,
                                                                service: str) -> None:
    server = _server(sandbox, service)
    server.faults.add(FaultRule(FaultKind.HUGE, route=ROUTES[service][1], size=4 * 1024 * 1024))
    result = counter.apply(CODES[service], _write_op(service))
    assert result.ok and result.state is State.DONE, result.message
    entry = counter.journal.get(result.journal_id or 0)
    assert entry is not None and len(server.app.ledger) == len(entry.steps)  # once each


# -- answers that trickle in ----------------------------------------------------------------


@pytest.mark.parametrize("service", names())
def test_a_trickling_answer_hits_the_deadline(counter: Counter, sandbox: Sandbox,
                                              service: str) -> None:
    """A byte every 0.1 s never trips a per-read timeout; the overall deadline (1.5 s here,
    20 s in the app) ends it."""
    server = _server(sandbox, service)
    read, write = ROUTES[service]
    backend, card, step = _write(counter, service)
    if read is not None:
        server.faults.add(FaultRule(FaultKind.TRICKLE, route=read, delay=0.1))
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="in time"):
            backend.get_card(CODES[service])
        assert time.monotonic() - started < 3.0
    server.faults.add(FaultRule(FaultKind.TRICKLE, route=write, delay=0.1))
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown):
        backend.execute(card, step, "trickle-key-1")
    assert time.monotonic() - started < 3.0


def test_the_deadline_is_per_request_and_configurable(sandbox: Sandbox) -> None:
    sandbox.loona.faults.add(FaultRule(FaultKind.TRICKLE, route="passes/*", delay=0.05))
    http = ServiceHttp("Loona", sandbox.loona.url, timeout=httpx.Timeout(1.0), deadline=30)
    try:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable):
            http.request("GET", http.url("passes", "1"), mutating=False, deadline=0.5)
        assert 0.4 < time.monotonic() - started < 2.0
    finally:
        http.close()


@pytest.mark.parametrize("service", READERS)
def test_a_silent_server_hits_the_read_timeout(counter: Counter, sandbox: Sandbox,
                                               service: str) -> None:
    _server(sandbox, service).faults.add(FaultRule(FaultKind.TIMEOUT, route=ROUTES[service][0],
                                                   delay=5.0))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="in time"):
        counter.backends[service].get_card(CODES[service])
    assert time.monotonic() - started < 2.0


# -- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("service", names())
def test_redirects_to_another_host_are_not_followed(counter: Counter, sandbox: Sandbox,
                                                    trap: _TrapServer, service: str) -> None:
    server = _server(sandbox, service)
    host, port = trap.server_address[:2]
    where = f"http://{host}:{port}/stolen"
    read, write = ROUTES[service]
    backend, card, step = _write(counter, service)
    auth = EXERCISES[service].auth
    for route in [r for r in (read, write, auth) if r]:
        server.faults.add(FaultRule(FaultKind.REDIRECT, route=route, location=where))
    if auth:  # a new adapter fetches a token first: redirected
        fresh = build_backend(services.get(service), server.app.settings(server))
        try:
            with pytest.raises(PosError):
                fresh.get_card(CODES[service])
        finally:
            fresh.close()
    if read is not None:
        with pytest.raises(PosError):
            backend.get_card(CODES[service])
    with pytest.raises(PosError):
        backend.execute(card, step, "redirect-key-1")
    assert trap.seen == []
    assert server.app.ledger == []


def test_a_redirected_operation_is_still_applied_exactly_once(
        counter: Counter, sandbox: Sandbox, trap: _TrapServer) -> None:
    host, port = trap.server_address[:2]
    for service in names():
        _server(sandbox, service).faults.add(FaultRule(
            FaultKind.REDIRECT, route=ROUTES[service][1], location=f"http://{host}:{port}/x"))
        result = counter.apply(CODES[service], _write_op(service))
        assert result.state in (State.DONE, State.FAILED), result.message
        applied = len(_server(sandbox, service).app.ledger)
        entry = counter.journal.get(result.journal_id or 0)
        assert entry is not None
        assert applied == (len(entry.steps) if result.state is State.DONE else 0)
    assert trap.seen == []
