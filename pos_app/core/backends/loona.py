"""Loona (loona.ai) adapter: OAuth client credentials, passes, idempotent transactions.

Every Loona wire name (route, header, field, error code) lives in this module. The transaction
bodies, the pass object and the error codes follow ``contracts/loona.md``, where most of them
are marked *assumed*: if the real service differs, the names below are the only place to edit.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import threading
import time
from decimal import ROUND_DOWN, Decimal
from typing import Any, NoReturn

import httpx

from pos_app.core.backends.base import Backend, CardRef, CardTemplate, Plan, Step, check_holder
from pos_app.core.backends.http import (
    DEFAULT_TIMEOUT,
    Answer,
    ServiceHttp,
    retry_after_seconds,
    segment,
)
from pos_app.core.cards import (
    KIND_LABELS,
    STATUS_LABELS,
    Card,
    CardKind,
    CardStatus,
    Holder,
    Stamps,
)
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    CardNotFound,
    ConfigError,
    IdempotencyConflict,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Refused,
    ServiceError,
    ServiceUnavailable,
    StaleCode,
)
from pos_app.core.money import CENT, format_money, money, to_decimal, to_int
from pos_app.core.operations import LABELS, Operation, OpName

log = logging.getLogger(__name__)

#: Longest scanned value taken as a Loona code.
MAX_CODE_LENGTH = 256
#: A token is renewed this long before it expires (at most a tenth of its lifetime).
TOKEN_MARGIN = 30.0
#: Lifetime assumed when the token answer does not say.
FALLBACK_TOKEN_TTL = 60.0
#: Customer search reads the pass list this many at a time, up to this many pages.
PAGE_SIZE = 100
MAX_PAGES = 50

# Wire names (contracts/loona.md).
_H_IDEMPOTENCE = "Idempotence-Key"
_H_ENCRYPTED = "X-Loona-Encrypted-Key"
_TX_PURCHASE = "purchase"
_TX_SPENDING = "spending"
_TX_PURCHASE_SPENDING = "purchase-spending"
_TX_STATUS = "status"
_TX_CHOP = "chop"
_TRANSACTIONS = frozenset({_TX_PURCHASE, _TX_SPENDING, _TX_PURCHASE_SPENDING, _TX_STATUS,
                           _TX_CHOP})

_KINDS = {"DISCOUNT": CardKind.DISCOUNT, "BONUS": CardKind.POINTS, "GIFT": CardKind.GIFT,
          "COUPON": CardKind.COUPON, "CHOP": CardKind.CHOP}
_STATUSES = {"INCOMPLETE": CardStatus.INACTIVE, "ACTIVE": CardStatus.ACTIVE,
             "USED": CardStatus.USED, "EXPIRED": CardStatus.EXPIRED,
             "BLOCKED": CardStatus.BLOCKED}
#: What each kind of Loona card can do at all.
_KIND_OPS: dict[CardKind, tuple[OpName, ...]] = {
    CardKind.DISCOUNT: (OpName.PURCHASE,),
    CardKind.POINTS: (OpName.PURCHASE, OpName.SPEND, OpName.PURCHASE_SPEND),
    CardKind.GIFT: (OpName.SPEND,),
    CardKind.COUPON: (OpName.COUPON_ACTIVATE, OpName.COUPON_REDEEM),
    CardKind.CHOP: (OpName.STAMP, OpName.REWARD),
}
#: Answer fields -> outcome figures.
_FIGURES = (("amountToPay", "to_pay"), ("discountAmount", "discount"),
            ("bonusAccrued", "bonus_accrued"), ("bonusSpent", "bonus_spent"),
            ("amountSpent", "bonus_spent"), ("balance", "balance"))

_SAFE_HINT = "The app can retry it safely: Loona applies an operation only once."
#: ``POST /passes`` placeholders a new customer's details go into.
_PLACEHOLDERS = (("firstName", "first_name"), ("lastName", "last_name"), ("phone", "phone"),
                 ("email", "email"))
_TEMPLATES_EXAMPLE = '[{id = 12, name = "Discount 5%"}]'


class LoonaBackend(Backend):
    """Loona through its published API, with OAuth client credentials.

    ``base_url`` is the API base (``https://api.loona.ai/version1``), ``token_url`` the OAuth
    token address. ``pattern``, when set, is a regular expression a scanned code must match
    in full; without it Loona takes any printable code (it is the catch-all service).
    """

    name = "loona"
    title = "Loona"
    idempotent = True
    #: A QR holds a pass id (assumed 5 digits or more) or a 10-digit encrypted id.
    min_code_length = 5

    def __init__(self, base_url: str, token_url: str, client_id: str, client_secret: str, *,
                 pattern: str | None = None, timeout: httpx.Timeout | None = None,
                 templates: Any = None) -> None:
        if not base_url.strip() or not token_url.strip():
            raise ConfigError("The Loona address or token address is not set.")
        if not client_id or not client_secret:
            raise ConfigError("The Loona client id or secret is not set.")
        try:
            self._pattern = re.compile(pattern) if pattern else None
        except re.error:
            raise ConfigError("The Loona code pattern is not a valid regular expression."
                              ) from None
        self._http = ServiceHttp(self.title, base_url.strip(), timeout=timeout or DEFAULT_TIMEOUT,
                                 headers={"Accept": "application/json"})
        self._token_url = token_url.strip()
        self._basic = "Basic " + base64.b64encode(
            f"{client_id}:{client_secret}".encode()).decode("ascii")
        self._templates = self._read_templates(templates)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_deadline = 0.0

    def __repr__(self) -> str:
        return f"LoonaBackend({self._http.base_url!r})"

    def close(self) -> None:
        self._http.close()

    # -- codes and cards ---------------------------------------------------------------------

    def claim(self, code: str) -> str | None:
        """Any 1..256 printable characters (or what ``pattern`` allows)."""
        value = code.strip()
        if not value or len(value) > MAX_CODE_LENGTH or not value.isprintable():
            return None
        if self._pattern is not None and not self._pattern.fullmatch(value):
            return None
        return value

    def get_card(self, code: str) -> Card:
        """Look a card up by its QR value; a plain pass id is tried as an id as well."""
        code = self._checked_code(code)
        answer = self._call("GET", self._http.url("passes", "encrypted", segment(code)))
        if answer.status == 404 and re.fullmatch(r"[0-9]{1,18}", code):
            answer = self._call("GET", self._http.url("passes", segment(code)))
        if not 200 <= answer.status < 300:
            self._fail(answer, mutating=False)
        return self._card(self._read_json(answer), code)

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """Read the pass again by id; a dynamic QR's new value comes from the last answer."""
        answer = self._call("GET", self._http.url("passes", segment(card.card_id)))
        if not 200 <= answer.status < 300:
            self._fail(answer, mutating=False, card=card)
        code = card.code
        for item in reversed(answers):
            new = item.get("encryptedId") if isinstance(item, dict) else None
            if isinstance(new, str | int) and not isinstance(new, bool) and str(new).strip():
                code = str(new).strip()
                break
        fresh = self._card(self._read_json(answer), code)
        if fresh.card_id != card.card_id:
            raise BadResponse("Loona answered a different card than the one asked for.",
                              service=self.title)
        return fresh

    def _checked_code(self, code: str) -> str:
        value = code.strip()
        if not value or len(value) > MAX_CODE_LENGTH or not value.isprintable():
            raise InvalidCode("This code cannot be a Loona card.", "Scan the card again.")
        return value

    def _card(self, raw: Any, code: str) -> Card:
        """The app's card from a pass object, parsed defensively."""
        if not isinstance(raw, dict):
            raise BadResponse("Loona answered a card in an unexpected shape.",
                              service=self.title)
        pass_id = to_int(raw.get("id"))
        if pass_id is None or pass_id <= 0:
            raise BadResponse("Loona answered a card without an id.", service=self.title)
        type_name = str(raw.get("type") or "").strip().upper()
        kind = _KINDS.get(type_name)
        if kind is None:
            raise BadResponse(f"Loona answered a card of a type the app does not know "
                              f"({_clip(type_name) or 'none'}).", service=self.title)
        status_name = str(raw.get("status") or "ACTIVE").strip().upper()
        status = _STATUSES.get(status_name)
        if status is None:
            raise BadResponse(f"Loona answered a card status the app does not know "
                              f"({_clip(status_name)}).", service=self.title)
        balance = _money(raw.get("balance")) if kind in (CardKind.POINTS, CardKind.GIFT) else None
        stamps = rewards = None
        if kind is CardKind.CHOP:
            stamps = Stamps(to_int(raw.get("chops")) or 0, to_int(raw.get("chopsRequired")),
                            None)
            rewards = to_int(raw.get("rewardsAvailable")) or 0
        percent = to_decimal(raw.get("discount")) if kind is CardKind.DISCOUNT else None
        template = to_int(raw.get("templateId"))
        card = Card(
            service=self.name, code=code, card_id=str(pass_id), kind=kind, status=status,
            holder=_holder(raw.get("holder")), balance=balance,
            balance_unit="money" if kind is CardKind.GIFT else "points",
            stamps=stamps, rewards=rewards, percent=percent, level=_level(raw.get("level")),
            expires=_when(raw.get("expirationDate")),
            total_spent=_money(raw.get("purchasesTotal")),
            max_spend_percent=(to_decimal(raw.get("maxSpendPercent"))
                               if kind is CardKind.POINTS else None),
            template=None if template is None else str(template), raw=raw,
        )
        return card.with_operations(_operations(card))

    # -- operations --------------------------------------------------------------------------

    def plan(self, card: Card, operation: Operation) -> Plan:
        """One transaction per operation, checked against the card first."""
        op = operation.name
        if op not in card.operations:
            raise NotSupported(_why_not(card, op), service=self.title)
        pass_id = to_int(card.card_id)
        if pass_id is None:
            raise MissingParameter("The card has no Loona pass id.", service=self.title)
        body: dict[str, Any] = {"passId": pass_id, "purchaseId": None}
        preview: dict[str, Decimal | int | str] = {}
        what = operation.describe()
        if op is OpName.PURCHASE:
            amount = _need(operation.amount)
            body["amount"] = _wire(amount)
            if card.kind is CardKind.DISCOUNT and card.percent is not None:
                discount = money(amount * card.percent / 100)
                preview = {"discount": discount, "to_pay": amount - discount}
            else:
                preview = {"to_pay": amount}
            step = Step(_TX_PURCHASE, body, what, {"total_spent": amount})
        elif op is OpName.SPEND:
            amount = _need(operation.amount)
            if card.balance is not None and amount > card.balance:
                raise Refused(f"The card has {format_money(card.balance)}; "
                              f"{format_money(amount)} cannot be spent from it.",
                              "Spend at most the balance; nothing was sent.", service=self.title)
            body["amount"] = _wire(amount)
            preview = {"bonus_spent": amount}
            if card.balance is not None:
                preview["balance"] = card.balance - amount
            step = Step(_TX_SPENDING, body, what, {"balance": -amount})
        elif op is OpName.PURCHASE_SPEND:
            amount, spend = _need(operation.amount), _need(operation.spend)
            if spend > amount:
                raise InvalidAmount("The amount to spend is larger than the purchase.",
                                    "Spend at most the purchase amount.")
            limit = _max_spend(card, amount)
            if limit is not None and spend > limit:
                raise Refused(f"At most {format_money(limit)} may be paid from the card on a "
                              f"purchase of {format_money(amount)}.",
                              "Lower the amount to spend; nothing was sent.", service=self.title)
            body.update({"amount": _wire(amount), "spendAmount": _wire(spend)})
            preview = {"to_pay": amount - spend, "bonus_spent": spend}
            if limit is not None:
                preview["max_spend"] = limit
            step = Step(_TX_PURCHASE_SPENDING, body, what, {"total_spent": amount})
        elif op in (OpName.COUPON_ACTIVATE, OpName.COUPON_REDEEM):
            target = "ACTIVE" if op is OpName.COUPON_ACTIVATE else "USED"
            body["status"] = target
            step = Step(_TX_STATUS, body, what, {"status": _STATUSES[target].value})
        elif op is OpName.STAMP:
            count = _need_count(operation.count)
            body.update({"chops": count, "rewardsUsed": 0})
            step = Step(_TX_CHOP, body, what, {"stamps": count})
        else:  # OpName.REWARD: the only one left in _KIND_OPS
            count = _need_count(operation.count)
            if card.rewards is not None and count > card.rewards:
                raise Refused(f"The card has {card.rewards} reward"
                              f"{'s' if card.rewards != 1 else ''}; {count} cannot be redeemed.",
                              "Redeem at most the rewards available; nothing was sent.",
                              service=self.title)
            body.update({"chops": 0, "rewardsUsed": count})
            step = Step(_TX_CHOP, body, what, {"rewards": -count})
        return Plan(operation, (step,), preview)

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one transaction with ``key`` as its Idempotence-Key and purchaseId.

        Repeating a call with the same key and step is safe: Loona answers the first result.
        """
        if step.action not in _TRANSACTIONS:
            raise MissingParameter(f"Unknown Loona transaction {_clip(step.action)!r}.",
                                   service=self.title)
        if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
            raise MissingParameter("The operation key is missing or unusable.",
                                   service=self.title)
        if not card.code.isascii():
            raise InvalidCode("This card's code cannot be sent to Loona.",
                              "Scan the card's QR code again.")
        body = {**step.body, "purchaseId": key}
        headers = {_H_IDEMPOTENCE: key, _H_ENCRYPTED: card.code}
        url = self._http.url("transactions", segment(step.action))
        answer = self._call("POST", url, mutating=True, json_body=body, headers=headers)
        if not 200 <= answer.status < 300:
            self._fail(answer, mutating=True, card=card)
        data = answer.json_or_none()
        if not isinstance(data, dict):
            raise OutcomeUnknown(f"Loona's answer to the operation could not be read "
                                 f"(HTTP {answer.status}).", _SAFE_HINT, service=self.title)
        if isinstance(data.get("code"), str) and "transactionId" not in data:
            self._fail(answer, mutating=True, card=card, status=400)
        if "transactionId" not in data:  # not a transaction result: applied or not is unknown
            raise OutcomeUnknown(f"Loona's answer to the operation could not be read "
                                 f"(HTTP {answer.status}).", _SAFE_HINT, service=self.title)
        return data

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """Plan figures overlaid with what Loona answered (to pay, discount, bonus, balance)."""
        figures: dict[str, Any] = dict(plan.preview)
        last = next((a for a in reversed(answers) if isinstance(a, dict)), None)
        if last is None:
            return figures
        for wire, ours in _FIGURES:
            value = to_decimal(last.get(wire))
            if value is not None:
                figures[ours] = money(value)
        for key in ("discount", "bonus_accrued"):
            if figures.get(key) == 0:
                del figures[key]
        for wire, ours in (("chops", "stamps"), ("rewardsAvailable", "rewards")):
            count = to_int(last.get(wire))
            if count is not None:
                figures[ours] = count
        return figures

    # -- new customers -----------------------------------------------------------------------

    def _read_templates(self, raw: Any) -> list[CardTemplate]:
        """The ``templates`` setting: Loona's published API cannot list them.

        A list of ``{id, name}`` tables, each with an optional ``type`` (``BONUS``...).
        """
        if raw is None:
            return []
        bad = ConfigError(f"[loona] templates must be a list like {_TEMPLATES_EXAMPLE}.")
        if not isinstance(raw, list):
            raise bad
        found = []
        for item in raw:
            tid = to_int(item.get("id")) if isinstance(item, dict) else None
            if tid is None or tid <= 0 or isinstance(item.get("id"), bool):
                raise bad
            kind = _KINDS.get(str(item.get("type") or "").strip().upper())
            found.append(CardTemplate(self.name, str(tid),
                                      _clip(item.get("name")) or f"Template {tid}",
                                      KIND_LABELS[kind] if kind else "Loona card"))
        return found

    def templates(self) -> list[CardTemplate]:
        """The templates named in the settings."""
        return list(self._templates)

    def enrol(self, template_id: str, holder: Holder) -> str:
        """``POST /passes`` with the holder as placeholder values; the new pass's QR value."""
        holder = check_holder(holder)
        text = str(template_id).strip()
        template = int(text) if text.isdigit() and len(text) <= 18 else 0
        if template <= 0:
            raise InvalidInput(f"{text!r} is not a Loona card template.",
                               "Choose one of the templates in the settings; nothing was sent.")
        values = [{"name": wire, "value": getattr(holder, ours)}
                  for wire, ours in _PLACEHOLDERS if getattr(holder, ours)]
        answer = self._call("POST", self._http.url("passes"), mutating=True,
                            json_body={"templateId": template, "placeholderValues": values})
        if answer.status in (400, 404):
            data = answer.json_or_none()
            detail = _clip(data.get("message")) if isinstance(data, dict) else ""
            raise Refused(f"Loona has no card template {template}." if answer.status == 404
                          else "Loona did not accept the new customer's details"
                          + (f": {detail}" if detail else "."),
                          "Check the details and the template; nothing was issued.",
                          service=self.title)
        if not 200 <= answer.status < 300:
            self._fail(answer, mutating=True)
        raw = answer.json_or_none()
        try:
            card = self._card(raw, "-")
        except BadResponse:
            raise OutcomeUnknown("Loona's answer about the new card could not be read.",
                                 service=self.title) from None
        code = raw.get("encryptedId")
        code = str(code).strip() if isinstance(code, str | int) and not isinstance(
            code, bool) else ""
        return code if code and code.isprintable() else card.card_id

    # -- search and check --------------------------------------------------------------------

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """Passes whose holder's phone ends with the same digits (Loona keeps no e-mail)."""
        if phone is None:
            return []
        wanted = re.sub(r"\D", "", phone)
        if len(wanted) < 7:
            raise InvalidInput("Type at least 7 digits of the phone number.")
        found: list[CardRef] = []
        for page in range(MAX_PAGES):
            url = self._http.url("passes") + f"?page={page}&size={PAGE_SIZE}"
            data = self._get_page(url)
            content = data["content"]
            for raw in content:
                ref = self._ref_if_phone(raw, wanted)
                if ref is not None:
                    found.append(ref)
            total = to_int(data.get("totalElements"))
            if not content or (total is not None and (page + 1) * PAGE_SIZE >= total):
                break
        else:
            log.info("Loona: customer search stopped after %d pages", MAX_PAGES)
        return found

    def _ref_if_phone(self, raw: Any, wanted: str) -> CardRef | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("holder"), dict):
            return None
        have = re.sub(r"\D", "", str(raw["holder"].get("phone") or ""))
        n = min(len(wanted), len(have), 10)
        if n < 7 or wanted[-n:] != have[-n:]:
            return None
        code = raw.get("encryptedId")
        code = str(code).strip() if isinstance(code, str | int) and str(code).strip() else ""
        try:
            card = self._card(raw, code or str(raw.get("id")))
        except BadResponse:
            log.info("Loona: skipped a pass the app cannot read in the customer search")
            return None
        return CardRef(service=self.name, code=card.code, kind_label=card.kind_label,
                       status=STATUS_LABELS[card.status], template=card.template or "",
                       holder=card.holder)

    def check(self) -> str:
        """Get a token and read one pass: ``Loona: connected, N passes``."""
        self._access_token()
        data = self._get_page(self._http.url("passes") + "?page=0&size=1")
        total = to_int(data.get("totalElements"))
        count = len(data["content"]) if total is None else total
        return f"Loona: connected, {count} pass{'es' if count != 1 else ''}"

    def _get_page(self, url: str) -> dict[str, Any]:
        answer = self._call("GET", url)
        if not 200 <= answer.status < 300:
            self._fail(answer, mutating=False)
        data = self._read_json(answer)
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise BadResponse("Loona answered the pass list in an unexpected shape.",
                              service=self.title)
        return data

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
            raise AuthError("Loona refused a freshly issued access token.", service=self.title)
        return answer

    def _send(self, method: str, url: str, token: str, mutating: bool, json_body: Any,
              headers: dict[str, str] | None) -> Answer:
        try:
            return self._http.request(method, url, mutating=mutating, json_body=json_body,
                                      headers={"Authorization": f"Bearer {token}",
                                               **(headers or {})})
        except OutcomeUnknown as exc:  # lost answer: Loona's idempotency makes a retry safe
            raise OutcomeUnknown(exc.message, _SAFE_HINT, service=self.title) from None
        except BadResponse as exc:
            if mutating:  # e.g. an oversized answer: the transaction may have been applied
                raise OutcomeUnknown(exc.message, _SAFE_HINT, service=self.title) from None
            raise

    def _access_token(self, refused: str | None = None) -> str:
        """The current token, fetched again when near expiry or after it was ``refused``."""
        with self._lock:
            now = time.monotonic()
            if self._token is not None and now < self._token_deadline and (
                    refused is None or self._token != refused):
                return self._token
            self._token = None
            answer = self._http.request(
                "POST", self._token_url, mutating=False,
                data={"grant_type": "client_credentials"},
                headers={"Authorization": self._basic})
            if answer.status in (400, 401, 403):
                raise AuthError("Loona did not accept the client id and secret.",
                                service=self.title)
            if not 200 <= answer.status < 300:
                self._fail(answer, mutating=False)
            data = self._read_json(answer)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token.strip() or not token.isascii() \
                    or not token.isprintable():
                raise BadResponse("Loona's token answer has no usable access token.",
                                  service=self.title)
            ttl = to_decimal(data.get("expires_in"))
            life = float(ttl) if ttl is not None and ttl > 0 else FALLBACK_TOKEN_TTL
            self._token = token.strip()
            self._token_deadline = now + life - min(TOKEN_MARGIN, life / 10)
            log.debug("Loona: new access token, valid %.0f s", life)
            return self._token

    def _read_json(self, answer: Answer) -> Any:
        return answer.json(self.title)

    def _fail(self, answer: Answer, *, mutating: bool, card: Card | None = None,
              status: int | None = None) -> NoReturn:
        """Raise the error that a non-success answer means."""
        status = answer.status if status is None else status
        data = answer.json_or_none()
        code = data.get("code") if isinstance(data, dict) else None
        code = code.strip().upper() if isinstance(code, str) else ""
        detail = _clip(data.get("message")) if isinstance(data, dict) else ""
        svc = self.title
        if 300 <= status < 400:
            raise BadResponse(f"Loona answered with a redirect (HTTP {status}); it was not "
                              "followed.", "Check the Loona addresses in the settings.",
                              service=svc)
        if status == 429:
            wait = retry_after_seconds(answer.headers)
            hint = (f"Wait {wait:g} s and try again; nothing was changed." if wait is not None
                    else "Wait a moment and try again; nothing was changed.")
            raise RateLimited("Loona is busy (too many requests).", hint, service=svc,
                              retry_after=wait)
        if status >= 500 or status < 200:
            if mutating:
                raise OutcomeUnknown(f"Loona failed while processing the operation "
                                     f"(HTTP {status}).", _SAFE_HINT, service=svc)
            raise ServiceUnavailable(f"Loona is not working right now (HTTP {status}).",
                                     "Try again in a moment; nothing was changed.", service=svc)
        if status == 401:
            raise AuthError("Loona refused the access token.", service=svc)
        if status == 403:
            raise AuthError("Loona does not allow this client to do that.", service=svc)
        error = _error_for(code, detail, card, svc)
        if error is not None:
            raise error
        if status == 404:
            if isinstance(data, dict):
                raise CardNotFound("Loona has no card with this code.", service=svc)
            raise BadResponse("Loona answered 404 (no such address).",
                              "Check the Loona address in the settings.", service=svc)
        if status == 409:
            raise IdempotencyConflict("Loona has already seen this operation with other "
                                      "values.", service=svc)
        if status == 400 and mutating:
            raise Refused(f"Loona refused the operation ({_clip(code) or 'HTTP 400'}"
                          f"{': ' + detail if detail else ''}).", service=svc)
        raise BadResponse(f"Loona answered HTTP {status}"
                          f"{' (' + _clip(code) + ')' if code else ''}.", service=svc)


