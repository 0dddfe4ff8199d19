"""The window's controller: every core call, run off the GUI thread, its outcome as a signal.

The views never touch the :class:`~pos_app.core.counter.Counter`; they call the controller,
which runs the blocking call on its :class:`~pos_app.qt.tasks.TaskRunner` and answers with a
signal on the GUI thread. Errors arrive as plain text (``str(PosError)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from pos_app.core.backends.base import CardRef, CardTemplate, HistoryRow, Plan
from pos_app.core.cards import Card, Holder
from pos_app.core.counter import Counter, OperationResult
from pos_app.core.errors import (
    CardChanged,
    ConfigError,
    InvalidInput,
    PosError,
    RateLimited,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.heard import with_last_heard
from pos_app.core.i18n import N_, _
from pos_app.core.journal import JournalFilter, State
from pos_app.core.money import CENT
from pos_app.core.operations import Operation, OpName
from pos_app.core.present import service_title
from pos_app.core.settings import Settings, load_settings
from pos_app.qt.tasks import AppFault, Task, TaskRunner

log = logging.getLogger(__name__)

#: Recent operations shown in the journal view.
JOURNAL_LIMIT = 50
#: How often operations left open (queued while a service was away) are tried again.
RECOVER_EVERY_MS = 60_000
#: While a service does not answer, it is tried again after this, doubling up to the most.
HEALTH_FIRST_MS = 2_000
HEALTH_MOST_MS = 60_000

#: What the busy line says per channel, most important first.
BUSY_TEXT: dict[str, str] = {
    "apply": N_("Sending the operation…"),
    "open": N_("Connecting to the services…"),
    "lookup": N_("Looking up the card…"),
    "plan": N_("Checking the operation…"),
    "customers": N_("Searching for the customer…"),
}
#: Channels the cashier may cancel (Esc): nothing has been sent on them.
CANCELLABLE = ("lookup", "plan", "customers", "limit")

APPLY_FAULT = N_("Something went wrong in the app while sending the operation. Check the "
                 "card and the recent operations before trying again; the details are in the "
                 "log.")
#: What a journal entry not done adds to its history row.
STATE_NOTES: dict[State, str] = {
    State.PENDING: N_("{operation} (queued)"),
    State.UNKNOWN: N_("{operation} (outcome unknown)"),
    State.FAILED: N_("{operation} (failed)"),
}


@dataclass
class CounterInfo:
    """What the window needs to know about an opened counter."""

    on_sandbox: bool
    services: list[str]
    settings: Settings | None
    demo_cards: list[dict[str, Any]] = field(default_factory=list)


class Controller(QObject):
    """Owns the Counter and the current card; turns core calls into signals."""

    opened = Signal(object)                 # CounterInfo
    open_failed = Signal(str)
    busy_changed = Signal(str)              # "" when nothing the cashier waits for runs
    card_loaded = Signal(object)            # Card
    lookup_failed = Signal(str)
    cancelled = Signal(str)                 # what was cancelled, in words
    planned = Signal(object, object, int)   # Plan, Card, confirmation token
    plan_failed = Signal(str)
    limit_ready = Signal(object, object)    # purchase amount, max spend (Decimal | None)
    applied = Signal(object)                # OperationResult
    apply_failed = Signal(str)
    journal_loaded = Signal(list)           # list[Entry]
    waiting_loaded = Signal(list)           # list[Entry]: all waiting for the cashier
    history_loaded = Signal(object, list)   # Card, list[HistoryRow]
    #: The service keeps no history of the card: this till's journal for it instead.
    till_history_loaded = Signal(object, list)  # Card, list[HistoryRow]
    #: Which services answer changed (``counter.unreachable``); checked at start and, while
    #: one is away, again and again with a growing pause.
    health_changed = Signal()
    history_failed = Signal(object, str)    # Card, message
    customers_found = Signal(str, list)     # query, list[CardRef]
    customers_failed = Signal(str)
    templates_loaded = Signal(list)         # list[CardTemplate]
    templates_failed = Signal(str)
    names_loaded = Signal()                 # template_names were read
    enrolled = Signal(object)               # Card (card_loaded follows)
    enrol_failed = Signal(str)
    service_checked = Signal(str, bool, str)  # service, works, text
    settings_saved = Signal(object)         # Settings
    settings_failed = Signal(str)
    keyring_said = Signal(str)              # where secrets are kept, in words
    progress = Signal(str)                  # an operation being retried or checked, in words
    recovered = Signal(list)                # list[OperationResult] of operations left open

    def __init__(self, config: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.runner = TaskRunner(self)
        self.counter: Counter | None = None
        self.info: CounterInfo | None = None
        #: The settings last read, also when the services then failed to open (for the dialog).
        self.last_settings: Settings | None = None
        #: Why the counter last failed to open (``None`` once it opens).
        self.open_error: BaseException | None = None
        self.card: Card | None = None
        self._plan_token = 0
        self._plan_op: Operation | None = None
        self._applying = False
        self._busy_text = ""
        self._closed = False
        #: Cards with an operation left open that recovery is completing: not to be touched.
        self._recovering: set[str] = set()
        #: What the journal list shows (the window's filters).
        self.journal_filter = JournalFilter()
        self._recover_timer = QTimer(self)
        self._recover_timer.setInterval(RECOVER_EVERY_MS)
        self._recover_timer.timeout.connect(self.recover)
        #: Why the last lookup failed (the window words a service that is away differently).
        self.last_error: PosError | None = None
        #: What each service calls its card templates: ``(service, id) -> name``.
        self.template_names: dict[tuple[str, str], str] = {}
        #: What the last enrolment found: a note for a customer who already had such a card.
        self.enrol_note = ""
        #: Whether the last enrolment gave back a card the customer already had (the service
        #: keeps one card per template and customer): nothing new was issued.
        self.enrol_existing = False
        self.health_delay = HEALTH_FIRST_MS
        self._health_timer = QTimer(self)
        self._health_timer.setSingleShot(True)
        self._health_timer.timeout.connect(self.check_health)

    # -- state -------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.counter is not None and not self.runner.busy("open")

    @property
    def applying(self) -> bool:
        return self._applying

    @property
    def busy_text(self) -> str:
        return self._busy_text

    def _update_busy(self) -> None:
        text = ""
        for channel, words in BUSY_TEXT.items():
            if self.runner.busy(channel):
                text = _(words)
                break
        if text != self._busy_text:
            self._busy_text = text
            self.busy_changed.emit(text)

    def _run(self, channel: str, fn: Any, *args: Any, on_ok: Any, on_error: Any,
             what: str = "", on_drop: Any = None, **kwargs: Any) -> Task:
        def ok(value: Any) -> None:
            try:
                on_ok(value)
            finally:
                self._update_busy()

        def error(exc: PosError) -> None:
            try:
                on_error(exc)
            finally:
                self._update_busy()

        task = self.runner.run(fn, *args, channel=channel, on_ok=ok, on_error=error,
                               on_drop=on_drop, what=what or channel, **kwargs)
        self._update_busy()
        return task

    # -- the counter -------------------------------------------------------------------------

    def start(self) -> None:
        """Read the settings and open the counter (the sandbox when nothing is configured)."""
        self._open(None)

    def reopen(self, settings: Settings) -> None:
        """Close the counter and open it again with new settings (after the settings dialog)."""
        self._recover_timer.stop()
        self._health_timer.stop()
        self.runner.cancel_all()
        self._applying = False
        self._recovering = set()
        self.card = None
        self._open(settings)

    def _open(self, settings: Settings | None) -> None:
        old, self.counter, self.info = self.counter, None, None
        config = self.config

        def work() -> tuple[Counter, CounterInfo]:
            if old is not None:
                old.close()
            self.last_settings = None
            chosen = settings or load_settings(config)
            self.last_settings = chosen  # read, even if the services then fail to open
            counter = Counter.open(chosen)
            try:
                demo = counter.sandbox.demo_cards() if counter.sandbox is not None else []
                info = CounterInfo(counter.on_sandbox, list(counter.backends), chosen, demo)
            except BaseException:
                counter.close()
                raise
            return counter, info

        def done(value: tuple[Counter, CounterInfo]) -> None:
            self.counter, self.info = value
            self.health_delay = HEALTH_FIRST_MS
            self.opened.emit(self.info)
            self.refresh_journal()
            self.check_health()
            self.load_template_names()
            self.recover()
            self._recover_timer.start()

        def drop(value: tuple[Counter, CounterInfo]) -> None:
            value[0].close()

        def failed(exc: BaseException) -> None:
            self.open_error = exc
            self.open_failed.emit(str(exc))

        self.open_error = None
        self._run("open", work, on_ok=done, on_drop=drop, on_error=failed, what="open counter")

    def shutdown(self) -> None:
        """Cancel everything, close the counter and wait for the workers (at exit)."""
        if self._closed:
            return
        self._closed = True
        self._recover_timer.stop()
        self._health_timer.stop()
        self.runner.cancel_all()
        counter, self.counter = self.counter, None
        # Work still running (a health check, a lookup) ends first, in a moment at most: its
        # connections are then closed by their owner, not pulled from under it.
        ended = self.runner.shutdown(timeout_ms=1500)
        if counter is not None:
            try:
                counter.close()
            except Exception:
                log.exception("closing the counter failed")
        if not ended:
            self.runner.shutdown()

    # -- cards -------------------------------------------------------------------------------

    def lookup(self, code: str) -> bool:
        """Look ``code`` up; a lookup still running is superseded. ``False`` if not started."""
        code = code.strip()
        if not code:
            self.lookup_failed.emit(_("Scan the card or type its code, then press Enter."))
            return False
        if self.counter is None:
            self.lookup_failed.emit(
                _("The app is still connecting to the services; try again in a moment.")
                if self.runner.busy("open") else
                _("The app is not connected to the services. Check the settings (Ctrl+,)."))
            return False
        if self._applying:
            self.lookup_failed.emit(_("Wait: an operation is being sent to the service."))
            return False
        counter = self.counter
        self.runner.cancel("plan")
        self.runner.cancel("limit")
        self._plan_op = None

        def done(card: Card) -> None:
            self.card = card
            self.last_error = None
            self.card_loaded.emit(card)
            self._health_seen()

        def failed(exc: PosError) -> None:
            self.last_error = exc
            self.lookup_failed.emit(str(exc))
            self._health_seen()

        def work() -> Card:
            # A card whose service cannot read its balance shows what this till last heard.
            return with_last_heard(counter.journal, counter.lookup(code))

        self._run("lookup", work, on_ok=done, on_error=failed, what="lookup")
        return True

    # -- service health ----------------------------------------------------------------------

    def check_health(self) -> None:
        """Try every service off the GUI thread; ``health_changed`` follows. While one is
        away, it is tried again after :attr:`health_delay`, doubling each time."""
        counter = self.counter
        if counter is None or self._closed or self.runner.busy("health"):
            return

        def work() -> None:
            for name, backend in list(counter.backends.items()):
                try:
                    backend.check()
                except RateLimited:
                    continue  # it answers: only slowly
                except ServiceUnavailable as exc:
                    counter.unreachable[name] = exc.message
                    continue
                except PosError:
                    pass  # it answered (a refusal is an answer)
                counter.unreachable.pop(name, None)

        def done(_: object) -> None:
            if self.counter is counter:
                self._health_seen(grow=True)

        self.runner.run(work, channel="health", on_ok=done,
                        on_error=lambda exc: log.info("health check: %s", exc), what="health")

    def _health_seen(self, grow: bool = False) -> None:
        """Say what is known now; keep trying a service that is away (with backoff)."""
        counter = self.counter
        if counter is None or self._closed:
            return
        self.health_changed.emit()
        if not counter.unreachable:
            self.health_delay = HEALTH_FIRST_MS
            self._health_timer.stop()
            return
        if not self._health_timer.isActive():
            self._health_timer.start(self.health_delay)
            if grow:
                self.health_delay = min(self.health_delay * 2, HEALTH_MOST_MS)

    def sum_quantum(self, card: Card | None) -> Decimal | None:
        """The step in which the card's service records sums (``None``: it takes cents)."""
        counter = self.counter
        if card is None or counter is None or card.service not in counter.backends:
            return None
        return counter.backends[card.service].sum_quantum

    def card_name(self, card: Card | None) -> str:
        """What the service calls this card (its template): "Welcome coupon -15%"."""
        if card is None or not card.template or not card.template.strip():
            return ""
        template = card.template.strip()
        if not template.isdigit():
            return template
        return self.template_names.get((card.service, template), "")

    def load_template_names(self) -> None:
        """Read the services' template names (for :meth:`card_name`) off the GUI thread."""
        counter = self.counter
        if counter is None or self.runner.busy("names"):
            return

        def done(found: list[CardTemplate]) -> None:
            self.template_names = {(t.service, t.id): t.name for t in found}
            self.names_loaded.emit()

        self.runner.run(counter.templates, channel="names", on_ok=done,
                        on_error=lambda exc: log.info("template names: %s", exc),
                        what="template names")

    def cancel(self) -> str:
        """Cancel whatever the cashier may cancel; return what was cancelled, or ``""``."""
        words = ""
        for channel in CANCELLABLE:
            if self.runner.cancel(channel) and not words:
                words = {"lookup": _("The lookup was cancelled."),
                         "plan": _("The operation was not sent."),
                         "customers": _("The search was cancelled."),
                         "limit": ""}[channel]
        self._update_busy()
        if words:
            self.cancelled.emit(words)
        return words

    def clear_card(self) -> None:
        self.runner.cancel("plan")
        self.runner.cancel("limit")
        self.card = None
        self._plan_op = None
        self._update_busy()

    # -- operations --------------------------------------------------------------------------

    def plan(self, operation: Operation) -> None:
        """Check ``operation`` on the current card; answers ``planned`` with a token to confirm."""
        counter, card = self.counter, self.card
        if counter is None or card is None:
            self.plan_failed.emit(_("Scan a card first."))
            return
        self._plan_token += 1
        token = self._plan_token
        self._plan_op = None

        def done(plan: Plan) -> None:
            self._plan_op = operation
            self.planned.emit(plan, card, token)

        self._run("plan", counter.plan, card, operation, on_ok=done,
                  on_error=lambda exc: self.plan_failed.emit(str(exc)), what="plan")

    def spend_limit(self, amount: Decimal) -> None:
        """Ask the card's service the most that may be spent on a purchase of ``amount``."""
        counter, card = self.counter, self.card
        if counter is None or card is None:
            return

        def work() -> Decimal | None:
            # Plan a purchase paying a token sum from the card: the plan says the limit. A
            # whole unit first (services that hold whole points), then a cent.
            for probe in (Decimal("1.00"), CENT):
                if probe > amount:
                    continue
                try:
                    plan = counter.plan(card, Operation(OpName.PURCHASE_SPEND, amount=amount,
                                                        spend=probe))
                except (Refused, InvalidInput):
                    continue
                value = plan.preview.get("max_spend")
                return None if value is None else Decimal(str(value))
            return Decimal("0.00")

        self._run("limit", work, on_ok=lambda limit: self.limit_ready.emit(amount, limit),
                  on_error=lambda exc: self.limit_ready.emit(amount, None), what="spend limit")

    def confirm(self, token: int) -> bool:
        """Send the operation planned under ``token``, once: a second call does nothing."""
        if token != self._plan_token or self._plan_op is None:
            log.info("confirmation %s ignored (already used or out of date)", token)
            return False
        operation, self._plan_op = self._plan_op, None
        return self.apply(operation)

    def apply(self, operation: Operation) -> bool:
        """Send ``operation`` on the current card; ``False`` if one is already being sent."""
        counter, card = self.counter, self.card
        if self._applying:
            log.info("an operation is already being sent; %s ignored", operation.name)
            return False
        if counter is None or card is None:
            self.apply_failed.emit(_("Scan a card first."))
            return False
        if card.card_id in self._recovering:
            self.apply_failed.emit(_("An earlier operation on this card is being completed "
                                     "with the service. Wait a moment, then scan the card "
                                     "again."))
            return False
        self._applying = True
        self.runner.cancel("lookup")
        self.runner.cancel("limit")

        def done(result: OperationResult) -> None:
            self._applying = False
            if self.card is not None and self.card.card_id == card.card_id:
                self.card = result.after or result.before
            self.applied.emit(result)
            self.refresh_journal()
            if isinstance(result.error, CardChanged):
                self.lookup(card.code)  # show the new value, to be confirmed again

        def failed(exc: PosError) -> None:
            self._applying = False
            self.apply_failed.emit(_(APPLY_FAULT) if isinstance(exc, AppFault) else str(exc))
            self.refresh_journal()
            if isinstance(exc, CardChanged):
                self.lookup(card.code)

        self._run("apply", counter.apply, card, operation, on_ok=done, on_error=failed,
                  what=f"apply {operation.name.value}", progress=self.progress.emit)
        return True

    def finish(self, entry_id: int, cancel: bool) -> bool:
        """Finish or cancel an operation waiting for the cashier (a hold), off the GUI
        thread; ``False`` if an operation is already being sent."""
        counter = self.counter
        if counter is None or self._applying:
            return False
        self._applying = True

        def done(result: OperationResult) -> None:
            self._applying = False
            # The card whose operation was finished is the one shown now (it may not be
            # the card shown before): the banner, the card panel and the keys agree.
            if result.after is not None:
                self.card = result.after
            self.applied.emit(result)
            self.refresh_journal()

        def failed(exc: PosError) -> None:
            self._applying = False
            self.apply_failed.emit(_(APPLY_FAULT) if isinstance(exc, AppFault) else str(exc))
            self.refresh_journal()

        self._run("apply", counter.finish, entry_id, cancel=cancel, on_ok=done,
                  on_error=failed, what="finish", progress=self.progress.emit)
        return True

    def recover(self) -> None:
        """Complete operations a crash or a lost answer left open, and queued ones.

        The journal is read for them off the GUI thread, never while an operation is being
        sent (its own entry is open then); their cards are kept from new operations until
        the service has said what became of them.
        """
        counter = self.counter
        if counter is None or self._closed or self.runner.busy("recover"):
            return

        def found(entries: list[Any]) -> None:
            if not entries or self.counter is not counter or self._applying:
                return
            self._recovering = {e.card_id for e in entries}

            def done(results: list[OperationResult]) -> None:
                self._recovering = set()
                self.recovered.emit(list(results))
                self.refresh_journal()

            def failed(exc: PosError) -> None:
                self._recovering = set()
                log.info("recovery stopped: %s", exc)

            def work() -> list[OperationResult]:
                # These entries only: one started since (a new operation) is not touched.
                results = []
                for entry in entries:
                    if entry.service not in counter.backends:
                        continue
                    try:
                        results.append(counter.resolve(entry.id, wait=False))
                    except PosError as exc:  # still away: it stays open for the next round
                        log.info("operation #%s left open: %s", entry.id, exc.kind)
                return results

            self.runner.run(work, channel="recover", on_ok=done, on_error=failed,
                            what="recover")

        self.runner.run(counter.journal.unresolved, channel="recover", on_ok=found,
                        on_error=lambda exc: None, what="unresolved")

    # -- lists -------------------------------------------------------------------------------

    def refresh_journal(self) -> None:
        counter = self.counter
        if counter is None:
            return
        where = self.journal_filter

        def read() -> tuple[list[Any], list[Any]]:
            # What waits for the cashier is counted in the whole journal, not the rows the
            # filters let through (a hold hidden by a search must still be offered).
            return counter.journal.search(where, limit=JOURNAL_LIMIT), counter.journal.waiting()

        def loaded(found: tuple[list[Any], list[Any]]) -> None:
            self.waiting_loaded.emit(found[1])
            self.journal_loaded.emit(found[0])

        self.runner.run(read, channel="journal", on_ok=loaded, on_error=lambda exc: log.info(
            "journal not read: %s", exc), what="journal")

    def load_history(self, card: Card) -> None:
        counter = self.counter
        if counter is None:
            return
        def work() -> tuple[bool, list[HistoryRow]]:
            rows = list(counter.history(card))
            if rows:
                return True, rows
            return False, till_history(counter.journal.entries(limit=200), card)

        def done(value: tuple[bool, list[HistoryRow]]) -> None:
            own, rows = value
            (self.history_loaded if own else self.till_history_loaded).emit(card, rows)

        self.runner.run(work, channel="history", on_ok=done,
                        on_error=lambda exc: self.history_failed.emit(card, str(exc)),
                        what="history")

    def find_customers(self, query: str) -> None:
        """Find a customer's cards by phone or email (an ``@`` means email)."""
        query = query.strip()
        counter = self.counter
        if counter is None:
            self.customers_failed.emit(_("The app is still connecting; try again in a "
                                     "moment."))
            return
        try:
            kwargs = customer_query(query)
        except InvalidInput as exc:
            self.customers_failed.emit(str(exc))
            return

        def done(refs: list[CardRef]) -> None:
            self.customers_found.emit(query, list(refs))

        self._run("customers", lambda: counter.find_cards(**kwargs), on_ok=done,
                  on_error=lambda exc: self.customers_failed.emit(str(exc)), what="customers")

    def load_templates(self) -> None:
        """The kinds of card a new customer can be given, across the services."""
        counter = self.counter
        if counter is None:
            self.templates_failed.emit(_("The app is still connecting; try again in a moment."))
            return
        self.runner.run(counter.templates, channel="templates",
                        on_ok=lambda found: self.templates_loaded.emit(list(found)),
                        on_error=lambda exc: self.templates_failed.emit(str(exc)),
                        what="templates")

    def enrol(self, template: CardTemplate, holder: Holder) -> bool:
        """Enrol a customer with a card of ``template``; the new card is shown as if scanned.

        ``False`` (and ``enrol_failed``) when it cannot start; one enrolment at a time.
        """
        counter = self.counter
        if counter is None:
            self.enrol_failed.emit(_("The app is still connecting; try again in a moment."))
            return False
        if self.runner.busy("enrol"):
            return False
        self.runner.cancel("lookup")
        self.runner.cancel("plan")
        self.runner.cancel("limit")
        self._plan_op = None

        def work() -> tuple[Card, str, bool]:
            had = _cards_of(counter, holder, template.service)
            card = counter.enrol(template.service, template.id, holder)
            same = [r for r in had if r.kind_label == card.kind_label and r.code != card.code]
            note = ""
            words = {"kind": card.kind_label.lower(), "service": service_title(template.service),
                     "name": holder.name, "codes": ", ".join(r.code for r in same[:3])}
            if any(r.code == card.code for r in had):
                note = _("{service} gave back the {kind} the customer already has: no new card "
                         "was issued.").format(**words)
                return card, note, True
            if same and holder.name:
                note = _("{name} already had a {kind} at {service} ({codes}); this is another "
                         "one.").format(**words)
            elif same:
                note = _("The customer already had a {kind} at {service} ({codes}); this is "
                         "another one.").format(**words)
            elif had:
                note = _("{service} knew the customer already; the card is added to their "
                         "account.").format(**words)
            return card, note, False

        def done(value: tuple[Card, str, bool]) -> None:
            card, self.enrol_note, self.enrol_existing = value
            self.card = card
            self.enrolled.emit(card)
            self.card_loaded.emit(card)

        self._run("enrol", work, on_ok=done,
                  on_error=lambda exc: self.enrol_failed.emit(str(exc)), what="enrol")
        return True

    def save_settings(self, settings: Settings) -> None:
        """Write the settings file (secrets to the keyring when one works) off the GUI thread."""
        def work() -> Settings:
            try:
                settings.save()
            except OSError as exc:
                raise ConfigError(_("The settings could not be saved to {path} ({error}).")
                                  .format(path=settings.path, error=exc.strerror or exc),
                                  _("Check that the folder exists and is writable.")) from None
            return settings

        self.runner.run(work, channel="save", on_ok=self.settings_saved.emit,
                        on_error=lambda exc: self.settings_failed.emit(str(exc)),
                        what="save settings")

    def keyring_status(self) -> None:
        """Say where service secrets are kept (asking the keyring may take a moment)."""
        def work() -> str:
            try:
                from pos_app.core import secrets
            except ImportError:
                return ""
            return secrets.status().message

        self.runner.run(work, channel="keyring", on_ok=self.keyring_said.emit,
                        on_error=lambda exc: log.info("keyring status: %s", exc),
                        what="keyring status")

    def cancel_search(self) -> None:
        self.runner.cancel("customers")
        self._update_busy()

    def check_service(self, name: str, table: dict[str, Any]) -> None:
        """Try one service with the given settings table (settings dialog's Test button)."""
        def work() -> str:
            from pos_app.core.backends.registry import build_backends

            backends = build_backends({name: table})
            if not backends:
                raise InvalidInput(_("Set the service's address first."), "")
            try:
                return backends[0].check()
            finally:
                for backend in backends:
                    backend.close()

        self.runner.run(work, channel=f"check-{name}",
                        on_ok=lambda text: self.service_checked.emit(name, True, text),
                        on_error=lambda exc: self.service_checked.emit(name, False, str(exc)),
                        what=f"check {name}")


