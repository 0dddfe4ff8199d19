"""The Luna Loyalty Cards sandbox: every method of the published reference, on loopback.

Wire shape (``seeds/luna-loyalty-cards-api.txt`` and ``contracts/luna.md``): every method is
``POST /api/v1/{method}`` with a JSON body and the ``x-access-token`` header; every answer is
HTTP 200 with a JSON array holding one object, numbers often as strings. Where the reference is
silent, the choices made here are marked **assumed**.
"""

from __future__ import annotations

import copy
import hmac
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.core.sandbox import params
from pos_app.core.sandbox.app import Exercise, Failure, Request, Response, ServiceApp
from pos_app.core.services.luna import demo
from pos_app.core.services.luna.seed import (
    DEMO,
    DEMO_EMAIL,
    DEMO_PHONE,
    DEMO_PHONE_DIGITS,
    DEMO_TEMPLATES,
    DEMO_TOKEN,
    OWN,
    seed_state,
)

if TYPE_CHECKING:
    from pos_app.core.sandbox.server import SandboxServer

__all__ = ["DEMO", "DEMO_EMAIL", "DEMO_PHONE", "DEMO_PHONE_DIGITS", "DEMO_TEMPLATES",
           "DEMO_TOKEN", "LunaApp"]

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# Error codes of the reference.
ERR_TOKEN = 1
ERR_NOT_FOUND = 2
ERR_FOREIGN = 3
ERR_PARAMETER = 4
ERR_CLIENT_EXISTS = 5
# Assumed: the reference gives no code for an operation that breaks a card's rules (spending
# past the balance, taking more stamps or rewards than there are). The sandbox answers
# [{"result": 0, "error": 6, "message": "<plain text>"}].
ERR_RULE = 6

# Operation codes of getPassOperations rows. 1-3 are the project's assumption
# (contracts/luna.md); 4-6 are the sandbox's own for changes the reference gives no code for.
OP_ACCRUAL = "1"
OP_WRITE_OFF = "2"
OP_REWARD = "3"
OP_SPENT_UP = "4"
OP_SPENT_DOWN = "5"
OP_EXPIRY = "6"

PAGE_CLIENTS = 10
PAGE_PUSHES = 10
PAGE_TEMPLATE_PASSES = 100
PAGE_OPERATIONS = 50
PUSH_BATCH = 10

#: Largest sum, count or id the sandbox takes in one request.
MAX_NUMBER = 10**9
#: Latest expiry date accepted (year 3000), so that no timestamp overflows the clock.
MAX_TIMESTAMP = 32503680000

SELECTION_MODES = ("passnotcreated", "passinstalled", "passnotinstalled", "passdeleted")
_MODE_STATUS = {"passinstalled": "installed", "passnotinstalled": "not installed",
                "passdeleted": "deleted"}

_KIND_NAMES = {0: "stamps", 1: "cashback", 2: "subscription", 3: "coupon", 4: "discount",
               5: "certificate", 6: "membership"}

# Actions usePass takes per card type (besides setExpirationDate, which every type takes).
_ACTIONS = {
    1: ("spendPoints", "accruePoints", "increaseTotalSpentSum", "reduceTotalSpentSum"),
    2: ("spendPoints", "takeStamps", "addStamps"),
    4: ("increaseTotalSpentSum", "reduceTotalSpentSum"),
    5: ("spendPoints", "accruePoints"),
}


class _Fail(Failure):
    """An error answer: HTTP 200 with ``[{"result": 0, "error": code, ...}]``."""

    def __init__(self, code: int, message: str | None = None, **extra: Any) -> None:
        self.answer: dict[str, Any] = {"result": 0, "error": code, **extra}
        if message is not None:
            self.answer["message"] = message
        super().__init__(Response.json([self.answer]))


def _now() -> str:
    return time.strftime(DATE_FORMAT, time.localtime())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


Handler = Callable[[dict[str, Any], Request], Response]


