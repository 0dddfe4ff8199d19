"""The shape every service adapter has, so that five services plug in the same way."""

from __future__ import annotations

import abc
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from pos_app.core.cards import Card, Holder
from pos_app.core.errors import InvalidInput, NotSupported
from pos_app.core.figures import Figures
from pos_app.core.i18n import _, ngettext
from pos_app.core.money import typed
from pos_app.core.operations import Operation

#: Longest first or last name taken for a new customer.
MAX_NAME = 100


@dataclass(frozen=True)
class Step:
    """One service call that is part of a cashier operation.

    ``action`` and ``body`` are the adapter's own (they are stored in the journal so that an
    interrupted operation can resume at the step that did not happen). ``expect`` names the
    card value this step changes and by how much, for reconciliation after a lost answer.
    ``resumed`` is set on a step read back from the journal to finish an operation left open
    (not one journalled as queued, known unsent): it may have been sent before, so a service
    that answers a key it has seen differently ("seen before") reads that answer as a retry's.
    """

    action: str
    body: dict[str, Any]
    description: str
    expect: dict[str, Any] = field(default_factory=dict)
    #: When it is sent: ``auto`` (in turn), ``cashier`` (only while the cashier is at it:
    #: in the operation's own run or on their "finish"; recovery never sends it, the
    #: operation waits for them instead) or ``finish`` (only on the cashier's "finish": the
    #: operation waits before it, e.g. a hold until the sale is paid).
    send: str = "auto"
    #: What undoes the steps before this one (releases a hold): sent when the cashier
    #: cancels the operation waiting at this step, or when this step is refused.
    cancel: Step | None = None
    resumed: bool = field(default=False, compare=False)
    #: The values of :attr:`send`.
    AUTO: ClassVar[str] = "auto"
    CASHIER: ClassVar[str] = "cashier"
    FINISH: ClassVar[str] = "finish"

    def to_json(self) -> dict[str, Any]:
        """The step as the journal keeps it (its progress is added there)."""
        data: dict[str, Any] = {"action": self.action, "body": self.body,
                                "description": self.description, "expect": self.expect}
        if self.send != self.AUTO:
            data["send"] = self.send
        if self.cancel is not None:
            data["cancel"] = self.cancel.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        """A step read back from the journal."""
        cancel = data.get("cancel")
        return cls(str(data.get("action", "")), dict(data.get("body") or {}),
                   str(data.get("description", "")), dict(data.get("expect") or {}),
                   str(data.get("send") or Step.AUTO),
                   cls.from_json(cancel) if isinstance(cancel, dict) else None,
                   resumed="state" in data and not data.get("queued"))


@dataclass(frozen=True)
class Plan:
    """What an operation will do on a card: its steps and what the cashier should see first."""

    operation: Operation
    steps: tuple[Step, ...]
    #: Figures known before sending: to pay, discount, points earned, most to spend...
    preview: Figures = field(default_factory=Figures)


@dataclass(frozen=True)
class CardRef:
    """A card found by a customer search (phone or email), before it is opened."""

    service: str
    code: str
    kind_label: str
    #: A :class:`~pos_app.core.cards.CardStatus` value, or the service's own word for it.
    status: str
    template: str = ""
    holder: Holder | None = None


@dataclass(frozen=True)
class HistoryRow:
    """One line of a card's own history at the service."""

    when: dt.datetime | None
    what: str
    value: str
    #: The service gives the day only (``when`` is its midnight, not a time of day).
    day_only: bool = False


@dataclass(frozen=True)
class CardTemplate:
    """A kind of card a service can issue to a new customer (``id`` as the service names it)."""

    service: str
    id: str
    name: str
    kind_label: str

    def to_json(self) -> dict[str, str]:
        return {"service": self.service, "id": self.id, "name": self.name,
                "kind_label": self.kind_label}


class InvalidHolder(InvalidInput):
    """A new customer's detail that cannot be sent; ``field`` names it (``first``, ``last``,
    ``phone`` or ``email``), so that the cursor can be put there."""

    def __init__(self, message: str, hint: str | None = None, *, field: str) -> None:
        super().__init__(message, hint)
        self.field = field

    @property
    def kind(self) -> str:
        return "invalid_input"  # to ``--json`` it is bad input like any other


