"""Plain-text presentation of cards and operation results, shared by the CLI and the window."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pos_app.core.cards import Card
from pos_app.core.figures import Figures
from pos_app.core.money import format_money, format_number
from pos_app.core.units import Unit, balance_unit, mark_unit, quantity


def balance_text(card: Card) -> str | None:
    if card.balance is None:
        return None
    return quantity(card.balance, balance_unit(card))


def stamps_text(card: Card) -> str | None:
    if card.stamps is None:
        return None
    text = f"{card.stamps.current}"
    if card.stamps.max:
        text += f" / {card.stamps.max}"
    if card.stamps.total is not None:
        text += f" (total {card.stamps.total})"
    return text


def heard_text(card: Card) -> str | None:
    """What this till last heard of a card without a balance read, with its local time."""
    heard = card.heard
    if heard is None:
        return None
    when = heard.when.astimezone().strftime("%Y-%m-%d %H:%M")
    done = f"{heard.operation or 'last operation'} at {when}, this till"
    if heard.balance is None:
        return done
    return f"{format_number(heard.balance)} {card.balance_unit} ({done})"


def service_title(name: str) -> str:
    """The name people see for service ``name``."""
    from pos_app.core.errors import ConfigError
    from pos_app.core.services import get

    try:
        return get(name).title
    except ConfigError:
        return name.capitalize()


def card_fields(card: Card) -> list[tuple[str, str]]:
    """Label/value rows for everything the card carries (phone masked)."""
    rows: list[tuple[str, str]] = []
    if card.holder is not None and (card.holder.name or card.holder.phone):
        who = card.holder.name or "—"
        if card.holder.phone:
            who += f"  ({card.holder.masked_phone})"
        rows.append(("Holder", who))
    marks = f"{mark_unit(card).value.capitalize()}s"
    for label, value in (
        (marks, stamps_text(card)),
        ("Rewards", None if card.rewards is None else str(card.rewards)),
        ("Balance", balance_text(card) or (card.balance_note or None)),
        ("Last heard", heard_text(card)),
        ("Percent", None if card.percent is None else f"{format_number(card.percent)}%"),
        ("Level", card.level),
        ("Total spent", None if card.total_spent is None else format_money(card.total_spent)),
        ("Expires", None if card.expires is None else card.expires.isoformat()[:10]),
    ):
        if value is not None:
            rows.append((label, value))
    if card.template and card.facts:
        rows.append(("Program", card.template))
    return rows + list(card.facts)


def card_text(card: Card) -> str:
    head = f"{service_title(card.service)} · {card.kind_label} · {card.status_label}"
    lines = [head, f"{'Code':<12} {card.code}"]
    lines += [f"{label:<12} {value}" for label, value in card_fields(card)]
    ops = ", ".join(o.value for o in card.operations) or "nothing right now"
    lines.append(f"{'Can do':<12} {ops}")
    return "\n".join(lines)


def changes(before: Card, after: Card) -> list[tuple[str, str, str]]:
    """What an operation changed: ``(label, before, after)`` for every value that differs."""
    old, new = dict(card_fields(before)), dict(card_fields(after))
    rows = []
    for label in new:
        if label == "Holder":
            continue
        if old.get(label) != new[label]:
            rows.append((label, old.get(label, "—"), new[label]))
    if before.status != after.status:
        rows.append(("Status", before.status_label, after.status_label))
    return rows


OUTCOME_LABELS = {
    "to_pay": "To pay",
    "discount": "Discount",
    "max_spend": "Most that may be spent",
    "earned": "Points earned",
    "spent": "Paid from the card",
    "balance": "On the card after",
}
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
                label = "Added to the balance"
        rows.append((label, text))
    rows += [(str(label), str(words)) for label, words in figures.get("notes") or ()]
    return rows
