"""Fault injection for the sandbox: what a bad network or a sick service does to a request.

Rules are matched per route (a glob on the path below the service's base) and can hit a set
number of requests or a share of them. They are switched on from Python (tests in the same
process) or over HTTP at ``/_sandbox/faults`` (tests and soak runs in another process).
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    DELAY = "delay"              # answer normally after ``delay`` seconds
    TIMEOUT = "timeout"          # hold the request ``delay`` seconds, then close; not applied
    DROP_BEFORE = "drop-before"  # close the connection without applying
    DROP_AFTER = "drop-after"    # apply, then close the connection without answering
    ERROR = "error"              # answer ``status`` (5xx) without applying
    RATE_LIMIT = "rate-limit"    # answer 429 with Retry-After without applying
    MALFORMED = "malformed"      # answer 200 with ``body`` (junk); applied only if ``apply``
    HUGE = "huge"                # answer 200 with a body of ``size`` bytes; not applied
    TRICKLE = "trickle"          # answer a byte every ``delay`` seconds; not applied
    REDIRECT = "redirect"        # answer 307 to ``location``; not applied


@dataclass
class FaultRule:
    kind: FaultKind
    route: str = "*"
    #: How many matching requests it hits; ``None`` for all of them.
    times: int | None = 1
    #: The share of matching requests it hits (0..1).
    probability: float = 1.0
    method: str = "*"
    delay: float = 0.0
    status: int = 503
    retry_after: float = 1.0
    body: str = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    apply: bool = False
    size: int = 5 * 1024 * 1024
    location: str = "http://127.0.0.2:9/stolen"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["kind"] = FaultKind(values["kind"])
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    def matches(self, method: str, route: str) -> bool:
        """Whether the rule hits this request: ``route`` is a glob, or several joined by
        ``|``."""
        return (self.method in ("*", method)) and any(
            fnmatch.fnmatchcase(route, glob) for glob in self.route.split("|"))


@dataclass
class FaultInjector:
    """Thread-safe set of rules; :meth:`pick` decides the fault for one request."""

    seed: int | None = None
    rules: list[FaultRule] = field(default_factory=list)
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def pick(self, method: str, route: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, route):
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                self.injected[rule.kind.value] += 1
                return rule
            return None

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.injected)
