"""The shape every service adapter has, so that five services plug in the same way."""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from pos_app.core.cards import Card, Holder
from pos_app.core.operations import Operation


@dataclass(frozen=True)
class Step:
    """One service call that is part of a cashier operation.

    ``action`` and ``body`` are the adapter's own (they are stored in the journal so that an
    interrupted operation can resume at the step that did not happen). ``expect`` names the
    card value this step changes and by how much, for reconciliation after a lost answer.
    """

    action: str
    body: dict[str, Any]
    description: str
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """What an operation will do on a card: its steps and what the cashier should see first."""

    operation: Operation
    steps: tuple[Step, ...]
    #: Figures known before sending: ``to_pay``, ``discount``, ``points``, ``max_spend``...
    preview: dict[str, Decimal | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class CardRef:
    """A card found by a customer search (phone or email), before it is opened."""

    service: str
    code: str
    kind_label: str
    status: str
    template: str = ""
    holder: Holder | None = None


@dataclass(frozen=True)
class HistoryRow:
    """One line of a card's own history at the service."""

    when: dt.datetime | None
    what: str
    value: str


class Backend(abc.ABC):
    """A loyalty service adapter.

    Implementations keep every wire name of their service; they parse answers defensively and
    raise only :class:`~pos_app.core.errors.PosError` subclasses.
    """

    #: Short machine name: ``luna``, ``loona``...
    name: ClassVar[str]
    #: Name shown to people.
    title: ClassVar[str]
    #: Whether retrying a step with the same key is safe without reading the card first.
    idempotent: ClassVar[bool] = False

    @abc.abstractmethod
    def claim(self, code: str) -> str | None:
        """The code normalised for this service if it recognises it, else ``None``."""

    @abc.abstractmethod
    def get_card(self, code: str) -> Card:
        """Look the card up."""

    @abc.abstractmethod
    def plan(self, card: Card, operation: Operation) -> Plan:
        """Check the operation against the card and split it into steps (nothing is sent)."""

    @abc.abstractmethod
    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one step; return the service's answer. ``key`` is the operation's unique key."""

    @abc.abstractmethod
    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """Read the card again after an operation (following a rotated dynamic code)."""

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """Figures to show after the operation (amount to pay, discount...), from the answers."""
        return dict(plan.preview)

    def history(self, card: Card) -> list[HistoryRow]:
        """The card's own history at the service; empty where the service keeps none."""
        return []

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """The cards of a customer found by phone or email."""
        return []

    @abc.abstractmethod
    def check(self) -> str:
        """Try the service with the configured credentials; return a short 'what works'."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the HTTP client."""
