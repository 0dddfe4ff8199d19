"""Loona (loona.ai) adapter: claim, card, plan, execute and refresh over :mod:`.wire`.

Loona applies a transaction once per Idempotence-Key, so a step whose answer was lost is sent
again with the same key.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

from pos_app.core.backends.base import CardRef, CardTemplate, Plan, Step, check_holder
from pos_app.core.backends.http_backend import HttpBackend
from pos_app.core.cards import (
    KIND_LABELS,
    Card,
    CardKind,
    CardStatus,
    Holder,
    Stamps,
)
from pos_app.core.errors import (
    BadResponse,
    ConfigError,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    Refused,
)
from pos_app.core.figures import Figures
from pos_app.core.i18n import _, ngettext
from pos_app.core.money import (
    CENT,
    ascii_int,
    format_money,
    format_number,
    money,
    to_decimal,
    to_int,
)
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.services.loona.wire import (
    SAFE_HINT,
    TX_CHOP,
    TX_PURCHASE,
    TX_PURCHASE_SPENDING,
    TX_SPENDING,
    TX_STATUS,
    LoonaWire,
    clip,
)
from pos_app.core.services.phrases import a_kind
from pos_app.core.units import balance_unit, quantity

log = logging.getLogger(__name__)

#: Longest scanned value taken as a Loona code.
MAX_CODE_LENGTH = 256
#: Customer search reads the pass list this many at a time, up to this many pages.
PAGE_SIZE = 100
MAX_PAGES = 50

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
            ("bonusAccrued", "earned"), ("bonusSpent", "spent"),
            ("amountSpent", "spent"), ("balance", "balance"))

#: ``POST /passes`` placeholders a new customer's details go into.
_PLACEHOLDERS = (("firstName", "first_name"), ("lastName", "last_name"), ("phone", "phone"),
                 ("email", "email"))
_TEMPLATES_EXAMPLE = '[{id = 12, name = "Discount 5%"}]'


class LoonaBackend(HttpBackend):
    """Loona through its published API, with OAuth client credentials.

    ``base_url`` is the API base (``https://api.loona.ai/version1``), ``token_url`` the OAuth
    token address. Without a ``pattern`` Loona takes any printable code (it is the catch-all
    service, asked last).
    """

    name = "loona"
    title = "Loona"  # i18n-skip
    idempotent = True
    max_code_length = MAX_CODE_LENGTH
    unknown_hint = SAFE_HINT
    #: A QR holds a pass id (assumed 5 digits or more) or a 10-digit encrypted id.
    min_code_length = 5

    def __init__(self, base_url: str, token_url: str, client_id: str, client_secret: str, *,
                 pattern: str | None = None, timeout: httpx.Timeout | None = None,
                 templates: Any = None) -> None:
        if not base_url.strip() or not token_url.strip():
            raise ConfigError(_("The Loona address or token address is not set."))
        if not client_id or not client_secret:
            raise ConfigError(_("The Loona client id or secret is not set."))
        super().__init__(base_url, pattern=pattern, timeout=timeout,
                         headers={"Accept": "application/json"})
        self.wire = LoonaWire(self.http, token_url, client_id, client_secret,
                              lambda answer, mutating: self.status_failure(
                                  answer, mutating=mutating))
        self._templates = self._read_templates(templates)

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], *,
                      timeout: httpx.Timeout | None = None) -> LoonaBackend:
        return cls(str(table["base_url"]), str(table["token_url"]), str(table["client_id"]),
                   str(table["client_secret"]),
                   pattern=str(table["pattern"]) if table.get("pattern") else None,
                   templates=table.get("templates"), timeout=timeout)

    def __repr__(self) -> str:
        return f"LoonaBackend({self.http.base_url!r})"

    # -- codes and cards ---------------------------------------------------------------------

    def claim_default(self, text: str) -> str | None:
        """Any printable code."""
        return text if text.isprintable() else None

    def get_card(self, code: str) -> Card:
        """Look a card up by its QR value; a plain pass id is tried as an id as well."""
        code = self._checked_code(code)
        return self._card(self.wire.find_pass(code), code)

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """Read the pass again by id; the code is what its QR holds now (the pass's own
        ``encryptedId``, or a dynamic QR's new value from the last answer)."""
        raw = self.wire.get_pass(card.card_id, card)
        code = card.code
        current = raw.get("encryptedId") if isinstance(raw, dict) else None
        if isinstance(current, str | int) and not isinstance(current, bool) \
                and str(current).strip():
            code = str(current).strip()  # what the card's QR holds now
        for item in reversed(answers):
            new = item.get("encryptedId") if isinstance(item, dict) else None
            if isinstance(new, str | int) and not isinstance(new, bool) and str(new).strip():
                code = str(new).strip()
                break
        fresh = self._card(raw, code)
        if fresh.card_id != card.card_id:
            raise BadResponse(_("Loona answered a different card than the one asked for."),
                              service=self.title)
        return fresh

    def _checked_code(self, code: str) -> str:
        value = code.strip()
        if not value or len(value) > MAX_CODE_LENGTH or not value.isprintable():
            raise InvalidCode(_("This code cannot be a Loona card."), _("Scan the card again."))
        return value

    def _card(self, raw: Any, code: str) -> Card:
        """The app's card from a pass object, parsed defensively."""
        if not isinstance(raw, dict):
            raise BadResponse(_("Loona answered a card in an unexpected shape."),
                              service=self.title)
        pass_id = to_int(raw.get("id"))
        if pass_id is None or pass_id <= 0:
            raise BadResponse(_("Loona answered a card without an id."), service=self.title)
        type_name = str(raw.get("type") or "").strip().upper()
        kind = _KINDS.get(type_name)
        if kind is None:
            raise BadResponse(_("Loona answered a card of a type the app does not know "
                                "({type}).").format(type=clip(type_name) or "—"),
                              service=self.title)
        status_name = str(raw.get("status") or "ACTIVE").strip().upper()
        status = _STATUSES.get(status_name)
        if status is None:
            raise BadResponse(_("Loona answered a card status the app does not know "
                                "({status}).").format(status=clip(status_name)),
                              service=self.title)
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
            raise MissingParameter(_("The card has no Loona pass id."), service=self.title)
        body: dict[str, Any] = {"passId": pass_id, "purchaseId": None}
        preview = Figures()
        what = operation.describe()
        if op is OpName.PURCHASE:
            amount = _need(operation.amount)
            body["amount"] = _wire(amount)
            if card.kind is CardKind.DISCOUNT and card.percent is not None:
                discount = money(amount * card.percent / 100)
                preview = Figures(discount=discount, to_pay=amount - discount)
            else:
                preview = Figures(to_pay=amount)
            step = Step(TX_PURCHASE, body, what, {"total_spent": amount})
        elif op is OpName.SPEND:
            amount = _need(operation.amount)
            if card.balance is not None and amount > card.balance:
                unit = balance_unit(card)
                raise Refused(_("The card has {balance}; {amount} cannot be spent from it.")
                              .format(balance=quantity(card.balance, unit),
                                      amount=quantity(amount, unit)),
                              _("Spend at most the balance; nothing was sent."),
                              service=self.title)
            body["amount"] = _wire(amount)
            preview = Figures(spent=amount)
            if card.balance is not None:
                preview = preview.replace(balance=card.balance - amount)
            step = Step(TX_SPENDING, body, what, {"balance": -amount})
        elif op is OpName.PURCHASE_SPEND:
            amount, spend = _need(operation.amount), _need(operation.spend)
            if spend > amount:
                raise InvalidAmount(_("The amount to spend is larger than the purchase."),
                                    _("Spend at most the purchase amount."))
            limit = _max_spend(card, amount)
            if limit is not None and spend > limit:
                raise Refused(_("At most {limit} may be paid from the card on a purchase of "
                                "{amount}.").format(limit=quantity(limit, balance_unit(card)),
                                                     amount=format_money(amount)),
                              _("Lower the amount to spend; nothing was sent."),
                              service=self.title)
            body.update({"amount": _wire(amount), "spendAmount": _wire(spend)})
            preview = Figures(to_pay=amount - spend, spent=spend)
            if limit is not None:
                preview = preview.replace(max_spend=limit)
            step = Step(TX_PURCHASE_SPENDING, body, what, {"total_spent": amount})
        elif op in (OpName.COUPON_ACTIVATE, OpName.COUPON_REDEEM):
            target = "ACTIVE" if op is OpName.COUPON_ACTIVATE else "USED"
            body["status"] = target
            step = Step(TX_STATUS, body, what, {"status": _STATUSES[target].value})
        elif op is OpName.STAMP:
            count = _need_count(operation.count)
            body.update({"chops": count, "rewardsUsed": 0})
            step = Step(TX_CHOP, body, what, {"stamps": count})
        else:  # OpName.REWARD: the only one left in _KIND_OPS
            count = _need_count(operation.count)
            if card.rewards is not None and count > card.rewards:
                raise Refused(ngettext("The card has {count} reward; {n} cannot be redeemed.",
                                       "The card has {count} rewards; {n} cannot be redeemed.",
                                       card.rewards).format(count=format_number(card.rewards),
                                                            n=format_number(count)),
                              _("Redeem at most the rewards available; nothing was sent."),
                              service=self.title)
            body.update({"chops": 0, "rewardsUsed": count})
            step = Step(TX_CHOP, body, what, {"rewards": -count})
        return Plan(operation, (step,), preview)

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one transaction with ``key`` as its Idempotence-Key and purchaseId.

        Repeating a call with the same key and step is safe: Loona answers the first result.
        """
        if not card.code.isascii():
            raise InvalidCode(_("This card's code cannot be sent to Loona."),
                              _("Scan the card's QR code again."))
        return self.wire.transaction(step.action, step.body, key, card.code, card)

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        """Plan figures overlaid with what Loona answered (to pay, discount, bonus, balance)."""
        last = next((a for a in reversed(answers) if isinstance(a, dict)), None)
        if last is None:
            return plan.preview
        changes: dict[str, Any] = {}
        for wire, ours in _FIGURES:
            value = to_decimal(last.get(wire))
            if value is not None:
                changes[ours] = money(value)
        for key in ("discount", "earned"):
            if changes.get(key, plan.preview.get(key)) == 0:
                changes[key] = None
        for wire, ours in (("chops", "stamps"), ("rewardsAvailable", "rewards")):
            count = to_int(last.get(wire))
            if count is not None:
                changes[ours] = count
        return plan.preview.replace(**changes)

    # -- new customers -----------------------------------------------------------------------

    def _read_templates(self, raw: Any) -> list[CardTemplate]:
        """The ``templates`` setting: Loona's published API cannot list them.

        A list of ``{id, name}`` tables, each with an optional ``type`` (``BONUS``...).
        """
        if raw is None:
            return []
        bad = ConfigError(_("[loona] templates must be a list like {example}.").format(
            example=_TEMPLATES_EXAMPLE))
        if not isinstance(raw, list):
            raise bad
        found = []
        for item in raw:
            tid = to_int(item.get("id")) if isinstance(item, dict) else None
            if tid is None or tid <= 0 or isinstance(item.get("id"), bool):
                raise bad
            kind = _KINDS.get(str(item.get("type") or "").strip().upper())
            found.append(CardTemplate(self.name, str(tid),
                                      clip(item.get("name"))
                                      or _("Template {id}").format(id=tid),
                                      KIND_LABELS[kind] if kind else _("Loona card")))
        return found

    def templates(self) -> list[CardTemplate]:
        """The templates named in the settings."""
        return list(self._templates)

    def enrol(self, template_id: str, holder: Holder) -> str:
        """``POST /passes`` with the holder as placeholder values; the new pass's QR value."""
        holder = check_holder(holder)
        text = str(template_id).strip()
        template = ascii_int(text, max_digits=18) or 0
        if template <= 0:
            raise InvalidInput(_("{template!r} is not a Loona card template.").format(
                template=text), _("Choose one of the templates in the settings; nothing was "
                                  "sent."))
        values = [{"name": wire, "value": getattr(holder, ours)}
                  for wire, ours in _PLACEHOLDERS if getattr(holder, ours)]
        answer = self.wire.create_pass(template, values)
        if answer.status in (400, 404):
            data = answer.json_or_none()
            detail = clip(data.get("message")) if isinstance(data, dict) else ""
            if answer.status == 404:
                message = _("Loona has no card template {template}.").format(
                    template=template)
            elif detail:
                message = _("Loona did not accept the new customer's details: {detail}").format(
                    detail=detail)
            else:
                message = _("Loona did not accept the new customer's details.")
            raise Refused(message, _("Check the details and the template; nothing was issued."),
                          service=self.title)
        if not 200 <= answer.status < 300:
            self.wire.fail(answer, mutating=True)
        raw = answer.json_or_none()
        try:
            card = self._card(raw, "-")
        except BadResponse:
            raise OutcomeUnknown(_("Loona's answer about the new card could not be read."),
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
            raise InvalidInput(_("Type at least 7 digits of the phone number."))
        found: list[CardRef] = []
        for page in range(MAX_PAGES):
            data = self.wire.list_passes(page, PAGE_SIZE)
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
                       status=card.status.value, template=card.template or "",
                       holder=card.holder)

    def check(self) -> str:
        """Get a token and read one pass: ``Loona: connected, N passes``."""
        self.wire.token()
        data = self.wire.list_passes(0, 1)
        total = to_int(data.get("totalElements"))
        count = len(data["content"]) if total is None else total
        return ngettext("Loona: connected, {count} pass", "Loona: connected, {count} passes",
                        count).format(count=format_number(count))


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
        return _("The card has expired.")
    if card.status is CardStatus.BLOCKED:
        return _("The card is blocked.")
    if card.status is CardStatus.USED:
        return _("The coupon has already been used.")
    if op not in _KIND_OPS.get(card.kind, ()):
        # i18n: {a_kind} is "A discount card" (see its entry); {operation}: e.g. "spend"
        return _("{a_kind} cannot do this ({operation}).").format(a_kind=a_kind(card.kind),
                                                                  operation=label)
    if op is OpName.COUPON_REDEEM:
        return _("The coupon is not active yet: activate it first.")
    if op is OpName.COUPON_ACTIVATE:
        return _("The coupon is already active.")
    if op is OpName.REWARD:
        return _("The card has no rewards to redeem.")
    if op in (OpName.SPEND, OpName.PURCHASE_SPEND) and card.balance is not None \
            and card.balance <= 0:
        return _("The card balance is zero.")
    if op is OpName.PURCHASE_SPEND:
        return _("This card does not allow paying part of a purchase from it.")
    return _("The card does not allow this ({operation}) now.").format(operation=label)


# -- parsing helpers -------------------------------------------------------------------------


def _need(value: Decimal | None) -> Decimal:
    if value is None:
        raise InvalidAmount(_("The amount is missing."))
    if value <= 0:
        raise InvalidAmount(_("The amount must be more than zero."))
    return value


def _need_count(value: int | None) -> int:
    if value is None or value <= 0:
        raise InvalidAmount(_("The count must be at least 1."))
    return value


def _wire(amount: Decimal) -> str:
    """Money as Loona takes it: a decimal string with two places."""
    return f"{amount.quantize(CENT):.2f}"


def _money(value: Any) -> Decimal | None:
    number = to_decimal(value)
    return None if number is None else money(number)


def _text(value: Any, limit: int = 100) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


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
        return name or (_("Level {number}").format(number=number) if number is not None
                        else None)
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
