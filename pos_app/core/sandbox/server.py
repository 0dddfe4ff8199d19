"""A small threaded HTTP server that runs one sandboxed service on loopback.

Each service is a :class:`~pos_app.core.sandbox.app.ServiceApp` that turns a
:class:`~pos_app.core.sandbox.app.Request` into a :class:`~pos_app.core.sandbox.app.Response`
under its own lock. The server adds what every sandbox needs: fault injection, a log of the
requests received (paths exactly as they arrived), a ledger of applied changes, optional state
persistence, and the control routes under ``/_sandbox/``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pos_app.core.sandbox.app import Request, Response, ServiceApp
from pos_app.core.sandbox.faults import FaultInjector, FaultKind, FaultRule
from pos_app.core.sandbox.state import StateFile

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sandbox/"
MAX_REQUEST_BYTES = 1 << 20


#: serve_forever's poll: only how often an idle loop wakes (stop() does not wait for it).
IDLE_POLL_S = 30.0


class SandboxServer(ThreadingHTTPServer):
    """One service on loopback. ``start()`` runs it on a daemon thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, app: ServiceApp, host: str = "127.0.0.1", port: int = 0,
                 state: StateFile | None = None, seed: int | None = None) -> None:
        self.app = app
        self.faults = FaultInjector(seed=seed)
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self.state = state
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        saved = None if state is None else state.load(app.name)
        if saved is not None:
            try:
                app.load_state(saved)
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("sandbox %s: saved state unusable (%s); starting fresh",
                            app.name, type(exc).__name__)
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self.base_url + self.app.base_path

    def start(self) -> SandboxServer:
        # No polling: the loop sleeps until a connection comes; stop() wakes it with one.
        self._thread = threading.Thread(target=self.serve_forever,
                                        kwargs={"poll_interval": IDLE_POLL_S},
                                        name=f"sandbox-{self.app.name}", daemon=True)
        self._thread.start()
        return self

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def stop(self) -> None:
        """Stop serving and cut every open connection, as a service that went away would."""
        self._stopping.set()
        self._shutdown_now()
        self.server_close()
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _shutdown_now(self) -> None:
        """``shutdown()`` without waiting for the loop's poll: connect to the server until
        the loop has seen the request to stop (each connection wakes it at once)."""
        if self._thread is None or not self._thread.is_alive():
            return
        waiter = threading.Thread(target=self.shutdown, name="sandbox-stop", daemon=True)
        waiter.start()
        host, port = self.server_address[:2]
        while waiter.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection((host, port), timeout=0.5).close()
            waiter.join(0.02)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        self._stopping.wait(seconds)

    def save_state(self) -> None:
        if self.state is not None:
            self.state.save(self.app.name, self.app.state())


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    #: Headers and body go out in separate writes: without TCP_NODELAY each answer waits
    #: ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox %s: " + format, self.server.app.name, *args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        server, app = self.server, self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(Response.json({"error": "request too large"}, 413))
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        raw_path = parts.path
        if raw_path.startswith(CONTROL_PREFIX):
            self._send(self._control(raw_path[len(CONTROL_PREFIX):], body))
            return
        below = raw_path[len(app.base_path):] if raw_path.startswith(app.base_path) else raw_path
        segments = [unquote(s) for s in below.strip("/").split("/")] if below.strip("/") else []
        request = Request(
            method=self.command, raw_path=raw_path, route="/".join(segments), segments=segments,
            query=parse_qs(parts.query), body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        server.requests.append({"method": self.command, "path": raw_path,
                                "route": request.route, "time": time.time()})
        fault = server.faults.pick(self.command, request.route)
        if fault is not None:
            self._inject(fault, request)
            return
        self._send(self._apply(request))

    def _apply(self, request: Request) -> Response:
        server, app = self.server, self.server.app
        with app.lock:
            try:
                response = app.handle(request)
            except Exception:  # a sandbox bug must not kill the server thread
                log.exception("sandbox %s: handler failed", app.name)
                response = Response.json({"error": "sandbox failure"}, 500)
            if response.changed:
                server.save_state()
        return response

    def _inject(self, fault: FaultRule, request: Request) -> None:
        server = self.server
        kind = fault.kind
        log.debug("sandbox %s: injecting %s on %s", server.app.name, kind, request.route)
        if kind is FaultKind.DELAY:
            server.wait(fault.delay)
            self._send(self._apply(request))
        elif kind is FaultKind.TIMEOUT:
            server.wait(fault.delay or 30.0)
            self._drop()
        elif kind is FaultKind.DROP_BEFORE:
            self._drop()
        elif kind is FaultKind.DROP_AFTER:
            self._apply(request)
            self._drop()
        elif kind is FaultKind.ERROR:
            self._send(Response(fault.status, b"<html><body>Service unavailable</body></html>",
                                {"Content-Type": "text/html"}))
        elif kind is FaultKind.RATE_LIMIT:
            self._send(Response.json({"code": "TOO_MANY_REQUESTS", "message": "slow down"}, 429,
                                     {"Retry-After": f"{fault.retry_after:g}"}))
        elif kind is FaultKind.MALFORMED:
            if fault.apply:
                self._apply(request)
            self._send(Response(200, fault.body.encode("utf-8"),
                                {"Content-Type": "application/json"}))
        elif kind is FaultKind.HUGE:
            self._send_huge(fault.size)
        elif kind is FaultKind.TRICKLE:
            self._send_trickle(fault.delay or 1.0)
        elif kind is FaultKind.REDIRECT:
            self._send(Response(307, b"", {"Location": fault.location}))

    def _control(self, what: str, body: bytes) -> Response:
        server = self.server
        if what == "faults" and self.command == "POST":
            try:
                rules = [FaultRule.from_json(r) for r in json.loads(body or b"[]")]
            except (ValueError, KeyError, TypeError) as exc:
                return Response.json({"error": f"bad fault rules: {exc}"}, 400)
            for rule in rules:
                server.faults.add(rule)
            return Response.json({"rules": len(server.faults.rules)})
        if what == "faults" and self.command == "DELETE":
            server.faults.clear()
            return Response.json({"rules": 0})
        if what == "faults":
            return Response.json({"rules": [r.to_json() for r in server.faults.rules],
                                  "injected": server.faults.counts()})
        if what == "unthrottle" and self.command == "POST":
            with server.app.lock:
                server.app.unthrottle()
            return Response.json({"unthrottled": True})
        if what == "ledger":
            with server.app.lock:
                return Response.json(server.app.ledger)
        if what == "requests":
            return Response.json(list(server.requests))
        if what == "state":
            with server.app.lock:
                return Response.json(server.app.state())
        if what == "info":
            return Response.json(server.app.info())
        if what == "exercise":
            return Response.json(server.app.exercise().to_json())
        if what == "values":
            with server.app.lock:
                return Response.json(server.app.card_values())
        return Response.json({"error": "unknown control route"}, 404)

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_huge(self, size: int) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"[" + b" " * 65535
            sent = 0
            while sent < size and not self.server._stopping.is_set():
                part = chunk[: min(len(chunk), size - sent)]
                self.wfile.write(part)
                sent += len(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _send_trickle(self, every: float) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                if self.server._stopping.is_set():
                    break
                self.wfile.write(b" ")
                self.wfile.flush()
                self.server.wait(every)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True
