"""Entering an operation's amount, count or date, by keyboard or on the keypad."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.cards import Card, CardKind
from pos_app.core.checks import check_fits, recorded_sum, rounding_note, spend_rule_note
from pos_app.core.errors import InvalidInput, Refused
from pos_app.core.i18n import N_, _, pgettext
from pos_app.core.money import parse_amount
from pos_app.core.operations import TAKES_VALUE, Operation, OpName
from pos_app.core.present import balance_text
from pos_app.core.units import balance_unit, field_label, op_label, quantity
from pos_app.qt import theme
from pos_app.qt.keypad import Keypad


@dataclass(frozen=True)
class Field:
    label: str
    kind: str            # "money", "count" or "date"
    default: str = ""


def fields_for(op: OpName, card: Card | None) -> list[Field]:
    """The fields an operation asks for (none for coupon operations)."""
    year = dt.date.today() + dt.timedelta(days=365)
    return {
        OpName.PURCHASE: [Field(_("Purchase amount"), "money")],
        OpName.SPEND: [Field(field_label(op, card), "money")],
        OpName.PURCHASE_SPEND: [Field(_("Purchase amount"), "money"),
                                Field(_("Pay from the card"), "money")],
        OpName.ACCRUE: [Field(field_label(op, card), "count")],
        OpName.HOLD: [Field(_("Points to hold until the sale is paid"), "count")],
        OpName.STAMP: [Field(field_label(op, card), "count", "1")],
        OpName.UNSTAMP: [Field(field_label(op, card), "count", "1")],
        OpName.REWARD: [Field(field_label(op, card), "count", "1")],
        # i18n: the date's pattern as the cashier types it in your language (31.12.2030)
        OpName.SET_EXPIRY: [Field(_("New expiry date (YYYY-MM-DD)"), "date",
                                  date_text(year))],
    }.get(op, [])


def date_text(day: dt.date) -> str:
    """``day`` as the date field shows it: the language's own short date when the field
    reads it back (``31.12.2030``), else ISO (``2030-12-31``)."""
    shown = formatting.date(day)
    return shown if parse_date(shown) == day else day.isoformat()


def parse_date(text: str) -> dt.date | None:
    """A date as a cashier types it: ISO (``2030-12-31``) or the language's short numeric
    date (``31.12.2030`` in Russian); ``None`` when it is neither."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=formatting.current_locale()).pattern
    order = [c for c in "dMy" if c in pattern]
    order.sort(key=pattern.index)
    parts = [p for p in "".join(c if c.isdigit() else " " for c in text).split()]
    if len(order) != 3 or len(parts) != 3 or any(c.isalpha() for c in text):
        return None
    values = dict(zip(order, (int(p) for p in parts), strict=True))
    if len(parts[order.index("y")]) != 4:
        return None  # "31.12.30": which century is not for the till to guess
    try:
        return dt.date(values["y"], values["M"], values["d"])
    except ValueError:
        return None


