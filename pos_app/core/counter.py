"""The counter: the core's single entry point for looking cards up and running operations.

The window and the command line both go through :class:`Counter`; it owns the adapters, the
router and the journal, and starts the sandbox when no service is configured.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.backends.base import Backend, CardRef, HistoryRow, Plan
from pos_app.core.backends.registry import build_backends
from pos_app.core.cards import Card
from pos_app.core.errors import ConfigError, OutcomeUnknown, PosError
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation
from pos_app.core.paths import data_dir
from pos_app.core.router import Router
from pos_app.core.settings import Settings, load_settings

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"


@dataclass
class OperationResult:
    """What happened to one operation, for the result banner and ``--json``."""

    ok: bool
    state: State
    journal_id: int | None
    operation: Operation
    before: Card
    after: Card | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    error: PosError | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return f"Done: {self.operation.describe()}."
        return str(self.error) if self.error else "The operation failed."

    def to_json(self) -> dict[str, Any]:
        card = self.after or self.before
        data: dict[str, Any] = dict(card.to_json())
        data.update({
            "ok": self.ok, "state": self.state.value, "journal_id": self.journal_id,
            "operation": self.operation.name.value, "args": self.operation.args(),
            "card": None if self.after is None else self.after.to_json(),
            "before": self.before.to_json(),
            "outcome": {k: str(v) for k, v in self.outcome.items()},
        })
        if self.error is not None:
            data["error"] = str(self.error)
            data["error_kind"] = self.error.kind
        return data


class Counter:
    """Look cards up, run operations through the journal, find customers, check services."""

    def __init__(self, backends: list[Backend], journal: Journal, *,
                 settings: Settings | None = None, sandbox: Any = None) -> None:
        self.backends = {b.name: b for b in backends}
        self.router = Router(backends)
        self.journal = journal
        self.settings = settings
        self.sandbox = sandbox

    @classmethod
    def open(cls, settings: Settings | None = None) -> Counter:
        """Build from the settings; start the in-process sandbox when nothing is configured."""
        settings = settings or load_settings()
        sandbox = None
        tables = {name: settings.service(name) or {} for name in ("luna", "loona")}
        if settings.uses_sandbox:
            from pos_app.core.sandbox.runner import start_sandbox

            sandbox = start_sandbox(state_dir=data_dir() / "sandbox")
            tables = sandbox.service_settings()
        backends = build_backends(tables)
        if not backends:
            raise ConfigError("No service is configured.")
        journal = Journal(data_dir() / JOURNAL_FILE)
        return cls(backends, journal, settings=settings, sandbox=sandbox)

    def close(self) -> None:
        for backend in self.backends.values():
            backend.close()
        self.journal.close()
        if self.sandbox is not None:
            self.sandbox.stop()

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def on_sandbox(self) -> bool:
        return self.sandbox is not None

    def backend(self, service: str) -> Backend:
        try:
            return self.backends[service]
        except KeyError:
            raise ConfigError(f"The service {service!r} is not configured.") from None

    def lookup(self, code: str) -> Card:
        """Identify the code's service and read the card."""
        backend, claimed = self.router.route(code)
        return backend.get_card(claimed)

    def plan(self, card: Card, operation: Operation) -> Plan:
        """What ``operation`` would do on ``card`` (checked, nothing sent)."""
        return self.backend(card.service).plan(card, operation)

    def apply(self, card: Card | str, operation: Operation) -> OperationResult:
        """Run one operation: plan it, journal it, send its steps, read the card again.

        Errors before anything is sent (unknown code, unsupported operation, bad amount) are
        raised. Once the journal has the operation, the result says what happened instead.
        """
        if isinstance(card, str):
            card = self.lookup(card)
        backend = self.backend(card.service)
        plan = backend.plan(card, operation)
        key = uuid.uuid4().hex
        entry = self.journal.begin(service=card.service, card=card.code, card_id=card.card_id,
                                   plan=plan, key=key, before=card.snapshot())
        answers: list[dict[str, Any]] = []
        for index, step in enumerate(plan.steps):
            try:
                answer = backend.execute(card, step, key)
            except PosError as exc:
                return self._stopped(entry, index, exc, card, plan)
            self.journal.step(entry, index, State.DONE, answer)
            answers.append(answer)
        outcome = backend.outcome(plan, answers)
        after: Card | None
        try:
            after = backend.refresh(card, answers)
        except PosError as exc:
            log.info("operation %s done; re-reading the card failed: %s", entry, exc.kind)
            after = None
        self.journal.finish(entry, State.DONE, after=None if after is None else after.snapshot(),
                            outcome=outcome)
        return OperationResult(True, State.DONE, entry, operation, card, after, outcome)

    def _stopped(self, entry: int, index: int, exc: PosError, card: Card,
                 plan: Plan) -> OperationResult:
        """Record a step that failed or whose answer was lost."""
        if isinstance(exc, OutcomeUnknown):
            state = State.UNKNOWN
        elif index > 0:
            # Earlier steps were applied: the operation is half done and must be resumed.
            state = State.UNKNOWN
            exc = OutcomeUnknown(
                f"Step {index + 1} of {len(plan.steps)} did not go through ({exc.message}); "
                "the earlier steps were applied.",
                "The app completes it when the service answers again.", service=card.service)
        else:
            state = State.FAILED
        self.journal.step(entry, index, state, None)
        self.journal.finish(entry, state, error=str(exc))
        return OperationResult(False, state, entry, plan.operation, card, error=exc)

    def history(self, card: Card) -> list[HistoryRow]:
        return self.backend(card.service).history(card)

    def find_cards(self, *, phone: str | None = None, email: str | None = None,
                   ) -> list[CardRef]:
        """Every card of a customer across the configured services."""
        found: list[CardRef] = []
        errors: list[PosError] = []
        for backend in self.backends.values():
            try:
                found.extend(backend.find_cards(phone=phone, email=email))
            except PosError as exc:
                errors.append(exc)
        if not found and errors:
            raise errors[0]
        return found

    def check(self) -> list[tuple[str, bool, str]]:
        """Try each service: ``(service, works, what was found)``."""
        results = []
        for name, backend in self.backends.items():
            try:
                results.append((name, True, backend.check()))
            except PosError as exc:
                results.append((name, False, str(exc)))
        return results
