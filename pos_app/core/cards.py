"""One card model for every loyalty service."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pos_app.core.i18n import N_, NP_
from pos_app.core.labels import Labels
from pos_app.core.operations import OpName


class CardKind(StrEnum):
    STAMPS = "stamps"            # cumulative stamp card
    POINTS = "points"            # cashback / bonus points
    SUBSCRIPTION = "subscription"
    COUPON = "coupon"
    DISCOUNT = "discount"
    GIFT = "gift"                # gift certificate / certificate
    MEMBERSHIP = "membership"
    CHOP = "chop"                # chop (stamp) card with rewards


KIND_LABELS = Labels({
    CardKind.STAMPS: N_("Stamp card"),
    CardKind.POINTS: N_("Points card"),
    CardKind.SUBSCRIPTION: N_("Subscription"),
    CardKind.COUPON: N_("Coupon"),
    CardKind.DISCOUNT: N_("Discount card"),
    CardKind.GIFT: N_("Gift certificate"),
    CardKind.MEMBERSHIP: N_("Membership"),
    CardKind.CHOP: N_("Chop card"),
})


class CardStatus(StrEnum):
    ACTIVE = "active"
    NOT_INSTALLED = "not-installed"   # issued, not added to a wallet (still usable)
    DELETED = "deleted"               # removed from the wallet by its holder (still usable)
    INACTIVE = "inactive"             # coupon not yet activated
    USED = "used"                     # coupon already redeemed
    EXPIRED = "expired"
    BLOCKED = "blocked"
    PENDING = "pending"               # membership not yet confirmed (still usable)
    CANCELED = "canceled"             # membership canceled
    DECLINED = "declined"             # membership application declined


STATUS_LABELS = Labels({
    CardStatus.ACTIVE: N_("Active"),
    CardStatus.NOT_INSTALLED: N_("Not installed in a wallet"),
    CardStatus.DELETED: N_("Deleted from the wallet"),
    CardStatus.INACTIVE: N_("Coupon not yet active"),
    CardStatus.USED: N_("Coupon already used"),
    CardStatus.EXPIRED: N_("Expired"),
    CardStatus.BLOCKED: N_("Blocked"),
    CardStatus.PENDING: NP_("card status", "Pending"),
    CardStatus.CANCELED: N_("Canceled"),
    CardStatus.DECLINED: N_("Declined"),
})

#: Statuses under which the card's value may be used.
USABLE = frozenset({CardStatus.ACTIVE, CardStatus.NOT_INSTALLED, CardStatus.DELETED,
                    CardStatus.INACTIVE, CardStatus.PENDING})

#: Statuses a card cannot be used in (listed last).
_UNUSABLE = frozenset(CardStatus) - USABLE


def listing_rank(status: str) -> int:
    """Where a card of this status comes in a customer's list: active ones first, then the
    other usable ones and those in a service's own words, then used, expired, blocked,
    canceled and declined ones."""
    if status == CardStatus.ACTIVE:
        return 0
    return 2 if status in _UNUSABLE else 1


@dataclass(frozen=True)
class Holder:
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        """First name and the last name's initial, for logs and shared screens."""
        last = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{last}".strip()


def mask_phone(phone: str) -> str:
    """``+1 (555) 432-50-11`` -> ``+1•••••••5011``: enough to confirm, not to copy."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return "•" * len(digits)
    prefix = "+" + digits[:1] if phone.strip().startswith("+") else digits[:1]
    return prefix + "•" * (len(digits) - 5) + digits[-4:]


@dataclass(frozen=True)
class Stamps:
    current: int
    max: int | None = None
    total: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return {"current": self.current, "max": self.max, "total": self.total}


@dataclass(frozen=True)
class Heard:
    """What this till last heard of a card whose service cannot be asked for its balance: the
    newest operation on it in the journal, when it finished, and the balance its answer gave
    (``None`` when that answer said none). Never a live balance. ``operation`` is the
    operation's name in English (as ``--json`` gives it); it is shown translated."""

    when: dt.datetime
    balance: Decimal | None
    operation: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"when": self.when.isoformat(), "operation": self.operation,
                "balance": None if self.balance is None else str(self.balance)}


@dataclass(frozen=True)
class Card:
    """A loyalty card as a service reports it, in the app's own terms.

    ``code`` is what to scan or type to find the card again (it changes for a dynamic QR);
    ``card_id`` is the service's stable id. ``balance`` is points or money, as ``balance_unit``
    says. ``operations`` lists what the card supports right now. ``balance_note`` is set when
    the service has no call that reads the balance (it says so, in words); ``heard`` is then
    what this till last heard of the card (:func:`pos_app.core.heard.with_last_heard`).
    """

    service: str
    code: str
    card_id: str
    kind: CardKind
    status: CardStatus
    holder: Holder | None = None
    balance: Decimal | None = None
    balance_unit: str = "points"    # "points" or "money"
    stamps: Stamps | None = None
    rewards: int | None = None
    percent: Decimal | None = None
    level: str | None = None
    expires: dt.datetime | dt.date | None = None
    total_spent: Decimal | None = None
    max_spend_percent: Decimal | None = None
    template: str | None = None
    #: Other figures and rules the service reports, as ``(label, text)`` lines shown beside
    #: the balance (points on hold, earning rules...).
    facts: tuple[tuple[str, str], ...] = ()
    operations: tuple[OpName, ...] = ()
    balance_note: str = ""
    heard: Heard | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def usable(self) -> bool:
        return self.status in USABLE

    def supports(self, op: OpName) -> bool:
        return op in self.operations

    def with_operations(self, ops: tuple[OpName, ...]) -> Card:
        return replace(self, operations=ops)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form of the card (no personal data beyond the masked phone)."""
        return {
            "service": self.service,
            "code": self.code,
            "id": self.card_id,
            "kind": self.kind.value,
            "status": self.status.value,
            "holder": None if self.holder is None else {
                "name": self.holder.name, "phone": self.holder.masked_phone},
            "balance": None if self.balance is None else str(self.balance),
            "balance_unit": self.balance_unit,
            "stamps": None if self.stamps is None else self.stamps.to_json(),
            "rewards": self.rewards,
            "percent": None if self.percent is None else str(self.percent),
            "level": self.level,
            "expires": None if self.expires is None else self.expires.isoformat(),
            "total_spent": None if self.total_spent is None else str(self.total_spent),
            "template": self.template,
            "facts": dict(self.facts),
            "operations": [o.value for o in self.operations],
            **({"balance_note": self.balance_note,
                "last_heard": None if self.heard is None else self.heard.to_json()}
               if self.balance_note else {}),
        }

    def snapshot(self) -> dict[str, Any]:
        """The values an operation may change, for the journal's before/after columns."""
        data = self.to_json()
        data.pop("holder")
        return data
