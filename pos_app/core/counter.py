"""The counter: the core's single entry point for looking cards up and running operations.

The window and the command line both go through :class:`Counter`; it owns the adapters, the
router and the journal, and starts the sandbox when no service is configured.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from pos_app.core.backends.base import Backend, CardRef, CardTemplate, HistoryRow, Plan, Step
from pos_app.core.backends.registry import build_backends
from pos_app.core.cards import Card, CardKind, CardStatus, Holder, listing_rank
from pos_app.core.effects import Effects, effects_for
from pos_app.core.errors import (
    AwaitingCashier,
    Busy,
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
from pos_app.core.i18n import N_, _
from pos_app.core.journal import MARK_BY_CASHIER, STEP_CANCELLED, Entry, Journal, State
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.owners import Owner, is_alive
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
_ENROL_UNKNOWN_HINT = N_("The card may have been issued: find the customer by phone or email "
                         "before trying again.")


#: "#12 is done already" per state an operation that is not open may be in.
_STATE_ALREADY_TEXTS = {
    State.DONE: N_("#{id} is done already: only open operations are settled."),
    State.FAILED: N_("#{id} failed already: only open operations are settled."),
}


def _busy() -> str:
    return _("#{id} is being finished by another window or command on this till.")


def _quiet(_text: str) -> None:
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
    #: How long a lost request may still land, overriding each service's ``max_hold`` (tests
    #: and benchmarks whose sandbox holds requests for less).
    hold: float | None = None
    #: How often the card is read while a lost request may still land.
    poll: float = 1.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based): exponential, capped."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return min(self.base_delay * (2 ** (retry - 1)), self.max_delay)


@dataclass
class _Run:
    """One operation being driven: what is known of it so far."""

    entry: int
    backend: Backend
    card: Card
    plan: Plan
    key: str
    observed: dict[str, Any]
    mark: Any
    progress: Progress
    wait: bool = True
    answers: list[dict[str, Any]] = field(default_factory=list)
    done: list[Step] = field(default_factory=list)
    #: Step index -> when a request for it last went out (epoch seconds).
    sent: dict[int, float] = field(default_factory=dict)
    queued: bool = False
    #: Whether the first step to resume may still land (it went out and no answer came).
    landing: bool = False
    #: Driven by recovery (steps only the cashier may send make it wait), and the waiting
    #: step the cashier is finishing now.
    recovering: bool = False
    release: int | None = None


def _who() -> str:
    """The person at this till, as the system knows them (for settled operations)."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown user"  # i18n-skip: kept in the journal as who settled it
    return f"{user}@{socket.gethostname()}"


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _operation_from_entry(entry: Entry) -> Operation:
    """The journalled operation (its arguments were checked when it was first run)."""
    try:
        return Operation.parse(entry.operation, entry.args)
    except PosError:  # e.g. an expiry date that has passed since
        return Operation(OpName(entry.operation))


def _plan_from_entry(entry: Entry) -> Plan:
    return Plan(_operation_from_entry(entry), tuple(Step.from_json(s) for s in entry.steps),
                Figures.from_mapping(entry.outcome))


def _run_from_entry(entry: Entry, backend: Backend, card: Card, plan: Plan,
                    progress: Progress | None, **options: Any) -> _Run:
    """An operation read back from the journal, to be driven on from where it stopped: the
    steps done with their answers, the values and mark recorded before, the last sends."""
    done = [i for i, s in enumerate(entry.steps) if s.get("state") == "done"]
    before = entry.before or {}
    return _Run(entry.id, backend, card, plan, entry.key, before.get("observed") or {},
                before.get("mark"), progress or _quiet,
                answers=[entry.steps[i].get("answer") or {} for i in done],
                done=[plan.steps[i] for i in done],
                sent={i: t for i in range(len(entry.steps))
                      if (t := entry.last_sent(i)) is not None}, **options)


