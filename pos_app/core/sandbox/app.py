"""What every sandboxed service is made of: the request and answer it sees, its failure
type, its state (data and ledger, saved alike for every service), its demo cards and the
settings table that points the app at it. Each service package subclasses :class:`ServiceApp`.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer


@dataclass
class Request:
    method: str
    raw_path: str                 # exactly as received, still percent-encoded
    route: str                    # the path below the app's base, decoded per segment
    segments: list[str]           # decoded path segments below the base
    query: dict[str, list[str]]
    headers: dict[str, str]       # lower-cased names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    def form(self) -> dict[str, str]:
        try:
            pairs = parse_qs(self.body.decode("ascii"), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}
        return {k: v[-1] for k, v in pairs.items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Whether the request changed the service's state (saved, and counted in the ledger).
    changed: bool = False

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None,
             changed: bool = False) -> Response:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})},
                   changed)


@dataclass(frozen=True)
class Exercise:
    """How generic tests, soak runs and benchmarks drive a sandboxed service.

    Routes are fault-injection globs on the path below the service's base.
    """

    #: Calls that read a card (``None``: the service has none, a lookup sends nothing), and
    #: calls that change one.
    reads: str | None
    writes: str
    #: A demo card with value to take (``write_op`` works on it).
    spend_code: str
    #: The token or login route, for services that have one.
    auth: str | None = None
    #: Whether the ledger records the operation's key (the service de-duplicates by it); for
    #: the others the ledger is compared step by step, by these actions. A keyed service may
    #: have actions without a key on the wire too: those are compared step by step.
    keyed: bool = True
    step_actions: tuple[str, ...] = ()
    #: An operation (name and arguments) that changes ``spend_code``'s card.
    write_op: tuple[str, ...] = ("spend", "1")
    #: Step actions the service takes once per identical body (a second one is the same
    #: report, not another).
    once_per_body: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"reads": self.reads, "writes": self.writes, "spend_code": self.spend_code,
                "auth": self.auth, "keyed": self.keyed, "step_actions": list(self.step_actions),
                "write_op": list(self.write_op), "once_per_body": list(self.once_per_body)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exercise:
        reads = data.get("reads")
        return cls(None if reads is None else str(reads), str(data["writes"]),
                   str(data["spend_code"]), data.get("auth"), bool(data.get("keyed", True)),
                   tuple(data.get("step_actions") or ()),
                   tuple(str(a) for a in data.get("write_op") or ("spend", "1")),
                   tuple(str(a) for a in data.get("once_per_body") or ()))


class Failure(Exception):
    """An error answer, raised anywhere in a handler and sent as it is.

    Each service subclasses it with a constructor that builds its own error shape.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class ServiceApp:
    """Base of a sandboxed service: its state, its ledger and its request handler.

    Subclasses implement :meth:`route` (raising :class:`Failure` for error answers),
    :meth:`dump` and :meth:`restore` for their data, :meth:`info` for demo cards, and
    :meth:`settings` for what the app needs beyond the address.
    """

    #: Path prefix the service lives under (``/api/v1``...).
    base_path = ""
    name = "service"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        #: Every change applied, in order: ``{"seq", "action", "key", "card", "body", "result"}``.
        self.ledger: list[dict[str, Any]] = []

    def handle(self, request: Request) -> Response:
        """The answer to one request (the server holds :attr:`lock`)."""
        try:
            return self.route(request)
        except Failure as failure:
            return failure.response

    def route(self, request: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def record(self, action: str, card: str, body: Any, result: Any, key: str | None = None,
               ) -> None:
        self.ledger.append({"seq": len(self.ledger) + 1, "time": time.time(), "action": action,
                            "card": card, "key": key, "body": body, "result": result})

    # -- state -----------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The service's own data as JSON-ready values (the ledger is added by :meth:`state`)."""
        return {}

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the service's data with :meth:`dump`'s; raise ``KeyError``, ``TypeError`` or
        ``ValueError`` (changing nothing) when ``data`` is not usable."""

    def state(self) -> dict[str, Any]:
        """Data and ledger, for ``--state`` persistence and ``/_sandbox/state``."""
        with self.lock:
            return {**copy.deepcopy(self.dump()), "ledger": copy.deepcopy(self.ledger)}

    def load_state(self, data: dict[str, Any]) -> None:
        """Replace data and ledger with a saved :meth:`state`."""
        ledger = data.get("ledger") or []
        if not isinstance(ledger, list):
            raise TypeError("state: the ledger is not a list")
        with self.lock:
            self.restore(data)
            self.ledger = copy.deepcopy(ledger)

    # -- what people and the app are told -------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Credentials and demo data (``cards``: code, kind, label, holder) for people."""
        return {}

    def demo_cards(self) -> list[dict[str, Any]]:
        """The demo cards, each with this service's name."""
        return [{"service": self.name, **card} for card in self.info().get("cards", [])]

    def exercise(self) -> Exercise:  # pragma: no cover - abstract
        """How tests and benchmarks drive this service."""
        raise NotImplementedError

    def card_codes(self) -> list[str]:
        """Every code a soak run may pick (the demo cards' by default)."""
        return [card["code"] for card in self.info().get("cards", [])]

    def card_values(self) -> dict[str, dict[str, Any]]:
        """Card id -> the raw values a card reports, for services checked by value (their
        steps' ``expect`` names these values); empty for the others."""
        return {}

    def shorten_tokens(self, seconds: float) -> None:
        """Issue access tokens that live ``seconds`` (services with tokens)."""

    def unthrottle(self) -> None:
        """Lift the service's request-rate limit (soak runs send far more than a till)."""

    def showcase(self) -> dict[str, str]:
        """Demo codes by the state they show best (``stamps``, ``discount``, ``gift``...), for
        the screenshot tour and benchmarks; services add what they have."""
        return {}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        """The settings table that points the app at this service running on ``server``."""
        return {"base_url": server.url}
