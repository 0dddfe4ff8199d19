"""Luna's wire: one method per call of the reference, and the parsing of its answers.

Protocol (``seeds/luna-loyalty-cards-api.txt``, ``contracts/luna.md``): ``POST {base}/{method}``
with a JSON body and the ``x-access-token`` header; answers are HTTP 200 with a JSON array
holding one object, numbers often as strings, failures as an ``error`` code. Every Luna wire
name lives in this package.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.backends.http import Answer, ServiceHttp
from pos_app.core.cards import CardKind, CardStatus, Holder
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    ClientExists,
    ForeignCard,
    InvalidInput,
    MissingParameter,
    OutcomeUnknown,
    PosError,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.i18n import N_, _
from pos_app.core.money import to_int

log = logging.getLogger(__name__)

SERVICE = "Luna"  # i18n-skip
TOKEN_HEADER = "x-access-token"

#: A card's serial number, e.g. ``448234-808-346`` (the QR holds it, bare or in a URL).
SERIAL_RE = re.compile(r"\d{6}-\d{3}-\d{3}")

# Methods that change something at Luna: a lost answer leaves their outcome unknown.
MUTATING = frozenset({"usePass", "useReward", "createClient", "createPass", "updateClient",
                      "sendInfoPush"})
# Methods a cashier operation's steps may call.
STEP_ACTIONS = frozenset({"usePass", "useReward"})

# Error codes of the reference.
_ERR_TOKEN, _ERR_NOT_FOUND, _ERR_FOREIGN, _ERR_PARAMETER, _ERR_CLIENT_EXISTS = 1, 2, 3, 4, 5

TYPE_KINDS = {0: CardKind.STAMPS, 1: CardKind.POINTS, 2: CardKind.SUBSCRIPTION,
              3: CardKind.COUPON, 4: CardKind.DISCOUNT, 5: CardKind.GIFT,
              6: CardKind.MEMBERSHIP}
STATUSES = {"installed": CardStatus.ACTIVE, "not installed": CardStatus.NOT_INSTALLED,
            "deleted": CardStatus.DELETED}
# getPassOperations codes are undocumented. 1-3 are the contract's assumption
# (contracts/luna.md); 4-6 are assumed here as the sandbox gives them, for changes the
# reference names no code for.
OP_ACCRUAL, OP_WRITE_OFF, OP_REWARD, OP_SPENT_UP, OP_SPENT_DOWN, OP_EXPIRY = 1, 2, 3, 4, 5, 6
#: What each operation code of a card's history means (translated where shown).
OPERATION_LABELS = {
    # i18n: a row of a Luna card's history (points or stamps added)
    OP_ACCRUAL: N_("Accrual"),
    # i18n: a row of a Luna card's history (points or stamps taken off)
    OP_WRITE_OFF: N_("Write-off"),
    OP_REWARD: N_("Reward earned"),
    OP_SPENT_UP: N_("Total spent raised"),
    OP_SPENT_DOWN: N_("Total spent lowered"),
    OP_EXPIRY: N_("Expiry date set"),
}
#: Sentences about a number the app sends, by the number's name (``_positive``).
_NOT_POSITIVE = {
    "template": N_("Template id must be a positive whole number."),
    "customer": N_("Customer id must be a positive whole number."),
    "page": N_("Page must be a positive whole number."),
}
#: Sentences about a name the app sends: (missing, too long), by the name's name.
_BAD_NAME = {
    "last": (N_("Last name is missing."), N_("Last name is too long.")),
    "first": (N_("First name is missing."), N_("First name is too long.")),
}
#: Sentences about a list in an answer that is not one, by the list's name (``_rows``).
_NOT_A_LIST = {
    "customers": N_("Luna's list of customers is not a list."),
    "messages": N_("Luna's list of messages is not a list."),
    "history": N_("Luna's card history is not a list."),
}
SELECTION_MODES = ("PassNotCreated", "passInstalled", "passNotInstalled", "passDeleted")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")

#: The status policy every HTTP service shares (:meth:`HttpBackend.status_failure`).
StatusPolicy = Callable[[Answer, bool], PosError | None]


@dataclass(frozen=True)
class LunaTemplate:
    """A card template of the company (``getTemplates``)."""

    id: int
    name: str
    type: int | None

    @property
    def kind(self) -> CardKind | None:
        return kind_of(self.type)


@dataclass(frozen=True)
class LunaClient:
    """A customer as Luna lists them; ``serial`` is set where the answer names a card."""

    user_id: int | None
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    birth_date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    serial: str | None = None

    @property
    def holder(self) -> Holder:
        return Holder(self.first_name, self.last_name, self.phone, self.email)


@dataclass(frozen=True)
class NewPass:
    """A card just issued by ``createPass``."""

    serial: str
    install_url: str
    install_qr: str


@dataclass(frozen=True)
class PushMessage:
    """One informational push message sent to a card."""

    id: int | None
    when: dt.datetime | None
    message: str


@dataclass(frozen=True)
class LunaOperation:
    """One row of a card's history (``getPassOperations``)."""

    when: dt.datetime | None
    code: int | None
    value: str

    @property
    def label(self) -> str:
        if self.code in OPERATION_LABELS:
            return _(OPERATION_LABELS[self.code])
        if self.code is not None:
            # i18n: a row of a Luna card's history whose code the app does not know
            return _("Other operation (code {code})").format(code=self.code)
        return _("Other operation")


