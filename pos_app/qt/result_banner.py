"""The banner across the window: what an operation did, or what went wrong and what to do."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pos_app.core import formatting
from pos_app.core.cards import Card
from pos_app.core.counter import OperationResult
from pos_app.core.errors import FinishAtService
from pos_app.core.i18n import _, ngettext
from pos_app.core.journal import State
from pos_app.core.operations import OpName
from pos_app.core.present import OUTCOME_LABELS, back_office, changes, outcome_rows
from pos_app.core.units import Unit, balance_unit, describe, plural_n
from pos_app.qt import theme

#: Most before -> after rows shown (the journal keeps them all).
MAX_CHANGES = 4


def card_words(card: Card) -> str:
    """A card named for the cashier: its code and its holder's name."""
    holder = card.holder.name if card.holder is not None else ""
    return f"{card.code} · {holder}" if holder else card.code


def is_to_pay(label: str) -> bool:
    """Whether a figure's label is the amount the customer pays (shown large)."""
    return label in (OUTCOME_LABELS["to_pay"], _(OUTCOME_LABELS["to_pay"]))


class ResultBanner(QFrame):
    """Green when done, red when refused or failed, amber when the outcome is unknown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.tone: str | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(18)
        left = QVBoxLayout()
        left.setSpacing(4)
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        left.addWidget(self.title)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        left.addWidget(self.text)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(14)
        self.rows.setVerticalSpacing(2)
        left.addLayout(self.rows)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        self.to_pay_label = QLabel(_("To pay"))
        self.to_pay_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.to_pay = QLabel()
        self.to_pay.setObjectName("toPay")
        self.to_pay.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        right.addWidget(self.to_pay_label)
        right.addWidget(self.to_pay)
        self.qr = QLabel()
        self.qr.setObjectName("bannerQr")
        self.qr.setAccessibleName(_("The new card's QR code"))
        right.addWidget(self.qr)
        right.addStretch(1)
        layout.addLayout(right)
        self.clear()

    def clear(self) -> None:
        self.tone = None
        self.hide()

    def show_result(self, result: OperationResult, name: str = "") -> None:
        """An operation's result: what changed, figures, and the amount to pay if any;
        it stays until the next card or Esc. ``name``: the coupon's or reward's name."""
        figures = outcome_rows(result.outcome, result.before) if result.ok else []
        to_pay = next((value for label, value in figures if is_to_pay(label)), None)
        rows = [(label, value) for label, value in figures if not is_to_pay(label)]
        # Finished or cancelled from the journal: the card it was on is named (it may not
        # be the one the window showed before).
        named = [(_("Card"), card_words(result.after or result.before))] if result.step else []
        if result.waiting and isinstance(result.error, FinishAtService):
            title = _("Open: finish it in {place}").format(
                place=back_office(result.before.service))
            self._show("warn", title, result.message, [], None)
        elif result.waiting:
            self._show("warn" if not result.ok else "info",
                       _("Open: finish or cancel it in the journal"), result.message, rows,
                       to_pay)
        elif result.ok and result.cancelled:
            title = _("Cancelled: {operation}.").format(
                operation=describe(result.operation, result.before, name))
            self._show("info", title, _("What it held was released; nothing was taken."),
                       named + self._changes(result), None)
        elif result.ok and result.note:
            self._show("ok", result.note, "", [], to_pay)
        elif result.ok:
            if result.after is not None:
                rows += self._changes(result)
            else:
                rows.append((_("Card"), _("sent; the card could not be read again — scan it to "
                                          "see it as it is now")))
            title = (_("Done: {step}.").format(step=result.step) if result.step else
                     _("Done: {operation}.").format(
                         operation=describe(result.operation, result.before, name)))
            short = short_of(result)
            if short is not None:  # the service added less than asked: said in the title
                title = partly_done(*short, balance_unit(result.before))
            self._show("warn" if short is not None else "ok", title, "", named + rows, to_pay)
        elif result.state is State.UNKNOWN:
            self._show("warn", _("Not confirmed by the service"), result.message, [], None)
        elif result.state is State.PENDING:
            self._show("warn", _("Queued, not sent yet"), result.message, [], None)
        else:
            self._show("error", _("Not done"), result.message, [], None)

    @staticmethod
    def _changes(result: OperationResult) -> list[tuple[str, str]]:
        """What the operation changed on the card, before -> after (the first few)."""
        if result.after is None:
            return []
        return [(label, f"{old}  →  {new}")
                for label, old, new in changes(result.before, result.after)[:MAX_CHANGES]]

    def show_message(self, tone: str, title: str, text: str = "") -> None:
        """A plain message: ``tone`` is ``ok``, ``error``, ``warn`` or ``info``."""
        self._show(tone, title, text, [], None)

    def show_issued(self, title: str, text: str, rows: list[tuple[str, str]],
                    code: str) -> None:
        """A card just issued: what to tell the customer, and its code as a QR to scan."""
        from pos_app.qt.demo_panel import qr_pixmap

        self._show("ok", title, text, rows, None)
        self.qr.setPixmap(qr_pixmap(code, 112))
        self.qr.setToolTip(code)
        self.qr.show()

    def _show(self, tone: str, title: str, text: str, rows: list[tuple[str, str]],
              to_pay: str | None) -> None:
        self.tone = tone
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        for i, (label, value) in enumerate(rows):
            name = QLabel(label)
            val = QLabel(value)
            val.setTextFormat(Qt.TextFormat.PlainText)
            font = val.font()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.15)
            val.setFont(font)
            self.rows.addWidget(name, i, 0)
            self.rows.addWidget(val, i, 1)
        self.rows.setColumnStretch(1, 1)
        self.qr.hide()
        self.to_pay.setText(to_pay or "")
        self.to_pay.setVisible(to_pay is not None)
        self.to_pay_label.setVisible(to_pay is not None)
        theme.set_tone(self, tone)
        self.setAccessibleName(f"{title}. {text}")
        self.show()

    def summary(self) -> str:
        """The banner's text in one line (tests and screen readers)."""
        parts = [self.title.text(), self.text.text()]
        for i in range(self.rows.count()):
            widget = self.rows.itemAt(i).widget()
            if isinstance(widget, QLabel):
                parts.append(widget.text())
        if self.to_pay.isVisibleTo(self):
            parts.append(f"{self.to_pay_label.text()} {self.to_pay.text()}")
        return " ".join(p for p in parts if p)


def short_of(result: OperationResult) -> tuple[Decimal, Decimal] | None:
    """``(added, asked)`` when a service added less value by hand than was asked (a daily
    limit, a full card), else ``None``."""
    operation, figures = result.operation, result.outcome
    if operation is None or operation.name is not OpName.ACCRUE or figures is None \
            or figures.earned is None:
        return None
    asked = operation.amount if operation.amount is not None else operation.count
    if asked is None:
        return None
    added = Decimal(figures.earned)
    return (added, Decimal(asked)) if added < Decimal(asked) else None


def partly_done(added: Decimal, asked: Decimal, unit: Unit) -> str:
    """The title of an addition the service made only in part: "Done in part: 5 of 10
    points added."."""
    if unit is Unit.MONEY:
        return _("Done in part: {added} of {asked} added.").format(
            added=formatting.money(added), asked=formatting.money(asked))
    # i18n: the plural follows {asked} ("5 of 10 points"); Russian: "начислено 5 из 10 баллов"
    return ngettext("Done in part: {added} of {asked} point added.",
                    "Done in part: {added} of {asked} points added.", plural_n(asked)).format(
        added=formatting.number(added), asked=formatting.number(asked))