def _cards_of(counter: Counter, holder: Holder, service: str) -> list[CardRef]:
    """The cards ``service`` already has for this phone or email (empty if it cannot say)."""
    backend = counter.backends.get(service)
    if backend is None:
        return []
    found: list[CardRef] = []
    for kwargs in ({"phone": holder.phone}, {"email": holder.email}):
        if not next(iter(kwargs.values())):
            continue
        try:
            found += [r for r in backend.find_cards(**kwargs) if r not in found]
        except PosError as exc:
            log.info("enrol: the customer's cards could not be listed: %s", exc.kind)
    return found


def till_history(entries: list[Any], card: Card) -> list[HistoryRow]:
    """This till's journal entries for ``card``, as history rows (figures included)."""
    import datetime as dt

    from pos_app.core.present import outcome_rows
    from pos_app.core.units import describe

    rows = []
    for entry in entries:
        if entry.service != card.service or entry.card_id != card.card_id:
            continue
        try:
            when: dt.datetime | None = dt.datetime.fromisoformat(entry.created).astimezone()
        except ValueError:
            when = None
        try:
            what = describe(Operation.parse(entry.operation, entry.args), card)
        except PosError:
            what = entry.operation
        if entry.state is not State.DONE:
            what = _(STATE_NOTES.get(entry.state, "{operation}")).format(operation=what)
        figures = outcome_rows(entry.outcome or {}, card) if entry.state is State.DONE else []
        if figures:
            what += "\n" + ", ".join(f"{k} {v}" for k, v in figures)
        rows.append(HistoryRow(when, what, ""))
    return rows


def customer_query(text: str) -> dict[str, str]:
    """``{"email": ...}`` or ``{"phone": ...}`` from what the cashier typed."""
    text = text.strip()
    if "@" in text:
        local, _at, domain = text.partition("@")
        if not local or "." not in domain:
            raise InvalidInput(_("“{text}” is not an email address.").format(text=text),
                               _("Type it in full."))
        return {"email": text}
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 7 or any(ch.isalpha() for ch in text):
        raise InvalidInput(_("Type the customer's phone number (at least 7 digits) or email."),
                           "")
    return {"phone": text}


__all__ = ["CardRef", "CardTemplate", "Controller", "CounterInfo", "HistoryRow",
           "customer_query"]