def check_holder(holder: Holder, *, both_names: bool = False) -> Holder:
    """A new customer's details, trimmed; :class:`InvalidHolder` when they cannot be sent.

    A first or a last name is required (both when ``both_names``), and a phone number (7 to
    15 digits) or an email.
    """
    first, last = holder.first_name.strip(), holder.last_name.strip()
    phone, email = holder.phone.strip(), holder.email.strip()
    if not first and not last:
        raise InvalidHolder(_("Type the customer's first or last name."), field="first")
    if both_names and not (first and last):
        raise InvalidHolder(_("Type both the customer's first and last name."),
                            field="last" if first else "first")
    for name, which in ((first, "first"), (last, "last")):
        if len(name) > MAX_NAME:
            raise InvalidHolder(ngettext("A name may have at most {count} character.",
                                         "A name may have at most {count} characters.",
                                         MAX_NAME).format(count=MAX_NAME), field=which)
        if not name.isprintable():
            raise InvalidHolder(_("A name has characters that cannot be sent."), field=which)
    if not phone and not email:
        raise InvalidHolder(_("Type the customer's phone number or email."), field="phone")
    if phone:
        digits = re.sub(r"[^0-9]", "", phone)
        if not 7 <= len(digits) <= 15 or not re.fullmatch(r"\+?[0-9\s().-]+", phone):
            raise InvalidHolder(_("{text} is not a phone number.").format(text=typed(phone)),
                                _("Type it with its country code (7 to 15 digits); nothing "
                                  "was sent."), field="phone")
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+", email)):
        raise InvalidHolder(_("{text} is not an email address.").format(text=typed(email)),
                            field="email")
    return Holder(first, last, phone, email)


class Backend(abc.ABC):
    """A loyalty service adapter.

    Implementations keep every wire name of their service; they parse answers defensively and
    raise only :class:`~pos_app.core.errors.PosError` subclasses.
    """

    #: Short machine name, as in the settings table and the journal.
    name: ClassVar[str]
    #: Name shown to people.
    title: ClassVar[str]
    #: Whether retrying a step with the same key is safe without reading the card first.
    idempotent: ClassVar[bool] = False
    #: Whether the service takes only whole amounts and points.
    whole_amounts: ClassVar[bool] = False
    #: Seconds a request may be held by the service and still land after it was sent: a step
    #: whose answer was lost is never sent again before its last send plus this.
    max_hold: ClassVar[float] = 30.0
    #: Whether the card's values are the service's own record of a change (a whole value
    #: written, nothing else moving it by our key): a value that did not move after a lost
    #: answer then shows the step was not applied. Where another till's changes can bring a
    #: value back, it does not, and only :meth:`evidence` can say "not applied".
    values_are_record: ClassVar[bool] = False
    #: The shortest code this service's cards carry: a faster burst of keys typed into an
    #: amount or a date is typing below it (the wedge scanner's judge).
    min_code_length: int = 4
    #: The step in which the service records a purchase's sum (``Decimal(1)``: whole sums);
    #: ``None`` when it takes cents. The cashier is told before sending when it differs.
    sum_quantum: ClassVar[Decimal | None] = None

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

    def mark(self, card: Card) -> Any:
        """What the service's own record of ``card`` looks like just before an operation is
        sent (e.g. its newest history rows), kept in the journal for :meth:`evidence`;
        ``None`` where the service keeps no record. Services with idempotency keys are never
        asked."""
        return None

    def evidence(self, card: Card, step: Step, key: str, *, mark: Any = None,
                 done: tuple[Step, ...] = (), sent: dt.datetime | None = None) -> bool | None:
        """The service's own record of whether ``step`` (sent with ``key``, last at ``sent``,
        UTC) was applied: ``True`` or ``False``; ``None`` when it keeps no record that tells.

        Asked after a lost answer before the card's values are compared; ``mark`` is what
        :meth:`mark` returned before the operation, ``done`` the operation's steps already
        applied. Raises a :class:`~pos_app.core.errors.PosError` when the record cannot be
        read now. Reads only; never sends the step.
        """
        return None

    def bind(self, step: Step, answers: list[dict[str, Any]]) -> Step:
        """``step`` completed with what the operation's earlier steps answered (an
        authorization code); :class:`~pos_app.core.errors.FinishAtService` when it cannot be
        sent from the till at all."""
        return step

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        """Figures to show after the operation (amount to pay, discount...), from the answers."""
        return plan.preview

    def history(self, card: Card) -> list[HistoryRow]:
        """The card's own history at the service; empty where the service keeps none."""
        return []

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """The cards of a customer found by phone or email."""
        return []

    def templates(self) -> list[CardTemplate]:
        """The kinds of card this service can issue to a new customer."""
        return []

    def enrol(self, template_id: str, holder: Holder) -> str:
        """Enrol a customer and issue a card of ``template_id``; return the new card's code.

        An existing customer (same phone or email) gets the card. Implementations check the
        holder with :func:`check_holder` before sending anything.
        """
        raise NotSupported(_("{service} cannot enrol customers from the till.").format(
            service=self.title), service=self.title)

    @abc.abstractmethod
    def check(self) -> str:
        """Try the service with the configured credentials; return a short 'what works'."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release the HTTP client."""