def _settled_effects(entry: Entry, applied: bool) -> Effects:
    """What an operation a person settled did: what it was planned to do when they saw it
    applied (a hold waiting for the cashier: the points it held, taken), else nothing. The
    card's balance after it is not known here."""
    if not applied:
        return Effects()
    effects = effects_for(entry.operation, entry.args, entry.outcome, entry.before, None)
    return replace(effects, balance_after=None, balance_unit=None, stamps_after=None)


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
    #: Something the cashier must know although it was done (the journal could not record it).
    warning: str | None = None
    #: Left open at a step for the cashier to finish or cancel (a hold to confirm).
    waiting: bool = False
    #: What to say instead of "Done: ..." (a cancelled hold).
    note: str = ""
    #: Cancelled by the cashier on purpose (a hold released from the journal).
    cancelled: bool = False
    #: The step the cashier finished or cancelled from the journal, in words ("Take the 200
    #: points held"); empty for an operation run from its start.
    step: str = ""

    @property
    def queued(self) -> bool:
        """Journalled but not sent: the service was unreachable; it goes when it is back."""
        return self.state is State.PENDING

    @property
    def message(self) -> str:
        if self.ok and self.note:
            return self.note
        if self.ok and self.waiting:
            return _("{operation}: waiting to be finished or cancelled (journal entry "
                     "#{id}).").format(operation=self.operation.describe(), id=self.journal_id)
        if self.ok:
            return _("Done: {operation}.").format(operation=self.operation.describe())
        return str(self.error) if self.error else _("The operation failed.")

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
        if self.warning:
            data["warning"] = self.warning
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
        #: This process's name on the operations it drives (see :mod:`pos_app.core.owners`).
        self.owner = Owner(journal.path.parent)

    @classmethod
    def open(cls, settings: Settings | None = None, *, lazy: bool = False) -> Counter:
        """Build from the settings; start the in-process sandbox when nothing is configured.
        ``lazy``: each adapter is imported and built when first used (a short command)."""
        settings = settings or load_settings()
        sandbox = None
        tables = {spec.name: settings.service(spec.name) or {} for spec in SERVICES}
        if settings.uses_sandbox:
            from pos_app.core.sandbox.shared import start_or_join

            # One sandbox per data folder: a second process uses the first one's.
            sandbox = start_or_join(data_dir(), data_dir() / SANDBOX_FILE)
            tables = sandbox.service_settings()
        backends = build_backends(tables, lazy=lazy)
        if not backends:
            raise settings.nothing_configured()
        try:
            journal = Journal(data_dir() / JOURNAL_FILE)
        except BaseException:  # e.g. a read-only data folder: stop what was started
            for backend in backends:
                backend.close()
            if sandbox is not None:
                sandbox.stop()
            raise
        return cls(backends, journal, settings=settings, sandbox=sandbox)

    def close(self) -> None:
        for backend in self.backends.values():
            backend.close()
        self.journal.close()
        self.owner.release()
        if self.sandbox is not None:
            self.sandbox.stop()

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *_args: object) -> None:
        self.close()

    @property
    def on_sandbox(self) -> bool:
        return self.sandbox is not None

    def backend(self, service: str) -> Backend:
        try:
            return self.backends[service]
        except KeyError:
            raise ConfigError(_("The service {name} is not configured.").format(
                name=repr(service))) from None

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
        lost answers are retried safely (same key for an idempotent service; for the others
        the service's own record, or the card, is read first, and nothing is sent again while
        the lost request may still land) up to the retry policy's bound, then left
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
        import uuid  # here: uuid imports platform, which a card look-up does not need

        key = uuid.uuid4().hex
        observed = observe(card.raw, expected_fields(s.to_json() for s in plan.steps))
        mark = None if backend.idempotent else self._mark(backend, card)
        entry = self.journal.begin(service=card.service, card=card.code, card_id=card.card_id,
                                   plan=plan, key=key, owner=self.owner.name,
                                   before={**card.snapshot(), "observed": observed,
                                           "mark": mark})
        self.journal.label(entry, kind=card.kind.value,
                           holder=card.holder.name if card.holder else "")
        run = _Run(entry, backend, card, plan, key, observed, mark, progress or _quiet)
        return self._drive(run, 0, uncertain=False)

    def resolve(self, entry_id: int, *, progress: Progress | None = None,
                wait: bool = True) -> OperationResult:
        """Finish an operation left ``pending`` or ``unknown`` (after a crash or lost answer).

        The first step not known to be done is treated as possibly sent: an idempotent
        service gets it again with the same key; for the others the service's record (or the
        card) is read first, and it is sent again only once the lost request can no longer
        land (``wait=False`` leaves it open instead of waiting for that). An operation another
        running process is driving is left to it (:class:`Busy`).
        """
        entry = self.journal.get(entry_id)
        if entry is None:
            raise ConfigError(_("There is no journal entry #{id}.").format(id=entry_id))
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
        claimed = self.journal.claim(entry.id, self.owner.name, self._owner_alive)
        if claimed is None:
            raise Busy(_busy().format(id=entry.id), service=backend.name)
        entry = claimed
        start = next((i for i, s in enumerate(entry.steps) if s.get("state") != "done"),
                     len(entry.steps))
        run = _run_from_entry(entry, backend, card, plan, progress, wait=wait)
        queued = start < len(entry.steps) and bool(entry.steps[start].get("queued"))
        # A step that was sent and never answered (a crash, a timeout) may still land.
        run.landing = start < len(entry.steps) and bool(entry.steps[start].get("landing", True))
        if queued:
            run.card, run.queued = self._current(backend, card), True
        run.recovering = True
        try:
            return self._drive(run, start, uncertain=not queued)
        finally:
            self.journal.release(entry.id, self.owner.name)

    def finish(self, entry_id: int, *, cancel: bool = False,
               progress: Progress | None = None) -> OperationResult:
        """The cashier finishes an operation waiting for them (its waiting step is sent), or
        cancels it (that step's ``cancel`` is sent: a hold is released)."""
        entry = self.journal.get(entry_id)
        index = None if entry is None else entry.waiting_step
        if entry is None or index is None:
            raise InvalidInput(_("Journal entry #{id} is not waiting to be finished or "
                                 "cancelled.").format(id=entry_id))
        backend = self.backend(entry.service)
        claimed = self.journal.claim(entry.id, self.owner.name, self._owner_alive)
        if claimed is None:
            raise Busy(_busy().format(id=entry.id), service=backend.name)
        entry = claimed
        with self._watch(backend):
            card = backend.get_card(entry.card_id)  # as it is now, for the cashier to see
        plan = _plan_from_entry(entry)
        run = _run_from_entry(entry, backend, card, plan, progress, release=index)
        uncertain = bool(entry.steps[index].get("uncertain"))
        run.landing = uncertain
        try:
            if not cancel or (uncertain and self._landed(run, index, plan.steps[index])):
                # (A step that may have gone through and did is finished, not cancelled.)
                result = self._drive(run, index, uncertain=uncertain)
                if result.state is State.DONE:
                    result.step = plan.steps[index].description
                return result
            undo = plan.steps[index].cancel
            if undo is None:
                raise NotSupported(_("This operation cannot be cancelled."),
                                   service=backend.title)
            try:
                bound = backend.bind(undo, run.answers)
            except FinishAtService as exc:  # marked so, the till offers it no more
                self._wait(run, index, uncertain, exc)
                raise
            try:
                answer = self._send(run, index, False, bound)
            except _DEFINITE_REFUSALS:  # e.g. a cancel sent before a crash: released already?
                if not self._landed(run, index, undo):
                    raise
                answer = {"reconciled": True}
            result = self._cancelled(run, index, answer, _("Cancelled by the cashier"),
                                     by_cashier=True)
            result.step = undo.description
            return result
        finally:
            self.journal.release(entry.id, self.owner.name)

    def _cancelled(self, run: _Run, index: int, answer: dict[str, Any],
                   why: str, *, by_cashier: bool = False) -> OperationResult:
        """Record the waiting step cancelled (``by_cashier``: on purpose, not refused): the
        operation failed, nothing was taken."""
        plan = run.plan
        # i18n: {why} says who cancelled it or why ("Cancelled by the cashier"), {operation}
        # is the operation ("Hold 100 points until the sale is paid").
        note = _("{why}: {operation}. What it held was released; nothing was taken.").format(
            why=why, operation=plan.operation.describe())
        self.journal.step(run.entry, index, STEP_CANCELLED, answer,
                          mark=MARK_BY_CASHIER if by_cashier else "")
        self.journal.finish(run.entry, State.FAILED, error=note)
        self.journal.set_effects(run.entry, Effects())  # nothing held, nothing taken
        return OperationResult(True, State.FAILED, run.entry, plan.operation, run.card,
                               self._reread(run, []), note=note, cancelled=by_cashier)

    def recover(self, *, progress: Progress | None = None,
                wait: bool = True) -> list[OperationResult]:
        """Resolve everything a crash or lost answer left behind, oldest first (operations
        another running process drives are left to it)."""
        results = []
        for entry in self.journal.unresolved():
            if entry.service not in self.backends:
                continue
            try:
                results.append(self.resolve(entry.id, progress=progress, wait=wait))
            except PosError as exc:  # the service is still away: it stays unresolved
                log.info("recover #%s: %s", entry.id, exc.kind)
        return results

    def settle(self, entry_id: int, *, applied: bool, note: str,
               by: str | None = None) -> Entry:
        """Record a person's verdict on an operation left open, after they looked at the card
        at the service: it was applied, or it was not. ``note`` says why."""
        text = " ".join(note.split())
        if not text:
            raise InvalidInput(_("Say in a few words what you saw (the note is kept with it)."))
        entry = self.journal.get(entry_id)
        if entry is None:
            raise ConfigError(_("There is no journal entry #{id}.").format(id=entry_id))
        if entry.state not in (State.PENDING, State.UNKNOWN):
            text = _STATE_ALREADY_TEXTS.get(entry.state, _STATE_ALREADY_TEXTS[State.DONE])
            raise InvalidInput(_(text).format(id=entry_id))
        if entry.owner not in (None, self.owner.name) and self._owner_alive(entry.owner):
            raise Busy(_("#{id} is being finished by another window or command.").format(
                id=entry_id), _("Settle it once that is over."), service=entry.service)
        who = by or _who()
        settled = self.journal.settle(entry_id, applied=applied, note=text[:500], by=who)
        self.journal.set_effects(entry_id, _settled_effects(settled, applied))
        settled = self.journal.get(entry_id) or settled
        log.info("#%s settled by %s as %s", entry_id, who,
                 "applied" if applied else "not applied")
        return settled

    def _mark(self, backend: Backend, card: Card) -> Any:
        """The service's record of the card just before sending (see :meth:`Backend.mark`);
        ``None`` when it cannot be read (a lost answer then stays unknown until looked at)."""
        for attempt in range(1, self.retry.attempts + 1):
            if attempt > 1:
                self._sleep(self.retry.delay(attempt - 1))
            try:
                with self._watch(backend):
                    return backend.mark(card)
            except PosError as exc:
                log.info("no history mark for an operation on %s: %s", backend.name, exc.kind)
        return None

    def _owner_alive(self, name: str) -> bool:
        return name == self.owner.name or is_alive(self.journal.path.parent, name)

    def _current(self, backend: Backend, card: Card) -> Card:
        """A queued operation's card as it is now, by id (a dynamic QR may have moved on)."""
        try:
            with self._watch(backend):
                return backend.refresh(card, [])
        except PosError as exc:
            log.info("queued operation: the card could not be read again: %s", exc.kind)
            return card

    def _drive(self, run: _Run, start: int, *, uncertain: bool) -> OperationResult:
        """Send the steps from ``start`` on, each retried within the policy's bound.

        A step sent only on the cashier's "finish" (or, when recovering, one only the cashier
        may send) leaves the operation waiting, unless it is the one being finished.
        """
        for index in range(start, len(run.plan.steps)):
            step, first = run.plan.steps[index], uncertain and index == start
            if index != run.release and (step.send == Step.FINISH
                                         or (run.recovering and step.send == Step.CASHIER)):
                if not (first and self._landed(run, index, step)):
                    return self._wait(run, index, first, self._unsendable(run, step))
                answer: dict[str, Any] = {"reconciled": True}
                run.answers.append(answer)
                run.done.append(step)
                self.journal.step(run.entry, index, State.DONE, answer)
                continue
            try:
                answer = self._send(run, index, first, run.backend.bind(step, run.answers))
            except FinishAtService as exc:
                return self._wait(run, index, first, exc)
            except PosError as exc:
                if step.send != Step.AUTO and step.cancel is not None:
                    return self._cashier_failed(run, index, exc)
                return self._stopped(run, index, exc)
            except Exception as exc:  # a fault of the app after the request may have gone
                log.exception("operation #%s: step %s failed in the app", run.entry, index + 1)
                return self._stopped(run, index, OutcomeUnknown(
                    _("The app failed while sending ({error}).").format(
                        error=type(exc).__name__),
                    _("Check the card at the service before doing it again."),
                    service=run.backend.name))
            run.answers.append(answer)
            run.done.append(step)
            try:
                self.journal.step(run.entry, index, State.DONE, answer)
            except Exception as exc:  # e.g. the disk is full: applied, but not on record here
                return self._unrecorded(run, exc)
        outcome = run.backend.outcome(run.plan, run.answers)
        after = self._reread(run, run.answers)
        try:
            self.journal.finish(run.entry, State.DONE,
                                after=None if after is None else after.snapshot(),
                                outcome=outcome)
            self.journal.set_effects(run.entry, effects_for(
                run.plan.operation.name.value, run.plan.operation.args(), outcome,
                run.card.snapshot(), None if after is None else after.snapshot()))
        except Exception as exc:
            return self._unrecorded(run, exc, after, outcome)
        return OperationResult(True, State.DONE, run.entry, run.plan.operation, run.card, after,
                               outcome)

    def _reread(self, run: _Run, answers: list[dict[str, Any]]) -> Card | None:
        """The card read again after the operation, or ``None`` if that failed. What it says
        this till last heard names the operation just run (its English name, as ``--json``
        gives it; shown translated)."""
        try:
            card = run.backend.refresh(run.card, answers)
        except PosError as exc:
            log.info("operation #%s: re-reading the card failed: %s", run.entry, exc.kind)
            return None
        if card.heard is None:
            return card
        heard = replace(card.heard, operation=LABELS.source(run.plan.operation.name))
        return replace(card, heard=heard)

    @staticmethod
    def _unsendable(run: _Run, step: Step) -> FinishAtService | None:
        """Why a step left waiting can never be sent from the till (nor its ``cancel``): a
        hold without an authorization code is finished at the service, and the cashier is
        told so from the start, not once they press "finish"."""
        for each in (step, step.cancel):
            if each is None:
                continue
            try:
                run.backend.bind(each, run.answers)
            except FinishAtService as exc:
                return exc
        return None

    def _wait(self, run: _Run, index: int, uncertain: bool,
              exc: PosError | None = None) -> OperationResult:
        """Leave the operation open at step ``index`` for the cashier to finish or cancel
        (or, a :class:`FinishAtService`, to finish at the service)."""
        plan, card = run.plan, run.card
        planned = exc is None and plan.steps[index].send == Step.FINISH
        at_service = isinstance(exc, FinishAtService)
        if not isinstance(exc, AwaitingCashier):
            why = f" ({exc.message})" if exc is not None else ""
            exc = AwaitingCashier(_("{operation}: open before its step “{step}”{why}.").format(
                operation=plan.operation.describe(), step=plan.steps[index].description,
                why=why), service=card.service)
        self.journal.wait(run.entry, index, str(exc), uncertain=uncertain, at_service=at_service)
        # What the steps before this one hold on the card, until it is confirmed or cancelled.
        self.journal.set_effects(run.entry, effects_for(
            plan.operation.name.value, plan.operation.args(),
            run.backend.outcome(plan, run.answers), card.snapshot(), None, waiting=True))
        return OperationResult(planned, State.PENDING, run.entry, plan.operation, card,
                               self._reread(run, []) if planned or at_service else None,
                               plan.preview, None if planned else exc, waiting=True)

    def _landed(self, run: _Run, index: int, step: Step) -> bool:
        """Whether a step that may have been sent shows applied (read only; never sent)."""
        try:
            return not run.backend.idempotent and self._seen(run, index, step)[0] is True
        except PosError:
            return False

    def _cashier_failed(self, run: _Run, index: int, exc: PosError) -> OperationResult:
        """A step with a ``cancel`` failed: refused, what it would take is released; in doubt
        or not sent (service away), the operation waits for the cashier."""
        if not isinstance(exc, _DEFINITE_REFUSALS):
            return self._wait(run, index, isinstance(exc, OutcomeUnknown), exc)
        undo = run.plan.steps[index].cancel
        assert undo is not None
        try:
            answer = self._send(run, index, False, run.backend.bind(undo, run.answers))
        except PosError:
            return self._wait(run, index, False, exc)
        result = self._cancelled(run, index, answer, exc.message)
        result.ok, result.error = False, exc
        return result

    def _unrecorded(self, run: _Run, exc: Exception, after: Card | None = None,
                    outcome: Figures | None = None) -> OperationResult:
        """The service applied what it was sent, but the journal could not be written: say
        both, never "nothing was applied" (the journal keeps it open for the next start)."""
        log.error("operation #%s was applied but the journal could not record it: %s",
                  run.entry, exc)
        done = len(run.done) == len(run.plan.steps)
        warning = _("The journal could not be written ({error}): this till keeps no record of "
                    "it yet. Free disk space; the app checks it again at the next start.").format(
            error=_reason(exc))
        if not done:
            return OperationResult(False, State.UNKNOWN, run.entry, run.plan.operation,
                                   run.card, error=OutcomeUnknown(
                                       _("Step {step} of {steps} was applied, then the journal "
                                         "could not be written.").format(
                                           step=len(run.done), steps=len(run.plan.steps)),
                                       warning, service=run.backend.name))
        return OperationResult(True, State.DONE, run.entry, run.plan.operation, run.card, after,
                               outcome or run.backend.outcome(run.plan, run.answers),
                               warning=warning)

    def _send(self, run: _Run, index: int, uncertain: bool,
              step: Step | None = None) -> dict[str, Any]:
        """Send one step until it is known applied or refused, or the bound is reached.

        For a service without idempotency keys a lost answer is settled by the service's own
        record (:meth:`Backend.evidence`), else by the card's values when they show the step
        applied; a step shown not applied is sent again only once the lost request can no
        longer land (its last send plus the service's ``max_hold``).
        """
        policy, backend = self.retry, run.backend
        step = step or run.plan.steps[index]
        last: PosError | None = None
        retry_after: float | None = None
        landing = uncertain and run.landing
        for attempt in range(1, policy.attempts + 1):
            if attempt > 1:
                run.progress(_("Checking with {service}… (attempt {attempt})").format(
                    service=backend.title, attempt=attempt))
                self._sleep(policy.delay(attempt - 1, retry_after))
            if uncertain and not backend.idempotent:
                try:
                    verdict = self._settled(run, index, landing, step)
                except PosError as exc:
                    last = exc
                    continue
                if verdict is not None:
                    return verdict
                uncertain = False
            self.journal.renew(run.entry, self.owner.name)
            try:
                self.journal.sent(run.entry, index)
                run.sent[index] = time.time()
            except Exception as exc:  # not written: nothing is sent without its record
                raise ServiceUnavailable(_("The journal could not be written ({error}).").format(
                    error=_reason(exc)), _("Nothing was sent. Free disk space and try again."),
                                         service=backend.name) from None
            try:
                with self._watch(backend):
                    return backend.execute(run.card, step, run.key)
            except OutcomeUnknown as exc:
                last, uncertain, retry_after, landing = exc, True, None, exc.landing
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

    def _settled(self, run: _Run, index: int, landing: bool,
                 step: Step | None = None) -> dict[str, Any] | None:
        """After a lost answer: the step's reconciled answer when it was applied, ``None``
        when it was not and may be sent again now; :class:`OutcomeUnknown` when nobody can
        tell, or it is not applied yet but the lost request may still land."""
        backend = run.backend
        step = step or run.plan.steps[index]
        hold = self.retry.hold if self.retry.hold is not None else backend.max_hold
        sent = run.sent.get(index)
        until = sent + hold if landing and sent is not None else 0.0
        settle_once = self.retry.settle > 0
        polls = int(max(until - time.time(), 0) / max(self.retry.poll, 0.01)) + 2
        while True:
            applied, now = self._seen(run, index, step)
            if applied is True:
                return {"reconciled": True,
                        "seen": observe(now.raw, [step.expect["field"]]) if now is not None
                        and step.expect.get("field") else {}}
            if applied is None:
                raise OutcomeUnknown(
                    _("{service} cannot show whether this was applied: the card changed in a "
                      "way it does not explain, or the service keeps no record of it.").format(
                        service=backend.title),
                    _("Check the card and its history at the service, then settle it in the "
                      "journal; it is not sent again on its own."), service=backend.name)
            wait = until - time.time() if polls > 0 else 0.0
            polls -= 1
            if wait <= 0 and not settle_once:
                return None
            if wait > 0 and not run.wait:
                raise OutcomeUnknown(
                    _("Checking with {service}: the request may still arrive there.").format(
                        service=backend.title),
                    _("The app looks again in a moment; do not repeat it by hand."),
                    service=backend.name)
            run.progress(_("Checking with {service}… the request may still arrive").format(
                service=backend.title))
            self.journal.renew(run.entry, self.owner.name)
            self._sleep(max(self.retry.settle, min(wait, self.retry.poll)))
            settle_once = False  # a late write shows now, or it has not landed

    def _seen(self, run: _Run, index: int,
              step: Step | None = None) -> tuple[bool | None, Card | None]:
        """Whether the step shows applied: the service's record first, then the card."""
        backend = run.backend
        step = step or run.plan.steps[index]
        sent = run.sent.get(index)
        evidence = backend.evidence(
            run.card, step, run.key, mark=run.mark, done=tuple(run.done),
            sent=None if sent is None else dt.datetime.fromtimestamp(sent, dt.UTC))
        if evidence is not None:
            return evidence, None
        with self._watch(backend):
            now = backend.get_card(run.card.card_id)
        by_value = step_applied(step.expect, run.observed,
                                [s.expect for s in run.done], now.raw)
        if by_value is False and not backend.values_are_record:
            by_value = None  # a balance that came back is no evidence
        return by_value, now

    def _stopped(self, run: _Run, index: int, exc: PosError) -> OperationResult:
        """Record a step that failed or whose answer was lost."""
        plan, card, entry = run.plan, run.card, run.entry
        if isinstance(exc, OutcomeUnknown):
            state = State.UNKNOWN
        elif index > 0:
            # Earlier steps were applied: the operation is half done and must be resumed.
            state = State.UNKNOWN
            exc = OutcomeUnknown(
                _("Step {step} of {steps} did not go through ({error}); the earlier steps were "
                  "applied.").format(step=index + 1, steps=len(plan.steps), error=exc.message),
                _("The app completes it when the service answers again."), service=card.service)
        elif (self.queue_offline and isinstance(exc, ServiceUnavailable)
              and not plan.operation.takes_value):
            # Never sent, and it only adds value: keep it and send it when the service is back.
            exc = ServiceUnavailable(
                # i18n: {error} is why the service cannot be reached (a whole sentence).
                _("{error} {operation} is queued and will be sent when the service answers "
                  "again.").format(error=exc.message, operation=plan.operation.describe()),
                _("Nothing else to do now."), service=card.service)
            self.journal.step(entry, index, State.PENDING, None, queued=True)
            self.journal.finish(entry, State.PENDING, error=exc.message)
            return OperationResult(False, State.PENDING, entry, plan.operation, card, error=exc)
        elif isinstance(exc, StaleCode) and run.queued:
            exc = StaleCode(_("{operation} was queued, and the card's QR code has changed "
                              "since.").format(operation=plan.operation.describe()),
                            _("Scan the card again and do it once more; nothing was applied."),
                            service=card.service)
            state = State.FAILED
        else:
            state = State.FAILED
        self.journal.step(entry, index, state, None,
                          landing=isinstance(exc, OutcomeUnknown) and exc.landing)
        self.journal.finish(entry, state, error=str(exc))
        return OperationResult(False, state, entry, plan.operation, card, error=exc)

    def history(self, card: Card) -> list[HistoryRow]:
        return self.backend(card.service).history(card)

    def find_cards(self, *, phone: str | None = None, email: str | None = None,
                   ) -> list[CardRef]:
        """Every card of a customer across the configured services, active ones first (a
        cashier's Enter opens the first), each service's order kept within."""
        found: list[CardRef] = []
        errors: list[PosError] = []
        for backend in self.backends.values():
            try:
                found.extend(backend.find_cards(phone=phone, email=email))
            except PosError as exc:
                errors.append(exc)
        if not found and errors:
            raise errors[0]
        return sorted(found, key=lambda ref: listing_rank(ref.status))

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
            raise OutcomeUnknown(exc.message, _(_ENROL_UNKNOWN_HINT), service=backend.name
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
