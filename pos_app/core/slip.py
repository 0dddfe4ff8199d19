"""The customer's slip for one journal row: shop, time, card (code masked), what was done, the
figures, the balance after and the journal number. Plain lines here; ``pos_app.qt.slip_print``
lays them out for a 58 or 80 mm receipt printer or a PDF.

The shop comes from the settings' ``[shop]`` table: ``name``, ``address`` (lines separated by
``\\n``) and ``slip_width`` (58 or 80, millimetres).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pos_app.core import formatting
from pos_app.core.cards import KIND_LABELS, CardKind
from pos_app.core.effects import EFFECT_LABELS
from pos_app.core.entry_text import entry_sentence
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.journal import Entry, State
from pos_app.core.money import format_money, format_number

WIDTHS = (58, 80)
DEFAULT_WIDTH = 58
#: Words on the slip, translated where shown (``reprint`` is also read by the printout).
TEXT = {
    # i18n: the slip's heading when the settings give no shop name
    "shop": N_("Loyalty card"),
    "journal": N_("Journal #{id}"),
    "card": N_("Card"),
    "balance": N_("Balance"),
    "stamps": N_("Stamps"),
    # i18n: the last line of a slip printed again
    "reprint": N_("Copy"),
    State.DONE: "",
    State.FAILED: N_("NOT DONE"),
    State.UNKNOWN: N_("NOT CONFIRMED: being checked"),
    State.PENDING: N_("QUEUED: not sent yet"),
    # i18n: a hold waiting for the cashier: its points are held on the card, not yet taken
    "waiting": N_("ON HOLD: not confirmed yet"),
}
_MONEY = frozenset({"to_pay", "discount", "money_added", "money_spent"})
_SHOWN = ("to_pay", "discount", "points_earned", "points_spent", "money_added", "money_spent",
          "stamps_given", "stamps_taken", "rewards_used", "held")


@dataclass(frozen=True)
class Shop:
    name: str = ""
    address: tuple[str, ...] = ()
    width: int = DEFAULT_WIDTH

    @classmethod
    def from_settings(cls, table: dict[str, Any] | None) -> Shop:
        table = table or {}
        try:
            width = int(table.get("slip_width") or DEFAULT_WIDTH)
        except (TypeError, ValueError):
            width = DEFAULT_WIDTH
        address = str(table.get("address") or "").splitlines()
        return cls(str(table.get("name") or "").strip(),
                   tuple(a.strip() for a in address if a.strip()),
                   width if width in WIDTHS else DEFAULT_WIDTH)


@dataclass(frozen=True)
class Slip:
    """What a slip says, top to bottom."""

    header: tuple[str, ...]
    when: str
    card: str
    what: str
    state: str
    rows: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    footer: str = ""
    copy: bool = False

    def lines(self) -> list[str]:
        """The slip as plain text lines (the command line and tests)."""
        out = [*self.header, self.when, self.card, self.what]
        if self.state:
            out.append(self.state)
        out += [f"{label}: {value}" for label, value in self.rows]
        out.append(self.footer)
        if self.copy:
            out.append(_(TEXT["reprint"]))
        return out


def mask_code(code: str) -> str:
    """A card code with only its last four letters or digits: ``931520-641-829`` ->
    ``••••1829``: enough for the customer to recognise, not to use."""
    tail = "".join(c for c in code if c.isalnum())[-4:]
    return "••••" + tail


def _value(name: str, value: Decimal | int) -> str:
    return format_money(Decimal(value)) if name in _MONEY else format_number(value)


def points(value: Decimal | int) -> str:
    """A balance in points with its word: ``404 points``, ``404 балла``, ``12,5 балла``."""
    amount = Decimal(value)
    # a fraction takes the form of 2 in both languages (2 points, 12,5 балла)
    n = int(amount) if amount == amount.to_integral_value() else 2
    return ngettext("{count} point", "{count} points", n).format(count=format_number(amount))


def build_slip(entry: Entry, shop: Shop, *, copy: bool = False) -> Slip:
    """The slip for one journal row (``copy`` marks a reprint)."""
    when = formatting.datetime(dt.datetime.fromisoformat(entry.created), seconds=True)
    try:
        kind = _(KIND_LABELS[CardKind(entry.kind)])
    except ValueError:
        kind = _(TEXT["card"])
    f = entry.effects
    rows = [(_(EFFECT_LABELS[name]), _value(name, getattr(f, name)))
            for name in _SHOWN if getattr(f, name) is not None]
    if f.balance_after is not None:
        balance = (format_money(f.balance_after) if f.balance_unit == "money"
                   else points(f.balance_after))
        rows.append((_(TEXT["balance"]), balance))
    if f.stamps_after is not None:
        stamps = (entry.after or {}).get("stamps") or {}
        most = stamps.get("max") if isinstance(stamps, dict) else None
        rows.append((_(TEXT["stamps"]), f"{f.stamps_after}" + (f" / {most}" if most else "")))
    header = (shop.name or _(TEXT["shop"]), *shop.address)
    said = TEXT["waiting"] if entry.waiting_step is not None else TEXT[entry.state]
    state = _(said) if said else ""
    return Slip(header, when, f"{kind} {mask_code(entry.card)}", entry_sentence(entry), state,
                tuple(rows), _(TEXT["journal"]).format(id=entry.id), copy)
