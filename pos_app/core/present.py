"""Plain-text presentation of cards and operation results, shared by the CLI and the window
(in the chosen language)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pos_app.core import formatting
from pos_app.core.cards import Card
from pos_app.core.figures import Figures
from pos_app.core.i18n import N_, _
from pos_app.core.labels import Labels
from pos_app.core.money import format_money, format_number
from pos_app.core.units import Unit, balance_unit, marks_label, quantity

if TYPE_CHECKING:
    from pos_app.core.services.spec import ServiceSpec


def balance_text(card: Card) -> str | None:
    if card.balance is None:
        return None
    return quantity(card.balance, balance_unit(card))


def stamps_text(card: Card) -> str | None:
    if card.stamps is None:
        return None
    text = format_number(card.stamps.current)
    if card.stamps.max:
        text += f" / {format_number(card.stamps.max)}"
    if card.stamps.total is not None:
        # i18n: a card's stamps now (e.g. "3 / 10") and all it has ever had.
        text = _("{stamps} (total {total})").format(stamps=text,
                                                    total=format_number(card.stamps.total))
    return text


def heard_text(card: Card) -> str | None:
    """What this till last heard of a card without a balance read, with its local time."""
    heard = card.heard
    if heard is None:
        return None
    when = formatting.datetime(heard.when)
    if heard.operation:
        # i18n: {operation} is an operation's name ("Add points"), {when} a date and time.
        done = _("{operation} at {when}, this till").format(operation=_(heard.operation),
                                                            when=when)
    else:
        done = _("Last operation at {when}, this till").format(when=when)
    if heard.balance is None:
        return done
    return f"{quantity(heard.balance, balance_unit(card))} ({done})"


def short_code(code: str, limit: int = 16) -> str:
    """A card code short enough for a list's column: a longer one keeps its start and its
    end around an ellipsis (``vmAT7Hq…1Ms5Df``); lists give the whole code in a tooltip."""
    if len(code) <= limit:
        return code
    head = (limit - 1) // 2
    return f"{code[:head]}…{code[-(limit - 1 - head):]}"


def _spec(name: str) -> ServiceSpec | None:
    from pos_app.core.errors import ConfigError
    from pos_app.core.services import get

    try:
        return get(name)
    except ConfigError:
        return None


def service_title(name: str) -> str:
    """The name people see for service ``name``."""
    spec = _spec(name)
    return name.capitalize() if spec is None else spec.title


def back_office(name: str) -> str:
    """Where people finish what the till cannot for service ``name`` (its spec's
    ``back_office``, else its title)."""
    spec = _spec(name)
    return name.capitalize() if spec is None else spec.back_office or spec.title


def _own_fields(card: Card) -> list[tuple[str, str]]:
    """Label/value rows for the values every card may carry (phone masked)."""
    rows: list[tuple[str, str]] = []
    if card.holder is not None and (card.holder.name or card.holder.phone):
        who = card.holder.name or "—"
        if card.holder.phone:
            who += f"  ({card.holder.masked_phone})"
        rows.append((_("Holder"), who))
    for label, value in (
        (marks_label(card), stamps_text(card)),
        (_("Rewards"), None if card.rewards is None else format_number(card.rewards)),
        (_("Balance"), balance_text(card) or (card.balance_note or None)),
        (_("Last heard"), heard_text(card)),
        (_("Percent"), None if card.percent is None else formatting.percent(card.percent)),
        (_("Level"), card.level),
        (_("Total spent"), None if card.total_spent is None
         else format_money(card.total_spent)),
        (_("Expires"), None if card.expires is None else formatting.date(card.expires)),
    ):
        if value is not None:
            rows.append((label, value))
    if card.template and card.facts:
        rows.append((_("Program"), card.template))
    return rows


def card_fields(card: Card) -> list[tuple[str, str]]:
    """Label/value rows for everything the card carries (phone masked), in the chosen
    language: dates, numbers and money as it writes them."""
    return _own_fields(card) + list(card.facts)


def card_text(card: Card, extra: Sequence[tuple[str, str]] = ()) -> str:
    """The card as the command line prints it: a heading, then one labelled value a line
    (``extra`` rows last), the values lined up after the longest label (at least 12 wide, as
    the English has always been)."""
    head = f"{service_title(card.service)} · {card.kind_label} · {card.status_label}"
    ops = ", ".join(o.value for o in card.operations) or _("nothing right now")
    rows = [(_("Code"), card.code), *card_fields(card), (_("Can do"), ops), *extra]
    width = max(12, *(len(label) for label, _value in rows))
    return "\n".join([head, *(f"{label:<{width}} {value}" for label, value in rows)])


def changes(before: Card, after: Card) -> list[tuple[str, str, str]]:
    """What an operation changed: ``(label, before, after)`` for every value that differs."""
    old, new = dict(card_fields(before)), dict(card_fields(after))
    rows = []
    holder = _("Holder")
    for label in new:
        if label == holder:
            continue
        if old.get(label) != new[label]:
            rows.append((label, old.get(label, "—"), new[label]))
    if before.status != after.status:
        rows.append((_("Status"), before.status_label, after.status_label))
    return rows


OUTCOME_LABELS = Labels({
    "to_pay": N_("To pay"),
    "discount": N_("Discount"),
    "max_spend": N_("Most that may be spent"),
    "earned": N_("Points earned"),
    "spent": N_("Paid from the card"),
    "balance": N_("On the card after"),
})
#: Figures in money whatever the card; the others are in the card's balance unit.
_MONEY_FIGURES = ("to_pay", "discount")
#: The order figures are shown in (amount to pay first).
OUTCOME_ORDER = ("to_pay", "discount", "spent", "earned")


def outcome_rows(outcome: Mapping[str, Any], card: Card | None = None) -> list[tuple[str, str]]:
    """Label/value rows for the figures an operation produced (amount to pay first), each in
    its unit: money, or what the card's balance is (points; money on a gift certificate)."""
    figures = outcome if isinstance(outcome, Figures) else Figures.from_mapping(outcome)
    unit = balance_unit(card) if card is not None else None
    rows = []
    for key in OUTCOME_ORDER:
        value = figures.get(key)
        if value is None or isinstance(value, bool):
            continue
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            continue
        label = OUTCOME_LABELS[key]
        if key in _MONEY_FIGURES:
            text = format_money(number)
        elif unit is None:
            text = format_money(number) if key in ("spent", "balance") \
                else format_number(number)
        else:
            text = quantity(number, unit)
            if unit is Unit.MONEY and key == "earned":
                label = _("Added to the balance")
        rows.append((label, text))
    rows += [(str(label), str(words)) for label, words in figures.get("notes") or ()]
    return rows
