"""vmob (Plexure) adapter: points to a consumer's loyalty card, offer codes reported.

The scanned code is the consumer's access token (**assumed**: what the consumer app's QR
holds); there is no call that reads a consumer, so a lookup sends nothing and the card says
so. ``accrue POINTS`` (and ``purchase AMOUNT`` when ``earn_rate`` is set) is one Create Points
call whose ``transactionId`` is the operation's key: vmob takes an id once, so a step whose
answer was lost is sent again with the same id, and "seen before" (409, or 201 with outcome
2) then means the first send was applied. On a first send the same answer is a refusal.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

from pos_app.core.backends.base import Plan, Step
from pos_app.core.backends.http_backend import HttpBackend, compile_pattern, pattern_claim
from pos_app.core.cards import Card, CardKind, CardStatus, Heard
from pos_app.core.errors import (
    AuthError,
    BadResponse,
    ConfigError,
    InvalidAmount,
    InvalidCode,
    MissingParameter,
    NotSupported,
    OutcomeUnknown,
    Refused,
)
from pos_app.core.figures import Figures
from pos_app.core.i18n import N_, _, ngettext
from pos_app.core.money import format_money, format_number, to_decimal
from pos_app.core.operations import LABELS, Operation, OpName
from pos_app.core.services.vmob.wire import (
    F_AUTO_REWARD,
    F_CARD,
    F_DATE,
    F_FILL,
    F_OFFSET,
    F_REQUESTED,
    F_TEXT,
    OUTCOME_CARD_ACTIVATION,
    OUTCOME_REWARD_ACTIVATION,
    OUTCOME_SUCCESS,
    OUTCOME_WORDS,
    SAFE_HINT,
    PointsAnswer,
    Row,
    VmobWire,
)
from pos_app.core.units import Unit, quantity

#: Step actions (as journalled, and as the sandbox's ledger names them).
A_POINTS = "points"
A_ADVICE = "redemptionAdvice"
#: A consumer access token without a ``pattern`` (**assumed**): one opaque word of the
#: base64url/JWT alphabet, with letters and digits, long enough not to be a card number.
_TOKEN = re.compile(r"(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9._~+/=-]{24,2048}")
#: Keys whose answer was lost, remembered so that a resend knows it is one.
MAX_LOST = 4096
#: Most points one request may ask for.
MAX_POINTS = 100_000

NO_BALANCE = N_("vmob has no call that reads a customer's points: shown is what this till "
                 "last heard, not a live balance.")
OFFER_NOTE = N_("vmob gives no answer on offer codes: it is told the code was used, and "
                "cannot say whether the offer is valid.")
REPLAYED = N_("vmob already had this operation from the first send, whose answer was lost: "
              "it was applied once. How many points went on then is not known here.")


class VmobBackend(HttpBackend):
    """vmob's merchant API: ``base_url`` (``https://merchant.api.vmob.co``), the merchant key
    sent as ``x-vmob-authorization`` exactly as set, the loyalty card the store issues."""

    name = "vmob"
    title = "vmob"
    idempotent = True
    whole_amounts = False
    unknown_hint = SAFE_HINT
    #: A consumer's access token is long (assumed); an offer code ``OFR-XXXXXX`` is ten.
    min_code_length = 10

    def __init__(self, base_url: str, merchant_key: str, loyalty_card_id: int, *,
                 fill_multiple_cards: bool = False, auto_activate_reward: bool = False,
                 earn_rate: Decimal | None = None, pattern: str | None = None,
                 offer_pattern: str | None = None,
                 timeout: httpx.Timeout | None = None) -> None:
        key = str(merchant_key or "").strip()
        if not key or not key.isascii() or not key.isprintable():
            raise ConfigError(_("The vmob merchant key is not set, or has characters a "
                                "header cannot carry."))
        if loyalty_card_id <= 0:
            raise ConfigError(_("The vmob loyalty card id must be a whole number above 0."))
        if earn_rate is not None and earn_rate <= 0:
            raise ConfigError(_("The vmob earn rate must be more than 0 points per unit."))
        super().__init__(base_url, pattern=pattern, timeout=timeout,
                         headers={"Accept": "application/json"})
        # i18n: the service's name in "The {title} code pattern … is not valid"
        self.offer_pattern = compile_pattern(_("vmob offer"), offer_pattern)
        self.wire = VmobWire(self.http, key, lambda answer, mutating: self.status_failure(
            answer, mutating=mutating))
        self.loyalty_card_id = loyalty_card_id
        self.fill = fill_multiple_cards
        self.auto_reward = auto_activate_reward
        self.earn_rate = earn_rate
        self._lock = threading.Lock()
        self._lost: collections.OrderedDict[str, None] = collections.OrderedDict()
        #: Offer codes this adapter has reported: not offered for a second report.
        self._reported: set[str] = set()

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], *,
                      timeout: httpx.Timeout | None = None) -> VmobBackend:
        card = _whole(table.get("loyalty_card_id"))
        if card is None:
            raise ConfigError(_("[vmob] loyalty_card_id must be a whole number (the loyalty "
                                "card this store issues points to)."))
        rate_text = cls.table_text(dict(table), "earn_rate")
        rate = to_decimal(rate_text) if rate_text else None
        if rate_text and rate is None:
            raise ConfigError(_("[vmob] earn_rate {value!r} is not a number.").format(
                value=rate_text))
        return cls(str(table["base_url"]), str(table["merchant_key"]), card,
                   fill_multiple_cards=_flag(table, "fill_multiple_cards"),
                   auto_activate_reward=_flag(table, "auto_activate_reward"),
                   earn_rate=rate, pattern=cls.table_text(dict(table), "pattern") or None,
                   offer_pattern=cls.table_text(dict(table), "offer_pattern") or None,
                   timeout=timeout)

    def __repr__(self) -> str:
        return f"VmobBackend({self.http.base_url!r})"

    # -- codes and cards ---------------------------------------------------------------------

    def claim(self, code: str) -> str | None:
        """An offer code (``offer_pattern``) as scanned, else a consumer token."""
        if isinstance(code, str) and self.offer_pattern is not None:
            text = code.strip()
            if text and len(text) <= self.max_code_length and pattern_claim(
                    self.offer_pattern, text):
                return text
        return super().claim(code)

    def claim_default(self, text: str) -> str | None:
        return text if _TOKEN.fullmatch(text) else None

    def _offer_text(self, code: str) -> str | None:
        """What vmob is told of an offer code, or ``None`` when ``code`` is not one."""
        if self.offer_pattern is None:
            return None
        return pattern_claim(self.offer_pattern, code.strip())

    def get_card(self, code: str) -> Card:
        """The consumer's card (or an offer code) as far as the code tells: nothing is sent,
        vmob has no call that reads either."""
        text = code.strip() if isinstance(code, str) else ""
        if not text or len(text) > self.max_code_length or not text.isprintable():
            raise InvalidCode(_("This code cannot be a vmob customer's code."),
                              _("Scan the code in the customer's app again."))
        offer = self._offer_text(text)
        if offer is not None:
            with self._lock:
                reported = offer in self._reported
            return Card(service=self.name, code=text, card_id=offer, kind=CardKind.COUPON,
                        status=CardStatus.ACTIVE,
                        template=_("Offer code, reported by this till") if reported
                        else _("Offer code"),
                        operations=() if reported else (OpName.REPORT_OFFER,),
                        balance_note=_(OFFER_NOTE))
        ops = (OpName.PURCHASE, OpName.ACCRUE) if self.earn_rate else (OpName.ACCRUE,)
        return Card(service=self.name, code=text, card_id=text, kind=CardKind.POINTS,
                    status=CardStatus.ACTIVE,
                    template=_("Loyalty card {id}").format(id=self.loyalty_card_id),
                    operations=ops, balance_note=_(NO_BALANCE))

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """The card with what vmob's answer just said (there is nothing to read again)."""
        now = dt.datetime.now(dt.UTC)
        balance = None
        for answer in reversed(answers):
            if isinstance(answer, dict) and answer.get("action") == A_POINTS:
                value = PointsAnswer.from_json(answer).balance
                balance = None if value is None else Decimal(value)
                break
        # English, as Heard keeps it (the counter names the operation it ran instead).
        what = LABELS.source(OpName.REPORT_OFFER if card.kind is CardKind.COUPON
                             else OpName.ACCRUE)
        return replace(self.get_card(card.code), heard=Heard(now, balance, what))

    # -- operations --------------------------------------------------------------------------

    def plan(self, card: Card, operation: Operation) -> Plan:
        op = operation.name
        if op not in card.operations:
            raise NotSupported(_why_not(card, op, self.earn_rate), service=self.title)
        if op is OpName.REPORT_OFFER:
            return self._plan_offer(card, operation)
        if op is OpName.PURCHASE:
            amount = operation.amount
            if amount is None or amount <= 0 or self.earn_rate is None:
                raise InvalidAmount(_("The amount must be more than zero."))
            points = int((amount * self.earn_rate).to_integral_value(rounding=ROUND_DOWN))
            if points <= 0:
                # i18n: {rate} is a number of points ("0.1 points"), earned for each unit of
                # the currency spent
                raise InvalidAmount(_("A purchase of {amount} earns no points ({rate} for "
                                      "each unit spent).").format(
                    amount=format_money(amount), rate=quantity(self.earn_rate, Unit.POINTS)),
                                    _("Nothing was sent."))
            # i18n: {operation} is the operation in words, e.g. "Purchase of 12.50"
            what = ngettext("{operation}: {count} point", "{operation}: {count} points",
                            points).format(operation=operation.describe(),
                                           count=format_number(points))
            preview = Figures(to_pay=amount, earned=points)
        else:
            points = operation.count or 0
            what = operation.describe()
            preview = Figures(earned=points)
        if not 1 <= points <= MAX_POINTS:
            raise InvalidAmount(_("vmob takes 1 to {max} points in one request.").format(
                max=format_number(MAX_POINTS)))
        body = {F_CARD: self.loyalty_card_id, F_REQUESTED: points,
                F_AUTO_REWARD: self.auto_reward, F_FILL: self.fill}
        return Plan(operation, (Step(A_POINTS, body, what),), preview)

    def _plan_offer(self, card: Card, operation: Operation) -> Plan:
        """One redemption advice; its date is fixed now, so that a resend is the same report
        (**assumed**: vmob takes an identical advice as one)."""
        text = self._offer_text(card.code) or card.card_id
        now = dt.datetime.now().astimezone()
        offset = now.strftime("%z")
        body = {F_TEXT: text,
                F_DATE: now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                F_OFFSET: f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"}
        return Plan(operation, (Step(A_ADVICE, body, _("Report offer code {code} to vmob")
                                     .format(code=text)),), Figures())

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one step; ``key`` is the Create Points ``transactionId``."""
        retry = step.resumed or self._was_lost(key)
        try:
            if step.action == A_ADVICE:
                status = self.wire.redemption_advice(step.body)
                with self._lock:
                    self._reported.add(str(step.body.get(F_TEXT)))
                return {"action": A_ADVICE, "status": status}
            if step.action != A_POINTS:
                raise MissingParameter(_("Unknown vmob step {step!r}.").format(
                    step=step.action[:40]), service=self.title)
            if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
                raise MissingParameter(_("The operation key is missing or unusable."),
                                       service=self.title)
            answer = self.wire.create_points(card.code, step.body, key)
        except OutcomeUnknown:
            self._note_lost(key)
            raise
        if answer.replay:
            if not retry:
                how = ("HTTP 409" if answer.status == 409
                       else _("outcome 2, transaction id invalid"))
                raise Refused(_("vmob refused the operation's transaction id as used before "
                                "({how}); this request added no points.").format(how=how),
                              _("Start the operation again: it gets a new transaction id."),
                              service=self.title)
            return {"action": A_POINTS, "replayed": True, **answer.to_json()}
        if answer.total <= 0:
            reasons = _reasons(answer.rows) or _("vmob did not say why")
            raise Refused(_("vmob added no points: {reasons}.").format(reasons=reasons),
                          service=self.title)
        return {"action": A_POINTS, **answer.to_json()}

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        """The answer row by row: points per card instance, cards completed, each outcome."""
        last = next((a for a in reversed(answers) if isinstance(a, dict)), None)
        if last is None:
            return plan.preview
        if last.get("action") == A_ADVICE:
            text = str(plan.steps[0].body.get(F_TEXT, "")) if plan.steps else ""
            return plan.preview.replace(notes=(
                (_("Offer"), _("{code} reported to vmob").format(code=text)),
                (_("Note"), _("vmob does not answer whether the offer is valid"))))
        if last.get("replayed"):
            return plan.preview.replace(earned=None,
                                        notes=((_("Already applied"), _(REPLAYED)),))
        answer = PointsAnswer.from_json(last)
        asked = int(plan.steps[0].body.get(F_REQUESTED, 0)) if plan.steps else 0
        total = answer.total
        capped = not self.fill and total < asked and not _reasons(answer.rows)
        notes, completed = _rows(answer.rows, capped, total < asked)
        if total < asked:
            why = _reasons(answer.rows) or (
                _("the card is full and filling a new card is switched off")
                if not self.fill else _("vmob did not say why"))
            notes.append((_("Not added"), ngettext(
                "{count} of {asked} point: {why}", "{count} of {asked} points: {why}", asked)
                .format(count=format_number(asked - total), asked=format_number(asked),
                        why=why)))
        elif total > asked:
            notes.append((_("Allocated"), ngettext(
                "{count} points, more than the {asked} asked, as vmob answered",
                "{count} points, more than the {asked} asked, as vmob answered", total)
                .format(count=format_number(total), asked=format_number(asked))))
        return plan.preview.replace(
            earned=total, balance=answer.balance, rewards_earned=completed or None,
            notes=tuple(notes))

    def _was_lost(self, key: str) -> bool:
        with self._lock:
            return key in self._lost

    def _note_lost(self, key: str) -> None:
        with self._lock:
            self._lost[key] = None
            while len(self._lost) > MAX_LOST:
                self._lost.popitem(last=False)

    def check(self) -> str:
        """Whether vmob answers at the address and takes the merchant key (nothing is added:
        vmob has no call that checks a key without adding points, so a read of no consumer
        is sent; a 403 to it is taken as the key refused, **assumed**)."""
        answer = self.wire.probe()
        failure = self.status_failure(answer, mutating=False)
        if failure is not None:
            raise failure
        if answer.status in (401, 403):
            raise AuthError(_("vmob refused the merchant key."), service=self.title)
        if 200 <= answer.status < 500:
            if self.earn_rate:
                return _("vmob: reachable, loyalty card {card}, {rate} points per unit on "
                         "purchases; the customer's code is checked when points are added"
                         ).format(card=self.loyalty_card_id,
                                  rate=format_number(self.earn_rate))
            return _("vmob: reachable, loyalty card {card}; the customer's code is checked "
                     "when points are added").format(card=self.loyalty_card_id)
        raise BadResponse(_("vmob answered HTTP {status}.").format(status=answer.status),
                          service=self.title)


# -- the answer in words ---------------------------------------------------------------------


def _rows(rows: tuple[Row, ...], capped: bool, short: bool,
          ) -> tuple[list[tuple[str, str]], int]:
    """One note per card instance touched, and how many cards were completed.

    The answer does not say when a card is full (**assumed** from its shape): a row followed
    by one for another instance was filled, and so was one whose reward could not be
    activated; the last row is full when it reached the balance of a card filled before it,
    or when points were left over without multi-card fill and no outcome said why
    (``capped``). ``short``: fewer points went on than were asked (said separately).
    """
    notes: list[tuple[str, str]] = []
    full = [False] * len(rows)
    for i, row in enumerate(rows):
        later = rows[i + 1] if i + 1 < len(rows) else None
        if row.outcome == OUTCOME_REWARD_ACTIVATION or (
                later is not None and (later.instance != row.instance
                                       or later.outcome == OUTCOME_CARD_ACTIVATION)):
            full[i] = True
    sizes = [r.balance for r, f in zip(rows, full, strict=True) if f and r.balance]
    if rows and not full[-1] and (capped or (sizes and (rows[-1].balance or 0) >= max(sizes))):
        full[-1] = True
    number = 0
    for i, row in enumerate(rows):
        if row.instance or row.allocated:
            number += 1
            label = _("Card {number}").format(number=number)
        elif short:
            continue  # no card, no points: its outcome is said with what was not added
        else:
            label = _("vmob said")
        parts = []
        if row.allocated is not None and (row.allocated or row.instance):
            parts.append(ngettext("+{count} point", "+{count} points", row.allocated).format(
                count=format_number(row.allocated)))
        if row.balance is not None and row.instance:
            parts.append(_("now {balance}").format(balance=format_number(row.balance)))
        if full[i]:
            parts.append(_("complete: a reward earned"))
        if row.outcome not in (None, OUTCOME_SUCCESS):
            parts.append(_words(row))
        notes.append((label, ", ".join(parts) or "—"))
    return notes, sum(full)


def _reasons(rows: tuple[Row, ...]) -> str:
    """Every non-zero outcome of the rows, in words, each once."""
    seen: list[str] = []
    for row in rows:
        if row.outcome not in (None, OUTCOME_SUCCESS):
            words = _words(row)
            if words not in seen:
                seen.append(words)
    return "; ".join(seen)


def _words(row: Row) -> str:
    words = OUTCOME_WORDS.get(row.outcome or 0)
    if words is not None:
        return _(words)
    if row.text:
        return _("outcome {number} ({text})").format(number=row.outcome, text=row.text)
    return _("outcome {number}").format(number=row.outcome)


def _why_not(card: Card, op: OpName, rate: Decimal | None) -> str:
    if card.kind is CardKind.COUPON:
        if not card.operations:
            return _("This till has reported this offer code to vmob already.")
        return _("An offer code can only be reported to vmob as used.")
    if op is OpName.PURCHASE and rate is None:
        return _("vmob adds points by count here: set an earn rate in the settings to add "
                 "them from a purchase amount.")
    if op is OpName.REPORT_OFFER:
        return _("This is a customer's code, not an offer code.")
    return _("vmob cannot do this ({operation}).").format(operation=LABELS[op].lower())


# -- settings --------------------------------------------------------------------------------


def _flag(table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "no", "0", "off"):
        return False
    if text in ("true", "yes", "1", "on"):
        return True
    raise ConfigError(_("[vmob] {key} must be true or false, not {value!r}.").format(
        key=key, value=str(value)[:20]))


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"\d{1,12}", text) else None