def as_text(value: object, limit: int = 300) -> str:
    """A string field of an answer, trimmed; anything else is empty."""
    if isinstance(value, str):
        return value.strip()[:limit]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def get_field(row: dict[str, Any], name: str) -> Any:
    """A field by name, ignoring case (the reference spells ``SName``, ``Fname``, ``Phone``)."""
    if name in row:
        return row[name]
    lower = name.lower()
    return next((v for k, v in row.items() if isinstance(k, str) and k.lower() == lower), None)


def when(value: object) -> dt.datetime | None:
    text = as_text(value, 40)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def kind_of(value: object) -> CardKind | None:
    number = to_int(value)
    return None if number is None else TYPE_KINDS.get(number)


def phone_number(text: str | int) -> int:
    """A phone number as Luna takes it: the integer of its digits (``74443334423``)."""
    digits = re.sub(r"\D", "", str(text))
    if not 5 <= len(digits) <= 15:
        raise InvalidInput(_("{phone!r} is not a phone number.").format(
            phone=str(text).strip()), _("Type the number with its country code."))
    return int(digits)


def email_address(email: str) -> str:
    """An email as Luna takes it; :class:`InvalidInput` when it is not one."""
    text = email.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", text) or len(text) > 254:
        raise InvalidInput(_("{email!r} is not an email address.").format(email=text))
    return text


def read_client(row: dict[str, Any]) -> LunaClient:
    """A customer from an answer's object or row."""
    extra = {f"Field{i}": as_text(get_field(row, f"Field{i}")) for i in range(6)}
    user = to_int(get_field(row, "userID"))
    if user is None:
        user = to_int(get_field(row, "id"))
    serial = as_text(get_field(row, "serialNumber"), 40)
    return LunaClient(
        user_id=user, first_name=as_text(get_field(row, "fName")),
        last_name=as_text(get_field(row, "sName")),
        phone=as_text(get_field(row, "phone"), 40), email=as_text(get_field(row, "email")),
        birth_date=as_text(get_field(row, "dateOfBirth"), 40),
        extra={k: v for k, v in extra.items() if v}, serial=serial or None)


