"""Mews Connector API wire: one method per call the app makes, cursor paging, error answers.

Every Mews wire name (path, field, header) lives in this package. Shapes follow
``references/mews.md`` (the current Connector API pages), which wins over the older published
``seeds/mews-loyalty-programs-api.txt``; ``contracts/mews.md`` says what is assumed.
Every call is ``POST [PlatformAddress]/api/connector/v1/{resource}/{operation}`` with the
tokens and the ``Client`` name in the JSON body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NoReturn

from pos_app.core.backends.http import Answer, ServiceHttp
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardChanged,
    OutcomeUnknown,
    PosError,
    Refused,
    ServiceUnavailable,
)
from pos_app.core.i18n import _, ngettext
from pos_app.core.money import format_number

log = logging.getLogger(__name__)

TITLE = "Mews"  # i18n-skip
#: The activity state the app lists (memberships, programs, tiers).
ACTIVE = "Active"  # i18n-skip
API_PATH = "/api/connector/v1"
H_REQUEST_ID = "Request-Id"
#: Most ids one list filter may carry, and most items one page may hold.
MAX_IDS = 1000
MAX_COUNT = 1000
#: Pages followed at most before the answer is called broken (a cursor that never ends).
MAX_PAGES = 1000

StatusPolicy = Callable[[Answer, bool], PosError | None]


class MewsWire:
    """The Connector API calls over one client; tokens and ``Client`` go in every body."""

    def __init__(self, http: ServiceHttp, client_token: str, access_token: str, client: str,
                 status_failure: StatusPolicy) -> None:
        self.http = http
        self._tokens = {"ClientToken": client_token, "AccessToken": access_token,
                        "Client": client}
        self._status_failure = status_failure

    # -- the calls -----------------------------------------------------------------------------

    def memberships(self, filters: dict[str, Any], count: int = 10) -> list[dict[str, Any]]:
        """``loyaltyMemberships/getAll`` with ``filters``, every page."""
        return self.get_all("loyaltyMemberships", "LoyaltyMemberships",
                            {"ActivityStates": [ACTIVE], **filters}, count)

    def memberships_by_number(self, number: str) -> list[dict[str, Any]]:
        """One ``getAll`` by ``MembershipNumbers``; the deprecated ``Codes`` filter where the
        number filter is refused (HTTP 400)."""
        body = {"MembershipNumbers": [number], "ActivityStates": [ACTIVE],
                "Limitation": {"Count": 10}}
        answer = self.call("loyaltyMemberships/getAll", body)
        if answer.status == 400:
            log.info("mews: MembershipNumbers refused; trying the Codes filter")
            body = {"Codes": [number], "ActivityStates": [ACTIVE],
                    "Limitation": {"Count": 10}}
            answer = self.call("loyaltyMemberships/getAll", body)
        return self.items(answer, "LoyaltyMemberships")[0]

    def update_membership(self, update: dict[str, Any]) -> dict[str, Any]:
        """``loyaltyMemberships/update`` of one membership (``update`` as the wire takes it)."""
        answer = self.call("loyaltyMemberships/update", {"LoyaltyMembershipUpdates": [update]},
                           mutating=True)
        return self._written(answer, "LoyaltyMemberships")

    def add_membership(self, membership: dict[str, Any]) -> dict[str, Any]:
        """``loyaltyMemberships/add`` of one membership; the membership as Mews made it."""
        answer = self.call("loyaltyMemberships/add", {"LoyaltyMemberships": [membership]},
                           mutating=True)
        return self._written(answer, "LoyaltyMemberships")

    def programs(self, ids: list[str] | None = None, count: int = 10) -> list[dict[str, Any]]:
        """``loyaltyPrograms/getAll`` (active ones), every page."""
        filters: dict[str, Any] = {"ActivityStates": [ACTIVE]}
        if ids:
            filters["LoyaltyProgramIds"] = ids
        return self.get_all("loyaltyPrograms", "LoyaltyPrograms", filters, count)

    def add_program(self, program: dict[str, Any]) -> dict[str, Any]:
        answer = self.call("loyaltyPrograms/add", {"LoyaltyPrograms": [program]}, mutating=True)
        return self._written(answer, "LoyaltyPrograms")

    def update_program(self, update: dict[str, Any]) -> dict[str, Any]:
        answer = self.call("loyaltyPrograms/update", {"LoyaltyProgramUpdates": [update]},
                           mutating=True)
        return self._written(answer, "LoyaltyPrograms")

    def delete_program(self, program_id: str) -> None:
        answer = self.call("loyaltyPrograms/delete", {"LoyaltyProgramIds": [program_id]},
                           mutating=True)
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=True)
        if answer.status != 204 and not isinstance(answer.json_or_none(), dict):
            # Mews answers ``{}``; anything else (a proxy's page) does not say it was deleted.
            raise _unreadable(answer)

    def tiers(self, program_ids: list[str], count: int = 100) -> list[dict[str, Any]]:
        """``loyaltyTiers/getAll`` of the programs (``LoyaltyProgramIds`` is required)."""
        return self.get_all("loyaltyTiers", "LoyaltyTiers",
                            {"LoyaltyProgramIds": program_ids, "ActivityStates": [ACTIVE]},
                            count)

    def customers(self, *, ids: list[str] | None = None,
                  emails: list[str] | None = None) -> list[dict[str, Any]]:
        """``customers/getAll`` by ids or emails (``Extent`` is required)."""
        body: dict[str, Any] = {"Extent": {"Customers": True}}
        if ids:
            body["CustomerIds"] = ids
        if emails:
            body["Emails"] = emails
        return self.get_all("customers", "Customers", body, 10)  # i18n-skip

    def companies(self, ids: list[str]) -> list[dict[str, Any]]:
        return self.get_all("companies", "Companies", {"Ids": ids}, 10)  # i18n-skip

    # -- paging, sending, errors ---------------------------------------------------------------

    def get_all(self, resource: str, key: str, filters: dict[str, Any],
                count: int) -> list[dict[str, Any]]:
        """Every item of a paged ``{resource}/getAll``: follow ``Cursor`` until it is null or
        a page comes back short (or empty: 204 with ``Prefer: return=minimal``)."""
        count = max(1, min(count, MAX_COUNT))
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            limitation: dict[str, Any] = {"Count": count}
            if cursor is not None:
                limitation["Cursor"] = cursor
            answer = self.call(f"{resource}/getAll", {**filters, "Limitation": limitation})
            items, cursor = self.items(answer, key)
            found.extend(items)
            if cursor is None or len(items) < count:
                return found
            if cursor in seen:
                raise BadResponse(_("Mews sent the same page cursor twice."), service=TITLE)
            seen.add(cursor)
        raise BadResponse(ngettext("Mews's list did not end after {count} page.",
                                   "Mews's list did not end after {count} pages.", MAX_PAGES)
                          .format(count=format_number(MAX_PAGES)), service=TITLE)

    def call(self, path: str, body: dict[str, Any], *, mutating: bool = False) -> Answer:
        """POST ``body`` with the tokens to ``path`` (``resource/operation``)."""
        url = self.http.url(*path.split("/"))
        try:
            return self.http.request("POST", url, mutating=mutating,
                                     json_body={**self._tokens, **body},
                                     headers={"Prefer": "return=minimal"})
        except BadResponse as exc:
            if mutating:  # e.g. an oversized answer: the write reached Mews
                raise OutcomeUnknown(exc.message, service=TITLE) from None
            raise

    def items(self, answer: Answer, key: str) -> tuple[list[dict[str, Any]], str | None]:
        """A page's items (only objects) and its cursor; 204 is an empty last page."""
        if answer.status == 204:
            return [], None
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=False)
        data = answer.json(TITLE)
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            # i18n: {list} is the Mews name of the list (LoyaltyMemberships, Customers…)
            raise BadResponse(_("Mews answered the {list} list in an unexpected shape.").format(
                list=key), service=TITLE)
        cursor = data.get("Cursor")
        return ([i for i in data[key] if isinstance(i, dict)],
                cursor if isinstance(cursor, str) and cursor else None)

    def _written(self, answer: Answer, key: str) -> dict[str, Any]:
        """The one item a write answers; a write whose answer cannot be read is unknown."""
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=True)
        data = answer.json_or_none() if answer.status != 204 else {key: []}
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise _unreadable(answer)
        first = next((i for i in items if isinstance(i, dict)), None)
        return first if first is not None else {}

    def fail(self, answer: Answer, *, mutating: bool) -> NoReturn:
        """Raise the error a non-success answer means; its ``Request-Id`` goes to the log."""
        data = answer.json_or_none()
        message = clip(data.get("Message")) if isinstance(data, dict) else ""
        log.info("mews: HTTP %s, Request-Id %s", answer.status,
                 clip(answer.headers.get(H_REQUEST_ID), 80) or "none")
        failure = self._status_failure(answer, mutating)
        if failure is not None:  # a redirect, 429, 5xx: as for every service
            raise failure
        status = answer.status
        if status == 401:
            raise AuthError(_("Mews refused the client token or the access token."),
                            service=TITLE)
        if status == 403:
            raise Refused(message or _("Mews refused it on its own rules."), service=TITLE)
        if status == 409:
            raise CardChanged(_("The data at Mews changed meanwhile: look again."),
                              service=TITLE)
        if status == 408:
            heavy = _("Mews found the request too heavy (HTTP 408).")
            if mutating:
                raise OutcomeUnknown(heavy, service=TITLE)
            raise ServiceUnavailable(heavy, service=TITLE)
        if status == 404:
            raise BadResponse(_("Mews answered 404 (no such address)."),
                              _("Check the {service} address in the settings.").format(
                                  service=TITLE), service=TITLE)
        if status == 400 and mutating:
            # i18n: {message} is Mews's own words about the error (in English)
            refused = (_("Mews did not accept the request: {message}") if message
                       else _("Mews did not accept the request."))
            raise Refused(refused.format(message=message), service=TITLE)
        answered = (_("Mews answered HTTP {status}: {message}") if message
                    else _("Mews answered HTTP {status}."))
        raise BadResponse(answered.format(status=status, message=message), service=TITLE)


def clip(value: Any, limit: int = 200) -> str:
    """Untrusted text from an answer, safe to show: printable, short."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unreadable(answer: Answer) -> OutcomeUnknown:
    """A write's answer that does not say what became of it."""
    return OutcomeUnknown(_("Mews's answer to the change could not be read (HTTP {status}).")
                          .format(status=answer.status), service=TITLE)
