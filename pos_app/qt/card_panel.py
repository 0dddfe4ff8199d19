"""The card panel: who holds the card, what it is, its state, and what is on it, at a glance."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.cards import Card, CardKind, CardStatus
from pos_app.core.i18n import _, ngettext
from pos_app.core.present import balance_text, heard_text, service_title
from pos_app.core.units import Unit, mark_unit
from pos_app.qt import theme

#: Statuses drawn as a warning or an error badge; the others are plain.
STATUS_TONES: dict[CardStatus, str] = {
    CardStatus.ACTIVE: "ok",
    CardStatus.NOT_INSTALLED: "info",
    CardStatus.DELETED: "info",
    CardStatus.INACTIVE: "warn",
    CardStatus.USED: "error",
    CardStatus.EXPIRED: "error",
    CardStatus.BLOCKED: "error",
    CardStatus.PENDING: "warn",
    CardStatus.CANCELED: "error",
    CardStatus.DECLINED: "error",
}
#: Most marks drawn in one row of the stamp strip.
MARKS_PER_ROW = 10
#: Size of one stamp mark's cell, in pixels.
MARK = 42
#: Cards that expire within this many days show their date as a warning.
EXPIRY_WARNING_DAYS = 14


class StampStrip(QWidget):
    """A row (or two) of filled and empty marks: ``current`` out of ``maximum``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = 0
        self.maximum = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Stamps"))

    def set_stamps(self, current: int, maximum: int) -> None:
        self.current, self.maximum = max(current, 0), max(maximum, 0)
        words = {"current": formatting.number(self.current),
                 "maximum": formatting.number(self.maximum)}
        self.setToolTip(_("{current} of {maximum}").format(**words))
        self.setAccessibleDescription(ngettext("{current} of {maximum} stamp",
                                               "{current} of {maximum} stamps",
                                               self.maximum).format(**words))
        self.updateGeometry()
        self.update()

    def _rows(self) -> int:
        marks = max(self.maximum, min(self.current, 50))
        return max(1, -(-marks // MARKS_PER_ROW))

    def sizeHint(self) -> QSize:
        return QSize(MARKS_PER_ROW * MARK, self._rows() * MARK)

    def minimumSizeHint(self) -> QSize:
        return QSize(MARKS_PER_ROW * 18, self._rows() * 22)

    def paintEvent(self, event: QPaintEvent) -> None:
        marks = max(self.maximum, min(self.current, 50))
        if marks <= 0:
            return
        per_row = min(marks, MARKS_PER_ROW)
        rows = self._rows()
        cell = min(self.width() / MARKS_PER_ROW, self.height() / rows, float(MARK))
        size = cell * 0.8
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        filled = palette.color(QPalette.ColorRole.Highlight)
        outline = QColor(theme.colors().muted)
        for i in range(marks):
            row, col = divmod(i, per_row)
            x = col * cell + (cell - size) / 2
            y = row * cell + (cell - size) / 2
            rect = QRectF(x, y, size, size)
            if i < self.current:
                painter.setPen(QPen(filled.darker(120), 2))
                painter.setBrush(filled)
            else:
                painter.setPen(QPen(outline, 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect)
        painter.end()


class OneLineFirst(QLabel):
    """A word-wrapped label that keeps its text on one line while there is room for it
    (a plain wrapped label breaks it early) and wraps only when squeezed."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        one_line = self.fontMetrics().horizontalAdvance(self.text()) + margins.left() \
            + margins.right() + 2 * self.margin() + 2
        return QSize(max(hint.width(), one_line), hint.height())


def _label(text: str = "", *, name: str | None = None, muted: bool = False,
           wrap: bool = False, kind: type[QLabel] = QLabel) -> QLabel:
    label = kind(text)
    if name:
        label.setObjectName(name)
    if muted:
        label.setProperty("muted", True)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class CardPanel(QFrame):
    """Shows one card, or what to do when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardPanel")
        self.setMinimumHeight(190)
        self.card: Card | None = None
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.addWidget(self.stack)

        self.empty = _label(_("Scan a card, or type its number and press Enter."), name="hero",
                            muted=True, wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)

        page = QWidget()
        grid = QVBoxLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)

        head = QHBoxLayout()
        # Wraps rather than being cut when a long kind (Russian's) meets a long status badge.
        self.kind = _label(name="title", wrap=True, kind=OneLineFirst)
        self.status = _label()
        self.status.setObjectName("statusBadge")
        head.addWidget(self.kind)
        head.addWidget(self.status, 0, Qt.AlignmentFlag.AlignVCenter)  # a badge, not a pillar
        head.addStretch(1)
        self.code = _label(muted=True)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.code)
        grid.addLayout(head)

        self.holder = _label(wrap=True)
        self.holder.setObjectName("holder")
        grid.addWidget(self.holder)

        body = QGridLayout()
        body.setHorizontalSpacing(18)
        self.value = _label(name="bigValue")
        self.value_note = _label(muted=True, wrap=True)
        self.stamps = StampStrip()
        self.stamps_note = _label()
        self.heard = _label(wrap=True)
        self.heard.setObjectName("lastHeard")
        body.addWidget(self.value, 0, 0)
        body.addWidget(self.value_note, 1, 0)
        body.addWidget(self.stamps, 2, 0)
        body.addWidget(self.heard, 4, 0)
        self.rewards = _label()
        self.rewards.setObjectName("rewards")
        notes = QHBoxLayout()
        notes.setSpacing(14)
        notes.addWidget(self.stamps_note)
        notes.addWidget(self.rewards)
        notes.addStretch(1)
        body.addLayout(notes, 3, 0)
        body.setColumnStretch(0, 1)
        grid.addLayout(body)

        self.details = _label(wrap=True)
        grid.addWidget(self.details)
        self.expires = _label()
        grid.addWidget(self.expires)
        self.waiting = _label(wrap=True)
        self.waiting.setObjectName("waiting")
        grid.addWidget(self.waiting)
        grid.addStretch(1)
        self.stack.addWidget(page)
        self.page = page
        self.set_waiting(0)
        self.set_card(None)

    def set_waiting(self, count: int, at_service: int = 0, place: str = "") -> None:
        """How many operations on this card wait for the cashier (holds to finish), and how
        many are to finish at ``place`` (the till cannot: a hold without a code)."""
        lines = []
        if count:
            lines.append(ngettext(
                "{count} operation on this card waiting for you: finish or cancel in the "
                "journal.",
                "{count} operations on this card waiting for you: finish or cancel in the "
                "journal.", count).format(count=formatting.number(count)))
        if at_service:
            # i18n: {place} is where it is finished: "Counterpoint"
            lines.append(ngettext(
                "{count} operation on this card to finish in {place}: the till cannot.",
                "{count} operations on this card to finish in {place}: the till cannot.",
                at_service).format(count=formatting.number(at_service), place=place))
        self.waiting.setText("\n".join(lines))
        theme.set_badge(self.waiting, "warn" if lines else None)
        self.waiting.setVisible(bool(lines))

    def set_card(self, card: Card | None, name: str = "") -> None:
        """Draw ``card`` (``None``: the empty state); ``name`` is what its service calls it
        (the coupon's or the reward's name)."""
        self.card = card
        if card is None:
            self.stack.setCurrentWidget(self.empty)
            self.setAccessibleName(_("No card"))
            return
        self.kind.setText(f"{service_title(card.service)} · {card.kind_label}")
        self.status.setText(card.status_label)
        theme.set_badge(self.status, STATUS_TONES.get(card.status, "info"))
        self.code.setText(_elide(card.code, 28))
        self.code.setToolTip(card.code)
        self.holder.setText(_holder_text(card))
        self.holder.setVisible(bool(self.holder.text()))

        value = balance_text(card) if card.balance is not None else None
        if card.kind is CardKind.DISCOUNT and card.percent is not None:
            value = _("{percent} discount").format(percent=formatting.percent(card.percent))
        self.value.setText(value or "")
        self.value.setVisible(bool(value))
        note = []
        if card.balance is not None and card.kind is CardKind.POINTS and card.percent is not None:
            note.append(_("{percent} back on purchases").format(
                percent=formatting.percent(card.percent)))
        if card.max_spend_percent is not None and card.balance is not None:
            note.append(_("up to {percent} of a purchase may be paid from the card").format(
                percent=formatting.percent(card.max_spend_percent)))
        if card.balance_note:
            note.append(card.balance_note)
        note += [f"{label}: {text}" for label, text in card.facts if _figure(text)]
        self.value_note.setText("; ".join(note))
        self.value_note.setVisible(bool(note))
        heard = heard_text(card)
        self.heard.setText(_("Last heard: {what}").format(what=heard) if heard else "")
        self.heard.setVisible(bool(heard))
        theme.set_badge(self.heard, "info" if heard else None)

        if card.stamps is not None:
            maximum = card.stamps.max or 0
            self.stamps.set_stamps(card.stamps.current, maximum)
            self.stamps.setVisible(maximum > 0)
            self.stamps_note.setText(marks_text(card, card.stamps.current, maximum,
                                                card.stamps.total))
            self.stamps_note.setVisible(True)
        else:
            self.stamps.setVisible(False)
            self.stamps_note.setVisible(False)
        rewards = card.rewards or 0
        self.rewards.setText(ngettext("{count} reward to use", "{count} rewards to use",
                                      rewards).format(count=formatting.number(rewards)))
        self.rewards.setVisible(rewards > 0)
        theme.set_badge(self.rewards, "ok" if rewards > 0 else None)

        details = []
        if card.percent is not None and card.kind not in (CardKind.DISCOUNT, CardKind.POINTS):
            details.append(formatting.percent(card.percent))
        if card.level:
            details.append(_("Level: {level}").format(level=card.level))
        if card.total_spent is not None:
            details.append(_("Purchases: {amount}").format(
                amount=formatting.money(card.total_spent)))
        if name:
            details.insert(0, _("“{name}”").format(name=name))
        if card.template and card.template.strip() and not card.template.isdigit() \
                and card.template.strip() != (name or "").strip():
            details.append(card.template)  # the service's own words, unless they are the name
        lines = ["   ·   ".join(details)] if details else []
        lines += [f"{label}: {text}" for label, text in card.facts if not _figure(text)]
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))

        expiry, tone = _expiry_text(card)
        self.expires.setText(expiry)
        self.expires.setVisible(bool(expiry))
        theme.set_badge(self.expires, tone)
        self.setAccessibleName(f"{card.kind_label}, {card.status_label}")
        self.stack.setCurrentWidget(self.page)


