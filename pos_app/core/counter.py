"""The counter: the core's single entry point for looking cards up and running operations.

The window and the command line both go through :class:`Counter`; it owns the adapters, the
router and the journal, and starts the sandbox when no service is configured.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.backends.base import Backend, CardRef, CardTemplate, HistoryRow, Plan, Step
from pos_app.core.backends.registry import build_backends
from pos_app.core.cards import Card, CardKind, CardStatus, Holder
from pos_app.core.errors import (
    AwaitingCashier,
    CardNotFound,
    ConfigError,
    FinishAtService,
    ForeignCard,
    IdempotencyConflict,
    InvalidInput,
    NotSupported,
    OutcomeUnknown,
    PosError,
    RateLimited,
    Refused,
    ServiceUnavailable,
    StaleCode,
)
from pos_app.core.figures import Figures
from pos_app.core.journal import STEP_CANCELLED, Entry, Journal, State
from pos_app.core.operations import Operation, OpName
from pos_app.core.paths import data_dir
from pos_app.core.reconcile import expected_fields, observe, step_applied
from pos_app.core.router import Router
from pos_app.core.services import SERVICES
from pos_app.core.settings import Settings, load_settings

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"
#: The in-process sandbox's demo data, kept across restarts.
SANDBOX_FILE = "sandbox.json"

#: Called with a short plain status while an operation is being retried or checked.
Progress = Callable[[str], None]

#: Answers by which a service refuses a request outright (nothing was applied by it).
_DEFINITE_REFUSALS = (Refused, NotSupported, StaleCode, CardNotFound, ForeignCard,
                      IdempotencyConflict)
#: What to do after enrolling a customer whose answer was lost.
_ENROL_UNKNOWN_HINT = ("The card may have been issued: find the customer by phone or email "
                       "before trying again.")


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a step whose answer was lost is tried again."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    max_retry_after: float = 10.0
    #: After a lost answer, a service without idempotency keys is read twice this far apart
    #: before a step is re-sent: a write that lands late must not be applied twice.
    settle: float = 0.5

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based): exponential, capped."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return min(self.base_delay * (2 ** (retry - 1)), self.max_delay)


def _operation_from_entry(entry: Entry) -> Operation:
    """The journalled operation (its arguments were checked when it was first run)."""
    try:
        return Operation.parse(entry.operation, entry.args)
    except PosError:  # e.g. an expiry date that has passed since
        return Operation(OpName(entry.operation))


def _plan_from_entry(entry: Entry) -> Plan:
    return Plan(_operation_from_entry(entry), tuple(Step.from_json(s) for s in entry.steps),
                Figures.from_mapping(entry.outcome))


def _progress_from_entry(entry: Entry) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                dict[str, Any]]:
    """The ``expect`` and answers of the steps done, and the values recorded before."""
    done = [s for s in entry.steps if s.get("state") == "done"]
    return ([s.get("expect") or {} for s in done], [s.get("answer") or {} for s in done],
            (entry.before or {}).get("observed") or {})


def _card_from_entry(entry: Entry) -> Card:
    """Enough of a card to resend a journalled step (the code and id as they were)."""
    before = entry.before or {}
    try:
        kind = CardKind(before.get("kind"))
    except ValueError:
        kind = CardKind.POINTS
    try:
        status = CardStatus(before.get("status"))
    except ValueError:
        status = CardStatus.ACTIVE
    return Card(service=entry.service, code=entry.card, card_id=entry.card_id, kind=kind,
                status=status, raw=dict(before.get("observed") or {}))


@dataclass
class OperationResult:
    """What happened to one operation, for the result banner and ``--json``."""

    ok: bool
    state: State
    journal_id: int | None
    operation: Operation
    before: Card
    after: Card | None = None
    outcome: Figures = field(default_factory=Figures)
    error: PosError | None = None
    #: Left open at a step for the cashier to finish or cancel (a hold to confirm).
    waiting: bool = False
    #: What to say instead of "Done: ..." (a cancelled hold).
    note: str = ""

    @property
    def queued(self) -> bool:
        """Journalled but not sent: the service was unreachable; it goes when it is back."""
        return self.state is State.PENDING

    @property
    def message(self) -> str:
        if self.ok and self.note:
            return self.note
        if self.ok and self.waiting:
            return (f"{self.operation.describe()}: waiting to be finished or cancelled "
                    f"(journal #{self.journal_id}).")
        if self.ok:
            return f"Done: {self.operation.describe()}."
        return str(self.error) if self.error else "The operation failed."

    def to_json(self) -> dict[str, Any]:
        card = self.after or self.before
        data: dict[str, Any] = dict(card.to_json())
        data.update({
            "ok": self.ok, "state": self.state.value, "journal_id": self.journal_id,
            "waiting": self.waiting,
            "operation": self.operation.name.value, "args": self.operation.args(),
            "card": None if self.after is None else self.after.to_json(),
            "before": self.before.to_json(),
            "outcome": self.outcome.to_json(),
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
        self.retry = RetryPolicy()
        #: Queue operations that only add value when their service is unreachable.
        self.queue_offline = True
        #: Services that did not answer last time: name -> plain message.
        self.unreachable: dict[str, str] = {}
        self._sleep: Callable[[float], None] = time.sleep

    @classmethod
    def open(cls, settings: Settings | None = None) -> Counter:
        """Build from the settings; start the in-process sandbox when nothing is configured."""
        settings = settings or load_settings()
        sandbox = None
        tables = {spec.name: settings.service(spec.name) or {} for spec in SERVICES}
        if settings.uses_sandbox:
            from pos_app.core.sandbox.runner import start_sandbox

            sandbox = start_sandbox(state_file=data_dir() / SANDBOX_FILE)
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
        with self._watch(backend):
            return backend.get_card(claimed)

    @contextlib.contextmanager
    def _watch(self, backend: Backend) -> Iterator[None]:
        """Keep :attr:`unreachable` up to date with what each call to a service shows."""
        try:
            yield
        except ServiceUnavailable as exc:
            if not isinstance(exc, RateLimited):
                self.unreachable[backend.name] = exc.message
            raise
        except PosError:
            self.unreachable.pop(backend.name, None)
            raise
        self.unreachable.pop(backend.name, None)

    def plan(self, card: Card, operation: Operation) -> Plan:
        """What ``operation`` would do on ``card`` (checked, nothing sent)."""
        return self.backend(card.service).plan(card, operation)

    def apply(self, card: Card | str, operation: Operation, *,
              progress: Progress | None = None) -> OperationResult:
        """Run one operation: plan it, journal it, send its steps, read the card again.

        Errors before anything is sent (unknown code, unsupported operation, bad amount) are
        raised. Once the journal has the operation, the result says what happened instead:
        lost answers are retried safely (same key for an idempotent service; the card read
        and compared first for the others) up to the retry policy's bound, then left
        ``unknown`` for :meth:`resolve`.
        """
        fresh = isinstance(card, str)
        if isinstance(card, str):
            card = self.lookup(card)
        backend = self.backend(card.service)
        if not backend.idempotent and not fresh:
            # The values recorded before sending must be the card's current ones, or a lost
            # answer could never be reconciled (another till may have changed the card).
            try:
                with self._watch(backend):
                    card = backend.get_card(card.card_id)
            except ServiceUnavailable:
                if operation.takes_value:
                    raise
                # Unreachable: an addition is queued below against the card as last seen.
        plan = backend.plan(card, operation)
        key = uuid.uuid4().hex
        observed = observe(card.raw, expected_fields(s.to_json() for s in plan.steps))
        entry = self.journal.begin(service=card.service, card=card.code, card_id=card.card_id,
                                   plan=plan, key=key,
                                   before={**card.snapshot(), "observed": observed})
        return self._drive(entry, backend, card, plan, key, observed, 0, [], False,
                           progress or _quiet)

    def resolve(self, entry_id: int, *, progress: Progress | None = None) -> OperationResult:
        """Finish an operation left ``pending`` or ``unknown`` (after a crash or lost answer).

        The first step not known to be done is treated as possibly sent: an idempotent
        service gets it again with the same key; for the others the card is read and
        compared with the values recorded before sending, and only then is it re-sent.
        """
        entry = self.journal.get(entry_id)
        if entry is None:
            raise ConfigError(f"There is no journal entry #{entry_id}.")
        plan = _plan_from_entry(entry)
        operation = plan.operation
        backend = self.backend(entry.service)
        card = _card_from_entry(entry)
        if entry.waiting_step is not None:
            return OperationResult(False, entry.state, entry.id, operation, card, waiting=True,
                                   error=AwaitingCashier(entry.error or "", service=entry.service))
        if entry.state in (State.DONE, State.FAILED):
            return OperationResult(entry.state is State.DONE, entry.state, entry.id, operation,
                                   card, outcome=plan.preview,
                                   error=None if entry.error is None else OutcomeUnknown(
                                       entry.error))
        done, answers, observed = _progress_from_entry(entry)
        start = next((i for i, s in enumerate(entry.steps) if s.get("state") != "done"),
                     len(entry.steps))
        queued = start < len(entry.steps) and bool(entry.steps[start].get("queued"))
        return self._drive(entry.id, backend, card, plan, entry.key, observed, start, done,
                           not queued, progress or _quiet, answers, recovering=True)

    def finish(self, entry_id: int, *, cancel: bool = False,
               progress: Progress | None = None) -> OperationResult:
        """The cashier finishes an operation waiting for them (its waiting step is sent), or
        cancels it (that step's ``cancel`` is sent: a hold is released)."""
        entry = self.journal.get(entry_id)
        index = None if entry is None else entry.waiting_step
        if entry is None or index is None:
            raise InvalidInput(f"Journal entry #{entry_id} is not waiting to be finished or "
                               "cancelled.")
        backend, plan = self.backend(entry.service), _plan_from_entry(entry)
        with self._watch(backend):
            card = backend.get_card(entry.card_id)  # as it is now, for the cashier to see
        done, answers, observed = _progress_from_entry(entry)
        if not cancel:
            return self._drive(entry.id, backend, card, plan, entry.key, observed, index, done,
                               bool(entry.steps[index].get("uncertain")),
                               progress or _quiet, answers, release=index)
        undo = plan.steps[index].cancel
        if undo is None:
            raise NotSupported("This operation cannot be cancelled.", service=backend.title)
        try:
            with self._watch(backend):
                answer = self._send(backend, card, backend.bind(undo, answers), entry.key,
                                    observed, done, False, progress or _quiet)
        except _DEFINITE_REFUSALS:  # e.g. a cancel sent before a crash: already released?
            if not self._landed(backend, card, undo, observed, done):
                raise
            answer = {"reconciled": True}
        return self._cancelled(entry.id, index, answer, card, plan, "Cancelled by the cashier")

    def _cancelled(self, entry: int, index: int, answer: dict[str, Any], card: Card,
                   plan: Plan, why: str) -> OperationResult:
        """Record the waiting step cancelled: the operation failed, nothing was taken."""
        note = (f"{why}: {plan.operation.describe()}. What it held was released; nothing was "
                "taken.")
        self.journal.step(entry, index, STEP_CANCELLED, answer)
        self.journal.finish(entry, State.FAILED, error=note)
        return OperationResult(True, State.FAILED, entry, plan.operation, card,
                               self._reread(entry, card, []), note=note)

    def recover(self, *, progress: Progress | None = None) -> list[OperationResult]:
        """Resolve everything a crash or lost answer left behind, oldest first."""
        results = []
        for entry in self.journal.unresolved():
            if entry.service not in self.backends:
                continue
            try:
                results.append(self.resolve(entry.id, progress=progress))
            except PosError as exc:  # the service is still away: it stays unresolved
                log.info("recover #%s: %s", entry.id, exc.kind)
        return results

    def _drive(self, entry: int, backend: Backend, card: Card, plan: Plan, key: str,
               observed: dict[str, Any], start: int, done: list[dict[str, Any]],
               uncertain: bool, progress: Progress,
               answers: list[dict[str, Any]] | None = None, *, recovering: bool = False,
               release: int | None = None) -> OperationResult:
        """Send the steps from ``start`` on, each retried within the policy's bound.

        A step sent only on the cashier's "finish" (or, in ``recovering``, one only the
        cashier may send) leaves the operation waiting, unless it is the ``release``d one.
        """
        answers = list(answers or [])
        for index in range(start, len(plan.steps)):
            step, first = plan.steps[index], uncertain and index == start
            if index != release and (step.send == Step.FINISH
                                     or (recovering and step.send == Step.CASHIER)):
                if not (first and self._landed(backend, card, step, observed, done)):
                    return self._wait(entry, index, card, plan, first)
                answer: dict[str, Any] = {"reconciled": True}
            else:
                try:
                    step = backend.bind(step, answers)
                    answer = self._send(backend, card, step, key, observed, done, first,
                                        progress)
                except FinishAtService as exc:
                    return self._wait(entry, index, card, plan, first, exc)
                except PosError as exc:
                    if step.send != Step.AUTO and step.cancel is not None:
                        return self._cashier_failed(entry, index, exc, backend, card, plan,
                                                    key, (observed, done, answers), progress)
                    return self._stopped(entry, index, exc, card, plan)
            self.journal.step(entry, index, State.DONE, answer)
            answers.append(answer)
            done.append(step.expect)
        outcome = backend.outcome(plan, answers)
        after = self._reread(entry, card, answers)
        self.journal.finish(entry, State.DONE, after=None if after is None else after.snapshot(),
                            outcome=outcome)
        return OperationResult(True, State.DONE, entry, plan.operation, card, after, outcome)

    def _reread(self, entry: int, card: Card, answers: list[dict[str, Any]]) -> Card | None:
        """The card read again after operation ``entry``, or ``None`` if that failed."""
        try:
            return self.backend(card.service).refresh(card, answers)
        except PosError as exc:
            log.info("operation #%s: re-reading the card failed: %s", entry, exc.kind)
            return None

    def _wait(self, entry: int, index: int, card: Card, plan: Plan, uncertain: bool,
              exc: PosError | None = None) -> OperationResult:
        """Leave the operation open at step ``index`` for the cashier to finish or cancel."""
        planned = exc is None and plan.steps[index].send == Step.FINISH
        if not isinstance(exc, AwaitingCashier):
            why = f" ({exc.message})" if exc is not None else ""
            exc = AwaitingCashier(f"{plan.operation.describe()}: open before its step "
                                  f"\"{plan.steps[index].description}\"{why}.",
                                  service=card.service)
        self.journal.wait(entry, index, str(exc), uncertain=uncertain)
        return OperationResult(planned, State.PENDING, entry, plan.operation, card,
                               self._reread(entry, card, []) if planned else None,
                               plan.preview, None if planned else exc, waiting=True)

    def _landed(self, backend: Backend, card: Card, step: Step, observed: dict[str, Any],
                done: list[dict[str, Any]]) -> bool:
        """Whether a step that may have been sent shows applied (read only; never sent)."""
        try:
            return not backend.idempotent and self._seen(backend, card, step, observed,
                                                         done)[0] is True
        except PosError:
            return False

    def _cashier_failed(self, entry: int, index: int, exc: PosError, backend: Backend,
                        card: Card, plan: Plan, key: str,
                        known: tuple[Any, ...], progress: Progress) -> OperationResult:
        """A step with a ``cancel`` failed: refused, what it would take is released; in doubt
        or not sent (service away), the operation waits for the cashier."""
        if not isinstance(exc, _DEFINITE_REFUSALS):
            return self._wait(entry, index, card, plan, isinstance(exc, OutcomeUnknown), exc)
        observed, done, answers = known
        undo = plan.steps[index].cancel
        assert undo is not None
        try:
            answer = self._send(backend, card, backend.bind(undo, answers), key, observed,
                                done, False, progress)
        except PosError:
            return self._wait(entry, index, card, plan, False, exc)
        result = self._cancelled(entry, index, answer, card, plan, exc.message)
        result.ok, result.error = False, exc
        return result

    def _send(self, backend: Backend, card: Card, step: Step, key: str,
              observed: dict[str, Any], done: list[dict[str, Any]], uncertain: bool,
              progress: Progress) -> dict[str, Any]:
        """Send one step until it is known applied or refused, or the bound is reached."""
        policy = self.retry
        last: PosError | None = None
        retry_after: float | None = None
        for attempt in range(1, policy.attempts + 1):
            if attempt > 1:
                progress(f"Checking with {backend.title}… (attempt {attempt})")
                self._sleep(policy.delay(attempt - 1, retry_after))
            if uncertain and not backend.idempotent:
                try:
                    applied, now = self._seen(backend, card, step, observed, done)
                    if applied is False and policy.settle > 0:
                        self._sleep(policy.settle)  # a late write shows now, or not at all
                        applied, now = self._seen(backend, card, step, observed, done)
                except PosError as exc:
                    last = exc
                    continue
                if applied is True:
                    return {"reconciled": True, "seen": observe(now.raw, [step.expect["field"]])}
                if applied is None:
                    raise OutcomeUnknown(
                        f"The card at {backend.title} changed in a way this operation does "
                        "not explain.", "Check the card and its history before doing it "
                        "again.", service=backend.name)
                uncertain = False
            try:
                with self._watch(backend):
                    return backend.execute(card, step, key)
            except OutcomeUnknown as exc:
                last, uncertain, retry_after = exc, True, None
            except RateLimited as exc:
                last, retry_after = exc, exc.retry_after
            except ServiceUnavailable as exc:
                last, retry_after = exc, None
            except PosError as exc:
                if uncertain and not isinstance(exc, _DEFINITE_REFUSALS):
                    # An earlier attempt may have been applied: only the service's own
                    # refusal of this request settles it; anything else leaves it in doubt.
                    raise OutcomeUnknown(exc.message, service=backend.name) from None
                raise
        assert last is not None
        if uncertain:
            raise OutcomeUnknown(last.message, service=backend.name) from None
        raise last

    @staticmethod
    def _seen(backend: Backend, card: Card, step: Step, observed: dict[str, Any],
              done: list[dict[str, Any]]) -> tuple[bool | None, Card]:
        """Read the card again: whether it shows ``step`` applied, and the card as read."""
        now = backend.get_card(card.card_id)
        return step_applied(step.expect, observed, done, now.raw), now

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
        elif (self.queue_offline and isinstance(exc, ServiceUnavailable)
              and not plan.operation.takes_value):
            # Never sent, and it only adds value: keep it and send it when the service is back.
            exc = ServiceUnavailable(
                f"{exc.message} {plan.operation.describe()} is queued and will be sent when "
                "the service answers again.", "Nothing else to do now.", service=card.service)
            self.journal.step(entry, index, State.PENDING, None, queued=True)
            self.journal.finish(entry, State.PENDING, error=exc.message)
            return OperationResult(False, State.PENDING, entry, plan.operation, card, error=exc)
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

    def templates(self) -> list[CardTemplate]:
        """The kinds of card new customers can be given, across the configured services."""
        found: list[CardTemplate] = []
        errors: list[PosError] = []
        for backend in self.backends.values():
            try:
                with self._watch(backend):
                    found.extend(backend.templates())
            except PosError as exc:
                errors.append(exc)
        if not found and errors:
            raise errors[0]
        return found

    def enrol(self, service: str, template_id: str, holder: Holder) -> Card:
        """Enrol a customer at ``service`` with a card of ``template_id``; the new card.

        Not a loyalty-value operation, so not journalled; it is logged (masked). A customer
        the service knows already (same phone or email) is given the card.
        """
        backend = self.backend(service)
        try:
            with self._watch(backend):
                code = backend.enrol(template_id, holder)
        except OutcomeUnknown as exc:
            raise OutcomeUnknown(exc.message, _ENROL_UNKNOWN_HINT, service=backend.name
                                 ) from None
        log.info("enrolled %s (%s) at %s, template %s: card %s", holder.masked_name,
                 holder.masked_phone or "no phone", backend.name, template_id, code)
        with self._watch(backend):
            return backend.get_card(code)

    def check(self) -> list[tuple[str, bool, str]]:
        """Try each service: ``(service, works, what was found)``."""
        results = []
        for name, backend in self.backends.items():
            try:
                results.append((name, True, backend.check()))
            except PosError as exc:
                results.append((name, False, str(exc)))
        return results