# -- card rules ------------------------------------------------------------------------------


def _max_spend(card: Card, amount: Decimal) -> Decimal | None:
    """The most a purchase of ``amount`` may take from a bonus card, or ``None`` if unknown."""
    if card.balance is None:
        return None
    if card.max_spend_percent is None:
        return max(card.balance, Decimal("0"))
    share = (amount * card.max_spend_percent / 100).quantize(CENT, rounding=ROUND_DOWN)
    return max(min(card.balance, share), Decimal("0"))


def _operations(card: Card) -> tuple[OpName, ...]:
    """What the card can do now (kind and state)."""
    if card.status is CardStatus.INACTIVE:
        return (OpName.COUPON_ACTIVATE,) if card.kind is CardKind.COUPON else ()
    if card.status is not CardStatus.ACTIVE:
        return ()
    kind = card.kind
    has_balance = card.balance is None or card.balance > 0
    if kind is CardKind.DISCOUNT:
        return (OpName.PURCHASE,)
    if kind is CardKind.POINTS:
        ops = [OpName.PURCHASE]
        if has_balance:
            ops.append(OpName.SPEND)
            if card.max_spend_percent is None or card.max_spend_percent > 0:
                ops.append(OpName.PURCHASE_SPEND)
        return tuple(ops)
    if kind is CardKind.GIFT:
        return (OpName.SPEND,) if has_balance else ()
    if kind is CardKind.COUPON:
        return (OpName.COUPON_REDEEM,)
    if kind is CardKind.CHOP:
        return (OpName.STAMP, OpName.REWARD) if card.rewards else (OpName.STAMP,)
    return ()