def marks_text(card: Card, current: int, maximum: int, total: int | None) -> str:
    """"3 of 10 stamps", "4 visits left", "2 of 6 chops  ·  14 in total"."""
    unit = mark_unit(card)
    if card.kind is CardKind.SUBSCRIPTION:
        text = (ngettext("{current} of {maximum} visit left", "{current} of {maximum} visits left",
                         maximum) if maximum else
                ngettext("{current} visit left", "{current} visits left", current))
    elif unit is Unit.CHOPS:
        text = (ngettext("{current} of {maximum} chop", "{current} of {maximum} chops", maximum)
                if maximum else ngettext("{current} chop", "{current} chops", current))
    elif unit is Unit.VISITS:
        text = (ngettext("{current} of {maximum} visit", "{current} of {maximum} visits",
                         maximum) if maximum else
                ngettext("{current} visit", "{current} visits", current))
    else:
        text = (ngettext("{current} of {maximum} stamp", "{current} of {maximum} stamps",
                         maximum) if maximum else
                ngettext("{current} stamp", "{current} stamps", current))
    text = text.format(current=formatting.number(current), maximum=formatting.number(maximum))
    if total is not None:
        text = _("{marks}  ·  {total} in total").format(marks=text,
                                                        total=formatting.number(total))
    return text


def _figure(text: str) -> bool:
    """Whether a fact is a number (shown beside the balance) rather than a sentence."""
    return text.replace(" ", "").replace("\u202f", "").replace("\u00a0", "").replace(
        ",", "").isdigit()


def _holder_text(card: Card) -> str:
    """The holder's name and masked phone; the phone in clear never reaches the screen."""
    holder = card.holder
    if holder is None:
        return ""
    parts = [p for p in (holder.name, holder.masked_phone if holder.phone else "") if p]
    return "   ".join(parts)


def _expiry_text(card: Card) -> tuple[str, str | None]:
    if card.expires is None:
        return "", None
    day = card.expires.date() if isinstance(card.expires, dt.datetime) else card.expires
    text = formatting.date(day)
    left = (day - dt.date.today()).days
    if card.status is CardStatus.EXPIRED or left < 0:
        return _("Expired {date}").format(date=text), "error"
    if left <= EXPIRY_WARNING_DAYS:
        return ngettext("Expires {date} (in {days} day)", "Expires {date} (in {days} days)",
                        left).format(date=text, days=formatting.number(left)), "warn"
    return _("Valid until {date}").format(date=text), None


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
