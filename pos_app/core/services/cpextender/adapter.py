"""CP Extender (NCR Counterpoint loyalty) adapter: claim, card, plan, execute and refresh over
:mod:`.wire`.

CP Extender documents no de-duplication, so nothing is re-sent blindly: each step's
``expect`` names the loyalty figure it moves (for :mod:`pos_app.core.reconcile`), and
:meth:`CpExtenderBackend.evidence` finds the service's own record of an operation by its key
(a History row whose ``Document`` is the ``Reference`` or ``SaleId``). Spending is two tracked
steps, Authorize then Confirm; Confirm is only sent with the cashier there, and undone by
Cancel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx

from pos_app.core.backends.base import CardRef, HistoryRow, Plan, Step
from pos_app.core.backends.http_backend import HttpBackend
from pos_app.core.cards import KIND_LABELS, Card, CardKind, CardStatus, Holder
from pos_app.core.errors import (
    BadResponse,
    CardNotFound,
    ConfigError,
    FinishAtService,
    InvalidAmount,
    InvalidInput,
    NotSupported,
    Refused,
    ServiceError,
)
from pos_app.core.figures import Figures
from pos_app.core.i18n import N_, NP_, _, ngettext
from pos_app.core.money import format_number, to_decimal
from pos_app.core.operations import Operation, OpName
from pos_app.core.services.cpextender.wire import JSON, LOYALTY_TYPE, TITLE, CpWire, clip

log = logging.getLogger(__name__)

NAME = "cpextender"
EARN, AUTHORIZE, CONFIRM, CANCEL = ("Loyalty/Earn", "Loyalty/Authorize", "Authorize/Confirm",
                                    "Authorize/Cancel")
PENDING_CHARGE = "Pending Charge"  # i18n-skip (the Activity CP Extender writes)
#: Assumed: without a ``pattern``, a code is a CP customer number when it looks like
#: ``CPOL-123185`` (letters, a dash, digits). Other numbers need the ``pattern`` setting.
_DEFAULT_CODE = re.compile(r"[A-Za-z]{2,8}-\d{3,12}")
_STATUSES = {"active": CardStatus.ACTIVE, "inactive": CardStatus.BLOCKED,
             "blocked": CardStatus.BLOCKED, "suspended": CardStatus.BLOCKED,
             "expired": CardStatus.EXPIRED}
#: Loyalty fields kept in ``Card.raw`` as whole numbers (what steps' ``expect`` names).
FIGURES = ("PointBalance", "OpenAuthorizations", "PendingPointsEarned", "AvailablePointBalance")


#: The card's loyalty figures beside its balance: (label, BalanceCheck field).
_FACTS = ((N_("Total points"), "PointBalance"), (N_("On hold"), "OpenAuthorizations"),
          (NP_("points", "Pending"), "PendingPointsEarned"))
#: The program's rules, when it describes them: (label, BalanceCheck field).
_RULES = ((N_("Earning"), "EarningDescription"), (N_("Redemption"), "RedemptionDescription"))


def _points(n: int) -> str:
    """``n`` points in words: "1 point", "2,000 points"."""
    return ngettext("{count} point", "{count} points", n).format(count=format_number(n))


class CpExtenderBackend(HttpBackend):
    """CP Extender: one loyalty record per Counterpoint customer, in whole points."""

    name = NAME
    title = TITLE
    idempotent = False
    whole_amounts = True
    #: A customer number such as ``100009`` or ``CPOL-123185`` (assumed: six or more).
    min_code_length = 6

    def __init__(self, base_url: str, *, username: str = "", password: str = "",
                 token: str = "", pattern: str | None = None,
                 earn_rate: Decimal | None = None,
                 timeout: httpx.Timeout | None = None) -> None:
        token, username = token.strip(), username.strip()
        if not token and not (username and password):
            raise ConfigError(_("CP Extender needs a user name and password, or a permanent "
                                "token."),
                              _("Set [cpextender] username and password (or token)."))
        if token and not re.fullmatch(r"[\x21-\x7e]+", token):
            raise ConfigError(_("The CP Extender token has characters a token cannot have."))
        if earn_rate is not None and not (earn_rate.is_finite() and earn_rate > 0):
            raise ConfigError(_bad_earn_rate())
        super().__init__(base_url, pattern=pattern, timeout=timeout, headers=JSON)
        self.earn_rate = earn_rate
        self.wire = CpWire(self.http, lambda answer, mutating: self.status_failure(
            answer, mutating=mutating), username=username, password=password, token=token)

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], *,
                      timeout: httpx.Timeout | None = None) -> CpExtenderBackend:
        rate = table.get("earn_rate")
        earn_rate = None if rate in (None, "") else to_decimal(rate)
        if rate not in (None, "") and (earn_rate is None or isinstance(rate, bool)):
            raise ConfigError(_bad_earn_rate())
        return cls(str(table["base_url"]), username=cls.table_text(dict(table), "username"),
                   password=str(table.get("password") or ""),
                   token=cls.table_text(dict(table), "token"),
                   pattern=str(table["pattern"]) if table.get("pattern") else None,
                   earn_rate=earn_rate, timeout=timeout)

    # -- codes and cards -------------------------------------------------------------------

    def claim(self, code: str) -> str | None:
        """Customer numbers are upper case at CP Extender, whoever typed them."""
        claimed = super().claim(code)
        return claimed.upper() if claimed else None

    def claim_default(self, text: str) -> str | None:
        return text if _DEFAULT_CODE.fullmatch(text) else None

    def _number(self, code: str) -> str:
        return self.claimed(code, _("This is not a CP Extender customer number."),
                            _("Scan the customer's card again, or type the number "
                              "(like CPOL-123185)."))

    def get_card(self, code: str) -> Card:
        """``Loyalty/{id}/BalanceCheck``, with the holder from ``Customer/FromId``."""
        number = self._number(code)
        try:
            loyalty = self.wire.balance_check(number)
        except CardNotFound:
            self._not_enrolled(number)
            raise
        return self._card(loyalty, number, self._holder(number))

    def _not_enrolled(self, number: str) -> None:
        """Raise a plain message when ``number`` is a customer without a loyalty record."""
        try:
            self.wire.customer("FromId", number)
        except ServiceError:
            return
        raise NotSupported(_("This Counterpoint customer is not enrolled in the loyalty "
                             "program."),
                           _("Enrol them in Counterpoint first; nothing was changed."),
                           service=self.title)

    def _holder(self, number: str) -> Holder | None:
        try:
            info = self.wire.customer("FromId", number)
        except ServiceError as exc:
            log.info("cpextender: no holder for a customer: %s", exc.kind)
            return None
        return _holder(info)

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        return self._card(self.wire.balance_check(card.card_id), card.card_id, card.holder)

    def _card(self, loyalty: dict[str, Any], number: str, holder: Holder | None) -> Card:
        raw: dict[str, Any] = {}
        for name in FIGURES:
            value = to_decimal(loyalty.get(name))
            if value is None or value != value.to_integral_value():
                raise BadResponse(_("CP Extender's balance for {number} has no valid "
                                    "{name}.").format(number=number, name=name),
                                  service=self.title)
            raw[name] = int(value)
        status = _STATUSES.get(clip(loyalty.get("Status")).lower(), CardStatus.ACTIVE)
        raw.update(History=loyalty.get("History") if isinstance(loyalty.get("History"), list)
                   else [], ProgramName=clip(loyalty.get("ProgramName")))
        facts = [(_(label), format_number(raw[key])) for label, key in _FACTS]
        for label, key in _RULES:
            if clip(loyalty.get(key), 200):
                facts.append((_(label), clip(loyalty.get(key), 200)))
        card = Card(service=self.name, code=number, card_id=number, kind=CardKind.POINTS,
                    status=status, holder=holder, balance=Decimal(raw["AvailablePointBalance"]),
                    template=raw["ProgramName"] or None, facts=tuple(facts), raw=raw)
        return card.with_operations(self._available(card))

    def _available(self, card: Card) -> tuple[OpName, ...]:
        if not card.usable:
            return ()
        ops = [OpName.ACCRUE]
        if self.earn_rate is not None:
            ops.insert(0, OpName.PURCHASE)
        if (card.balance or 0) > 0:
            ops += [OpName.SPEND, OpName.HOLD]
        return tuple(ops)

    # -- operations ------------------------------------------------------------------------

    def plan(self, card: Card, operation: Operation) -> Plan:
        """Earn for ``accrue`` and ``purchase``; Authorize then Confirm for ``spend``;
        Authorize alone, Confirm waiting for the cashier, for ``hold``."""
        op = operation.name
        if op not in (OpName.ACCRUE, OpName.PURCHASE, OpName.SPEND, OpName.HOLD):
            raise NotSupported(_("A CP Extender loyalty card cannot do this ({operation}).")
                               .format(operation=operation.label.lower()), service=self.title)
        if op is OpName.PURCHASE and self.earn_rate is None:
            raise NotSupported(_("Purchases earn points here only with [cpextender] earn_rate "
                                 "set."), _("Use accrue POINTS instead; nothing was sent."),
                               service=self.title)
        if not card.usable:
            raise Refused(_("The loyalty card is {status}.").format(
                status=card.status_label.lower()), service=self.title)
        available = int(card.balance or 0)
        if op in (OpName.ACCRUE, OpName.PURCHASE):
            return self._plan_earn(card, operation, available)
        points = _whole(operation.amount if op is OpName.SPEND else operation.count)
        if points > available:
            raise Refused(ngettext("The customer may spend {count} point; {points} cannot be "
                                   "taken.",
                                   "The customer may spend {count} points; {points} cannot be "
                                   "taken.", available).format(count=format_number(available),
                                                               points=_points(points)),
                          _("Spend at most the available points; nothing was sent."),
                          service=self.title)
        authorize = Step(AUTHORIZE, {"Type": LOYALTY_TYPE, "Ref": card.card_id, "SaleId": None,
                                     "RequestedPoints": points},
                         ngettext("Hold {count} point", "Hold {count} points", points).format(
                             count=format_number(points)),
                         {"field": "OpenAuthorizations", "delta": points})
        cancel = Step(CANCEL, {"Ref": None, "AuthCode": None},
                      ngettext("Release the {count} point held", "Release the {count} points "
                               "held", points).format(count=format_number(points)),
                      {"field": "OpenAuthorizations", "delta": -points})
        confirm = Step(CONFIRM, {"Ref": None, "AuthCode": None},
                       ngettext("Take the {count} point held", "Take the {count} points held",
                                points).format(count=format_number(points)),
                       {"field": "PointBalance", "delta": -points},
                       Step.CASHIER if op is OpName.SPEND else Step.FINISH, cancel)
        preview = Figures(balance=available - points, steps=2)
        return Plan(operation, (authorize, confirm),
                    preview.replace(spent=points) if op is OpName.SPEND else preview)

    def _plan_earn(self, card: Card, operation: Operation, available: int) -> Plan:
        if operation.name is OpName.ACCRUE:
            points = _whole(operation.count)
            # The Reason is CP Extender's record (its back office reads it), not translated.
            reason, preview = "Points added at the till", Figures(earned=points)  # i18n-skip
        else:
            amount = operation.amount
            if amount is None or not amount.is_finite() or amount <= 0:
                raise InvalidAmount(_("Amount must be more than zero."))
            assert self.earn_rate is not None
            points = int((amount * self.earn_rate).to_integral_value(ROUND_FLOOR))
            if points <= 0:
                raise InvalidAmount(_("The purchase is too small to earn a point."),
                                    _("Nothing was sent."))
            reason = f"Purchase of {amount}"  # i18n-skip
            preview = Figures(to_pay=amount, earned=points)
        step = Step(EARN, {"CustomerNumber": card.card_id, "Points": points, "Reason": reason,
                           "Reference": None},
                    ngettext("Add {count} point", "Add {count} points", points).format(
                        count=format_number(points)),
                    {"field": "PointBalance", "delta": points})
        return Plan(operation, (step,), preview.replace(balance=available + points))

    def bind(self, step: Step, answers: list[dict[str, Any]]) -> Step:
        """Confirm and Cancel take the ``AuthCode`` the Authorize answer carried."""
        if step.action not in (CONFIRM, CANCEL) or step.body.get("AuthCode"):
            return step
        code = next((clip(a.get("AuthCode"), 100) for a in answers
                     if isinstance(a, dict) and clip(a.get("AuthCode"), 100)), "")
        if not code:
            raise FinishAtService(
                _("CP Extender holds the points but gave no authorization code, so the till "
                  "cannot confirm or cancel the hold."),
                _("Finish it in Counterpoint: confirm the hold when the sale is paid, or "
                  "cancel it."), service=self.title)
        return Step(step.action, {**step.body, "AuthCode": code}, step.description,
                    step.expect, step.send, step.cancel)

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Send one step: ``key`` is Earn's ``Reference``, Authorize's ``SaleId`` and the
        ``Ref`` of Confirm and Cancel (the hold's SaleId, assumed)."""
        body = step.body
        if step.action == EARN:
            return self.wire.earn(clip(body.get("CustomerNumber"), 40) or card.card_id,
                                  _whole(body.get("Points")), clip(body.get("Reason"), 100),
                                  key)
        if step.action == AUTHORIZE:
            return self.wire.authorize(clip(body.get("Ref"), 40) or card.card_id, key,
                                       _whole(body.get("RequestedPoints")))
        if step.action in (CONFIRM, CANCEL):
            code = clip(body.get("AuthCode"), 100)
            if not code:
                raise InvalidInput(_("The hold's authorization code is missing."))
            return self.wire.settle(step.action.split("/")[1], key, code)
        raise InvalidInput(_("Unknown CP Extender step {step!r}.").format(
            step=clip(step.action, 40)))

    def evidence(self, card: Card, step: Step, key: str, *, mark: Any = None,
                 done: tuple[Step, ...] = (), sent: dt.datetime | None = None) -> bool | None:
        """The History row whose ``Document`` is ``key``: an earn or a redemption (no
        ``Activity``) or a hold (``Pending Charge``)."""
        history = self.wire.balance_check(card.card_id).get("History")
        rows = [r for r in history if isinstance(r, dict) and clip(r.get("Document"), 100)
                == key] if isinstance(history, list) else []
        held = any(clip(r.get("Activity")) == PENDING_CHARGE for r in rows)
        booked = [r for r in rows if not clip(r.get("Activity"))]
        if step.action == EARN:
            return any((to_decimal(r.get("PointAmount")) or 0) > 0 for r in booked)
        taken = any((to_decimal(r.get("PointAmount")) or 0) < 0 for r in booked)
        if step.action == AUTHORIZE:
            return held or taken
        if step.action == CONFIRM:
            return True if taken else (False if held else None)
        if step.action == CANCEL:
            return None if taken else not held
        return None

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        return plan.preview.replace(steps_done=len(answers)) if plan.preview.steps else \
            plan.preview

    # -- customers and history -------------------------------------------------------------

    def history(self, card: Card) -> list[HistoryRow]:
        """BalanceCheck's History (the last year), newest first."""
        rows = self.wire.balance_check(card.card_id).get("History")
        found = [_history_row(r) for r in rows if isinstance(r, dict)] \
            if isinstance(rows, list) else []
        return sorted(found, key=lambda r: r.when or dt.datetime.min, reverse=True)

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """``Customer/FromEmail`` (CP Extender has no search by phone)."""
        if not email:
            return []
        text = email.strip()
        if not re.fullmatch(r"[^@\s/]+@[^@\s/]+", text) or len(text) > 254:
            raise InvalidInput(_("{text!r} is not an email address.").format(text=text))
        try:
            info = self.wire.customer("FromEmail", text)
        except CardNotFound:
            return []
        number = clip(info.get("CPCustomerID"), 40)
        if not number:
            return []
        return [CardRef(service=self.name, code=number, kind_label=KIND_LABELS[CardKind.POINTS],
                        status=_("Counterpoint customer"), holder=_holder(info))]

    def check(self) -> str:
        """``Connection/Status`` and ``GetVersion``, then the login."""
        status = clip(self.wire.status().get("Status"), 20) or "?"
        version = self.wire.version()
        if self.wire.permanent:  # nothing to log in with: one call shows the token works
            with contextlib.suppress(CardNotFound):
                self.wire.customer("FromId", "0")
            return (_("CP Extender: {status}, version {version}, permanent token accepted")
                    .format(status=status, version=version or _("not given")))
        self.wire.token()
        return _("CP Extender: {status}, version {version}, signed in").format(
            status=status, version=version or _("not given"))


