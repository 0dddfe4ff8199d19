"""The cashier window: code field, card panel, operations, result banner, lists.

Keyboard: the code field always has the cursor unless an amount is being typed; Enter looks
the code up; F1..F10 start operations; Enter confirms; Esc backs out one step (or cancels a
lookup); Ctrl+F finds a customer; Ctrl+N enrols one; Ctrl+, opens the settings; Ctrl+T
switches light/dark; Ctrl+P prints the last operation's slip (or the journal row chosen),
Ctrl+Shift+P saves it as PDF; Ctrl+Shift+F full screen.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting, services
from pos_app.core.backends.base import Plan
from pos_app.core.cards import Card
from pos_app.core.checks import confirm_reasons, why_not
from pos_app.core.counter import OperationResult
from pos_app.core.errors import FinishAtService, RateLimited, ServiceUnavailable, StorageError
from pos_app.core.i18n import _, ngettext
from pos_app.core.journal import State
from pos_app.core.operations import Operation, OpName
from pos_app.core.present import back_office, service_title
from pos_app.core.router import clean_code
from pos_app.core.settings import Settings
from pos_app.core.units import op_label
from pos_app.qt import theme
from pos_app.qt.card_panel import CardPanel
from pos_app.qt.collector import GuiThreadCollector
from pos_app.qt.confirm import ConfirmPanel
from pos_app.qt.controller import Controller, CounterInfo
from pos_app.qt.demo_panel import DemoPanel
from pos_app.qt.entry_panel import EntryPanel, fields_for
from pos_app.qt.history_view import HistoryView
from pos_app.qt.journal_tools import JournalTools
from pos_app.qt.journal_view import JournalView
from pos_app.qt.operations_panel import OperationsPanel
from pos_app.qt.result_banner import ResultBanner
from pos_app.qt.shift_view import ShiftPresenter, ShiftView

log = logging.getLogger(__name__)

SETTINGS_KEY = "Ctrl+,"
BUSY_DELAY_MS = 150


class MainWindow(QMainWindow):
    """The one window of the app. ``ready`` fires when the services can be used."""

    ready = Signal()
    #: Emitted after a card is drawn in the card panel (benchmarks, tests).
    card_shown = Signal(object)
    #: Emitted after an operation's result is drawn in the banner.
    result_shown = Signal(object)
    #: Emitted first thing when the window closes (scanner inputs stop on it).
    closing = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.info: CounterInfo | None = None
        self.card: Card | None = None
        self._pending_op: OpName | None = None
        self._dialogs: list[QDialog] = []
        #: Settings were saved and the services are being opened again with them.
        self._reconnecting = False
        self.collector = GuiThreadCollector(self)
        self._looking_up = False
        self._enrolling = False
        #: The service a "not answering" banner is about (cleared when it answers again).
        self._away_banner = ""
        self._pending_code = ""
        self._closing = False
        #: What the status line says, as a kind ("checking", "away", "cancels"...), so that
        #: it is updated by meaning, not by its words (they are translated).
        self._said = ""
        #: The scanner inputs when :func:`pos_app.qt.app.run_app` installed them.
        self.scanning: object | None = None
        #: Quick answers show no busy state (no flicker); slower ones show it after this delay.
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self.setWindowTitle(_("pos-app — cashier"))
        self.setMinimumSize(800, 600)
        self._build()
        self._connect()
        self._shortcuts()
        QApplication.instance().installEventFilter(self)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self._set_connecting()

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(10, 10, 10, 6)
        root.setSpacing(8)

        top = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("codeField")
        self.code.setPlaceholderText(_("Scan or type a card code"))
        self.code.setAccessibleName(_("Card code"))
        self.code.setMaxLength(600)
        self.code.setClearButtonEnabled(True)
        top.addWidget(self.code, 1)
        # i18n: the top buttons are narrow: keep their words short (a key name goes below)
        self.lookup_button = self._top_button(_("Look up"), "Enter",  # i18n-skip: a key name
                                              _("Look the code up (Enter)"))
        self.find_button = self._top_button(_("Find customer"), "Ctrl+F",
                                            _("Find a customer's cards by phone or email"))
        self.enrol_button = self._top_button(_("Enrol customer"), "Ctrl+N",
                                             _("Enrol a new customer and issue a card"))
        self.settings_button = self._top_button(_("Settings"), SETTINGS_KEY,
                                                _("Services and credentials"))
        self.theme_button = self._top_button(_("Light/dark"), "Ctrl+T",
                                             _("Switch between system, dark and light"))
        for button in (self.lookup_button, self.find_button, self.enrol_button,
                       self.settings_button, self.theme_button):
            top.addWidget(button)
        root.addLayout(top)

        busy = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(140)
        self.progress.setFixedHeight(14)
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.status = QLabel()
        self.status.setObjectName("statusLine")
        self.cancel_button = QPushButton(_("Cancel") + "  Esc")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.clicked.connect(self.back_out)
        busy.addWidget(self.status, 1)
        busy.addWidget(self.progress)
        busy.addWidget(self.cancel_button)
        root.addLayout(busy)

        self.banner = ResultBanner()
        root.addWidget(self.banner)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(8)
        self.card_panel = CardPanel()
        left_layout.addWidget(self.card_panel, 0)
        self.action_frame = QFrame()
        self.action_frame.setObjectName("actionFrame")
        action_layout = QVBoxLayout(self.action_frame)
        action_layout.setContentsMargins(10, 10, 10, 10)
        self.actions = QStackedWidget()
        self.ops_panel = OperationsPanel(self)
        self.entry = EntryPanel()
        self.confirm_panel = ConfirmPanel()
        for page in (self.ops_panel, self.entry, self.confirm_panel):
            self.actions.addWidget(page)
        action_layout.addWidget(self.actions)
        left_layout.addWidget(self.action_frame, 1)
        self.splitter.addWidget(left)

        self.tabs = QTabWidget()
        self.tabs.setMinimumWidth(330)
        self.demo = DemoPanel()
        self.journal = JournalView()
        self.history = HistoryView()
        self.journal_tools = JournalTools(self.controller, self.journal, self)
        self.shift_view = ShiftView()
        # i18n: tab names; & marks the letter of the Alt shortcut named in the tooltips
        self.tabs.addTab(self.journal, _("&Journal"))
        self.tabs.addTab(self.history, _("Card &history"))
        self.tabs.addTab(self.shift_view, _("&Shift"))
        self.tabs.setTabToolTip(0, _("This terminal's recent operations (Alt+J)"))
        self.tabs.setTabToolTip(1, _("The card's history at its service (Alt+H)"))
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        root.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.services_label = QLabel()
        self.statusBar().addWidget(self.services_label, 1)
        self.keys_label = QLabel(_("F1–F12 operations · Enter confirms · Esc goes back · "
                                   "Ctrl+P slip · Ctrl+Shift+F full screen"))
        self.keys_label.setProperty("muted", True)
        self.statusBar().addPermanentWidget(self.keys_label)

    def _top_button(self, text: str, key: str, tip: str) -> QPushButton:
        button = QPushButton(f"{text}\n{key}")
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.setMinimumHeight(52)
        return button

    def _connect(self) -> None:
        c = self.controller
        c.opened.connect(self._opened)
        c.open_failed.connect(self._open_failed)
        c.busy_changed.connect(self._busy)
        c.card_loaded.connect(self._card_loaded)
        c.lookup_failed.connect(self._lookup_failed)
        c.cancelled.connect(self._cancelled)
        c.planned.connect(self._planned)
        c.plan_failed.connect(self._plan_failed)
        c.limit_ready.connect(self.entry.set_limit)
        c.applied.connect(self._applied)
        c.apply_failed.connect(self._apply_failed)
        c.waiting_loaded.connect(self.journal.set_waiting)
        c.journal_loaded.connect(self.journal.set_entries)
        self.journal.check_again.connect(c.recover)
        self.journal.finish_wanted.connect(c.finish)
        c.journal_loaded.connect(self._show_waiting)
        c.progress.connect(self._progress)
        c.recovered.connect(self._recovered)
        c.history_loaded.connect(self.history.set_rows)
        c.till_history_loaded.connect(self.history.set_till_rows)
        c.health_changed.connect(self._health_changed)
        c.enrolled.connect(lambda _card: setattr(self, "_enrolling", True))
        c.names_loaded.connect(lambda: self.card_panel.set_card(self.card, self._name()))
        c.history_failed.connect(self.history.set_error)
        self.code.returnPressed.connect(self.look_up)
        self.lookup_button.clicked.connect(self.look_up)
        self.find_button.clicked.connect(self.open_customer_lookup)
        self.enrol_button.clicked.connect(self.open_enrol)
        self.settings_button.clicked.connect(self.open_settings)
        self.theme_button.clicked.connect(self.toggle_theme)
        self.ops_panel.chosen.connect(self.start_operation)
        self.ops_panel.unavailable.connect(self._unavailable)
        self.entry.submitted.connect(self._submitted)
        self.entry.back.connect(self.back_out)
        self.entry.limit_wanted.connect(c.spend_limit)
        self.confirm_panel.confirmed.connect(self._confirmed)
        self.confirm_panel.back.connect(self.back_out)
        self.demo.scan.connect(self.scan)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.shift = ShiftPresenter(c, self.shift_view, self._say,
                                    lambda text: self.banner.show_message("warn", text))
        self.closing.connect(self.shift.stop)
        self.journal_tools.said.connect(self._say)
        self.journal_tools.failed.connect(lambda text: self.banner.show_message("warn", text))

    def _shortcuts(self) -> None:
        def add(key: QKeySequence | str, slot: object) -> QShortcut:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            return shortcut

        self.esc_shortcut = add("Esc", self.back_out)  # i18n-skip: a key name
        add("Ctrl+F", self.open_customer_lookup)
        add("Ctrl+N", self.open_enrol)
        add(SETTINGS_KEY, self.open_settings)
        add("Ctrl+T", self.toggle_theme)
        add("Ctrl+Shift+F", self.toggle_full_screen)
        add("Ctrl+L", self.focus_code)
        add("Ctrl+P", lambda: self.journal_tools.print_slip())
        add("Ctrl+Shift+P", lambda: self.journal_tools.ask_pdf())

    # -- start-up ----------------------------------------------------------------------------

    def start(self) -> None:
        """Open the counter (off the GUI thread); ``ready`` follows."""
        self.controller.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._balance_splitter()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._balance_splitter()

    def _balance_splitter(self) -> None:
        """About 38 % of the width (at least 360 px) for the lists, the rest for the card."""
        total = sum(self.splitter.sizes()) or self.splitter.width()
        if total <= 0:
            return
        right = max(360, int(total * 0.38))
        self.splitter.setSizes([max(total - right, 1), right])

    def _set_connecting(self) -> None:
        self.services_label.setText(_("Starting…"))
        self.lookup_button.setEnabled(False)
        self.find_button.setEnabled(False)
        self.enrol_button.setEnabled(False)

    def _opened(self, info: CounterInfo) -> None:
        first = self.info is None  # a reopen after saving the settings keeps the tab
        self.info = info
        self._update_services()
        if info.on_sandbox:
            names = formatting.listing([s.title for s in services.SERVICES])
            reason = info.settings.sandbox_reason if info.settings else ""
            self.services_label.setToolTip(
                _("The app runs on its built-in sandbox of {services} ({reason}): demo "
                  "cards, not a real service.").format(services=names, reason=reason)
                if reason else
                _("The app runs on its built-in sandbox of {services}: demo cards, not a "
                  "real service.").format(services=names))
            if self.tabs.indexOf(self.demo) < 0:
                self.tabs.insertTab(0, self.demo, _("&Demo cards"))
                self.tabs.setTabToolTip(0, _("Cards of the sandbox; click one to scan it "
                                             "(Alt+D)"))
            self.demo.set_cards(info.demo_cards)
            if first:
                self.tabs.setCurrentWidget(self.demo)
        else:
            self.services_label.setToolTip("")
            index = self.tabs.indexOf(self.demo)
            if index >= 0:
                self.tabs.removeTab(index)
        self._enable_code(True)
        self._set_card(None)
        if self._reconnecting:
            self._reconnecting = False
            self.banner.show_message("ok", _("Settings saved"),
                                     _("Connected with the new settings."))
        self._say(_("Checking the services…  Scan a card or type its code."), "checking")
        moved = getattr(getattr(self.controller.counter, "journal", None), "moved_aside", None)
        if moved is not None:
            self.banner.show_message("warn", _("The journal could not be read"),
                                     moved.message())
        self.focus_code()
        self.ready.emit()
        code, self._pending_code = self._pending_code, ""
        if code and code == self.code.text():
            self.look_up()  # scanned while the app was starting

    def _open_failed(self, text: str) -> None:
        self._reconnecting = False
        self.services_label.setText(_("Not connected"))
        if isinstance(self.controller.open_error, StorageError):  # a file, not the settings
            self.banner.show_message("error", _("The app cannot use its data folder"), text)
        else:
            fix = _("Open the settings ({key}) to fix them.").format(key=SETTINGS_KEY)
            self.banner.show_message("error", _("The app could not start its services"),
                                     f"{text}  {fix}")
        self._say(_("Not connected."), "not-connected")

    def _enable_code(self, enabled: bool) -> None:
        self.code.setEnabled(enabled)
        self.lookup_button.setEnabled(enabled)
        self.find_button.setEnabled(enabled)
        self.enrol_button.setEnabled(enabled)

    # -- scanning ----------------------------------------------------------------------------

    def scan(self, code: str) -> None:
        """What a scanner does: put the code in the field and look it up."""
        self.code.setText(code)
        self.look_up()

    def scanned(self, code: str) -> None:
        """A scanner read ``code`` (any input): an open dialog closes, the card opens."""
        if not self._close_dialogs():
            self._say(_("Finish what the open window is doing, then scan the card again."))
            return
        self.scan(code)

    def scan_rejected(self, code: str, reason: str) -> None:
        """A scanner read a code no service claims: the previous card ends, nothing else
        can be applied to it, as when the same code is typed."""
        if self.controller.applying:
            return  # the operation being sent finishes first; the code is said by the flash
        self._close_dialogs()
        self.controller.cancel()
        self.controller.clear_card()
        self._set_card(None)
        self.code.setText(code)
        self.banner.show_message("error", _("Card not read"), reason)
        self._say(_("Scan the card again or type its code."))
        self.code.selectAll()
        self.focus_code()

    def _close_dialogs(self) -> bool:
        """Close every open dialog (as Esc would); ``False`` if one refuses (busy).

        Qt's own dialogs the window opens and waits on (a file to save, the printer) are
        closed too, as cancelled: their nested loop ends and nothing is saved or printed.
        """
        for dialog in list(self._dialogs):
            if shiboken6.isValid(dialog) and dialog.isVisible():
                dialog.reject()
        self._dialogs = [d for d in self._dialogs if shiboken6.isValid(d) and d.isVisible()]
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and widget.isModal() \
                    and widget not in self._dialogs:
                widget.reject()
        return not self._dialogs

    def _shown_code(self, text: str) -> bool:
        """``text`` is the code of the card on screen (an extra Enter, not a new card)."""
        if self.card is None:
            return False
        try:
            return clean_code(text) == self.card.code
        except ValueError:
            return False

    def look_up(self) -> None:
        text = self.code.text()
        if not text.strip():
            self._say(_("Scan a card or type its code, then press Enter."))
            self.focus_code()
            return
        if self.banner.tone == "ok" and self._shown_code(text) and \
                self.actions.currentWidget() is self.ops_panel:
            # An extra Enter after a result: the result stays until the next card or Esc.
            self._say(_("The result stays until the next card; Esc clears it."))
            self.code.selectAll()
            self.focus_code()
            return
        if self.controller.counter is None and self.controller.runner.busy("open"):
            self._pending_code = text
            self._say(_("Connecting to the services: the card is looked up as soon as they "
                        "are ready."))
            return
        self._show_actions(self.ops_panel)
        if self.controller.lookup(text):
            self._looking_up = True
            self.banner.clear()
            self.ops_panel.set_enabled(False)
        self.focus_code()

    def _card_loaded(self, card: Card) -> None:
        self._set_card(card)
        self._update_services()
        note = self.controller.enrol_note if self._enrolling else ""
        if self._enrolling:
            self._enrolling = False
            self._show_issued(card, note)
        ops = self.ops_panel.available()
        words = {"service": service_title(card.service), "kind": card.kind_label.lower()}
        self._say((_("{service} {kind} read: press an operation's key.") if ops else
                   _("{service} {kind} read.")).format(**words))
        self.code.selectAll()
        self.focus_code()
        self.card_shown.emit(card)

    def _set_card(self, card: Card | None) -> None:
        self.card = card
        self._looking_up = False
        self.card_panel.setEnabled(True)
        self.card_panel.set_card(card, self._name())
        self.ops_panel.set_card(card)
        self.ops_panel.set_enabled(not self.controller.applying)
        self._show_actions(self.ops_panel)
        self.history.set_card(card)
        if card is not None and self.tabs.currentWidget() is self.history:
            self._load_history()
        self._show_waiting()

    def _show_waiting(self, *_args: object) -> None:
        """Operations on the card shown that wait for the cashier, from the journal."""
        card = self.card
        mine = [] if card is None else [
            e for e in self.journal.waiting_entries()
            if (e.service, e.card_id) == (card.service, card.card_id)]
        self.card_panel.set_waiting(sum(not e.at_service for e in mine),
                                    sum(e.at_service for e in mine),
                                    back_office(card.service) if card is not None else "")

    def _lookup_failed(self, text: str) -> None:
        self._update_services()
        self.controller.clear_card()
        self._set_card(None)
        error = self.controller.last_error
        if isinstance(error, ServiceUnavailable) and not isinstance(error, RateLimited):
            # The read was good; the service did not answer: one message, one colour.
            feedback = getattr(self.scanning, "feedback", None)
            if feedback is not None:
                feedback.cancel()
            title = (_("{service} is not answering").format(
                service=service_title(error.service)) if error.service else
                _("The service is not answering"))
            self.banner.show_message("warn", title, text)
            self._away_banner = (error.service or "").lower()
            self._say(_("The card was read; try again when the service answers."))
        else:
            self.banner.show_message("error", _("Card not read"), text)
            self._say(_("Scan the card again or type its code."))
        self.code.selectAll()
        self.focus_code()

    def _cancelled(self, text: str) -> None:
        if self._looking_up:
            self.controller.clear_card()
            self._set_card(None)
        self._say(text)

    # -- operations --------------------------------------------------------------------------

    def start_operation(self, op: OpName) -> None:
        """F-key or button: ask for the operation's values, or go straight to the next step."""
        card = self.card
        if card is None or self.controller.applying or not card.supports(op):
            return
        self.banner.clear()
        self._pending_op = op
        if fields_for(op, card):
            self.entry.start(op, card, self.controller.sum_quantum(card))
            self._show_actions(self.entry)
            return
        self._submitted(Operation(op))

    def _unavailable(self, op: OpName) -> None:
        """A key for an operation the card cannot do now: say why (never silence)."""
        text = why_not(op, self.card)
        if self.card is None:
            self._say(text)
            return
        self.banner.show_message("info", _("{operation}: not possible").format(
            operation=op_label(op, self.card)), text)
        self._say(text)

    def _submitted(self, operation: Operation) -> None:
        """Checked with the service's rules first (the answer lands in the field); sent
        straight away unless it takes value or asks to be confirmed."""
        self.entry.set_busy(True)
        self.ops_panel.set_enabled(False)
        self.controller.plan(operation)

    def _planned(self, plan: Plan, card: Card, token: int) -> None:
        if self.card is None or card.card_id != self.card.card_id:
            return
        self.entry.set_busy(False)
        reasons = confirm_reasons(plan.operation, card, self.controller.sum_quantum(card),
                                  card.service)
        if not plan.operation.takes_value and not reasons:
            self._confirmed(token)
            return
        self.confirm_panel.show_plan(plan, card, token, reasons, self._name())
        self._show_actions(self.confirm_panel)
        self.confirm_panel.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _plan_failed(self, text: str) -> None:
        self.entry.set_busy(False)
        self.ops_panel.set_enabled(not self.controller.applying)
        if self.actions.currentWidget() is self.entry:
            self.entry.show_refusal(text)
        else:
            self._show_actions(self.ops_panel)
            self.banner.show_message("error", _("Not possible"), text)
            self.focus_code()

    def _confirmed(self, token: int) -> None:
        if not self.controller.confirm(token):
            return
        self.ops_panel.set_enabled(False)

    def _applied(self, result: OperationResult) -> None:
        self.entry.set_busy(False)
        self.journal_tools.last_id = result.journal_id
        self.banner.show_result(result, self._name())
        card = result.after or result.before
        if self.card is not None and card.card_id == self.card.card_id:
            if self._shown_code(self.code.text()) and card.code != self.card.code:
                self.code.setText(card.code)  # a dynamic QR moved on: Enter finds it still
            self._set_card(card)
        elif result.after is not None and self.controller.card is result.after:
            # finished from the journal on another card: that card is shown now
            self.code.setText(card.code)
            self._set_card(card)
        else:
            self.ops_panel.set_enabled(True)
            self._show_actions(self.ops_panel)
        if result.waiting and isinstance(result.error, FinishAtService):
            self._say(_("The till cannot finish this one: finish it in {place}.").format(
                place=back_office(card.service)))
        elif result.cancelled:
            self._say(_("Cancelled."))
        else:
            self._say(_("Waiting for you to finish or cancel it.") if result.waiting else {
                State.DONE: _("Done."), State.PENDING: _("Queued."),
                State.UNKNOWN: _("Not confirmed: see the message above.")}.get(
                    result.state, _("Not done.")))
        self._update_services()
        self.code.selectAll()
        self.focus_code()
        self.result_shown.emit(result)

    def _apply_failed(self, text: str) -> None:
        self.entry.set_busy(False)
        self.ops_panel.set_enabled(True)
        self._show_actions(self.ops_panel)
        self.banner.show_message("error", _("Not done"), text)
        self._say(_("Not done."))
        self.focus_code()
        self.result_shown.emit(None)

    def _name(self) -> str:
        """What the service calls the card shown (its coupon's or reward's name)."""
        return self.controller.card_name(self.card)

    def _show_issued(self, card: Card, note: str) -> None:
        """A card was just issued: to whom, its code and QR to hand over."""
        holder = card.holder.name if card.holder is not None and card.holder.name else ""
        name = self._name()
        words = {"service": service_title(card.service), "kind": card.kind_label.lower(),
                 "name": name}
        what = (_("{service} {kind} “{name}”") if name else _("{service} {kind}")).format(
            **words)
        text = _("{card}. Let the customer scan the QR code to add the card to their phone, "
                 "or give them the code.").format(card=what)
        if note:
            text = f"{note} {text}"
        if self.controller.enrol_existing:
            title = (_("{holder} already has this card").format(holder=holder) if holder else
                     _("The customer already has this card"))
        else:
            title = (_("Card issued to {holder}").format(holder=holder) if holder else
                     _("Card issued to the customer"))
        self.banner.show_issued(title, text, [(_("Code"), card.code)], card.code)

    def _show_actions(self, page: QWidget) -> None:
        if page is not self.confirm_panel:
            theme.set_tone(self.confirm_panel, None)
        self.actions.setCurrentWidget(page)

    # -- busy state --------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        """Something the cashier waits for started or ended; shown if it lasts."""
        self.ops_panel.set_enabled(not self.controller.applying and not self._looking_up)
        if text:
            if not self.progress.isVisible() and not self._busy_timer.isActive():
                self._busy_timer.start()
            elif self.progress.isVisible():
                self._show_busy()
            return
        self._busy_timer.stop()
        self._show_busy()

    def _show_busy(self) -> None:
        """The busy line: progress, what is running, Cancel (Esc) when it can be cancelled."""
        text = self.controller.busy_text
        self.progress.setVisible(bool(text))
        cancellable = bool(text) and not self.controller.applying and \
            not self.controller.runner.busy("open")
        self.cancel_button.setVisible(cancellable)
        if text:
            if cancellable:
                self._say(_("{doing}   Esc cancels.").format(doing=text), "cancels")
            else:
                self._say(text)
            if self._looking_up:
                self.card_panel.setEnabled(False)  # the previous card, greyed out
        elif self.controller.ready and self._said == "cancels":
            self._say(_("Ready."))

    def _say(self, text: str, kind: str = "") -> None:
        """Put ``text`` on the status line; ``kind`` says what it is about (for updates)."""
        self.status.setText(text)
        self._said = kind

    def _progress(self, text: str) -> None:
        """The core retries or checks an operation: say so on the busy line."""
        self.progress.setVisible(True)
        self._say(text)

    def _recovered(self, results: list[OperationResult]) -> None:
        """Operations left open earlier were completed (or are still open): say so."""
        done = [r for r in results if r.ok]
        still = len(results) - len(done)
        words = []
        if done:
            words.append(ngettext("{count} earlier operation completed with the service.",
                                  "{count} earlier operations completed with the service.",
                                  len(done)).format(count=formatting.number(len(done))))
        if still:
            words.append(ngettext(
                "{count} operation is still waiting for the service (see the journal).",
                "{count} operations are still waiting for the service (see the journal).",
                still).format(count=formatting.number(still)))
        if words:
            self._say(" ".join(words))
        for result in done:
            if self.card is not None and result.after is not None and \
                    result.after.card_id == self.card.card_id and not self.controller.applying:
                self._set_card(result.after)
        self._update_services()

    def _health_changed(self) -> None:
        """Which services answer changed: the status bar, and the status line when it
        still says a service is away (or that all is ready when none is)."""
        counter = self.controller.counter
        self._update_services()
        if counter is None or self.controller.busy_text:
            return
        try:
            away = sorted(dict(counter.unreachable))
        except RuntimeError:
            return
        if self._away_banner and self._away_banner not in away and self.banner.tone == "warn":
            self.banner.clear()  # it answers again: the warning about it is out of date
        if not away or self._away_banner not in away:
            self._away_banner = ""
        if away:
            names = formatting.listing([service_title(s) for s in away])
            every = len(away) == len(counter.backends)
            wait = formatting.number(max(1, self.controller.health_delay // 1000))
            self._say((ngettext(
                "Not connected: {names} is not answering (trying again every {seconds} s or "
                "so).",
                "Not connected: {names} are not answering (trying again every {seconds} s or "
                "so).", len(away)) if every else ngettext(
                "Ready; {names} is not answering (trying again every {seconds} s or so).",
                "Ready; {names} are not answering (trying again every {seconds} s or so).",
                len(away))).format(names=names, seconds=wait), "away")
        elif self._said in ("away", "not-connected", "checking"):
            self._say(_("Ready: every service answers. Scan a card or type its code."))

    def _update_services(self) -> None:
        """The status bar: which services are used, and any that did not answer last time."""
        info, counter = self.info, self.controller.counter
        if info is None:
            return
        text = (_("Sandbox: demo services on this computer") if info.on_sandbox
                else _("Services: {names}").format(
                    names=", ".join(service_title(s) for s in info.services)))
        try:  # workers update it; a copy taken mid-update is simply tried next time
            away = dict(getattr(counter, "unreachable", {}) or {})
        except RuntimeError:
            away = {}
        if away:
            text = _("{services}  ·  not answering: {names}").format(
                services=text, names=", ".join(service_title(s) for s in sorted(away)))
        self.services_label.setText(text)

    # -- keyboard ----------------------------------------------------------------------------

    def back_out(self) -> None:
        """Esc: leave the confirmation or entry, cancel a lookup, dismiss, clear; one step."""
        page = self.actions.currentWidget()
        if self.controller.applying:
            self._say(_("The operation is being sent; wait for the service's answer."))
            return
        if page is self.confirm_panel:
            self.controller.cancel()
            if self._pending_op is not None and fields_for(self._pending_op, self.card):
                self.entry.set_busy(False)
                self._show_actions(self.entry)
                self.entry.focus_first()
            else:
                self._show_actions(self.ops_panel)
                self.focus_code()
            self._say(_("Not sent."))
            return
        if page is self.entry:
            self.controller.cancel()
            self._show_actions(self.ops_panel)
            self.focus_code()
            self._say(_("Ready."))
            return
        if self.controller.cancel():
            self.focus_code()
            return
        if self.banner.isVisible():
            self.banner.clear()
        elif self.code.text():
            self.code.clear()
        elif self.card is not None:
            self.controller.clear_card()
            self._set_card(None)
            self._say(_("Ready: scan a card or type its code."))
        self.focus_code()

    def focus_code(self) -> None:
        if self.actions.currentWidget() is self.entry:
            return
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Typing anywhere outside a text field goes to the code field (a scanner's keys)."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if isinstance(watched, QLineEdit | QAbstractSpinBox | QTextEdit | QPlainTextEdit):
            return False
        if watched.window() is not self or not self.code.isEnabled():
            return False
        assert isinstance(event, QKeyEvent)
        text = event.text()
        mods = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                    | Qt.KeyboardModifier.AltModifier
                                    | Qt.KeyboardModifier.MetaModifier)
        if not text or not text.isprintable() or text == " " or mods:
            return False
        self._show_actions(self.ops_panel)
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
        self.code.selectAll()
        QCoreApplication.sendEvent(self.code, QKeyEvent(event.type(), event.key(),
                                                        event.modifiers(), text))
        return True

    # -- side panels and dialogs -------------------------------------------------------------

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.history:
            self._load_history()
        self.focus_code()

    def _load_history(self) -> None:
        card = self.card
        if card is None or self.history.loaded_for == card.card_id:
            return
        self.history.set_loading()
        self.controller.load_history(card)

    def open_customer_lookup(self) -> None:
        from pos_app.qt.lookup import CustomerLookupDialog

        if not self.controller.ready:
            return
        dialog = CustomerLookupDialog(self.controller, self)
        dialog.picked.connect(self.scan)
        self._open_dialog(dialog)
        dialog.query.setFocus()

    def open_enrol(self) -> None:
        from pos_app.qt.enrol import EnrolDialog

        if not self.controller.ready:
            return
        if self.controller.applying:
            self._say(_("Wait until the operation is sent."))
            return
        dialog = EnrolDialog(self.controller, self)
        dialog.enrolled.connect(lambda card: self.code.setText(card.code))
        self._open_dialog(dialog)
        dialog.first.setFocus()

    def open_settings(self) -> None:
        from pos_app.core.paths import config_path
        from pos_app.qt.settings_dialog import SettingsDialog

        if self.controller.applying:
            self._say(_("Wait until the operation is sent."))
            return
        note = ""
        settings = self.info.settings if self.info is not None else \
            self.controller.last_settings
        if settings is None:
            settings = Settings(config_path(self.controller.config))
            if settings.path.exists():
                note = _("The settings file could not be read; saving here replaces it.")
        dialog = SettingsDialog(self.controller, settings, note=note, parent=self)
        dialog.saved.connect(self._settings_saved)
        self._open_dialog(dialog)

    def _open_dialog(self, dialog: QDialog) -> None:
        """Show ``dialog`` window-modal (not a nested event loop); it is deleted once closed.

        (No ``destroyed`` hook: it can fire while this window is being destroyed.)
        """
        self._dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()

    def _dialog_finished(self, _result: int) -> None:
        self._dialogs = [d for d in self._dialogs if shiboken6.isValid(d) and d.isVisible()]
        self.activateWindow()
        self.focus_code()

    def _settings_saved(self, settings: Settings) -> None:
        self.banner.show_message("info", _("Settings saved"),
                                 _("Connecting with the new settings…"))
        self._set_card(None)
        self.journal.set_entries([])
        self._set_connecting()
        self._reconnecting = True
        self.controller.reopen(settings)

    def show_fault(self) -> None:
        """An exception escaped a slot (a bug): say so plainly; the details are in the log."""
        self.banner.show_message(
            "error", _("Something went wrong in the app"),
            _("The details are in the app's log file. Check the card and the recent "
              "operations before going on."))

    def toggle_theme(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        mode = theme.next_mode(theme.mode())
        theme.apply_theme(app, mode)
        self.journal.set_entries(self.journal.entries)
        self._say(_(theme.MODE_SAID[mode]))

    def _system_scheme_changed(self, _scheme: object) -> None:
        """The system switched light/dark: follow it unless the cashier chose a look."""
        app = QApplication.instance()
        if theme.mode() is theme.Mode.SYSTEM and isinstance(app, QApplication):
            theme.apply_theme(app, theme.Mode.SYSTEM)
            self.journal.set_entries(self.journal.entries)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close dialogs, stop the workers and close the counter (the sandbox with it)."""
        if not self._closing:
            self._closing = True
            self.closing.emit()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for dialog in list(self._dialogs):
            if shiboken6.isValid(dialog):
                dialog.close()
        self.hide()
        self.controller.shutdown()
        self.collector.stop()
        super().closeEvent(event)
