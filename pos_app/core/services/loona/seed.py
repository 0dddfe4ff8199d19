"""Deterministic demo data for the Loona sandbox: templates, loyalty levels and passes.

Passes are stored in the sandbox's own state format (the one :meth:`LoonaApp.state` writes).
``DEMO`` maps a short name to the value each demo card's QR code holds at the start; ``DEMO_IDS``
maps the same names to the pass ids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CLIENT_ID = "sandbox-pos"
CLIENT_SECRET = "sandbox-secret"
TOKEN_TTL = 299

#: Loyalty levels of discount and bonus cards: ``(number, name, purchases threshold, bonus %)``.
LEVELS: tuple[tuple[int, str, Decimal, Decimal], ...] = (
    (1, "Bronze", Decimal("0"), Decimal("3")),
    (2, "Silver", Decimal("10000"), Decimal("5")),
    (3, "Gold", Decimal("30000"), Decimal("7")),
)

#: Templates new passes are made from (``POST /passes``). ``qrMode``: ``id``, ``static``,
#: ``dynamic``.
TEMPLATES: dict[int, dict[str, Any]] = {
    12: {"name": "Discount 5%", "type": "DISCOUNT", "qrMode": "static", "discount": 5},
    14: {"name": "Bonus club", "type": "BONUS", "qrMode": "static", "maxSpendPercent": 30},
    15: {"name": "Bonus club, dynamic QR", "type": "BONUS", "qrMode": "dynamic",
         "maxSpendPercent": 50},
    16: {"name": "Staff bonus, QR shows the id", "type": "BONUS", "qrMode": "id",
         "maxSpendPercent": 20},
    18: {"name": "Gift certificate 1000", "type": "GIFT", "qrMode": "static",
         "balance": "1000.00"},
    20: {"name": "Free coffee coupon", "type": "COUPON", "qrMode": "static"},
    22: {"name": "Coffee chop card", "type": "CHOP", "qrMode": "static", "chopsRequired": 10},
    23: {"name": "Car wash chop card", "type": "CHOP", "qrMode": "static", "chopsRequired": 6},
}

FAR = "2030-12-31T23:59:59Z"

_PETER = {"firstName": "Peter", "lastName": "Ivanov", "phone": "+74443334423"}
_ANNA = {"firstName": "Anna", "lastName": "Smirnova", "phone": "+7 (912) 555-01-23"}
_OLEG = {"firstName": "Oleg", "lastName": "Petrov", "phone": "+79035550147"}
_MARIA = {"firstName": "Maria", "lastName": "Kuznetsova", "phone": "8 (916) 555-77-12"}
_JOHN = {"firstName": "John", "lastName": "Smith", "phone": "+1 (555) 432-50-11"}


def _pass(name: str, pass_id: int, template: int, encrypted: str, **values: Any,
          ) -> tuple[str, dict[str, Any]]:
    tpl = TEMPLATES[template]
    data: dict[str, Any] = {
        "id": pass_id, "templateId": template, "type": tpl["type"], "status": "ACTIVE",
        "qrMode": tpl["qrMode"], "encryptedId": encrypted, "balance": None, "discount": None,
        "maxSpendPercent": tpl.get("maxSpendPercent"), "level": None, "purchasesTotal": None,
        "chops": None, "chopsRequired": tpl.get("chopsRequired"), "rewardsAvailable": None,
        "expirationDate": FAR, "holder": dict(_PETER),
    }
    data.update(values)
    return name, data


_SEED = (
    _pass("discount", 51201, 12, "6179518025", discount=5, level=1,
          purchasesTotal="2500.00"),
    _pass("bonus", 51202, 14, "4820193375", balance="350.00", level=2,
          purchasesTotal="15300.00", holder=_ANNA),
    _pass("bonus_dynamic", 51203, 15, "7305518846", balance="120.50", level=1,
          purchasesTotal="9950.00", holder=_OLEG),
    _pass("bonus_id", 51204, 16, "9051736628", balance="80.00", level=3,
          purchasesTotal="32000.00", holder=_MARIA),
    _pass("gift", 51205, 18, "3318840271", balance="1000.00", holder=_JOHN),
    _pass("coupon_new", 51206, 20, "5562091834", status="INCOMPLETE", holder=_ANNA),
    _pass("coupon_active", 51207, 20, "2087341169", holder=_OLEG),
    _pass("coupon_used", 51208, 20, "8843017752", status="USED", holder=_MARIA),
    _pass("chop", 51209, 22, "1475520936", chops=3, rewardsAvailable=0),
    _pass("chop_reward", 51210, 23, "6630918245", chops=2, rewardsAvailable=1, holder=_JOHN),
    _pass("expired", 51211, 18, "4192067783", status="EXPIRED", balance="500.00",
          expirationDate="2024-01-31T23:59:59Z", holder=_OLEG),
    _pass("blocked", 51212, 14, "7759204416", status="BLOCKED", balance="42.00", level=1,
          purchasesTotal="700.00", holder=_JOHN),
)

#: What each demo card is, for people and tests.
DESCRIPTIONS: dict[str, str] = {
    "discount": "Discount card, 5 %, Bronze, static QR",
    "bonus": "Bonus card, 350.00, spend up to 30 %, Silver, static QR",
    "bonus_dynamic": "Bonus card, 120.50, spend up to 50 %, Bronze, dynamic QR",
    "bonus_id": "Bonus card, 80.00, spend up to 20 %, Gold, QR holds the pass id",
    "gift": "Gift certificate, 1000.00",
    "coupon_new": "Coupon, not yet activated",
    "coupon_active": "Coupon, active",
    "coupon_used": "Coupon, already used",
    "chop": "Chop card, 3 of 10 chops",
    "chop_reward": "Chop card, 2 of 6 chops, 1 reward available",
    "expired": "Gift certificate, expired",
    "blocked": "Bonus card, blocked",
}


def seed_passes() -> list[dict[str, Any]]:
    """A fresh copy of the demo passes, in the sandbox's state format."""
    return [{**data, "holder": dict(data["holder"])} for _, data in _SEED]


def _qr(data: dict[str, Any]) -> str:
    return str(data["id"]) if data["qrMode"] == "id" else str(data["encryptedId"])


#: Demo name -> the value the card's QR code holds at the start.
DEMO: dict[str, str] = {name: _qr(data) for name, data in _SEED}
#: Demo name -> the pass id.
DEMO_IDS: dict[str, int] = {name: int(data["id"]) for name, data in _SEED}
