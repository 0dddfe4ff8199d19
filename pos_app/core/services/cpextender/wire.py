"""CP Extender's wire: the login token, one method per call of the reference, and what its
error answers mean.

Every CP Extender wire name (path, field, phrase) lives in this package; ``contracts/
cp-extender.md`` marks what is assumed. Errors arrive as an HTTP status with a short phrase,
as plain text or a JSON ``Message``/``Error`` (the format is not documented).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, NoReturn

from pos_app.core.backends.http import Answer, ServiceHttp, segment
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    NotSupported,
    OutcomeUnknown,
    PosError,
    Refused,
)
from pos_app.core.i18n import _

log = logging.getLogger(__name__)

TITLE = "CP Extender"  # i18n-skip
JSON = {"Content-Type": "application/json"}
LOYALTY_TYPE = "loyalty"

#: The status policy every HTTP service shares (:meth:`HttpBackend.status_failure`).
StatusPolicy = Callable[[Answer, bool], PosError | None]


class CpWire:
    """CP Extender's calls over one client, with a login token reused and renewed once on a
    401, or a permanent token used as it is."""

    def __init__(self, http: ServiceHttp, status_failure: StatusPolicy, *, username: str = "",
                 password: str = "", token: str = "") -> None:
        self.http = http
        self._status_failure = status_failure
        self._username, self._password = username, password
        self._permanent = token
        self._lock = threading.Lock()
        self._token: str | None = token or None

    @property
    def permanent(self) -> bool:
        """Whether a permanent token is used (no login)."""
        return bool(self._permanent)

    # -- calls -------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """``GET /Connection/Status`` (no token)."""
        answer = self.http.request("GET", self.http.url("Connection", "Status"),
                                   mutating=False)
        return self._object(answer, None)

    def version(self) -> str:
        """``GET /Connection/GetVersion`` (no token): free text, possibly empty."""
        answer = self.http.request("GET", self.http.url("Connection", "GetVersion"),
                                   mutating=False)
        return clip(self._object(answer, None).get("Version"), 40)

    def balance_check(self, number: str, body: dict[str, str] | None = None) -> dict[str, Any]:
        """``GET /Loyalty/{id}/BalanceCheck`` (``body``: the optional date window)."""
        answer = self._call("GET", self.http.url("Loyalty", segment(number), "BalanceCheck"),
                            json_body=body)
        loyalty = self._object(answer, "BalanceCheck").get("Loyalty")
        if not isinstance(loyalty, dict):
            raise BadResponse(_("CP Extender's balance answer has no Loyalty record."),
                              service=TITLE)
        return loyalty

    def customer(self, how: str, value: str) -> dict[str, Any]:
        """``GET /Customer/FromId/{id}`` or ``/Customer/FromEmail/{email}``."""
        answer = self._call("GET", self.http.url("Customer", how, segment(value)))
        info = self._object(answer, "Customer").get("CustomerInfo")  # i18n-skip
        if not isinstance(info, dict):
            raise BadResponse(_("CP Extender's customer answer has no CustomerInfo."),
                              service=TITLE)
        return info

    def earn(self, number: str, points: int, reason: str, reference: str) -> dict[str, Any]:
        """``POST /Loyalty/Earn`` -> 204."""
        return self._write("Earn", ("Loyalty", "Earn"), {  # i18n-skip
            "CustomerNumber": number, "Points": points, "Reason": reason,
            "Reference": reference})

    def authorize(self, number: str, sale: str, points: int) -> dict[str, Any]:
        """``POST /Loyalty/Authorize``: points on hold; the answer (``AuthCode`` may be
        missing)."""
        return self._write("Authorize", ("Loyalty", "Authorize"), {  # i18n-skip
            "Type": LOYALTY_TYPE, "Ref": number, "SaleId": sale, "RequestedPoints": points},
            echo=sale)

    def settle(self, how: str, sale: str, code: str) -> dict[str, Any]:
        """``POST /Authorize/Confirm`` or ``/Authorize/Cancel`` (``Ref`` is the ``SaleId``,
        assumed) -> 204."""
        return self._write(how, ("Authorize", how), {"Ref": sale,  # i18n-skip
                                                    "AuthCode": code})

    # -- HTTP, token and errors --------------------------------------------------------------

    def _write(self, what: str, path: tuple[str, str], body: dict[str, Any], *,
               echo: str | None = None) -> dict[str, Any]:
        """Send a change. Success is a 204, or for Authorize a 200 echoing ``echo`` (the
        SaleId); any other 2xx (junk from a proxy, say) leaves the change in doubt."""
        answer = self._call("POST", self.http.url(*path), json_body=body, mutating=True)
        if not 200 <= answer.status < 300:
            self.fail(answer, what, mutating=True)
        data = answer.json_or_none() if echo is not None else None
        if echo is None and answer.status == 204:
            return {}
        if isinstance(data, dict) and data.get("SaleId") == echo:
            return data
        # i18n: {call} is the name of CP Extender's call (Earn, Authorize, Confirm, Cancel)
        raise OutcomeUnknown(_("CP Extender's answer to {call} could not be read (HTTP "
                               "{status}).").format(call=what, status=answer.status),
                             service=TITLE)

    def _object(self, answer: Answer, what: str | None) -> dict[str, Any]:
        if not 200 <= answer.status < 300:
            self.fail(answer, what or "Connection", mutating=False)  # i18n-skip
        data = answer.json(TITLE)
        if not isinstance(data, dict):
            raise BadResponse(_("CP Extender answered in an unexpected shape."), service=TITLE)
        return data

    def _call(self, method: str, url: str, *, json_body: Any = None,
              mutating: bool = False) -> Answer:
        """Send with the bearer token; after a 401, log in again and send once more."""
        token = self.token()
        answer = self._send(method, url, token, json_body, mutating)
        if answer.status != 401:
            return answer
        if self._permanent:
            raise AuthError(_("CP Extender refused the permanent token."), service=TITLE)
        log.info("CP Extender: the token was refused; logging in again")
        answer = self._send(method, url, self.token(refused=token), json_body, mutating)
        if answer.status == 401:
            raise AuthError(_("CP Extender refused a fresh login token."), service=TITLE)
        return answer

    def _send(self, method: str, url: str, token: str, json_body: Any,
              mutating: bool) -> Answer:
        try:
            return self.http.request(method, url, mutating=mutating, json_body=json_body,
                                     headers={**JSON, "Authorization": f"Bearer {token}"})
        except BadResponse as exc:
            if mutating:  # e.g. an oversized answer: the change may have been applied
                raise OutcomeUnknown(exc.message, service=TITLE) from None
            raise

    def token(self, refused: str | None = None) -> str:
        """The token in use: the permanent one, or a login token (logged in when there is
        none or it was ``refused``)."""
        with self._lock:
            if self._token is not None and (refused is None or self._token != refused):
                return self._token
            self._token = None
            answer = self.http.request("POST", self.http.url("SSO", "Login"), mutating=False,
                                       json_body={"UserName": self._username,
                                                  "Password": self._password},
                                       headers=JSON)
            if answer.status in (400, 401, 403):
                raise AuthError(_("CP Extender did not accept the user name and password."),
                                service=TITLE)
            if not 200 <= answer.status < 300:
                self.fail(answer, "Login", mutating=False)  # i18n-skip
            data = answer.json(TITLE)
            token = data.get("APItoken") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token.strip() or not token.isascii() \
                    or not token.strip().isprintable() or " " in token.strip():
                raise BadResponse(_("CP Extender's login answer has no usable APItoken."),
                                  service=TITLE)
            self._token = token.strip()
            return self._token

    def fail(self, answer: Answer, what: str, *, mutating: bool) -> NoReturn:
        """Raise the error a non-success answer means."""
        failure = self._status_failure(answer, mutating)
        if failure is not None:
            raise failure
        phrase = phrase_of(answer)
        status = answer.status
        if status == 401:
            raise AuthError(_("CP Extender refused the token."), service=TITLE)
        low = phrase.lower()
        if "no balance remaining" in low:
            # i18n: "No Balance Remaining" is CP Extender's own phrase: keep it in English
            raise Refused(_("The customer has no points left to spend (No Balance "
                            "Remaining)."),
                          _("Take another payment; nothing was taken from the card."),
                          service=TITLE)
        if "not enrolled" in low:
            raise NotSupported(_("This customer is not enrolled in the loyalty program."),
                               _("Enrol them in Counterpoint first; nothing was changed."),
                               service=TITLE)
        if status == 404 and what in ("Confirm", "Cancel"):
            raise Refused(_("CP Extender no longer has this hold open (it may have been "
                            "confirmed, cancelled or expired in Counterpoint)."),
                          _("Check the customer's history before doing anything else."),
                          service=TITLE)
        if status == 404 and what in ("BalanceCheck", "Earn", "Customer"):
            # i18n: {phrase} is CP Extender's own words about the error (in English)
            missing = (_("CP Extender has no customer with this number ({phrase}).") if phrase
                       else _("CP Extender has no customer with this number."))
            raise CardNotFound(missing.format(phrase=phrase), service=TITLE)
        if status == 404:
            raise BadResponse(_("CP Extender answered 404 (no such address)."),
                              _("Check the CP Extender address and port in the settings."),
                              service=TITLE)
        if status in (400, 409, 422):
            refused = (_("CP Extender refused it: {phrase}.") if phrase
                       else _("CP Extender refused it."))
            raise Refused(refused.format(phrase=phrase), service=TITLE)
        answered = (_("CP Extender answered HTTP {status} ({phrase}).") if phrase
                    else _("CP Extender answered HTTP {status}."))
        raise BadResponse(answered.format(status=status, phrase=phrase), service=TITLE)


def phrase_of(answer: Answer) -> str:
    """The error's short phrase: a JSON ``Message``/``Error``, or the body as text."""
    data = answer.json_or_none()
    if isinstance(data, dict):
        for key in ("Message", "message", "Error", "error"):  # i18n-skip
            if isinstance(data.get(key), str):
                return clip(data[key])
    if isinstance(data, str):
        return clip(data)
    try:
        return clip(answer.body[:500].decode("utf-8"))
    except UnicodeDecodeError:
        return ""


def clip(value: Any, limit: int = 120) -> str:
    """Untrusted text from an answer, safe to show: printable, short."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