def _why_not(card: Card, op: OpName) -> str:
    """A plain sentence why ``op`` is not possible on ``card`` now."""
    label = LABELS[op].lower()
    if card.status is CardStatus.EXPIRED:
        return "The card has expired."
    if card.status is CardStatus.BLOCKED:
        return "The card is blocked."
    if card.status is CardStatus.USED:
        return "The coupon has already been used."
    if op not in _KIND_OPS.get(card.kind, ()):
        return f"A {KIND_LABELS[card.kind].lower()} cannot do this ({label})."
    if op is OpName.COUPON_REDEEM:
        return "The coupon is not active yet: activate it first."
    if op is OpName.COUPON_ACTIVATE:
        return "The coupon is already active."
    if op is OpName.REWARD:
        return "The card has no rewards to redeem."
    if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and card.balance is not None \
            and card.balance <= 0:
        return "The card balance is zero."
    if op is OpName.PURCHASE_SPEND:
        return "This card does not allow paying part of a purchase from it."
    return f"The card does not allow this ({label}) now."


def _error_for(code: str, detail: str, card: Card | None, svc: str) -> ServiceError | None:
    """The error a Loona error code means, or ``None`` for codes without a special meaning."""
    if code == "INVALID_ENCRYPTED_KEY":
        return StaleCode("The card's QR code is out of date or belongs to another card.",
                         service=svc)
    if code == "INSUFFICIENT_BALANCE":
        if card is not None and card.kind is CardKind.CHOP:
            return Refused("The card does not have that many rewards.", service=svc)
        return Refused("There is not enough on the card for this.", service=svc)
    if code == "SPEND_LIMIT_EXCEEDED":
        return Refused("That is more than may be paid from the card on this purchase.",
                       "Lower the amount to spend; nothing was changed.", service=svc)
    if code == "COUPON_NOT_ACTIVE":
        return Refused("The coupon is not active yet: activate it first.", service=svc)
    if code == "COUPON_ALREADY_USED":
        return Refused("The coupon has already been used.", service=svc)
    if code == "COUPON_ALREADY_ACTIVE":
        return Refused("The coupon is already active.", service=svc)
    if code.startswith("COUPON_"):
        return Refused(f"Loona refused the coupon operation ({_clip(code)}).", service=svc)
    if code == "TRANSACTION_NOT_SUPPORTED":
        return NotSupported("This card does not support this operation.", service=svc)
    if code in ("PASS_EXPIRED", "EXPIRED"):
        return NotSupported("The card has expired.", service=svc)
    if code in ("PASS_BLOCKED", "BLOCKED"):
        return NotSupported("The card is blocked.", service=svc)
    if code == "VALIDATION_ERROR":
        return Refused("Loona did not accept the values sent"
                       f"{': ' + detail if detail else '.'}",
                       "Check the amount or count and try again; nothing was changed.",
                       service=svc)
    if code == "NOT_FOUND":
        return CardNotFound("Loona has no card with this code.", service=svc)
    if code == "IDEMPOTENCY_CONFLICT":
        return IdempotencyConflict("Loona has already seen this operation with other values.",
                                   service=svc)
    return None


