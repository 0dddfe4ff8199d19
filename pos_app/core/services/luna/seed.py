"""Deterministic demo data for the Luna sandbox.

The customer behind :data:`DEMO_PHONE` mirrors the ``getClientPassesByPhone`` example of the
published reference (same serials, templates, types and statuses); the other cards cover every
card type with realistic values. Everything here is plain JSON data, so that the sandbox's
``state()`` is simply a copy of it.
"""

from __future__ import annotations

import random
from typing import Any

#: The access token the sandbox accepts unless told otherwise.
DEMO_TOKEN = "sandbox-luna-token"

#: Serial numbers of the demo cards, by what they show.
DEMO: dict[str, str] = {
    "stamps": "931520-641-829",            # type 0, 5 of 10 stamps, 25 in total, 1 reward ready
    "stamps_nine": "305117-420-968",       # type 0, 9 of 10 stamps: the next stamp earns a reward
    "cashback": "931222-371-290",          # type 1, 420 points, 12 500 spent -> 5 % cashback
    "subscription": "522874-974-483",      # type 2, 6 of 10 visits left, 9 points
    "coupon": "667327-188-199",            # type 3
    "discount": "610442-187-553",          # type 4, 2 500 spent -> 5 % discount
    "certificate": "486518-807-793",       # type 5, balance 1 500
    "membership": "705831-662-014",        # type 6
    "deleted": "222099-902-290",           # type 0, deleted from the wallet, 3 of 10 stamps
    "not_installed": "448234-808-346",     # type 0, issued but not installed, 0 of 10
    "foreign": "120512-733-901",           # type 0 of another company (error 3)
    "foreign_cashback": "120512-733-902",  # type 1 of another company (error 3)
}

#: Template ids by what they are for (all of the sandbox's own company unless marked).
DEMO_TEMPLATES: dict[str, int] = {
    "stamps": 186,
    "cashback": 718,
    "subscription": 744,
    "coupon": 427,
    "discount": 698,
    "certificate": 704,
    "membership": 760,
    "not_installed": 759,
    "foreign": 900,          # another company's template
}

#: The customer with many cards (the reference's example customer).
DEMO_PHONE = "+1 (555) 432-50-11"
DEMO_PHONE_DIGITS = 15554325011
DEMO_EMAIL = "m.zhukov@example.com"

OWN = "own"
OTHER = "other"

# Cashback / discount percentages by the total spent: [[from total, percent], ...].
_CASHBACK_LEVELS = [[0, 3], [10000, 5], [50000, 7]]
_DISCOUNT_LEVELS = [[0, 5], [20000, 7], [50000, 10]]


def _template(tid: int, name: str, kind: int, *, company: str = OWN, max_stamps: int = 10,
              levels: list[list[int]] | None = None, reward: str | None = None,
              ) -> dict[str, Any]:
    data: dict[str, Any] = {"id": tid, "name": name, "type": kind, "company": company}
    if kind in (0, 2):
        data["maxStamps"] = max_stamps
    if kind == 0:
        data["rewards"] = [{"name": reward or f"{max_stamps} stamps = 1 reward",
                            "stamps": str(max_stamps), "autoUse": "0"}]
    if kind in (1, 4):
        data["levels"] = levels or _CASHBACK_LEVELS
    return data


def _templates() -> list[dict[str, Any]]:
    return [
        _template(186, "Coffee: every 10th cup free", 0,
                  reward="10 штампов = 1 чашка кофе бесплатно!"),
        _template(261, "Bakery stamps", 0, max_stamps=6),
        _template(400, "Cashback (2021)", 1),
        _template(427, "Welcome coupon -15%", 3),
        _template(428, "Car wash stamps", 0, max_stamps=5),
        _template(698, "Discount club", 4, levels=_DISCOUNT_LEVELS),
        _template(702, "Pizza stamps", 0, max_stamps=8),
        _template(703, "Tea stamps", 0),
        _template(704, "Gift certificate", 5),
        _template(718, "Cashback 3-5-7%", 1),
        _template(744, "Gym: 10 visits", 2),
        _template(755, "Yoga: 8 visits", 2, max_stamps=8),
        _template(759, "Ice cream stamps", 0),
        _template(760, "Club membership", 6),
        _template(900, "Other shop stamps", 0, company=OTHER),
        _template(901, "Other shop cashback", 1, company=OTHER),
    ]


def _client(uid: int, template: int, s_name: str | None, f_name: str | None, phone: str | None,
            email: str | None = None, birth: str | None = None) -> dict[str, Any]:
    return {"id": uid, "template": template, "sName": s_name, "fName": f_name,
            "phone": phone, "email": email, "dateOfBirth": birth, "fields": [None] * 6}


def _pass(serial: str, template: int, user: int, status: str = "installed", *,
          active: int = 0, total: int = 0, rewards: int = 0, scores: int = 0,
          spent: int = 0, bonus: int = 0, expires: str | None = None) -> dict[str, Any]:
    return {"serial": serial, "template": template, "userID": user, "status": status,
            "activeStamps": active, "totalStamps": total, "unusedRewards": rewards,
            "numberScores": scores, "amountMoneySpentTotal": spent, "amountMoneyBonus": bonus,
            "expirationDate": expires}


