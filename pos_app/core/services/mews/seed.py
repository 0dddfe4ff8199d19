"""The Mews sandbox's demo chain: programs (more than one page), tiers, guests, a company and
memberships in every state."""

from __future__ import annotations

import datetime as dt
from typing import Any

DEMO_CLIENT_TOKEN = "DEMO-CLIENT-0123456789ABCDEF0123456789ABCDEF"
DEMO_ACCESS_TOKEN = "DEMO-ACCESS-FEDCBA9876543210FEDCBA9876543210"
CHAIN_ID = "a1b2c3d4-0000-4000-8000-000000000001"

#: Demo membership numbers by what they show.
DEMO = {"member": "HC-000123", "spend": "HC-000124", "canceled": "HC-000125",
        "declined": "HC-000126", "pending": "HC-000127", "company": "HC-000128",
        "new": "SC-000201", "spa": "SC-000202"}
DEMO_EMAIL = "eva.novak@example.com"
#: A guest with no membership yet (to enrol).
NEW_GUEST_EMAIL = "mila.horak@example.com"

_PROGRAMS = [("Harbour Club", "HC"), ("Spa Circle", "SC"), ("Golf Friends", "GF"),
             ("Bistro Regulars", "BR"), ("Wellness Plus", "WP"), ("City Explorer", "CE"),
             ("Family Stays", "FS"), ("Business Traveller", "BT"), ("Ski Pass Club", "SP"),
             ("Wine Society", "WS"), ("Art Hotel Friends", "AH"), ("Marina Berth", "MB")]
_TIERS = {"HC": [("Silver", "S", 1), ("Gold", "G", 2), ("Platinum", "P", 3)],
          "SC": [("Member", "M", 1), ("VIP", "V", 2)]}
_CUSTOMERS = [("Miss", "Eva", "Novak", DEMO_EMAIL), ("Mister", "Tomas", "Berg",
                                                     "tomas.berg@example.com"),
              ("Misses", "Ana", "Silva", "ana.silva@example.com"),
              ("Mister", "Jan", "Dvorak", "jan.dvorak@example.com"),
              ("Miss", "Lea", "Kim", "lea.kim@example.com"),
              ("Miss", "Mila", "Horak", NEW_GUEST_EMAIL)]
_COMPANY = "Northwind Travel"


def guid(kind: int, n: int) -> str:
    """A stable demo id: ``kind`` tells programs, tiers, customers... apart."""
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def _utc(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_state() -> dict[str, Any]:
    """The demo chain as the sandbox keeps it (every item has Created/Updated and an
    ActivityState; lists are oldest first, pages are served newest first)."""
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    stamp = iter(range(10**6))

    def times() -> dict[str, str]:
        at = _utc(start + dt.timedelta(minutes=next(stamp)))
        return {"CreatedUtc": at, "UpdatedUtc": at, "ActivityState": "Active"}

    programs, tiers, code_of = [], [], {}
    for i, (name, code) in enumerate(_PROGRAMS, 1):
        pid = guid(1, i)
        code_of[code] = pid
        programs.append({"Id": pid, "ChainId": CHAIN_ID, "Name": name, "Code": code,
                         "Type": "Hotel", "Subscription": "Free", **times()})
    tier_of = {}
    n = 0
    for code, rows in _TIERS.items():
        for name, tcode, ordering in rows:
            n += 1
            tier_of[(code, name)] = guid(2, n)
            tiers.append({"Id": guid(2, n), "LoyaltyProgramId": code_of[code], "Name": name,
                          "Code": tcode, "Ordering": ordering, **times()})
    customers = [{"Id": guid(3, i), "ChainId": CHAIN_ID, "Title": title, "FirstName": first,
                  "LastName": last, "Email": email, "Number": str(1040 + i),
                  "LoyaltyCode": None, "IsActive": True, **times()}
                 for i, (title, first, last, email) in enumerate(_CUSTOMERS, 1)]
    companies = [{"Id": guid(4, 1), "ChainId": CHAIN_ID, "Name": _COMPANY, **times()}]
    far = _utc(dt.datetime(2028, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
    rows = [  # number, account, program, state, points, tier, expiry
        (DEMO["member"], guid(3, 1), "HC", "Enrolled", 340, "Gold", None),
        (DEMO["spend"], guid(3, 2), "HC", "Enrolled", 1200, "Platinum", far),
        (DEMO["canceled"], guid(3, 3), "HC", "Canceled", 80, "Silver", None),
        (DEMO["declined"], guid(3, 4), "HC", "Declined", 0, None, None),
        (DEMO["pending"], guid(3, 5), "HC", "Pending", 0, None, None),
        (DEMO["company"], guid(4, 1), "HC", "Enrolled", 5000, "Gold", None),
        (DEMO["new"], guid(3, 1), "SC", "New", 0, None, None),
        (DEMO["spa"], guid(3, 2), "SC", "Enrolled", 60, "VIP", None),
    ]
    memberships = []
    for i, (number, account, program, state, points, tier, expiry) in enumerate(rows, 1):
        memberships.append({
            "Id": guid(5, i), "ChainId": CHAIN_ID, "AccountId": account,
            "LoyaltyProgramId": code_of[program], "State": state,
            "IsPrimary": program == "HC", "ProviderMembershipId": None, "Code": number,
            "MembershipNumber": number, "Points": points, "ExpirationDate": expiry,
            "Url": None, "LoyaltyTierId": tier_of.get((program, tier)) if tier else None,
            "CreatorProfile": None, "UpdaterProfile": None, **times()})
    return {"chain": CHAIN_ID, "programs": programs, "tiers": tiers, "customers": customers,
            "companies": companies, "memberships": memberships, "next": 100}
