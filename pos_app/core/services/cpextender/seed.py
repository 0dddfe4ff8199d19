"""Deterministic demo data for the CP Extender sandbox: Counterpoint customers, their loyalty
records, open holds and history rows.

Stored in the sandbox's own state format (what :meth:`CpExtenderApp.dump` writes). Dates are
made relative to "now" so that the default BalanceCheck window (the last year) shows them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

USERNAME = "pos"
PASSWORD = "sandbox-pass"
#: A permanent bearer token the sandbox also accepts (a shop may be given one instead of a
#: login).
PERMANENT_TOKEN = "cp-permanent-sandbox-token"
#: Seconds a login token lives in the sandbox (no expiry is documented; a stale one gets 401).
TOKEN_TTL = 3600.0

PROGRAM = "Loyalty program 1"
EARNING = "1 point per dollar spent; double points on Tuesdays"
REDEMPTION = "100 points = $1 off; redeem in steps of 1 point"

#: Demo name -> customer number (what the customer's card QR holds).
DEMO: dict[str, str] = {
    "held": "CPOL-123185",
    "plenty": "CPOL-205937",
    "history": "CPOL-200311",
    "empty": "CPOL-300777",
    "web": "CPOL-400400",
    "not_enrolled": "CPOL-100009",
}

_PEOPLE = {
    "held": ("Ann", "Lee", "ann@example.com"),
    "plenty": ("Brian", "Ortiz", "brian@example.com"),
    "history": ("Dev", "Patel", "dev.patel@example.com"),
    "empty": ("Erin", "Walsh", "erin@example.com"),
    "web": ("Farah", "Haddad", "farah@example.com"),
    "not_enrolled": ("Carla", "Nguyen", "carla@example.com"),
}


def date_text(when: dt.datetime) -> str:
    """A history date as the service shows it: ``MM/DD/YYYY``."""
    return when.strftime("%m/%d/%Y")


def _row(days_ago: int, points: int, now: dt.datetime, **extra: Any) -> dict[str, Any]:
    when = now - dt.timedelta(days=days_ago)
    return {"Date": date_text(when), "PointAmount": points, "At": when.isoformat(), **extra}


def _long_history(now: dt.datetime) -> list[dict[str, Any]]:
    rows = [_row(360, 300, now, Activity="Historical Summary")]
    for i in range(120):
        days = 355 - i * 3
        if i % 4 == 3:
            rows.append(_row(days, -25, now, Document=f"POS1-{1000 + i:06d}", Reason="Redeemed"))
        else:
            rows.append(_row(days, 3 + i % 7, now, Document=f"POS1-{1000 + i:06d}",
                             Reason="Sale", Location="Store 1"))
    return rows


def seed_state(now: dt.datetime | None = None) -> dict[str, Any]:
    """A fresh copy of the demo data."""
    now = now or dt.datetime.now(dt.UTC)
    customers = {}
    for name, number in DEMO.items():
        first, last = _PEOPLE[name][:2]
        customers[number] = {"CPCustomerID": number, "Category": "RETAIL", "Company": "",
                             "FullName": f"{first} {last}", "FirstName": first,
                             "LastName": last, "Email": _PEOPLE[name][2],
                             "NewsletterSubscribe": "no"}
    history = _long_history(now)
    earned = sum(r["PointAmount"] for r in history)
    loyalty = {
        DEMO["held"]: _loyalty(1504, 0, [_row(1500, 1404, now, Activity="Historical Summary"),
                                         _row(30, 100, now, Document="123456789",
                                              Reason="Facebook Share")]),
        DEMO["plenty"]: _loyalty(2500, 0, [_row(200, 2500, now, Activity="Historical Summary")]),
        DEMO["history"]: _loyalty(earned + 50, 50, history),
        DEMO["empty"]: _loyalty(0, 0, [_row(90, 200, now, Document="POS1-000100",
                                            Reason="Sale"),
                                       _row(10, -200, now, Document="POS1-000190",
                                            Reason="Redeemed")]),
        DEMO["web"]: {**_loyalty(800, 0, [_row(60, 800, now, Activity="Historical Summary")]),
                      "NoAuthCode": True},
    }
    holds = {"G0123456789ABCDEF0123456789ABCDEF": {
        "AuthCode": "G0123456789ABCDEF0123456789ABCDEF", "Customer": DEMO["held"],
        "SaleId": "WB-101-10444", "Points": 1000, "Location": "Web Order",
        "Date": date_text(now - dt.timedelta(days=2)),
        "At": (now - dt.timedelta(days=2)).isoformat()}}
    return {"customers": customers, "loyalty": loyalty, "holds": holds}


def _loyalty(balance: int, pending: int, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {"ProgramName": PROGRAM, "EarningDescription": EARNING,
            "RedemptionDescription": REDEMPTION, "Status": "active", "PointBalance": balance,
            "PendingPointsEarned": pending, "History": history}