# -- parsing helpers -------------------------------------------------------------------------


def _need(value: Decimal | None) -> Decimal:
    if value is None:
        raise InvalidAmount("The amount is missing.")
    if value <= 0:
        raise InvalidAmount("The amount must be more than zero.")
    return value


def _need_count(value: int | None) -> int:
    if value is None or value <= 0:
        raise InvalidAmount("The count must be at least 1.")
    return value


def _wire(amount: Decimal) -> str:
    """Money as Loona takes it: a decimal string with two places."""
    return f"{amount.quantize(CENT):.2f}"


def _money(value: Any) -> Decimal | None:
    number = to_decimal(value)
    return None if number is None else money(number)


def _text(value: Any, limit: int = 100) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _clip(value: Any, limit: int = 120) -> str:
    """Untrusted text from an answer, safe to show: printable, short."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _holder(raw: Any) -> Holder | None:
    if not isinstance(raw, dict):
        return None
    holder = Holder(first_name=_text(raw.get("firstName")), last_name=_text(raw.get("lastName")),
                    phone=_text(raw.get("phone"), 40))
    return holder if holder.name or holder.phone else None


def _level(raw: Any) -> str | None:
    if isinstance(raw, dict):
        name = _text(raw.get("name"), 60)
        number = to_int(raw.get("number"))
        return name or (f"Level {number}" if number is not None else None)
    return _text(raw, 60) or None


def _when(raw: Any) -> dt.datetime | dt.date | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
