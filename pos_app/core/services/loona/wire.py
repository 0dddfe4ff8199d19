"""Loona's wire: OAuth client credentials, one method per route of the reference, and the
meaning of its error answers.

Every Loona wire name (route, header, field, error code) lives in this package. The transaction
bodies, the pass object and the error codes follow ``contracts/loona.md``, where most of them
are marked *assumed*: if the real service differs, this package is the only place to edit.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn

from pos_app.core.backends.http import Answer, ServiceHttp, segment
from pos_app.core.cards import Card, CardKind
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    IdempotencyConflict,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    PosError,
    Refused,
    ServiceError,
    StaleCode,
)
from pos_app.core.i18n import N_, _
from pos_app.core.money import to_decimal

log = logging.getLogger(__name__)

TITLE = "Loona"  # i18n-skip
#: A token is renewed this long before it expires (at most a tenth of its lifetime).
TOKEN_MARGIN = 30.0
#: Lifetime assumed when the token answer does not say.
FALLBACK_TOKEN_TTL = 60.0

H_IDEMPOTENCE = "Idempotence-Key"
H_ENCRYPTED = "X-Loona-Encrypted-Key"
TX_PURCHASE = "purchase"
TX_SPENDING = "spending"
TX_PURCHASE_SPENDING = "purchase-spending"
TX_STATUS = "status"
TX_CHOP = "chop"
TRANSACTIONS = frozenset({TX_PURCHASE, TX_SPENDING, TX_PURCHASE_SPENDING, TX_STATUS, TX_CHOP})

#: The hint of an unknown outcome (marked: translated where shown).
SAFE_HINT = N_("The app can retry it safely: Loona applies an operation only once.")

#: The status policy every HTTP service shares (:meth:`HttpBackend.status_failure`).
StatusPolicy = Callable[[Answer, bool], PosError | None]


class LoonaWire:
    """Loona's routes over one client, with a bearer token renewed when refused or old."""

    def __init__(self, http: ServiceHttp, token_url: str, client_id: str, client_secret: str,
                 status_failure: StatusPolicy) -> None:
        self.http = http
        self._status_failure = status_failure
        self._token_url = token_url.strip()
        self._basic = "Basic " + base64.b64encode(
            f"{client_id}:{client_secret}".encode()).decode("ascii")
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_deadline = 0.0

    # -- routes ------------------------------------------------------------------------------

    def find_pass(self, code: str, card: Card | None = None) -> Any:
        """``GET /passes/encrypted/{code}``; a plain pass id is tried as ``/passes/{id}`` too."""
        answer = self._call("GET", self.http.url("passes", "encrypted", segment(code)))
        if answer.status == 404 and re.fullmatch(r"[0-9]{1,18}", code):
            answer = self._call("GET", self.http.url("passes", segment(code)))
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=False, card=card)
        return self.read_json(answer)

    def get_pass(self, pass_id: str, card: Card | None = None) -> Any:
        """``GET /passes/{id}``."""
        answer = self._call("GET", self.http.url("passes", segment(pass_id)))
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=False, card=card)
        return self.read_json(answer)

    def list_passes(self, page: int, size: int) -> dict[str, Any]:
        """``GET /passes?page=&size=``: ``content`` is a list."""
        answer = self._call("GET", self.http.url("passes") + f"?page={page}&size={size}")
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=False)
        data = self.read_json(answer)
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise BadResponse(_("Loona answered the pass list in an unexpected shape."),
                              service=TITLE)
        return data

    def create_pass(self, template: int, values: list[dict[str, str]]) -> Answer:
        """``POST /passes`` (the answer as it is: the adapter reads its statuses)."""
        return self._call("POST", self.http.url("passes"), mutating=True,
                          json_body={"templateId": template, "placeholderValues": values})

    def transaction(self, kind: str, body: dict[str, Any], key: str, code: str,
                    card: Card) -> dict[str, Any]:
        """``POST /transactions/{kind}`` with ``key`` as Idempotence-Key and purchaseId."""
        if kind not in TRANSACTIONS:
            raise MissingParameter(_("Unknown Loona transaction {kind!r}.").format(
                kind=clip(kind)), service=TITLE)
        if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
            raise MissingParameter(_("The operation key is missing or unusable."),
                                   service=TITLE)
        headers = {H_IDEMPOTENCE: key, H_ENCRYPTED: code}
        answer = self._call("POST", self.http.url("transactions", segment(kind)),
                            mutating=True, json_body={**body, "purchaseId": key},
                            headers=headers)
        if not 200 <= answer.status < 300:
            self.fail(answer, mutating=True, card=card)
        data = answer.json_or_none()
        if not isinstance(data, dict):
            raise _unreadable(answer)
        if isinstance(data.get("code"), str) and "transactionId" not in data:
            self.fail(answer, mutating=True, card=card, status=400)
        if "transactionId" not in data:  # not a transaction result: applied or not is unknown
            raise _unreadable(answer)
        return data

    def token(self) -> str:
        """A valid access token (fetched when there is none or it is old)."""
        return self._access_token()

    # -- HTTP, token and errors --------------------------------------------------------------

    def _call(self, method: str, url: str, *, mutating: bool = False, json_body: Any = None,
              headers: dict[str, str] | None = None) -> Answer:
        """Send with a bearer token; after a 401, get a new token and send once more."""
        token = self._access_token()
        answer = self._send(method, url, token, mutating, json_body, headers)
        if answer.status != 401:
            return answer
        log.info("Loona: the access token was refused; getting a new one")
        token = self._access_token(refused=token)
        answer = self._send(method, url, token, mutating, json_body, headers)
        if answer.status == 401:
            raise AuthError(_("Loona refused a freshly issued access token."), service=TITLE)
        return answer

    def _send(self, method: str, url: str, token: str, mutating: bool, json_body: Any,
              headers: dict[str, str] | None) -> Answer:
        try:
            return self.http.request(method, url, mutating=mutating, json_body=json_body,
                                      headers={"Authorization": f"Bearer {token}",
                                               **(headers or {})})
        except OutcomeUnknown as exc:  # lost answer: Loona's idempotency makes a retry safe
            raise OutcomeUnknown(exc.message, _(SAFE_HINT), service=TITLE) from None
        except BadResponse as exc:
            if mutating:  # e.g. an oversized answer: the transaction may have been applied
                raise OutcomeUnknown(exc.message, _(SAFE_HINT), service=TITLE) from None
            raise

    def _access_token(self, refused: str | None = None) -> str:
        """The current token, fetched again when near expiry or after it was ``refused``."""
        with self._lock:
            now = time.monotonic()
            if self._token is not None and now < self._token_deadline and (
                    refused is None or self._token != refused):
                return self._token
            self._token = None
            answer = self.http.request(
                "POST", self._token_url, mutating=False,
                data={"grant_type": "client_credentials"},
                headers={"Authorization": self._basic})
            if answer.status in (400, 401, 403):
                raise AuthError(_("Loona did not accept the client id and secret."),
                                service=TITLE)
            if not 200 <= answer.status < 300:
                self.fail(answer, mutating=False)
            data = self.read_json(answer)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token.strip() or not token.isascii() \
                    or not token.isprintable():
                raise BadResponse(_("Loona's token answer has no usable access token."),
                                  service=TITLE)
            ttl = to_decimal(data.get("expires_in"))
            life = float(ttl) if ttl is not None and ttl > 0 else FALLBACK_TOKEN_TTL
            self._token = token.strip()
            self._token_deadline = now + life - min(TOKEN_MARGIN, life / 10)
            log.debug("Loona: new access token, valid %.0f s", life)
            return self._token

    def read_json(self, answer: Answer) -> Any:
        return answer.json(TITLE)

    def fail(self, answer: Answer, *, mutating: bool, card: Card | None = None,
             status: int | None = None) -> NoReturn:
        """Raise the error that a non-success answer means (``status`` overrides the answer's
        for an error code sent with HTTP 200)."""
        status = answer.status if status is None else status
        data = answer.json_or_none()
        code = data.get("code") if isinstance(data, dict) else None
        code = code.strip().upper() if isinstance(code, str) else ""
        detail = clip(data.get("message")) if isinstance(data, dict) else ""
        svc = TITLE
        failure = self._status_failure(answer, mutating)
        if failure is not None:  # a redirect, 429, 5xx: as for every service
            raise failure
        if status == 401:
            raise AuthError(_("Loona refused the access token."), service=svc)
        if status == 403:
            raise AuthError(_("Loona does not allow this client to do that."), service=svc)
        error = _error_for(code, detail, card, svc)
        if error is not None:
            raise error
        if status == 404:
            if isinstance(data, dict):
                raise CardNotFound(_("Loona has no card with this code."), service=svc)
            raise BadResponse(_("Loona answered 404 (no such address)."),
                              _("Check the {service} address in the settings.").format(
                                  service=svc), service=svc)
        if status == 409:
            raise _seen_before(svc)
        if status == 400 and mutating:
            # i18n: {code} is Loona's error code or "HTTP 400"; {detail} Loona's own words
            refused = (_("Loona refused the operation ({code}: {detail}).") if detail
                       else _("Loona refused the operation ({code})."))
            raise Refused(refused.format(code=clip(code) or "HTTP 400", detail=detail),
                          service=svc)
        # i18n: {code} is Loona's error code (INVALID_REQUEST, say)
        answered = (_("Loona answered HTTP {status} ({code}).") if code
                    else _("Loona answered HTTP {status}."))
        raise BadResponse(answered.format(status=status, code=clip(code)), service=svc)