class LunaApp(ServiceApp):
    """Luna Loyalty Cards on loopback: cards of types 0-6, clients, history and pushes."""

    base_path = "/api/v1"
    name = "luna"

    def __init__(self, token: str = DEMO_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.db: dict[str, Any] = seed_state()
        self._methods: dict[str, Handler] = {
            "getTemplates": self._get_templates,
            "createClient": self._create_client,
            "searchClient": self._search_client,
            "updateClient": self._update_client,
            "createPass": self._create_pass,
            "getPassInfo": self._get_pass_info,
            "checkPassExistsByPhone": self._check_pass_exists_by_phone,
            "getPassInfoByPhone": self._get_pass_info_by_phone,
            "getClientPassesByPhone": self._get_client_passes_by_phone,
            "getClientPassesByEmail": self._get_client_passes_by_email,
            "sendInfoPush": self._send_info_push,
            "getInfoPushList": self._get_info_push_list,
            "getTemplateClientPasses": self._get_template_client_passes,
            "getPassOperations": self._get_pass_operations,
            "getClientInfo": self._get_client_info,
            "getClientsList": self._get_clients_list,
            "usePass": self._use_pass,
            "useReward": self._use_reward,
        }

    # -- plumbing ------------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        handler = self._methods.get(request.route) if len(request.segments) == 1 else None
        if handler is None or not request.raw_path.startswith(self.base_path + "/"):
            return Response.json({"error": "Unknown method", "path": request.raw_path}, 404)
        if request.method != "POST":
            return Response.json({"error": "Use POST"}, 405, {"Allow": "POST"})
        token = request.header("x-access-token") or ""
        if not hmac.compare_digest(token.encode("utf-8"), self.token.encode("utf-8")):
            raise _Fail(ERR_TOKEN)
        body = request.json() if request.body.strip() else {}
        if not isinstance(body, dict):
            raise _Fail(ERR_PARAMETER)   # not JSON, or JSON that is not an object
        return handler(body, request)

    def _changed(self, action: str, serial: str, body: dict[str, Any],
                 answer: dict[str, Any]) -> Response:
        self.record(action, serial, body, answer)
        return Response.json([answer], changed=True)

    def _next(self, counter: str) -> int:
        value = int(self.db["next"][counter])
        self.db["next"][counter] = value + 1
        return value

    def _log(self, serial: str, code: str, value: object) -> None:
        self.db["operations"].setdefault(serial, []).append(
            {"date": _now(), "operation": code, "value": str(value)})

    # -- reading parameters --------------------------------------------------------------------

    @staticmethod
    def _number(body: dict[str, Any], name: str, maximum: int = MAX_NUMBER) -> int:
        """A positive whole number, as an int or a numeric string; anything else is error 4."""
        number = params.whole(body.get(name), high=maximum)
        if number is None:
            raise _Fail(ERR_PARAMETER)   # missing, fractional, negative or not a number
        return number

    def _page(self, body: dict[str, Any]) -> int:
        """The optional ``page`` (1 when missing)."""
        return 1 if body.get("page") in (None, "") else self._number(body, "page")

    @staticmethod
    def _text(body: dict[str, Any], name: str, *, limit: int = 200) -> str:
        value = params.text(body.get(name), limit=limit)
        if value is None:
            raise _Fail(ERR_PARAMETER)
        return value

    @staticmethod
    def _phone(body: dict[str, Any], *, required: bool) -> str | None:
        value = body.get("phone")
        if value is None or value == "":
            if required:
                raise _Fail(ERR_PARAMETER)
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _Fail(ERR_PARAMETER)
        digits = params.digits(value)
        if not 5 <= len(digits) <= 15 or (isinstance(value, int) and value <= 0):
            raise _Fail(ERR_PARAMETER)
        return digits

    @staticmethod
    def _email(body: dict[str, Any], *, required: bool) -> str | None:
        value = body.get("email", body.get("E-mail"))
        if value is None or value == "":
            if required:
                raise _Fail(ERR_PARAMETER)
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+", value.strip()) \
                or len(value) > 254:
            raise _Fail(ERR_PARAMETER)
        return value.strip().lower()

    def _contact(self, body: dict[str, Any]) -> tuple[str | None, str | None]:
        """Phone and/or email: one of them is required."""
        phone = self._phone(body, required=False)
        email = self._email(body, required=False)
        if phone is None and email is None:
            raise _Fail(ERR_PARAMETER)
        return phone, email

    def _template(self, body: dict[str, Any]) -> dict[str, Any]:
        """The company's own template named by ``idTemplate`` (unknown or foreign: error 4)."""
        template = self.db["templates"].get(str(self._number(body, "idTemplate")))
        if template is None or template["company"] != OWN:
            raise _Fail(ERR_PARAMETER)
        return template

    def _card(self, body: dict[str, Any]) -> dict[str, Any]:
        """The card named by ``passSerialNumber``: error 4, 2 or 3 as the reference says."""
        serial = body.get("passSerialNumber")
        if not isinstance(serial, str) or not serial.strip():
            raise _Fail(ERR_PARAMETER)
        card = self.db["passes"].get(serial.strip())
        if card is None:
            raise _Fail(ERR_NOT_FOUND)
        if self._template_of(card)["company"] != OWN:
            raise _Fail(ERR_FOREIGN)
        return card

    def _template_of(self, card: dict[str, Any]) -> dict[str, Any]:
        return self.db["templates"][str(card["template"])]

    def _client_of(self, card: dict[str, Any]) -> dict[str, Any]:
        return self.db["clients"].get(str(card["userID"])) or {}

    def _own_clients(self) -> list[dict[str, Any]]:
        templates = self.db["templates"]
        return [c for c in self.db["clients"].values()
                if templates.get(str(c["template"]), {}).get("company") == OWN]

    def _find_client(self, template: int, phone: str | None, email: str | None,
                     exclude: int | None = None) -> dict[str, Any] | None:
        for client in self.db["clients"].values():
            if client["template"] != template or client["id"] == exclude:
                continue
            if phone and params.digits(client["phone"]) == phone:
                return client
            if email and (client["email"] or "").lower() == email:
                return client
        return None

    def _cards_of(self, client: dict[str, Any]) -> list[dict[str, Any]]:
        return [p for p in self.db["passes"].values() if p["userID"] == client["id"]]

    # -- answers -------------------------------------------------------------------------------

    @staticmethod
    def _percent(template: dict[str, Any], spent: int) -> int:
        """The cashback / discount percentage a total spent earns under the template's levels."""
        percent = 0
        for threshold, value in template.get("levels", []):
            if spent >= threshold:
                percent = value
        return percent

    def _card_info(self, card: dict[str, Any], request: Request) -> dict[str, Any]:
        """A card as getPassInfo shows it: numbers as strings, fields per card type."""
        template = self._template_of(card)
        kind = template["type"]
        info: dict[str, Any] = {"result": 1, "type": str(kind), "template": str(template["id"]),
                                "status": card["status"], "serialNumber": card["serial"]}
        host = request.header("host") or "127.0.0.1"
        image = f"http://{host}/assets/passImages/{template['id']}/app/{card['activeStamps']}.png"
        if kind == 0:
            info.update(maxStamps=str(template["maxStamps"]),
                        activeStamps=str(card["activeStamps"]),
                        totalStamps=str(card["totalStamps"]),
                        unusedRewards=str(card["unusedRewards"]), image=image,
                        rewards=copy.deepcopy(template["rewards"]))
        elif kind == 1:
            info.update(amountMoneySpentTotal=str(card["amountMoneySpentTotal"]),
                        currentPersentBonus=str(self._percent(template,
                                                              card["amountMoneySpentTotal"])),
                        amountMoneyBonus=str(card["amountMoneyBonus"]))
        elif kind == 2:
            info.update(maxStamps=str(template["maxStamps"]),
                        activeStamps=str(card["activeStamps"]),
                        numberScores=str(card["numberScores"]), image=image)
        elif kind == 4:
            info.update(amountMoneySpentTotal=str(card["amountMoneySpentTotal"]),
                        currentPersentBonus=str(self._percent(template,
                                                              card["amountMoneySpentTotal"])))
        elif kind == 5:
            # Assumed: a certificate reports its balance in amountMoneyBonus.
            info.update(amountMoneyBonus=str(card["amountMoneyBonus"]))
        if card.get("expirationDate"):
            # Assumed: a card with an expiry date reports it as "YYYY-MM-DD HH:MM:SS".
            info["expirationDate"] = card["expirationDate"]
        return info

    @staticmethod
    def _client_fields(client: dict[str, Any]) -> dict[str, Any]:
        fields = client.get("fields") or [None] * 6
        return {"sName": client.get("sName"), "fName": client.get("fName"),
                "dateOfBirth": client.get("dateOfBirth"), "phone": client.get("phone"),
                "email": client.get("email"),
                **{f"Field{i}": fields[i] if i < len(fields) else None for i in range(6)}}

    # -- methods: templates and clients --------------------------------------------------------

    def _get_templates(self, body: dict[str, Any], request: Request) -> Response:
        # Assumed answer shape (the reference's example is a copy-paste slip): the templates
        # as rows of {id, name, type}.
        rows = [{"id": t["id"], "name": t["name"], "type": str(t["type"])}
                for t in self.db["templates"].values() if t["company"] == OWN]
        return Response.json([{"result": 1, "rows": rows}])

    def _create_client(self, body: dict[str, Any], request: Request) -> Response:
        template = self._template(body)
        s_name, f_name = self._text(body, "sName"), self._text(body, "fName")
        phone, email = self._contact(body)
        existing = self._find_client(template["id"], phone, email)
        if existing is not None:
            raise _Fail(ERR_CLIENT_EXISTS, userID=existing["id"])
        uid = self._next("user")
        self.db["clients"][str(uid)] = {
            "id": uid, "template": template["id"], "sName": s_name, "fName": f_name,
            "phone": f"+{phone}" if phone else None, "email": email, "dateOfBirth": None,
            "fields": [None] * 6}
        return self._changed("createClient", "", body, {"result": 1, "userID": uid})

    def _search_client(self, body: dict[str, Any], request: Request) -> Response:
        template = self._template(body)
        phone, email = self._contact(body)
        client = self._find_client(template["id"], phone, email)
        # Assumed: no such client is [{"result": 0}] without an error code.
        answer = {"result": 1, "userID": client["id"]} if client else {"result": 0}
        return Response.json([answer])

    def _update_client(self, body: dict[str, Any], request: Request) -> Response:
        uid = self._number(body, "userID")
        template = self._template(body)
        client = self.db["clients"].get(str(uid))
        if client is None or client["template"] != template["id"]:
            raise _Fail(ERR_PARAMETER)   # assumed: an unknown userID is an invalid parameter
        s_name, f_name = self._text(body, "sName"), self._text(body, "fName")
        phone, email = self._contact(body)
        other = self._find_client(template["id"], phone, email, exclude=client["id"])
        if other is not None:
            raise _Fail(ERR_CLIENT_EXISTS, userID=other["id"])
        client.update(sName=s_name, fName=f_name)
        if phone and params.digits(client["phone"]) != phone:
            client["phone"] = f"+{phone}"
        if email:
            client["email"] = email
        return self._changed("updateClient", "", body, {"result": 1})

    def _create_pass(self, body: dict[str, Any], request: Request) -> Response:
        template = self._template(body)
        uid = self._number(body, "userID")
        client = self.db["clients"].get(str(uid))
        if client is None or client["template"] != template["id"]:
            raise _Fail(ERR_PARAMETER)
        # Assumed: a client holds one card per template; asking again returns that card.
        card = next((p for p in self._cards_of(client) if p["template"] == template["id"]), None)
        if card is None:
            serial = self._new_serial()
            card = {"serial": serial, "template": template["id"], "userID": uid,
                    "status": "not installed", "activeStamps": 0, "totalStamps": 0,
                    "unusedRewards": 0, "numberScores": 0, "amountMoneySpentTotal": 0,
                    "amountMoneyBonus": 0, "expirationDate": None}
            self.db["passes"][serial] = card
        host = request.header("host") or "127.0.0.1"
        answer = {"result": 1, "serialNumber": card["serial"],
                  "installURL": f"http://{host}/home/getpassform/{template['id']}/{uid}/",
                  "installQR": f"http://{host}/home/installQR/{template['id']}/{uid}/"}
        return self._changed("createPass", card["serial"], body, answer)

    def _new_serial(self) -> str:
        while True:
            value = (self._next("serial") * 2654435761 + 104729) % 10**12
            text = f"{value:012d}"
            serial = f"{text[:6]}-{text[6:9]}-{text[9:]}"
            if serial not in self.db["passes"]:
                return serial

    def _get_client_info(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card(body)
        # As the reference shows it: the client's fields, without "result".
        return Response.json([self._client_fields(self._client_of(card))])

    def _get_clients_list(self, body: dict[str, Any], request: Request) -> Response:
        template = self._template(body)
        page = self._page(body)
        clients = [c for c in self.db["clients"].values() if c["template"] == template["id"]]
        chunk = clients[(page - 1) * PAGE_CLIENTS: page * PAGE_CLIENTS]
        rows = [{"id": c["id"], **self._client_fields(c)} for c in chunk]
        return Response.json([{"result": 1, "rows": rows}])

    # -- methods: looking cards up -------------------------------------------------------------

    def _get_pass_info(self, body: dict[str, Any], request: Request) -> Response:
        return Response.json([self._card_info(self._card(body), request)])

    def _card_by_phone(self, body: dict[str, Any]) -> dict[str, Any] | None:
        template = self._template(body)
        phone = self._phone(body, required=True)
        for card in self.db["passes"].values():
            if card["template"] == template["id"] and \
                    params.digits(self._client_of(card).get("phone")) == phone:
                return card
        return None

    def _check_pass_exists_by_phone(self, body: dict[str, Any], request: Request) -> Response:
        return Response.json([{"result": 1 if self._card_by_phone(body) else 0}])

    def _get_pass_info_by_phone(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card_by_phone(body)
        if card is None:
            raise _Fail(ERR_NOT_FOUND)   # assumed: no card for that phone is error 2
        return Response.json([self._card_info(card, request)])

    def _client_passes(self, clients: list[dict[str, Any]]) -> Response:
        if not clients:
            raise _Fail(ERR_NOT_FOUND)   # assumed: no such customer is error 2
        cards = sorted((p for c in clients for p in self._cards_of(c)),
                       key=lambda p: p["template"])
        passes = [{"serialNumber": p["serial"], "type": str(self._template_of(p)["type"]),
                   "template": str(p["template"]), "status": p["status"]} for p in cards]
        return Response.json([{**self._client_fields(clients[0]), "result": 1,
                               "passes": passes}])

    def _get_client_passes_by_phone(self, body: dict[str, Any], request: Request) -> Response:
        phone = self._phone(body, required=True)
        return self._client_passes([c for c in self._own_clients()
                                    if params.digits(c["phone"]) == phone])

    def _get_client_passes_by_email(self, body: dict[str, Any], request: Request) -> Response:
        email = self._email(body, required=True)
        return self._client_passes([c for c in self._own_clients()
                                    if (c["email"] or "").lower() == email])

    def _get_template_client_passes(self, body: dict[str, Any], request: Request) -> Response:
        template = self._template(body)
        mode = body.get("selectionMode")
        if not isinstance(mode, str) or mode.strip().lower() not in SELECTION_MODES:
            raise _Fail(ERR_PARAMETER)
        mode = mode.strip().lower()
        page = self._page(body)
        rows: list[dict[str, Any]] = []
        clients = [c for c in self.db["clients"].values() if c["template"] == template["id"]]
        now = _now()
        for client in clients:
            cards = [p for p in self._cards_of(client) if p["template"] == template["id"]]
            if mode == "passnotcreated":
                chosen: list[str | None] = [None] if not cards else []
            else:
                chosen = [p["serial"] for p in cards if p["status"] == _MODE_STATUS[mode]
                          and not (mode == "passinstalled" and p["expirationDate"]
                                   and p["expirationDate"] < now)]
            rows += [{"userID": str(client["id"]), "SName": client["sName"],
                      "Fname": client["fName"], "Email": client["email"],
                      "Phone": client["phone"], "serialNumber": serial} for serial in chosen]
        chunk = rows[(page - 1) * PAGE_TEMPLATE_PASSES: page * PAGE_TEMPLATE_PASSES]
        return Response.json([{"result": 1, "rows": chunk}])

    def _get_pass_operations(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card(body)
        page = self._page(body)
        rows = list(reversed(self.db["operations"].get(card["serial"], [])))
        chunk = rows[(page - 1) * PAGE_OPERATIONS: page * PAGE_OPERATIONS]
        # As the reference shows it: the rows, without "result".
        return Response.json([{"rows": copy.deepcopy(chunk)}])

    # -- methods: push messages ----------------------------------------------------------------

    def _render(self, text: str, card: dict[str, Any]) -> str:
        """Replace the reference's ``{{variables}}`` with the card's and client's values."""
        client = self._client_of(card)
        template = self._template_of(card)
        kind = template["type"]
        values: dict[str, object] = {
            "clientFName": client.get("fName") or "", "clientSName": client.get("sName") or "",
            "clientDateOfBirth": client.get("dateOfBirth") or "",
            "clientPhone": client.get("phone") or "", "clientEmail": client.get("email") or "",
        }
        if kind in (0, 2):
            values["passCurrentStamps"] = card["activeStamps"]
        if kind == 0:
            values.update(passTotalStamps=card["totalStamps"],
                          passUnusedRewards=card["unusedRewards"])
        if kind == 1:
            values["passPoints"] = card["amountMoneyBonus"]
        if kind in (1, 4):
            values["passPersent"] = self._percent(template, card["amountMoneySpentTotal"])
        return re.sub(r"\{\{\s*(\w+)\s*\}\}",
                      lambda m: str(values.get(m.group(1), m.group(0))), text)

    def _push(self, card: dict[str, Any], text: str) -> None:
        self.db["pushes"].setdefault(card["serial"], []).append(
            {"id": self._next("push"), "date": _now(), "message": self._render(text, card)})

    def _send_info_push(self, body: dict[str, Any], request: Request) -> Response:
        segment = body.get("pushSegment")
        text = self._text(body, "messageText", limit=1000)
        if segment == "oneClient":
            card = self._card(body)
            if card["status"] != "installed":
                # Assumed: pushes reach installed cards only; others are refused plainly.
                raise _Fail(ERR_RULE, "The card is not installed in a wallet, so it cannot "
                                      "receive push messages.")
            self._push(card, text)
            return self._changed("sendInfoPush", card["serial"], body, {"result": 1})
        if segment == "allClients":
            template = self._template(body)
            page = self._number(body, "page")
            installed = [p for p in self.db["passes"].values()
                         if p["template"] == template["id"] and p["status"] == "installed"]
            chunk = installed[(page - 1) * PUSH_BATCH: page * PUSH_BATCH]
            for card in chunk:
                self._push(card, text)
            answer = {"numberOfRowsSelected": len(chunk), "result": 1}
            if not chunk:
                return Response.json([answer])
            return self._changed("sendInfoPush", "", body, answer)
        raise _Fail(ERR_PARAMETER)

    def _get_info_push_list(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card(body)
        page = self._page(body)
        rows = list(reversed(self.db["pushes"].get(card["serial"], [])))
        chunk = rows[(page - 1) * PAGE_PUSHES: page * PAGE_PUSHES]
        return Response.json([{"result": 1, "rows": copy.deepcopy(chunk)}])

    # -- methods: card operations --------------------------------------------------------------

    def _use_pass(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card(body)
        kind = self._template_of(card)["type"]
        action = body.get("action")
        if action == "setExpirationDate":
            self._set_expiry(card, body)
        elif kind == 0:
            if action not in (None, ""):
                raise _Fail(ERR_PARAMETER)
            self._add_stamps(card, self._number(body, "numberStumps"))
        elif action not in _ACTIONS.get(kind, ()):
            # Coupons and memberships take only setExpirationDate; an action a card type does
            # not have is an invalid parameter (assumed).
            raise _Fail(ERR_PARAMETER)
        elif action in ("takeStamps", "addStamps"):
            self._subscription_visits(card, action, self._number(body, "numberStumps"))
        else:
            self._money(card, kind, action, self._number(body, "sum"))
        return self._changed("usePass", card["serial"], body, {"result": 1})

    def _set_expiry(self, card: dict[str, Any], body: dict[str, Any]) -> None:
        stamp = self._number(body, "expiryDate", maximum=MAX_TIMESTAMP)
        # The sandbox keeps dates in the local time of the machine it runs on.
        card["expirationDate"] = time.strftime(DATE_FORMAT, time.localtime(stamp))
        self._log(card["serial"], OP_EXPIRY, card["expirationDate"][:10])

    def _add_stamps(self, card: dict[str, Any], count: int) -> None:
        """Stamps wrap: each time the card fills up, it starts again and earns a reward."""
        limit = self._template_of(card)["maxStamps"]
        card["totalStamps"] += count
        self._log(card["serial"], OP_ACCRUAL, count)
        active = card["activeStamps"] + count
        while active >= limit:
            active -= limit
            card["unusedRewards"] += 1
            self._log(card["serial"], OP_REWARD, 1)
        card["activeStamps"] = active

    def _subscription_visits(self, card: dict[str, Any], action: str, count: int) -> None:
        """``takeStamps`` writes visits off; ``addStamps`` adds them up to ``maxStamps``.

        Adding more visits than the subscription holds is refused (error 6) rather than capped
        or wrapped, so that no paid visit is silently lost.
        """
        limit = self._template_of(card)["maxStamps"]
        active = card["activeStamps"]
        if action == "takeStamps":
            if count > active:
                raise _Fail(ERR_RULE, f"Cannot write off {_plural(count, 'visit')}: the "
                                      f"subscription has {_plural(active, 'visit')} left.")
            card["activeStamps"] = active - count
            card["totalStamps"] += count
            self._log(card["serial"], OP_WRITE_OFF, count)
        else:
            if active + count > limit:
                raise _Fail(ERR_RULE, f"Cannot add {_plural(count, 'visit')}: the subscription "
                                      f"holds at most {limit} and has {active}.")
            card["activeStamps"] = active + count
            self._log(card["serial"], OP_ACCRUAL, count)

    def _money(self, card: dict[str, Any], kind: int, action: str, amount: int) -> None:
        """Points, balances and the total spent of types 1, 2, 4 and 5."""
        balance = "numberScores" if kind == 2 else "amountMoneyBonus"
        if action == "spendPoints":
            if amount > card[balance]:
                has = (f"the certificate's balance is {card[balance]}" if kind == 5
                       else f"the card has {card[balance]} points")
                raise _Fail(ERR_RULE, f"Cannot spend {amount}: {has}.")
            card[balance] -= amount
            self._log(card["serial"], OP_WRITE_OFF, amount)
        elif action == "accruePoints":
            card[balance] += amount
            self._log(card["serial"], OP_ACCRUAL, amount)
        elif action == "increaseTotalSpentSum":
            card["amountMoneySpentTotal"] += amount
            self._log(card["serial"], OP_SPENT_UP, amount)
        else:   # reduceTotalSpentSum
            if amount > card["amountMoneySpentTotal"]:
                raise _Fail(ERR_RULE, f"Cannot reduce the total spent by {amount}: it is "
                                      f"{card['amountMoneySpentTotal']}.")
            card["amountMoneySpentTotal"] -= amount
            self._log(card["serial"], OP_SPENT_DOWN, amount)

    def _use_reward(self, body: dict[str, Any], request: Request) -> Response:
        card = self._card(body)
        count = self._number(body, "numberRewards")
        if self._template_of(card)["type"] != 0:
            raise _Fail(ERR_RULE, "Only stamp cards have rewards to write off.")
        if count > card["unusedRewards"]:
            raise _Fail(ERR_RULE, f"Cannot write off {_plural(count, 'reward')}: the card has "
                                  f"{card['unusedRewards']} unused.")
        card["unusedRewards"] -= count
        self._log(card["serial"], OP_WRITE_OFF, count)
        return self._changed("useReward", card["serial"], body, {"result": 1})

    # -- persistence and demo info -------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return self.db

    def restore(self, data: dict[str, Any]) -> None:
        for key in ("templates", "clients", "passes", "operations", "pushes", "next"):
            if not isinstance(data[key], dict):
                raise TypeError(f"state: {key} is not an object")
        for counter in ("user", "push", "serial"):
            int(data["next"][counter])
        self.db = copy.deepcopy({k: v for k, v in data.items() if k != "ledger"})

    def info(self) -> dict[str, Any]:
        with self.lock:
            cards = []
            for serial in DEMO.values():
                card = self.db["passes"].get(serial)
                if card is None:
                    continue
                template = self._template_of(card)
                client = self._client_of(card)
                holder = " ".join(p for p in (client.get("fName"), client.get("sName")) if p)
                cards.append({"code": serial, "kind": _KIND_NAMES[template["type"]],
                              "label": demo.label(card, template, self._percent(
                                  template, card["amountMoneySpentTotal"]),
                                  own=template["company"] == OWN),
                              "holder": holder})
            return {"token": self.token, "phone": DEMO_PHONE, "email": DEMO_EMAIL,
                    "cards": cards}

    def exercise(self) -> Exercise:
        return Exercise(reads="get*", writes="use*", spend_code=DEMO["certificate"],
                        keyed=False, step_actions=("usePass", "useReward"))

    def card_codes(self) -> list[str]:
        with self.lock:
            return sorted(self.db["passes"])

    def card_values(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.db["passes"])

    def showcase(self) -> dict[str, str]:
        return {"stamps": DEMO["stamps"], "discount": DEMO["discount"],
                "foreign": DEMO["foreign"], "phone": DEMO_PHONE}

    def settings(self, server: SandboxServer) -> dict[str, Any]:
        return {"base_url": server.url, "token": self.token}
