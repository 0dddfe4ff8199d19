"""Deterministic demo data for the vmob sandbox: the merchant key, loyalty cards, consumers
and offer codes.

Consumers are stored in the sandbox's own state format (the one :meth:`VmobApp.dump` writes).
Each demo consumer is known by its access token (what its app's QR code holds, **assumed**);
``DEMO`` maps a short name to it. Daily counters are for "today" when the sandbox starts.
"""

from __future__ import annotations

from typing import Any

#: base64 of ``pos-app.sandbox:till-7``: the shape of the reference's example header.
MERCHANT_KEY = "cG9zLWFwcC5zYW5kYm94OnRpbGwtNw=="
#: The loyalty card the demo store issues points to.
LOYALTY_CARD_ID = 53
#: Points per currency unit for ``purchase AMOUNT`` on the sandbox (1 point per 10.00).
EARN_RATE = "0.1"
#: Which scanned codes are the demo offer codes (the sandbox's own shape).
OFFER_PATTERN = r"OFR-[A-Z0-9]{6}"

#: Loyalty card definitions (field names as the vendor's SDK reads them).
LOYALTY_CARDS: dict[int, dict[str, Any]] = {
    53: {"title": "Coffee card", "pointsRequired": 10, "maxPointsPerDay": 50,
         "maxPointsRequestsPerDay": 20, "isActive": True},
    54: {"title": "Winter card (ended)", "pointsRequired": 8, "maxPointsPerDay": 50,
         "maxPointsRequestsPerDay": 20, "isActive": False},
}

DEMO: dict[str, str] = {
    "fresh": "vmAT7Hq2Lw9xR4kP8nZc3Vb6Yt1Ms5Df",
    "near": "vmAT2Jp9Qs4Kd7Wf1Xb8Nc5Rh3Gy6Lm0",
    "last_card": "vmAT5Ze8Ty1Ua4Ic7Op0Wn3Bv6Qx9Rk2",
    "inactive": "vmAT9Fg3Hj6Kl1Zx4Cv7Bn0Mq2Wr5Ty8",
    "daily_points": "vmAT4Rt7Yu0Io3Pa6Sd9Fg2Hj5Kl8Zx1",
    "daily_requests": "vmAT8Qw1Er4Ty7Ui0Op3As6Df9Gh2Jk5",
    "reward_fails": "vmAT6Lk3Jh0Gf7Ds4Aq1Zw8Xe5Cr2Vt9",
}

#: Offer codes a consumer app shows at in-app redemption (vmob gives no feedback on them)
#: -> the demo offer's name (its title is in ``demo.OFFERS``).
OFFERS: dict[str, str] = {
    "OFR-7Q2M9X": "pastry",
    "OFR-K4D2PA": "lunch",
}

_HOLDERS = {"fresh": "Ella Novak", "near": "Tom Baker", "last_card": "Ana Silva",
            "inactive": "Omar Haddad", "daily_points": "Mia Chen",
            "daily_requests": "Lars Berg", "reward_fails": "Zoe Martin"}


def _instance(number: int, balance: int, *, complete: bool = False, active: bool = True,
              ) -> dict[str, Any]:
    return {"instanceId": f"5b0c6a1e-0d7f-4a53-9a57-{number:012x}", "pointsBalance": balance,
            "complete": complete, "active": active, "rewardActive": False}


def seed_consumers(today: str) -> dict[str, dict[str, Any]]:
    """A fresh copy of the demo consumers (daily counters dated ``today``, ISO)."""
    def consumer(name: str, instances: list[dict[str, Any]], *, points: int = 0,
                 requests: int = 0, available: int = 99, reward_fails: bool = False,
                 ) -> tuple[str, dict[str, Any]]:
        return DEMO[name], {"name": name, "holder": _HOLDERS[name], "instances": instances,
                            "day": today, "pointsToday": points, "requestsToday": requests,
                            "instancesAvailable": available, "rewardFails": reward_fails}

    base = 0x1000
    return dict((
        consumer("fresh", []),
        consumer("near", [_instance(base + 1, 8)]),
        consumer("last_card", [_instance(base + 2 + i, 10, complete=True) for i in range(4)]
                 + [_instance(base + 6, 9)], available=0),
        consumer("inactive", [_instance(base + 7, 3, active=False)]),
        consumer("daily_points", [_instance(base + 8, 2)], points=45),
        consumer("daily_requests", [_instance(base + 9, 4)], requests=19),
        consumer("reward_fails", [_instance(base + 10, 7)], reward_fails=True),
    ))