def _unreadable(answer: Answer) -> OutcomeUnknown:
    return OutcomeUnknown(_("Loona's answer to the operation could not be read (HTTP "
                            "{status}).").format(status=answer.status), _(SAFE_HINT),
                          service=TITLE)


def _seen_before(svc: str) -> IdempotencyConflict:
    return IdempotencyConflict(_("Loona has already seen this operation with other values."),
                               service=svc)


def _error_for(code: str, detail: str, card: Card | None, svc: str) -> ServiceError | None:
    """The error a Loona error code means, or ``None`` for codes without a special meaning."""
    if code == "INVALID_ENCRYPTED_KEY":
        return StaleCode(_("The card's QR code is out of date or belongs to another card."),
                         service=svc)
    if code == "INSUFFICIENT_BALANCE":
        if card is not None and card.kind is CardKind.CHOP:
            return Refused(_("The card does not have that many rewards."), service=svc)
        return Refused(_("There is not enough on the card for this."), service=svc)
    if code == "SPEND_LIMIT_EXCEEDED":
        return Refused(_("That is more than may be paid from the card on this purchase."),
                       _("Lower the amount to spend; nothing was changed."), service=svc)
    if code == "COUPON_NOT_ACTIVE":
        return Refused(_("The coupon is not active yet: activate it first."), service=svc)
    if code == "COUPON_ALREADY_USED":
        return Refused(_("The coupon has already been used."), service=svc)
    if code == "COUPON_ALREADY_ACTIVE":
        return Refused(_("The coupon is already active."), service=svc)
    if code.startswith("COUPON_"):
        # i18n: {code} is Loona's error code (COUPON_EXPIRED, say)
        return Refused(_("Loona refused the coupon operation ({code}).").format(
            code=clip(code)), service=svc)
    if code == "TRANSACTION_NOT_SUPPORTED":
        return NotSupported(_("This card does not support this operation."), service=svc)
    if code in ("PASS_EXPIRED", "EXPIRED"):
        return NotSupported(_("The card has expired."), service=svc)
    if code in ("PASS_BLOCKED", "BLOCKED"):
        return NotSupported(_("The card is blocked."), service=svc)
    if code == "VALIDATION_ERROR":
        # i18n: {detail} is Loona's own words (in whatever language Loona speaks)
        refused = (_("Loona did not accept the values sent: {detail}") if detail
                   else _("Loona did not accept the values sent."))
        return Refused(refused.format(detail=detail),
                       _("Check the amount or count and try again; nothing was changed."),
                       service=svc)
    if code == "NOT_FOUND":
        return CardNotFound(_("Loona has no card with this code."), service=svc)
    if code == "IDEMPOTENCY_CONFLICT":
        return _seen_before(svc)
    return None


def clip(value: Any, limit: int = 120) -> str:
    """Untrusted text from an answer, safe to show: printable, short."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