class LunaWire:
    """Luna's methods over one client; each checks its answer and raises typed errors."""

    def __init__(self, http: ServiceHttp, status_failure: StatusPolicy) -> None:
        self.http = http
        self._status_failure = status_failure

    def _post(self, method: str, body: dict[str, Any], *, serial: str | None = None,
              zero_ok: bool = False) -> list[Any]:
        """Send one method; return the answer's array after checking its first object.

        Raises the typed error for an ``error`` code, and for ``"result": 0`` unless
        ``zero_ok`` (where 0 is a normal answer, like "no such client").
        """
        mutating = method in MUTATING
        answer = self.http.request("POST", self.http.url(method), mutating=mutating,
                                   json_body=body)
        if answer.status != 200:
            log.info("luna: %s answered HTTP %s", method, answer.status)
            failure = self._status_failure(answer, mutating)
            if failure is not None:
                raise failure
            if mutating:
                raise OutcomeUnknown(_("Luna answered with a failure (HTTP {status}) after the "
                                       "request was sent.").format(status=answer.status),
                                     service=SERVICE)
            hint = (_("Check the {service} address in the settings.").format(service=SERVICE)
                    if answer.status == 404
                    else _("Try again in a moment; nothing was changed."))
            raise ServiceUnavailable(_("Luna answered with a failure (HTTP {status}).").format(
                status=answer.status), hint, service=SERVICE)
        data = answer.json_or_none()
        if not (isinstance(data, list) and data and isinstance(data[0], dict)):
            log.info("luna: %s answered something that is not a Luna answer", method)
            if mutating:
                raise OutcomeUnknown(_("Luna's answer could not be read."), service=SERVICE)
            raise BadResponse(_("Luna answered something that is not a Luna answer."),
                              service=SERVICE)
        self._check(data[0], serial=serial, zero_ok=zero_ok)
        if mutating and to_int(data[0].get("result")) != 1:
            # Not an error and not the documented success: whether it was applied is unknown.
            log.info("luna: %s answered neither success nor an error", method)
            raise OutcomeUnknown(_("Luna's answer could not be read."), service=SERVICE)
        return data

    def _call(self, method: str, body: dict[str, Any], *, serial: str | None = None,
              zero_ok: bool = False) -> dict[str, Any]:
        """Send one method; return the answer's (checked) object."""
        first: dict[str, Any] = self._post(method, body, serial=serial, zero_ok=zero_ok)[0]
        return first

    @staticmethod
    def _check(obj: dict[str, Any], *, serial: str | None, zero_ok: bool) -> None:
        """Turn an ``error`` code (or a bare ``"result": 0``) into a typed error."""
        message = as_text(obj.get("message"))
        code = obj.get("error")
        if code not in (None, 0, "0", ""):
            number = to_int(code)
            if number == _ERR_TOKEN:
                raise AuthError(_("Luna did not accept the access token."), service=SERVICE)
            if number == _ERR_NOT_FOUND:
                raise CardNotFound(_("No Luna card with serial {serial}.").format(serial=serial)
                                   if serial else _("Luna found no such card."),
                                   service=SERVICE)
            if number == _ERR_FOREIGN:
                raise ForeignCard(_("The card belongs to another company."), service=SERVICE)
            if number == _ERR_PARAMETER:
                raise MissingParameter(_("Luna says a required value is missing or invalid."),
                                       service=SERVICE)
            if number == _ERR_CLIENT_EXISTS:
                user = to_int(obj.get("userID"))
                raise ClientExists(_("A Luna customer with this phone or email already exists "
                                     "for this card template."), service=SERVICE,
                                   user_id=None if user is None else str(user))
            raise Refused(message or _("Luna refused the request (error {code}).").format(
                code=as_text(code, 20)), service=SERVICE)
        if to_int(obj.get("result")) == 0 and not zero_ok:
            raise Refused(message or _("Luna refused the request."), service=SERVICE)

    # -- the reference's methods -----------------------------------------------------------

    def get_pass_info(self, serial: str) -> dict[str, Any]:
        """A card's values (the raw object; the adapter reads it)."""
        return self._call("getPassInfo", {"passSerialNumber": serial}, serial=serial)

    def use(self, action: str, body: dict[str, Any], serial: str) -> dict[str, Any]:
        """``usePass`` or ``useReward`` with a step's body, sent once."""
        if action not in STEP_ACTIONS:
            raise InvalidInput(_("The app does not know the Luna step {step!r}.").format(
                step=action))
        return self._call(action, dict(body), serial=serial)

    def get_client_passes(self, *, phone: str | None = None,
                          email: str | None = None) -> dict[str, Any] | None:
        """``getClientPassesByPhone`` or ``...ByEmail``: the customer and their ``passes``
        (``None`` when Luna knows no such customer)."""
        if phone and phone.strip():
            method, body = "getClientPassesByPhone", {"phone": phone_number(phone)}
        elif email and email.strip():
            method, body = "getClientPassesByEmail", {"email": email_address(email)}
        else:
            raise InvalidInput(_("Type the customer's phone number or email."))
        try:
            return self._call(method, body, zero_ok=True)
        except CardNotFound:
            return None

    @staticmethod
    def _positive(value: int, what: str) -> int:
        """``value`` when it is a positive int; ``what`` names it (a key of
        :data:`_NOT_POSITIVE`)."""
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidInput(_(_NOT_POSITIVE[what]))
        return value

    def _contact(self, phone: str | int | None, email: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if phone is not None and str(phone).strip():
            body["phone"] = phone_number(phone)
        if email is not None and email.strip():
            body["email"] = email_address(email)
        if not body:
            raise InvalidInput(_("Type the customer's phone number or email."))
        return body

    def _rows(self, obj: dict[str, Any], what: str) -> list[dict[str, Any]]:
        """The ``rows`` of an answer; ``what`` names the list (a key of :data:`_NOT_A_LIST`)."""
        rows = obj.get("rows")
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise BadResponse(_(_NOT_A_LIST[what]), service=SERVICE)
        return [r for r in rows if isinstance(r, dict)]

    def get_templates(self) -> list[LunaTemplate]:
        """The company's card templates."""
        data = self._post("getTemplates", {})
        rows = data[0].get("rows")
        if not isinstance(rows, list):   # tolerate templates listed as the array itself
            rows = [d for d in data if isinstance(d, dict) and "id" in d]
        templates = []
        for row in rows:
            tid = to_int(row.get("id")) if isinstance(row, dict) else None
            if tid is not None:
                templates.append(LunaTemplate(tid, as_text(row.get("name")),
                                              to_int(row.get("type"))))
        return templates

    def create_client(self, first_name: str, last_name: str, template_id: int, *,
                      phone: str | int | None = None, email: str | None = None) -> int:
        """Create a customer for a template; return the new user id.

        Raises :class:`ClientExists` (with ``user_id``) when the phone or email is taken.
        """
        body = {"sName": self._name(last_name, "last"),
                "fName": self._name(first_name, "first"),
                **self._contact(phone, email),
                "idTemplate": self._positive(template_id, "template")}
        user = to_int(self._call("createClient", body).get("userID"))
        if user is None:
            raise BadResponse(_("Luna created the customer but did not say its id."),
                              service=SERVICE)
        return user

    @staticmethod
    def _name(value: str, what: str) -> str:
        """A name trimmed; ``what`` says which (a key of :data:`_BAD_NAME`)."""
        missing, too_long = _BAD_NAME[what]
        text = (value or "").strip()
        if not text:
            raise InvalidInput(_(missing))
        if len(text) > 100:
            raise InvalidInput(_(too_long))
        return text

    def search_client(self, template_id: int, *, phone: str | int | None = None,
                      email: str | None = None) -> int | None:
        """The user id of the template's customer with that phone or email, if any."""
        body = {**self._contact(phone, email),
                "idTemplate": self._positive(template_id, "template")}
        obj = self._call("searchClient", body, zero_ok=True)
        return to_int(obj.get("userID")) if to_int(obj.get("result")) != 0 else None

    def update_client(self, user_id: int, first_name: str, last_name: str, template_id: int,
                      *, phone: str | int | None = None, email: str | None = None) -> None:
        """Change a customer's name and contacts."""
        body = {"userID": self._positive(user_id, "customer"),
                "sName": self._name(last_name, "last"),
                "fName": self._name(first_name, "first"),
                **self._contact(phone, email),
                "idTemplate": self._positive(template_id, "template")}
        self._call("updateClient", body)

    def create_pass(self, template_id: int, user_id: int) -> NewPass:
        """Issue a card of a template to a customer."""
        obj = self._call("createPass", {"idTemplate": self._positive(template_id, "template"),
                                        "userID": self._positive(user_id, "customer")})
        serial = as_text(obj.get("serialNumber"), 40)
        if not SERIAL_RE.fullmatch(serial):
            raise BadResponse(_("Luna issued a card but did not give a valid serial number."),
                              service=SERVICE)
        return NewPass(serial, as_text(obj.get("installURL"), 2000),
                       as_text(obj.get("installQR"), 2000))

    def get_client_info(self, serial: str) -> LunaClient:
        """The customer who holds a card."""
        return read_client(self._call("getClientInfo", {"passSerialNumber": serial},
                                       serial=serial))

    def get_pass_info_by_phone(self, template_id: int, phone: str | int) -> dict[str, Any] | None:
        """The template's card of the customer with that phone (raw), or ``None``."""
        body = {"idTemplate": self._positive(template_id, "template"),
                "phone": phone_number(phone)}
        try:
            obj = self._call("getPassInfoByPhone", body, zero_ok=True)
        except CardNotFound:
            return None
        serial = as_text(obj.get("serialNumber"), 40)
        if to_int(obj.get("result")) == 0 or not SERIAL_RE.fullmatch(serial):
            return None
        return obj

    def check_pass_exists_by_phone(self, template_id: int, phone: str | int) -> bool:
        """Whether the customer with that phone has a card of the template."""
        body = {"idTemplate": self._positive(template_id, "template"),
                "phone": phone_number(phone)}
        return to_int(self._call("checkPassExistsByPhone", body, zero_ok=True)
                      .get("result")) == 1

    def get_template_client_passes(self, template_id: int, mode: str,
                                   page: int = 1) -> list[LunaClient]:
        """Customers of a template by card state: ``PassNotCreated``, ``passInstalled``,
        ``passNotInstalled`` or ``passDeleted`` (any case); up to 100 a page."""
        wire = next((m for m in SELECTION_MODES if m.lower() == (mode or "").strip().lower()),
                    None)
        if wire is None:
            raise InvalidInput(_("Unknown selection {mode!r}.").format(mode=mode),
                               _("Use one of: {modes}.").format(modes=", ".join(SELECTION_MODES)))
        obj = self._call("getTemplateClientPasses", {
            "idTemplate": self._positive(template_id, "template"), "selectionMode": wire,
            "page": self._positive(page, "page")})
        return [read_client(row) for row in self._rows(obj, "customers")]

    def get_clients_list(self, template_id: int, page: int = 1) -> list[LunaClient]:
        """A template's customers, ten a page."""
        obj = self._call("getClientsList", {
            "idTemplate": self._positive(template_id, "template"),
            "page": self._positive(page, "page")})
        return [read_client(row) for row in self._rows(obj, "customers")]

    def send_info_push(self, text: str, *, serial: str | None = None,
                       template_id: int | None = None, page: int = 1) -> int:
        """Send a push message to one card (``serial``) or to one page of ten installed cards of
        a template; return how many cards were selected (ten means: call the next page)."""
        message = (text or "").strip()
        if not message:
            raise InvalidInput(_("The message is empty."))
        if (serial is None) == (template_id is None):
            raise InvalidInput(_("Send a message either to one card or to a template."))
        if serial is not None:
            self._call("sendInfoPush", {"pushSegment": "oneClient", "passSerialNumber": serial,
                                        "messageText": message}, serial=serial)
            return 1
        obj = self._call("sendInfoPush", {
            "pushSegment": "allClients", "idTemplate": self._positive(template_id or 0,
                                                                      "template"),
            "messageText": message, "page": self._positive(page, "page")})
        sent = to_int(obj.get("numberOfRowsSelected"))
        if sent is None or sent < 0:
            raise BadResponse(_("Luna sent the messages but did not say to how many cards."),
                              service=SERVICE)
        return sent

    def send_push_to_all(self, template_id: int, text: str, *, max_pages: int = 1000) -> int:
        """Send a push message to every installed card of a template, page by page."""
        total = 0
        for page in range(1, max_pages + 1):
            sent = self.send_info_push(text, template_id=template_id, page=page)
            total += sent
            if sent < 10:
                break
        return total

    def get_info_push_list(self, serial: str, page: int = 1) -> list[PushMessage]:
        """Push messages sent to a card, ten a page."""
        obj = self._call("getInfoPushList", {"passSerialNumber": serial,
                                             "page": self._positive(page, "page")},
                         serial=serial)
        return [PushMessage(to_int(r.get("id")), when(r.get("date")),
                            as_text(r.get("message"), 2000))
                for r in self._rows(obj, "messages")]

    def get_pass_operations(self, serial: str, page: int = 1) -> list[LunaOperation]:
        """A card's operations, newest first, fifty a page."""
        obj = self._call("getPassOperations", {"passSerialNumber": serial,
                                               "page": self._positive(page, "page")},
                         serial=serial)
        return [LunaOperation(when(r.get("date")), to_int(r.get("operation")),
                              as_text(r.get("value"), 40))
                for r in self._rows(obj, "history")]