def seed_state() -> dict[str, Any]:
    """A fresh copy of the demo data (templates, clients, cards, history, push messages)."""
    templates = _templates()
    clients: list[dict[str, Any]] = []
    passes: list[dict[str, Any]] = []

    # The reference's example customer: one client record per template, thirteen cards.
    zhukov = [
        ("222099-902-290", 186, "deleted", {"active": 3, "total": 13}),
        ("355281-965-539", 261, "not installed", {}),
        ("256771-734-103", 400, "deleted", {"spent": 3200, "bonus": 96}),
        ("667327-188-199", 427, "installed", {"expires": "2030-06-30 23:59:59"}),
        ("374808-313-433", 428, "deleted", {"active": 2, "total": 7, "rewards": 1}),
        ("281093-930-290", 698, "deleted", {"spent": 800}),
        ("390908-502-504", 702, "not installed", {}),
        ("251205-852-319", 703, "installed", {"active": 7, "total": 17}),
        ("486518-807-793", 704, "installed", {"bonus": 1500, "expires": "2030-12-31 23:59:59"}),
        ("931222-371-290", 718, "installed", {"spent": 12500, "bonus": 420}),
        ("522874-974-483", 744, "installed", {"active": 6, "scores": 9}),
        ("973343-939-382", 755, "not installed", {"active": 8}),
        ("448234-808-346", 759, "not installed", {}),
    ]
    for n, (serial, tid, status, values) in enumerate(zhukov):
        uid = 30466 + n
        clients.append(_client(uid, tid, "Жуков", "Михаил", DEMO_PHONE, DEMO_EMAIL))
        passes.append(_pass(serial, tid, uid, status, **values))

    # Cards of other customers.
    clients += [
        # getClientInfo's example answer: the name sits in the surname field.
        _client(30362, 186, "Михаил", None, "+7 (568) 414-36-98"),
        _client(30363, 186, "Ivanov", "Peter", "74443334423", "p.ivanov@example.com"),
        _client(30364, 186, "Sidorov", "Ivan", "+7 912 000-11-22"),   # no card yet
        _client(30365, 698, "Smith", "John", "+44 20 7946 0958", "john.smith@example.com"),
        _client(30366, 760, "Garcia", "Maria", "+34 612 345 678", "maria@example.com",
                "1990-04-12"),
        _client(40001, 900, "Other", "Person", "+1 555 999 0000", "other@example.com"),
        _client(40002, 901, "Other", "Person", "+1 555 999 0000", "other@example.com"),
    ]
    passes += [
        _pass(DEMO["stamps"], 186, 30362, active=5, total=25, rewards=1),
        _pass(DEMO["stamps_nine"], 186, 30363, active=9, total=9),
        _pass(DEMO["discount"], 698, 30365, spent=2500),
        _pass(DEMO["membership"], 760, 30366, expires="2030-01-31 23:59:59"),
        _pass(DEMO["foreign"], 900, 40001, active=4, total=4),
        _pass(DEMO["foreign_cashback"], 901, 40002, spent=1000, bonus=30),
    ]

    # Twelve more coffee customers, so that lists and push messages span pages of ten.
    rng = random.Random(186)
    for n in range(1, 13):
        uid = 31000 + n
        serial = (f"{rng.randint(100000, 999999)}-{rng.randint(100, 999)}-"
                  f"{rng.randint(100, 999)}")
        clients.append(_client(uid, 186, f"Guest {n:02d}", "Coffee", f"+1 555 010 {n:04d}",
                               f"guest{n:02d}@example.com"))
        active = rng.randint(0, 9)
        passes.append(_pass(serial, 186, uid, active=active, total=active + 10 * (n % 3)))

    operations = {
        DEMO["stamps"]: [
            ["2020-10-15 09:53:33", "1", "1"], ["2020-10-15 09:53:39", "1", "1"],
            ["2020-10-15 09:53:44", "1", "7"], ["2020-10-15 09:53:44", "3", "1"],
            ["2020-10-15 09:53:50", "1", "9"], ["2020-10-15 09:53:56", "1", "1"],
            ["2020-10-15 09:53:56", "3", "1"], ["2020-12-23 16:30:46", "2", "1"],
            ["2020-12-24 14:14:58", "1", "2"], ["2020-12-24 14:15:05", "1", "3"],
        ],
        DEMO["cashback"]: [
            ["2025-03-02 12:10:00", "4", "10000"], ["2025-03-02 12:10:00", "1", "300"],
            ["2025-05-17 18:41:12", "4", "2500"], ["2025-05-17 18:41:12", "1", "125"],
            ["2025-06-01 10:05:30", "2", "5"],
        ],
        DEMO["certificate"]: [["2025-12-20 15:00:00", "1", "2000"],
                              ["2026-01-10 11:30:00", "2", "500"]],
        DEMO["subscription"]: [["2026-09-01 08:00:00", "1", "10"],
                               ["2026-09-03 08:10:00", "2", "4"]],
    }
    pushes = {
        DEMO["stamps"]: [
            {"id": 201, "date": "2022-08-01 10:00:00", "message": "Test1!"},
            {"id": 202, "date": "2022-08-02 10:00:00", "message": "Test2!"},
            {"id": 203, "date": "2022-08-04 16:56:56", "message": "Test3!"},
        ],
    }
    return {
        "templates": {str(t["id"]): t for t in templates},
        "clients": {str(c["id"]): c for c in clients},
        "passes": {p["serial"]: p for p in passes},
        # Per card, oldest first: [date, operation code, value].
        "operations": {k: [{"date": d, "operation": o, "value": v} for d, o, v in rows]
                       for k, rows in operations.items()},
        "pushes": pushes,
        "next": {"user": 50000, "push": 1000, "serial": 1},
    }