def _whole(value: Any) -> int:
    number = to_decimal(value)
    if number is None or not number.is_finite() or number <= 0:
        raise InvalidAmount(_("Points must be at least 1."))
    if number != number.to_integral_value():
        raise InvalidAmount(_("CP Extender takes whole points."), _("Type a whole number."))
    if number > 10**9:
        raise InvalidAmount(_("That is more points than CP Extender takes at once."))
    return int(number)


def _holder(info: dict[str, Any]) -> Holder | None:
    first, last = clip(info.get("FirstName"), 100), clip(info.get("LastName"), 100)
    if not first and not last:
        first = clip(info.get("FullName"), 100)
    holder = Holder(first_name=first, last_name=last, email=clip(info.get("Email"), 254))
    return holder if holder.name else None


def _history_row(row: dict[str, Any]) -> HistoryRow:
    """One History row: dates read as ``MM/DD/YYYY``."""
    when = None
    with contextlib.suppress(ValueError):
        when = dt.datetime.strptime(clip(row.get("Date"), 20), "%m/%d/%Y")
    points = to_decimal(row.get("PointAmount"))
    activity, reason = clip(row.get("Activity"), 60), clip(row.get("Reason"), 60)
    document = clip(row.get("Document"), 60)
    what = activity or reason or (_("Earned") if (points or 0) > 0 else _("Redeemed"))
    if document:
        what = _("{what} ({document})").format(what=what, document=document)
    value = ""
    if points is not None:
        whole = int(points.to_integral_value())
        value = ngettext("{count} point", "{count} points", abs(whole)).format(
            count=("+" if whole >= 0 else "") + format_number(whole))
    return HistoryRow(when, what, value, day_only=True)


def _bad_earn_rate() -> str:
    return _("[cpextender] earn_rate must be a number above zero.")
