"""Plain-text presentation of cards and operation results, shared by the CLI and the window."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pos_app.core.cards import Card
from pos_app.core.figures import Figures
from pos_app.core.money import format_money, format_number


def balance_text(card: Card) -> str | None:
    if card.balance is None:
        return None
    if card.balance_unit == "money":
        return format_money(card.balance)
    return f"{format_number(card.balance)} points"


def stamps_text(card: Card) -> str | None:
    if card.stamps is None:
        return None
    text = f"{card.stamps.current}"
    if card.stamps.max:
        text += f" / {card.stamps.max}"
    if card.stamps.total is not None:
        text += f" (total {card.stamps.total})"
    return text


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
    for label, value in (
        ("Stamps", stamps_text(card)),
        ("Rewards", None if card.rewards is None else str(card.rewards)),
        ("Balance", balance_text(card)),
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
}


def outcome_rows(outcome: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Label/value rows for the figures an operation produced (amount to pay first)."""
    figures = outcome if isinstance(outcome, Figures) else Figures.from_mapping(outcome)
    rows = []
    for key in ("to_pay", "discount", "spent", "earned"):
        value = figures.get(key)
        if value is None:
            continue
        text = format_money(Decimal(str(value))) if key in (
            "to_pay", "discount", "spent") else format_number(Decimal(str(value)))
        rows.append((OUTCOME_LABELS[key], text))
    return rows
