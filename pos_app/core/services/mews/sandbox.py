"""The Mews Connector API sandbox: loyalty programs, tiers, memberships, customers, companies.

Rules as ``references/mews.md`` gives them: only ``POST`` to
``/api/connector/v1/{resource}/{operation}`` (case-sensitive), tokens and ``Client`` in the
body (401 otherwise), ``Limitation`` required with ``Count`` 1..1000, cursor paging newest
first with the cursor the id of the oldest item returned and null when nothing came back,
lists of at most 1000 ids, date intervals of at most 3 months, 200 requests per access token
per 30 s (429 with ``Retry-After``), ``Prefer: return=minimal`` answering 204 to an empty page
or an empty answer, a ``Request-Id`` header on every answer, errors as ``{Message, RequestId}``.
Where the reference is silent the choices are marked **assumed**.

:attr:`MewsApp.meddle` changes a membership's points behind the app's back right after a
read of it, as another till or the hotel's back office would between the app's read and write.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import hmac
import math
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.core.sandbox.app import Exercise, Failure, Request, Response, ServiceApp
from pos_app.core.services.mews import demo
from pos_app.core.services.mews.seed import (
    DEMO,
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_TOKEN,
    DEMO_EMAIL,
    NEW_GUEST_EMAIL,
    guid,
    seed_state,
)

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer

__all__ = ["DEMO", "DEMO_ACCESS_TOKEN", "DEMO_CLIENT_TOKEN", "DEMO_EMAIL", "NEW_GUEST_EMAIL",
           "MewsApp"]

RATE_LIMIT = 200
RATE_WINDOW = 30.0
MAX_ITEMS = 1000
MAX_INTERVAL = dt.timedelta(days=92)
STATES = ("New", "Pending", "Enrolled", "Canceled", "Declined")
#: States of a membership that is "active" for deleting its program (**assumed**).
ACTIVE_STATES = ("New", "Pending", "Enrolled")
PROGRAM_TYPES = ("Hotel", "ExternalPartner", "SoftBrand", "Unknown")
SUBSCRIPTIONS = ("Free", "Paid")

Handler = Callable[[dict[str, Any], Request], Response]


class _Fail(Failure):
    """A Mews error answer: ``{"Message": ..., "RequestId": ...}`` (the id is added later)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(Response.json({"Message": message}, status, headers))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class MewsApp(ServiceApp):
    """Mews on loopback, with one chain's loyalty data."""

    base_path = "/api/connector/v1"
    name = "mews"

    def __init__(self) -> None:
        super().__init__()
        self.db: dict[str, Any] = seed_state()
        #: Requests per access token limit and window (``None``: unlimited).
        self.rate_limit: int | None = RATE_LIMIT
        self.rate_window = RATE_WINDOW
        self._calls: dict[str, collections.deque[float]] = {}
        #: ``{"id": membership id, "delta": points, "after_reads": n}``: after the n-th read of
        #: that membership is answered, its points move by ``delta`` (once).
        self.meddle: dict[str, Any] | None = None
        #: ``False``: an older Mews that refuses the ``MembershipNumbers`` filter (400).
        self.numbers_filter = True
        #: The ``Client`` value of the last request.
        self.last_client: str | None = None
        self._routes: dict[str, Handler] = {
            "loyaltyPrograms/getAll": self._programs_get_all,
            "loyaltyPrograms/add": self._programs_add,
            "loyaltyPrograms/update": self._programs_update,
            "loyaltyPrograms/delete": self._programs_delete,
            "loyaltyTiers/getAll": self._tiers_get_all,
            "loyaltyMemberships/getAll": self._memberships_get_all,
            "loyaltyMemberships/add": self._memberships_add,
            "loyaltyMemberships/update": self._memberships_update,
            "loyaltyMemberships/delete": self._memberships_delete,
            "customers/getAll": self._customers_get_all,
            "companies/getAll": self._companies_get_all,
            "configuration/get": self._configuration_get,
        }

    # -- plumbing --------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Every answer carries a ``Request-Id``; error bodies repeat it."""
        rid = str(uuid.uuid4())
        response = super().handle(request)
        response.headers["Request-Id"] = rid
        if response.status >= 400 and response.body.startswith(b'{"Message"'):
            response.body = response.body[:-1] + f', "RequestId": "{rid}"}}'.encode()
        return response

    def route(self, request: Request) -> Response:
        handler = self._routes.get(request.route) if len(request.segments) == 2 else None
        if handler is None or not request.raw_path.startswith(self.base_path + "/") \
                or request.raw_path.endswith("/"):
            raise _Fail(404, "Not found.")
        if request.method != "POST":
            raise _Fail(405, "Only POST is allowed.")
        body = request.json()
        if not isinstance(body, dict):
            raise _Fail(400, "The request body is not a JSON object.")
        for name, token in (("ClientToken", DEMO_CLIENT_TOKEN),
                            ("AccessToken", DEMO_ACCESS_TOKEN)):
            sent = body.get(name)
            if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                                    token.encode()):
                raise _Fail(401, f"Invalid {name}.")
        if not isinstance(body.get("Client"), str) or not body["Client"].strip():
            raise _Fail(400, "Client is required.")
        self.last_client = body["Client"]
        self._count_call(DEMO_ACCESS_TOKEN)
        response = handler(body, request)
        minimal = (request.header("prefer") or "").replace(" ", "").lower() == "return=minimal"
        if minimal and response.status == 200 and response.body in (b"{}", b"{}\n"):
            return Response(204, b"", {}, response.changed)
        return response

    def _count_call(self, token: str) -> None:
        """200 requests per access token per 30 s; over it 429 with ``Retry-After``."""
        if self.rate_limit is None:
            return
        now = time.monotonic()
        calls = self._calls.setdefault(token, collections.deque())
        while calls and calls[0] <= now - self.rate_window:
            calls.popleft()
        if len(calls) >= self.rate_limit:
            wait = max(1, math.ceil(calls[0] + self.rate_window - now))
            raise _Fail(429, "Too many requests.", {"Retry-After": str(wait)})
        calls.append(now)

    def unthrottle(self) -> None:
        self.rate_limit = None

    def _page(self, body: dict[str, Any], items: list[dict[str, Any]], key: str,
              request: Request) -> Response:
        """``Limitation`` applied: newest first, after the ``Cursor`` item when one is sent."""
        limitation = body.get("Limitation")
        if not isinstance(limitation, dict):
            raise _Fail(400, "Limitation is required.")
        count = limitation.get("Count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ITEMS:
            raise _Fail(400, f"Limitation.Count must be 1 to {MAX_ITEMS}.")
        ordered = sorted(items, key=lambda i: (i["CreatedUtc"], i["Id"]), reverse=True)
        cursor = limitation.get("Cursor")
        if cursor is not None:
            ids = [i["Id"] for i in ordered]
            if not isinstance(cursor, str) or cursor not in ids:
                raise _Fail(400, "Invalid Limitation.Cursor.")
            ordered = ordered[ids.index(cursor) + 1:]
        chunk = ordered[:count]
        minimal = (request.header("prefer") or "").replace(" ", "").lower() == "return=minimal"
        if not chunk and minimal:
            return Response(204, b"", {})
        public = [{k: v for k, v in i.items() if k != "ActivityState"} for i in chunk]
        return Response.json({key: copy.deepcopy(public),
                              "Cursor": chunk[-1]["Id"] if chunk else None})

    @staticmethod
    def _ids(body: dict[str, Any], name: str, *, required: bool = False) -> list[str] | None:
        value = body.get(name)
        if value is None:
            if required:
                raise _Fail(400, f"{name} is required.")
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Fail(400, f"{name} must be a list of strings.")
        if len(value) > MAX_ITEMS:
            raise _Fail(400, f"{name} may hold at most {MAX_ITEMS} items.")
        if required and not value:
            raise _Fail(400, f"{name} is required.")
        return value

    def _filter(self, body: dict[str, Any], items: list[dict[str, Any]],
                lists: dict[str, str]) -> list[dict[str, Any]]:
        """Items kept by the list filters (``{request name: item field}``), the activity
        states (both when not sent, **assumed**) and the Created/Updated intervals."""
        for name, fld in lists.items():
            wanted = self._ids(body, name)
            if wanted is not None:
                items = [i for i in items if i.get(fld) in wanted]
        states = self._ids(body, "ActivityStates")
        if states is not None:
            items = [i for i in items if i.get("ActivityState") in states]
        for name in ("CreatedUtc", "UpdatedUtc"):
            interval = body.get(name)
            if interval is None:
                continue
            start = _when(interval.get("StartUtc")) if isinstance(interval, dict) else None
            end = _when(interval.get("EndUtc")) if isinstance(interval, dict) else None
            if start is None or end is None or end < start:
                raise _Fail(400, f"{name} needs StartUtc and EndUtc.")
            if end - start > MAX_INTERVAL:
                raise _Fail(400, f"{name} may span at most 3 months.")
            items = [i for i in items if start <= (_when(i[name]) or start) <= end]
        return items

    @staticmethod
    def _updates(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
        rows = body.get(name)
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            raise _Fail(400, f"{name} is required.")
        if len(rows) > MAX_ITEMS:
            raise _Fail(400, f"{name} may hold at most {MAX_ITEMS} items.")
        return rows

    @staticmethod
    def _value(row: dict[str, Any], name: str) -> tuple[bool, Any]:
        """An update field ``{"Value": ...}``: (present, value)."""
        if name not in row or row[name] is None:
            return False, None
        wrapped = row[name]
        if not isinstance(wrapped, dict):
            raise _Fail(400, f"{name} must be sent as {{\"Value\": ...}}.")
        return True, wrapped.get("Value")

    def _new_id(self) -> str:
        self.db["next"] = int(self.db["next"]) + 1
        return guid(9, int(self.db["next"]))

    def _stamp(self, item: dict[str, Any]) -> None:
        item["UpdatedUtc"] = _now()

    # -- programs and tiers ------------------------------------------------------------------------

    def _active_programs(self) -> dict[str, dict[str, Any]]:
        return {p["Id"]: p for p in self.db["programs"] if p["ActivityState"] == "Active"}

    def _programs_get_all(self, body: dict[str, Any], request: Request) -> Response:
        self._ids(body, "ChainIds")
        items = self._filter(body, self.db["programs"], {"LoyaltyProgramIds": "Id",
                                                         "Codes": "Code"})
        return self._page(body, items, "LoyaltyPrograms", request)

    def _programs_add(self, body: dict[str, Any], request: Request) -> Response:
        rows = self._updates(body, "LoyaltyPrograms")
        made = []
        for row in rows:
            name, code = row.get("Name"), row.get("Code")
            if not isinstance(name, str) or not name.strip() or len(name) > 100:
                raise _Fail(400, "Name is required (at most 100 characters).")
            if not isinstance(code, str) or not code.strip() or len(code) > 50:
                raise _Fail(400, "Code is required (at most 50 characters).")
            if row.get("Type") not in PROGRAM_TYPES:
                raise _Fail(400, "Type is required.")
            if row.get("Subscription") not in SUBSCRIPTIONS:
                raise _Fail(400, "Subscription is required.")
            if any(p["Code"] == code for p in self._active_programs().values()):
                raise _Fail(403, f"A loyalty program with the code {code} exists already.")
            made.append({"Id": self._new_id(), "ChainId": self.db["chain"], "Name": name,
                         "Code": code, "Type": row["Type"],
                         "Subscription": row["Subscription"], "CreatedUtc": _now(),
                         "UpdatedUtc": _now(), "ActivityState": "Active"})
        self.db["programs"].extend(made)
        for p in made:
            self.record("loyaltyPrograms/add", p["Id"], {"Name": p["Name"], "Code": p["Code"]},
                        p["Id"])
        return Response.json({"LoyaltyPrograms": [self._public(p) for p in made]},
                             changed=True)

    def _programs_update(self, body: dict[str, Any], request: Request) -> Response:
        rows = self._updates(body, "LoyaltyProgramUpdates")
        programs = self._active_programs()
        for row in rows:
            if row.get("LoyaltyProgramId") not in programs:
                raise _Fail(400, "Invalid LoyaltyProgramId.")
            has, name = self._value(row, "Name")
            if has and (not isinstance(name, str) or not name.strip() or len(name) > 100):
                raise _Fail(400, "Name must have 1 to 100 characters.")
        for row in rows:
            program = programs[row["LoyaltyProgramId"]]
            for fld in ("Name", "Type", "Subscription"):
                has, value = self._value(row, fld)
                if has:
                    program[fld] = value
            self._stamp(program)
            self.record("loyaltyPrograms/update", program["Id"], row, None)
        return Response.json({"LoyaltyPrograms": [self._public(programs[r["LoyaltyProgramId"]])
                                                  for r in rows]}, changed=True)

    def _programs_delete(self, body: dict[str, Any], request: Request) -> Response:
        ids = self._ids(body, "LoyaltyProgramIds", required=True) or []
        programs = self._active_programs()
        for pid in ids:
            if pid not in programs:
                raise _Fail(400, "Invalid LoyaltyProgramId.")
            if any(m["LoyaltyProgramId"] == pid and m["ActivityState"] == "Active"
                   and m["State"] in ACTIVE_STATES for m in self.db["memberships"]):
                raise _Fail(403, f"The loyalty program {programs[pid]['Name']} has active "
                                 "memberships and cannot be deleted.")
        for pid in ids:
            programs[pid]["ActivityState"] = "Deleted"
            self._stamp(programs[pid])
            self.record("loyaltyPrograms/delete", pid, {"LoyaltyProgramId": pid}, None)
        return Response.json({}, changed=True)

    def _tiers_get_all(self, body: dict[str, Any], request: Request) -> Response:
        self._ids(body, "LoyaltyProgramIds", required=True)
        items = self._filter(body, self.db["tiers"], {"LoyaltyProgramIds": "LoyaltyProgramId",
                                                      "LoyaltyTierIds": "Id"})
        return self._page(body, items, "LoyaltyTiers", request)

    # -- memberships -------------------------------------------------------------------------------

    def _memberships_get_all(self, body: dict[str, Any], request: Request) -> Response:
        self._ids(body, "ChainIds")
        if not self.numbers_filter and "MembershipNumbers" in body:
            raise _Fail(400, "Invalid MembershipNumbers.")
        items = self._filter(body, self.db["memberships"], {
            "LoyaltyMembershipIds": "Id", "AccountIds": "AccountId",
            "LoyaltyProgramIds": "LoyaltyProgramId", "MembershipStates": "State",
            "MembershipNumbers": "MembershipNumber", "Codes": "Code",
            "ProviderMembershipIds": "ProviderMembershipId"})
        response = self._page(body, items, "LoyaltyMemberships", request)
        if self.meddle is not None and response.status == 200:
            target = self.meddle["id"]
            shown = response.body.decode("utf-8")
            if f'"Id": "{target}"' in shown:
                self.meddle["after_reads"] = int(self.meddle["after_reads"]) - 1
                if self.meddle["after_reads"] <= 0:
                    membership = self._membership(target)
                    membership["Points"] = max(0, membership["Points"] + self.meddle["delta"])
                    self._stamp(membership)
                    self.record("meddle", target, {"delta": self.meddle["delta"]},
                                membership["Points"])
                    self.meddle = None
        return response

    def _membership(self, mid: Any) -> dict[str, Any]:
        for m in self.db["memberships"]:
            if m["Id"] == mid and m["ActivityState"] == "Active":
                return m
        raise _Fail(400, "Invalid LoyaltyMembershipId.")

    def _memberships_update(self, body: dict[str, Any], request: Request) -> Response:
        rows = self._updates(body, "LoyaltyMembershipUpdates")
        checked = []
        for row in rows:
            membership = self._membership(row.get("LoyaltyMembershipId"))
            has, points = self._value(row, "Points")
            if has and (isinstance(points, bool) or not isinstance(points, int)):
                raise _Fail(400, "Points must be a whole number.")
            if has and points < 0:
                raise _Fail(403, "Points cannot be negative.")   # assumed status
            if has and membership["State"] in ("Canceled", "Declined"):
                # Assumed: the reference gives no rule; the sandbox refuses it plainly.
                raise _Fail(403, f"The membership is {membership['State'].lower()}; its "
                                 "points cannot be changed.")
            has_state, state = self._value(row, "State")
            if has_state and state not in STATES:
                raise _Fail(400, "Invalid State.")
            has_exp, expiry = self._value(row, "ExpirationDate")
            if has_exp and expiry is not None and _when(expiry) is None:
                raise _Fail(400, "Invalid ExpirationDate.")
            checked.append((membership, row))
        for membership, row in checked:
            for fld in ("Points", "State", "ExpirationDate", "LoyaltyTierId", "IsPrimary",
                        "Url"):
                has, value = self._value(row, fld)
                if has or (fld in row and isinstance(row[fld], dict)):
                    membership[fld] = value
            self._stamp(membership)
            self.record("loyaltyMemberships/update", membership["Id"], row, membership["Points"])
        return Response.json({"LoyaltyMemberships": [self._public(m) for m, _ in checked]},
                             changed=True)

    def _memberships_add(self, body: dict[str, Any], request: Request) -> Response:
        rows = self._updates(body, "LoyaltyMemberships")
        programs = self._active_programs()
        accounts = {c["Id"] for c in self.db["customers"]} | {
            c["Id"] for c in self.db["companies"]}
        numbers = {m["MembershipNumber"] for m in self.db["memberships"]
                   if m["ActivityState"] == "Active"}
        made = []
        for row in rows:
            if row.get("AccountId") not in accounts:
                raise _Fail(400, "Invalid AccountId.")
            if row.get("LoyaltyProgramId") not in programs:
                raise _Fail(400, "Invalid LoyaltyProgramId.")
            if not isinstance(row.get("IsPrimary"), bool):
                raise _Fail(400, "IsPrimary is required.")
            number = row.get("MembershipNumber")
            if number is not None and (not isinstance(number, str) or len(number) > 255):
                raise _Fail(400, "Invalid MembershipNumber.")
            if number in numbers:
                raise _Fail(403, "The membership number is taken.")   # assumed
            points = row.get("Points", 0) or 0
            if isinstance(points, bool) or not isinstance(points, int) or points < 0:
                raise _Fail(400, "Invalid Points.")
            state = row.get("State") or "Enrolled"
            if state not in STATES:
                raise _Fail(400, "Invalid State.")
            mid = self._new_id()
            made.append({"Id": mid, "ChainId": self.db["chain"], "AccountId": row["AccountId"],
                         "LoyaltyProgramId": row["LoyaltyProgramId"], "State": state,
                         "IsPrimary": row["IsPrimary"], "ProviderMembershipId": None,
                         "Code": number, "MembershipNumber": number, "Points": points,
                         "ExpirationDate": row.get("ExpirationDate"), "Url": row.get("Url"),
                         "LoyaltyTierId": row.get("LoyaltyTierId"), "CreatorProfile": None,
                         "UpdaterProfile": None, "CreatedUtc": _now(), "UpdatedUtc": _now(),
                         "ActivityState": "Active"})
            numbers.add(number)
        self.db["memberships"].extend(made)
        for m in made:
            self.record("loyaltyMemberships/add", m["Id"], {"MembershipNumber":
                                                            m["MembershipNumber"]}, m["Id"])
        return Response.json({"LoyaltyMemberships": [self._public(m) for m in made]},
                             changed=True)

    def _memberships_delete(self, body: dict[str, Any], request: Request) -> Response:
        ids = self._ids(body, "LoyaltyMembershipIds", required=True) or []
        found = [self._membership(mid) for mid in ids]
        for m in found:
            m["ActivityState"] = "Deleted"
            self._stamp(m)
            self.record("loyaltyMemberships/delete", m["Id"], {"LoyaltyMembershipId": m["Id"]},
                        None)
        return Response.json({}, changed=True)

    # -- customers, companies, configuration -------------------------------------------------------

    def _customers_get_all(self, body: dict[str, Any], request: Request) -> Response:
        if not isinstance(body.get("Extent"), dict):
            raise _Fail(400, "Extent is required.")
        emails = self._ids(body, "Emails")
        items = self._filter(body, self.db["customers"], {"CustomerIds": "Id",
                                                          "LoyaltyCodes": "LoyaltyCode"})
        if emails is not None:
            wanted = {e.strip().lower() for e in emails}
            items = [c for c in items if (c.get("Email") or "").lower() in wanted]
        page = self._page(body, items, "Customers", request)
        if page.status == 200 and not body["Extent"].get("Customers"):
            return Response.json({"Customers": [], "Cursor": None})
        return page

    def _companies_get_all(self, body: dict[str, Any], request: Request) -> Response:
        items = self._filter(body, self.db["companies"], {"Ids": "Id"})
        return self._page(body, items, "Companies", request)

    def _configuration_get(self, body: dict[str, Any], request: Request) -> Response:
        return Response.json({"ChainId": self.db["chain"], "ChainName": "Harbour Hotels",
                              "NowUtc": _now()})

    @staticmethod
    def _public(item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in copy.deepcopy(item).items() if k != "ActivityState"}

    # -- persistence and demo info -------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return self.db

    def restore(self, data: dict[str, Any]) -> None:
        for key in ("programs", "tiers", "customers", "companies", "memberships"):
            if not isinstance(data[key], list):
                raise TypeError(f"state: {key} is not a list")
        int(data["next"])
        str(data["chain"])
        self.db = copy.deepcopy({k: v for k, v in data.items() if k != "ledger"})

    def by_number(self, number: str) -> dict[str, Any]:
        """The (active) membership with that number, as the sandbox keeps it."""
        return next(m for m in self.db["memberships"]
                    if m["MembershipNumber"] == number and m["ActivityState"] == "Active")

    def info(self) -> dict[str, Any]:
        with self.lock:
            programs = {p["Id"]: p for p in self.db["programs"]}
            tiers = {t["Id"]: t for t in self.db["tiers"]}
            people = {c["Id"]: f"{c['FirstName']} {c['LastName']}"
                      for c in self.db["customers"]}
            people.update({c["Id"]: c["Name"] for c in self.db["companies"]})
            cards = []
            for number in DEMO.values():
                try:
                    m = self.by_number(number)
                except StopIteration:
                    continue
                tier = tiers.get(m["LoyaltyTierId"] or "")
                label = demo.label(programs[m["LoyaltyProgramId"]]["Name"],
                                   tier["Name"] if tier else None, m["Points"], m["State"])
                cards.append({"code": number, "kind": "membership", "label": label,
                              "holder": people.get(m["AccountId"], "")})
            return {"client_token": DEMO_CLIENT_TOKEN, "access_token": DEMO_ACCESS_TOKEN,
                    "email": DEMO_EMAIL, "new_guest_email": NEW_GUEST_EMAIL, "cards": cards}

    def exercise(self) -> Exercise:
        return Exercise(reads="*/getAll", writes="loyaltyMemberships/update",
                        spend_code=DEMO["spend"], keyed=False,
                        step_actions=("loyaltyMemberships/update",))

    def card_codes(self) -> list[str]:
        with self.lock:
            return sorted(m["MembershipNumber"] for m in self.db["memberships"]
                          if m["ActivityState"] == "Active" and m["MembershipNumber"])

    def card_values(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {m["Id"]: {"Points": m["Points"], "ExpirationDate": m["ExpirationDate"],
                              "State": m["State"]} for m in self.db["memberships"]}

    def showcase(self) -> dict[str, str]:
        return {"membership": DEMO["member"], "canceled": DEMO["canceled"]}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        return {"base_url": server.base_url, "client_token": DEMO_CLIENT_TOKEN,
                "access_token": DEMO_ACCESS_TOKEN}