class EntryPanel(QWidget):
    """The fields of one operation, a keypad, and Back (Esc) / Continue (Enter)."""

    submitted = Signal(object)       # Operation
    back = Signal()
    limit_wanted = Signal(object)    # Decimal: the purchase amount of a purchase with spending

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.op: OpName | None = None
        self.card: Card | None = None
        self.edits: list[QLineEdit] = []
        self.specs: list[Field] = []
        self._limit: tuple[Decimal, Decimal | None] | None = None
        self._auto_spend = ""
        #: The step in which the card's service records sums (``None``: cents).
        self.quantum: Decimal | None = None

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(6)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        left.addWidget(self.title)
        self.subtitle = QLabel()
        self.subtitle.setProperty("muted", True)
        self.subtitle.setWordWrap(True)
        left.addWidget(self.subtitle)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Labels beside their fields: two fields, the hint and a refusal fit in the space a
        # 1024x768 window leaves (labels above them made the rows overlap).
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(8)
        left.addLayout(self.form)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        left.addWidget(self.hint)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("entryError")
        left.addWidget(self.error)
        left.addStretch(1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(_("Back  (Esc)"))
        self.back_button.setProperty("role", "secondary")
        self.back_button.clicked.connect(self.back.emit)
        self.ok_button = QPushButton(_("Continue  (Enter)"))
        self.ok_button.setProperty("role", "primary")
        self.ok_button.clicked.connect(self.submit)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.ok_button, 1)
        left.addLayout(buttons)
        outer.addLayout(left, 3)
        self.keypad = Keypad()
        self.keypad.enter.connect(self._enter_from_keypad)
        outer.addWidget(self.keypad, 2)
        self._limit_timer = QTimer(self)
        self._limit_timer.setSingleShot(True)
        self._limit_timer.setInterval(250)
        self._limit_timer.timeout.connect(self._want_limit)

    # -- set up ------------------------------------------------------------------------------

    def start(self, op: OpName, card: Card, quantum: Decimal | None = None) -> None:
        """Show the fields for ``op`` on ``card`` and put the cursor in the first one;
        ``quantum`` is the step in which the card's service records sums."""
        self.op, self.card, self.quantum = op, card, quantum
        self._limit = None
        self._auto_spend = ""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.edits = []
        self.specs = fields_for(op, card)
        for spec in self.specs:
            edit = QLineEdit(spec.default)
            edit.setObjectName(f"field_{spec.kind}")
            edit.setAccessibleName(spec.label)
            font = edit.font()
            font.setPointSizeF(font.pointSizeF() * 1.5)
            edit.setFont(font)
            edit.setMinimumHeight(40)
            if spec.kind in ("money", "count"):
                edit.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
            edit.setMaxLength(40)
            edit.returnPressed.connect(lambda e=edit: self._enter_in(e))
            edit.textEdited.connect(self._edited)
            edit.installEventFilter(self)
            self.form.addRow(spec.label, edit)
            self.edits.append(edit)
        self.title.setText(op_label(op, card))
        self.subtitle.setText(_(SHORT[op]).capitalize() if op in SHORT else "")
        confirm_follows = op in TAKES_VALUE
        self.ok_button.setText(_("Continue  (Enter)") if confirm_follows else _("Send  (Enter)"))
        self.keypad.setVisible(any(f.kind in ("money", "count") for f in self.specs))
        self.show_error("")
        self._update_hint()
        self.set_busy(False)
        self.focus_first()

    def focus_first(self) -> None:
        self.focus_field(0)

    def focus_field(self, index: int) -> None:
        """Put the cursor in field ``index`` with its text selected (to be typed over)."""
        if self.edits:
            edit = self.edits[max(0, min(index, len(self.edits) - 1))]
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            edit.selectAll()
            self._aim_keypad(edit)

    def show_refusal(self, text: str) -> None:
        """The service refused what was typed: say why, cursor in the field refused."""
        self.show_error(text)
        self.focus_field(self._refused_field(text))

    def _refused_field(self, text: str) -> int:
        """Which field a refusal is about: in a purchase with spending, the amount paid from
        the card, unless the purchase amount itself is wrong."""
        if self.op is not OpName.PURCHASE_SPEND or len(self.edits) < 2:
            return 0
        if _amount_or_none(self.edits[0].text()) is None:
            return 0
        lowered = text.lower()

        def says(*words: str) -> bool:
            return any(w and w.lower() in lowered for w in words)

        # i18n: word stems (lower case) that tell a refusal is about the purchase amount or
        # about the sum paid from the card: "покупк", "списа", "с карты"
        about_purchase = says("purchase", pgettext("refusal about", "purchase")) and not says(
            "spen", "from the card",  # i18n-skip: English stems
            pgettext("refusal about", "spen"), pgettext("refusal about", "from the card"))
        return 0 if about_purchase else 1

    def set_busy(self, busy: bool) -> None:
        """While the operation is checked or sent, nothing can be changed or sent again."""
        self.ok_button.setEnabled(not busy)
        self.keypad.setEnabled(not busy)
        for edit in self.edits:
            edit.setReadOnly(busy)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        theme.set_tone(self.error, "error" if text else None)

    # -- events ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self._aim_keypad(watched)
        return False

    def _aim_keypad(self, edit: QLineEdit) -> None:
        """The keypad types into ``edit``; its decimal key is off in a count's field."""
        index = self.edits.index(edit) if edit in self.edits else -1
        whole = 0 <= index < len(self.specs) and self.specs[index].kind == "count"
        self.keypad.set_target(edit, whole=whole)

    def _enter_from_keypad(self) -> None:
        target = self.keypad.target
        if target in self.edits:
            self._enter_in(target)
        else:
            self.submit()

    def _enter_in(self, edit: QLineEdit) -> None:
        """Enter moves to the next field, and on the last one continues."""
        index = self.edits.index(edit)
        if index + 1 < len(self.edits):
            self._want_limit()
            nxt = self.edits[index + 1]
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            nxt.selectAll()
            return
        self.submit()

    def _edited(self, _text: str) -> None:
        self.show_error("")
        if self.op is OpName.PURCHASE_SPEND:
            if self.sender() is self.edits[0]:
                self._limit = None
                self._limit_timer.start()
            elif self.sender() is self.edits[1]:
                self._auto_spend = ""
        self._update_hint()

    def _want_limit(self) -> None:
        if self.op is not OpName.PURCHASE_SPEND or not self.edits:
            return
        amount = _amount_or_none(self.edits[0].text())
        if amount is not None and (self._limit is None or self._limit[0] != amount):
            self.limit_wanted.emit(amount)

    def set_limit(self, amount: Decimal, limit: Decimal | None) -> None:
        """The service's answer to ``limit_wanted``: prefill what may be spent."""
        if self.op is not OpName.PURCHASE_SPEND or len(self.edits) < 2:
            return
        if _amount_or_none(self.edits[0].text()) != amount:
            return
        self._limit = (amount, limit)
        spend = self.edits[1]
        if limit is not None and (not spend.text().strip() or spend.text() == self._auto_spend):
            self._auto_spend = f"{limit:.2f}".replace(".", formatting.decimal_separator())
            spend.setText(self._auto_spend)
            if spend.hasFocus():
                spend.selectAll()
        self._update_hint()

    def _update_hint(self) -> None:
        card, op = self.card, self.op
        lines: list[str] = []
        if card is not None and op is not None:
            if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and card.balance is not None:
                lines.append(_("On the card: {balance}").format(balance=balance_text(card)))
            if op is OpName.SPEND:
                note = spend_rule_note(Operation(op), card)
                if note:
                    lines.append(note)
            if op in (OpName.PURCHASE, OpName.PURCHASE_SPEND) and self.edits:
                amount = _amount_or_none(self.edits[0].text())
                if amount is not None and recorded_sum(amount, self.quantum) != amount:
                    lines.append(rounding_note(amount, recorded_sum(amount, self.quantum),
                                               card.service))
            if op is OpName.PURCHASE and card.kind is CardKind.DISCOUNT and card.percent:
                lines.append(_("Discount {percent} is taken off the amount").format(
                    percent=formatting.percent(card.percent)))
            if op is OpName.PURCHASE_SPEND and len(self.edits) == 2:
                amount = _amount_or_none(self.edits[0].text())
                spend = _amount_or_none(self.edits[1].text(), allow_zero=True)
                if self._limit is not None and self._limit[1] is not None:
                    most = quantity(self._limit[1], balance_unit(card))
                    lines.append(_("Most that may be spent: {amount}").format(amount=most))
                if amount is not None and spend is not None and spend <= amount:
                    lines.append(_("Left to pay: {amount}").format(
                        amount=formatting.money(amount - spend)))
        self.hint.setText("\n".join(lines))
        self.hint.setVisible(bool(lines))

    # -- submit ------------------------------------------------------------------------------

    def args(self) -> list[str]:
        """What was typed, dates as ISO (the operation's own format)."""
        values = []
        for spec, edit in zip(self.specs, self.edits, strict=True):
            text = edit.text().strip()
            day = parse_date(text) if spec.kind == "date" else None
            values.append(day.isoformat() if day is not None else text)
        return values

    def submit(self) -> None:
        """Check what was typed; a valid operation is ``submitted``, else the error is shown."""
        if self.op is None or not self.ok_button.isEnabled():
            return
        try:
            operation = Operation.parse(self.op.value, self.args())
            if self.card is not None:
                check_fits(operation, self.card)
        except (InvalidInput, Refused) as exc:
            self.show_refusal(str(exc))
            return
        self.show_error("")
        self.submitted.emit(operation)


#: A short "what to type" for the entry title.
SHORT: dict[OpName, str] = {
    OpName.PURCHASE: N_("type the amount"),
    OpName.SPEND: N_("type the amount"),
    OpName.PURCHASE_SPEND: N_("type the purchase, then what is paid from the card"),
    OpName.ACCRUE: N_("type the points"),
    OpName.HOLD: N_("type the points to hold"),
    OpName.STAMP: N_("how many stamps"),
    OpName.UNSTAMP: N_("how many visits"),
    OpName.REWARD: N_("how many rewards"),
    OpName.SET_EXPIRY: N_("type the new date"),
}


def _amount_or_none(text: str, *, allow_zero: bool = False) -> Decimal | None:
    try:
        return parse_amount(text, allow_zero=allow_zero)
    except InvalidInput:
        return None
