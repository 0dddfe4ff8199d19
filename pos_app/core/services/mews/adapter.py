"""Mews loyalty memberships adapter: a scanned membership number is a card with points.

Mews changes points only by writing the whole value (``Points: {"Value": n}``), with no version
to make the write conditional. So each points step carries the value it writes and the change
it makes (``expect``: ``value`` and ``delta``); :meth:`MewsBackend.execute` reads the
membership right before writing and writes nothing when its points are no longer the value the
step was planned from (:class:`CardChanged`, with the new value). After a lost answer the
counter reads again (:mod:`pos_app.core.reconcile`): the target value means applied, the old
one not, anything else stays unknown for a person to look at. Mews keeps no record of a
write by our key (no points history), so :meth:`~Backend.evidence` stays ``None``.

The counter reads a card again by its Mews id before planning, so the adapter also remembers
the points it last showed for each membership looked up by its number (what the cashier saw):
a plan on a read whose points differ refuses with :class:`CardChanged`, and the new value is
then the one seen, to be confirmed again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from pos_app import __version__
from pos_app.core.backends.base import CardRef, CardTemplate, Plan, Step, check_holder
from pos_app.core.backends.http_backend import HttpBackend
from pos_app.core.cards import KIND_LABELS, STATUS_LABELS, Card, CardKind, CardStatus, Holder
from pos_app.core.errors import (
    BadResponse,
    CardChanged,
    CardNotFound,
    ConfigError,
    InvalidAmount,
    InvalidCode,
    InvalidInput,
    NotSupported,
    OutcomeUnknown,
    Refused,
    ServiceError,
)
from pos_app.core.figures import Figures
from pos_app.core.formatting import date as format_date
from pos_app.core.i18n import _, ngettext
from pos_app.core.money import format_number, to_int
from pos_app.core.operations import Operation, OpName
from pos_app.core.services.mews.wire import API_PATH, TITLE, MewsWire, clip

log = logging.getLogger(__name__)

#: The write every points and expiry step is (the journal's step action).
UPDATE = "loyaltyMemberships/update"
#: Raw card fields the steps change (``expect["field"]``).
F_POINTS = "Points"  # i18n-skip
F_EXPIRY = "ExpirationDate"
#: Mews membership states and what the till makes of them (New and Pending: assumed usable).
STATES = {"New": CardStatus.PENDING, "Pending": CardStatus.PENDING,
          "Enrolled": CardStatus.ACTIVE, "Canceled": CardStatus.CANCELED,
          "Declined": CardStatus.DECLINED}
#: Assumed default membership numbers: a program code, a dash, digits (``HC-000123``).
NUMBER_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,9}-\d{3,12}")
GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}")
#: Memberships whose last shown points are remembered.
SHOWN_CAP = 1000
#: Most points a membership is given (a typing slip guard).
MAX_POINTS = 10**9
PROGRAM_TYPE = "Hotel"  # i18n-skip
PROGRAM_SUBSCRIPTION = "Free"  # i18n-skip


@dataclass(frozen=True)
class Tier:
    id: str
    name: str
    code: str
    ordering: int


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    code: str
    tiers: tuple[Tier, ...] = ()


def utc_text(value: dt.datetime | dt.date) -> str:
    """A date (end of day) or datetime as Mews writes it: ``YYYY-MM-DDThh:mm:ssZ``, UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59), dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: Any) -> dt.datetime | None:
    """An ISO 8601 UTC datetime from an answer, or ``None``."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class MewsBackend(HttpBackend):
    """Mews loyalty memberships at the chain's shop, bar or spa."""

    name = "mews"
    title = TITLE
    idempotent = False
    #: Points are written whole: the membership's value is the record of a write (a value
    #: that did not move after a lost answer was not written).
    values_are_record = True
    #: A membership number such as ``HC-000123`` (assumed: code, dash, three digits or more).
    min_code_length = 6
    whole_amounts = True
    #: Items asked for per page of programs (small: chains have few; **assumed**).
    program_page = 10

    def __init__(self, base_url: str, client_token: str, access_token: str, *,
                 program_id: str | None = None, pattern: str | None = None,
                 timeout: httpx.Timeout | None = None) -> None:
        tokens = ((client_token, _("The Mews client token is not set."),
                   _("The Mews client token has characters a token cannot have.")),
                  (access_token, _("The Mews access token is not set."),
                   _("The Mews access token has characters a token cannot have.")))
        for token, unset, bad in tokens:
            if not token or not token.strip():
                raise ConfigError(unset)
            if not re.fullmatch(r"[\x21-\x7e]+", token.strip()):
                raise ConfigError(bad)
        super().__init__(base_url.rstrip("/") + API_PATH, pattern=pattern, timeout=timeout)
        self.program_id = (program_id or "").strip() or None
        self.wire = MewsWire(self.http, client_token.strip(), access_token.strip(),
                             f"pos-app {__version__}",
                             lambda answer, mutating: self.status_failure(answer,
                                                                         mutating=mutating))
        self._programs: dict[str, Program] = {}
        self._shown: OrderedDict[str, int] = OrderedDict()
        self._holders: OrderedDict[str, Holder | None] = OrderedDict()
        self._shown_lock = threading.Lock()

    @classmethod
    def from_settings(cls, table: Mapping[str, Any], *,
                      timeout: httpx.Timeout | None = None) -> MewsBackend:
        return cls(str(table["base_url"]), str(table["client_token"]),
                   str(table["access_token"]), program_id=cls.table_text(dict(table),
                                                                          "program_id"),
                   pattern=cls.table_text(dict(table), "pattern") or None, timeout=timeout)

    # -- codes and cards -----------------------------------------------------------------------

    def claim_default(self, text: str) -> str | None:
        """A membership number like ``HC-000123`` (**assumed**; set ``pattern`` otherwise)."""
        return text if NUMBER_RE.fullmatch(text) else None

    def get_card(self, code: str) -> Card:
        """The membership by its number (or by its Mews id, as the counter reads it again)."""
        text = code.strip() if isinstance(code, str) else ""
        if not text or len(text) > 255 or not text.isprintable():
            raise InvalidCode(_("This is not a Mews membership number."))
        found: list[dict[str, Any]] = []
        if GUID_RE.fullmatch(text):
            found = self.wire.memberships({"LoyaltyMembershipIds": [text]})
        if not found:
            found = self.wire.memberships_by_number(text)
        if self.program_id:
            found = [m for m in found if m.get("LoyaltyProgramId") == self.program_id]
        if not found:
            raise CardNotFound(_("Mews has no membership with this number."), service=TITLE)
        scanned = not GUID_RE.fullmatch(text) or found[0].get("Id") != text
        card = self._card(found[0], fresh_holder=scanned)
        if scanned:  # looked up by its number: what the cashier is shown
            self._seen(card)
        return card

    def refresh(self, card: Card, answers: list[dict[str, Any]]) -> Card:
        """The membership after an operation (shown to the cashier)."""
        return self._seen(self.get_card(card.card_id))

    def _seen(self, card: Card) -> Card:
        with self._shown_lock:
            self._shown[card.card_id] = int(card.balance or 0)
            self._shown.move_to_end(card.card_id)
            while len(self._shown) > SHOWN_CAP:
                self._shown.popitem(last=False)
        return card

    def _check_seen(self, card: Card) -> None:
        """:class:`CardChanged` when ``card``'s points are not those last shown; the new
        value becomes the one shown (the cashier confirms again against it)."""
        points = int(card.balance or 0)
        with self._shown_lock:
            shown = self._shown.get(card.card_id)
            self._shown[card.card_id] = points
        if shown is not None and shown != points:
            raise CardChanged(_changed(card.code, points, shown), service=TITLE,
                              current=points)

    def _card(self, obj: dict[str, Any], *, fresh_holder: bool = True) -> Card:
        """A membership as a card; the member's name is read again only when ``fresh_holder``
        (a scan), else taken from the names already read (the counter's re-reads: Mews's
        request limit is shared by every till on the access token)."""
        mid = clip(obj.get("Id"), 64)
        number = clip(obj.get("MembershipNumber"), 255) or clip(obj.get("Code"), 255)
        if not mid or not number:
            raise BadResponse(_("Mews sent a membership without an id or a number."),
                              service=TITLE)
        state = STATES.get(clip(obj.get("State"), 20))
        if state is None:
            raise BadResponse(_("Mews reported an unknown membership state ({state}).").format(
                state=clip(obj.get("State"), 20) or "—"), service=TITLE)
        points = to_int(obj.get(F_POINTS)) if obj.get(F_POINTS) is not None else 0
        if points is None or points < 0:
            raise BadResponse(_("Mews's membership {number} has no valid points.").format(
                number=number), service=TITLE)
        expires = parse_utc(obj.get(F_EXPIRY))
        if state is CardStatus.ACTIVE and expires is not None and expires < dt.datetime.now(
                dt.UTC):
            state = CardStatus.EXPIRED
        program = self._program(clip(obj.get("LoyaltyProgramId"), 64))
        tier = self._tier(program, clip(obj.get("LoyaltyTierId"), 64))
        raw = {**obj, F_POINTS: points,
               F_EXPIRY: None if expires is None else utc_text(expires)}
        card = Card(service=self.name, code=number, card_id=mid, kind=CardKind.MEMBERSHIP,
                    status=state, holder=self._holder(clip(obj.get("AccountId"), 64),
                                                      fresh_holder),
                    balance=Decimal(points), level=tier.name if tier else None,
                    expires=None if expires is None else expires.date(),
                    template=program.name if program else None, raw=raw)
        ops = ((OpName.ACCRUE, OpName.SPEND, OpName.SET_EXPIRY) if points > 0
               else (OpName.ACCRUE, OpName.SET_EXPIRY))
        return card.with_operations(ops if card.usable else ())

    def _holder(self, account: str, fresh: bool) -> Holder | None:
        """The member: a customer, else a company (its name as the last name)."""
        if not account:
            return None
        with self._shown_lock:
            if not fresh and account in self._holders:
                return self._holders[account]
        try:
            people = self.wire.customers(ids=[account])
            if people:
                p = people[0]
                holder: Holder | None = Holder(clip(p.get("FirstName"), 100),
                                               clip(p.get("LastName"), 100), "",
                                               clip(p.get("Email"), 254))
            else:
                companies = self.wire.companies([account])
                holder = Holder("", clip(companies[0].get("Name"), 200)) if companies else None
        except ServiceError as exc:
            log.info("mews: no member name for a membership: %s", exc.kind)
            return None
        with self._shown_lock:
            self._holders[account] = holder
            self._holders.move_to_end(account)
            while len(self._holders) > SHOWN_CAP:
                self._holders.popitem(last=False)
        return holder

    # -- programs and tiers, cached --------------------------------------------------------------

    def programs(self, *, refresh: bool = True) -> list[Program]:
        """Every active program with its tiers, paged to the end."""
        if refresh or not self._programs:
            listed = self.wire.programs(count=self.program_page)
            tiers: dict[str, list[Tier]] = {}
            ids = [clip(p.get("Id"), 64) for p in listed if clip(p.get("Id"), 64)]
            for start in range(0, len(ids), 1000):
                for t in self.wire.tiers(ids[start:start + 1000]):
                    tiers.setdefault(clip(t.get("LoyaltyProgramId"), 64), []).append(
                        _tier(t))
            self._programs = {}
            for p in listed:
                pid = clip(p.get("Id"), 64)
                if pid:
                    self._programs[pid] = Program(
                        pid, clip(p.get("Name"), 100) or pid, clip(p.get("Code"), 50),
                        tuple(sorted(tiers.get(pid, []), key=lambda t: t.ordering)))
        return sorted(self._programs.values(), key=lambda p: p.name.lower())

    def _program(self, program_id: str) -> Program | None:
        """A program from the cache, refreshed once on a miss."""
        if not program_id:
            return None
        if program_id not in self._programs:
            try:
                self.programs()
            except ServiceError as exc:
                log.info("mews: programs not read: %s", exc.kind)
        return self._programs.get(program_id)

    def _tier(self, program: Program | None, tier_id: str) -> Tier | None:
        if program is None or not tier_id:
            return None
        tier = next((t for t in program.tiers if t.id == tier_id), None)
        if tier is None:  # a tier added since the cache was filled
            try:
                self.programs()
            except ServiceError as exc:
                log.info("mews: tiers not read: %s", exc.kind)
            program = self._programs.get(program.id, program)
            tier = next((t for t in program.tiers if t.id == tier_id), None)
        return tier

    def program_add(self, name: str, code: str) -> Program:
        name, code = name.strip(), code.strip()
        if not name or len(name) > 100 or not name.isprintable():
            raise InvalidInput(_name_rule())
        if not code or len(code) > 50 or not code.isprintable():
            raise InvalidInput(_("A program code needs 1 to 50 printable characters."))
        made = self.wire.add_program({"Name": name, "Code": code, "Type": PROGRAM_TYPE,
                                      "Subscription": PROGRAM_SUBSCRIPTION})
        self._programs.clear()
        return Program(clip(made.get("Id"), 64), clip(made.get("Name"), 100) or name,
                       clip(made.get("Code"), 50) or code)

    def program_rename(self, program_id: str, name: str) -> None:
        name = name.strip()
        if not name or len(name) > 100 or not name.isprintable():
            raise InvalidInput(_name_rule())
        self._known_program(program_id)
        self.wire.update_program({"LoyaltyProgramId": program_id.strip(),
                                  "Name": {"Value": name}})
        self._programs.clear()

    def program_delete(self, program_id: str) -> None:
        """Delete a program; refused, plainly, while it has active memberships."""
        program = self._known_program(program_id)
        active = [m for m in self.wire.memberships({"LoyaltyProgramIds": [program.id]},
                                                   count=100)
                  if STATES.get(str(m.get("State"))) in (CardStatus.ACTIVE, CardStatus.PENDING)]
        if active:
            raise Refused(ngettext(
                "The program {name!r} has {count} active membership; it was not deleted.",
                "The program {name!r} has {count} active memberships; it was not deleted.",
                len(active)).format(name=program.name, count=format_number(len(active))),
                _("Cancel or move those memberships first."), service=TITLE)
        self.wire.delete_program(program.id)
        self._programs.clear()

    def _known_program(self, program_id: str) -> Program:
        text = program_id.strip()
        program = next((p for p in self.programs() if p.id == text), None)
        if program is None:
            raise InvalidInput(_("Mews has no active program {id!r}.").format(
                id=clip(text, 64)), _("`pos-app mews programs` lists them; nothing was sent."))
        return program

    # -- operations ----------------------------------------------------------------------------

    def plan(self, card: Card, operation: Operation) -> Plan:
        """Points to add or take (the whole new value is written), or a new expiry date."""
        op = operation.name
        if op not in (OpName.ACCRUE, OpName.SPEND, OpName.SET_EXPIRY):
            raise NotSupported(_("A Mews membership cannot do this ({operation}).").format(
                operation=operation.label.lower()), service=TITLE)
        if not card.usable:
            raise Refused(_unusable(card.status), service=TITLE)
        if op is OpName.SET_EXPIRY:
            if operation.expiry is None:
                raise InvalidInput(_("The new expiry date is missing."))
            value = utc_text(operation.expiry)
            step = Step(UPDATE, {"LoyaltyMembershipId": card.card_id,
                                 F_EXPIRY: {"Value": value}},
                        _("Set the expiry date to {date}").format(
                            date=format_date(operation.expiry)),
                        {"field": F_EXPIRY, "value": value})
            return Plan(operation, (step,), Figures(expires=operation.expiry.isoformat()))
        self._check_seen(card)
        points = int(card.balance or 0)
        if op is OpName.ACCRUE:
            n = operation.count
            if n is None or isinstance(n, bool) or n <= 0:
                raise InvalidAmount(_("Points must be at least 1."))
            target, figures = points + n, Figures(earned=n, balance=points + n)
            text = ngettext("Add {count} point ({old} -> {new})",
                            "Add {count} points ({old} -> {new})", n).format(
                count=format_number(n), old=format_number(points), new=format_number(target))
        else:
            amount = operation.amount
            if amount is None or not amount.is_finite() or amount <= 0:
                raise InvalidAmount(_("Points must be more than zero."))
            if amount != amount.to_integral_value():
                raise InvalidAmount(_("Mews memberships hold whole points."),
                                    _("Type a whole number."))
            n = -int(amount)
            if points + n < 0:
                raise Refused(ngettext(
                    "The membership has {count} point; {n} cannot be taken.",
                    "The membership has {count} points; {n} cannot be taken.", points).format(
                    count=format_number(points), n=format_number(-n)), service=TITLE)
            target, figures = points + n, Figures(spent=-n, balance=points + n)
            text = ngettext("Take {count} point ({old} -> {new})",
                            "Take {count} points ({old} -> {new})", -n).format(
                count=format_number(-n), old=format_number(points), new=format_number(target))
        if target > MAX_POINTS:
            raise InvalidAmount(_("A membership holds at most {max} points.").format(
                max=format_number(MAX_POINTS)))
        step = Step(UPDATE, {"LoyaltyMembershipId": card.card_id,
                             F_POINTS: {"Value": target}}, text,
                    {"field": F_POINTS, "value": target, "delta": n})
        return Plan(operation, (step,), figures)

    def execute(self, card: Card, step: Step, key: str) -> dict[str, Any]:
        """Write the step's whole value, after reading the membership once more.

        When its points are no longer the value the step was planned from, nothing is
        written: :class:`CardChanged` carries the new value; when they already are the value
        the step writes, an earlier send may have landed: :class:`OutcomeUnknown`. ``key`` is
        not sent (Mews takes none).
        """
        if step.action != UPDATE or not isinstance(step.body.get("LoyaltyMembershipId"), str):
            raise InvalidInput(_("This step is not a Mews membership update."))
        expect = step.expect
        if expect.get("field") == F_POINTS:
            target, delta = to_int(expect.get("value")), to_int(expect.get("delta"))
            if target is None or delta is None:
                raise InvalidInput(_("The step does not say which points it writes."))
            found = self.wire.memberships(
                {"LoyaltyMembershipIds": [step.body["LoyaltyMembershipId"]]})
            if not found:
                raise CardNotFound(_("Mews no longer has this membership."), service=TITLE)
            state = STATES.get(clip(found[0].get("State"), 20))
            if state in (CardStatus.CANCELED, CardStatus.DECLINED):
                raise Refused(_unusable(state), service=TITLE)
            current = to_int(found[0].get(F_POINTS) or 0)
            if current is None:
                raise BadResponse(_("Mews sent the membership without valid points."),
                                  service=TITLE)
            number = clip(found[0].get("MembershipNumber"), 255) or card.code
            if current == target:
                raise OutcomeUnknown(ngettext(
                    "The membership already shows {count} point, the value this operation "
                    "writes.",
                    "The membership already shows {count} points, the value this operation "
                    "writes.", target).format(count=format_number(target)),
                    _("Check the membership before doing it again."), service=TITLE)
            if current != target - delta:
                with self._shown_lock:
                    self._shown[card.card_id] = current
                raise CardChanged(_changed(number, current, target - delta),
                                  service=TITLE, current=current)
        return self.wire.update_membership(step.body)

    def outcome(self, plan: Plan, answers: list[dict[str, Any]]) -> Figures:
        return plan.preview.replace(steps_done=len(answers), steps=len(plan.steps))

    # -- customers --------------------------------------------------------------------------------

    def find_cards(self, *, phone: str | None = None, email: str | None = None) -> list[CardRef]:
        """A guest's memberships by email (Mews does not look customers up by phone)."""
        if not email or not email.strip():
            return []
        guests = self.wire.customers(emails=[email.strip()])
        refs = []
        for guest in guests:
            gid = clip(guest.get("Id"), 64)
            holder = Holder(clip(guest.get("FirstName"), 100), clip(guest.get("LastName"), 100),
                            "", clip(guest.get("Email"), 254))
            for m in self.wire.memberships({"AccountIds": [gid]}) if gid else []:
                number = clip(m.get("MembershipNumber"), 255)
                program = self._program(clip(m.get("LoyaltyProgramId"), 64))
                if number:
                    state = clip(m.get("State"), 20)
                    known = STATES.get(state)
                    refs.append(CardRef(self.name, number, KIND_LABELS[CardKind.MEMBERSHIP],
                                        known.value if known else state,
                                        program.name if program else "", holder))
        return refs

    def templates(self) -> list[CardTemplate]:
        """The chain's loyalty programs: a new guest joins one."""
        kind = KIND_LABELS[CardKind.MEMBERSHIP]
        return [CardTemplate(self.name, p.id, p.name, kind) for p in self.programs()
                if not self.program_id or p.id == self.program_id]

    def enrol(self, template_id: str, holder: Holder) -> str:
        """Find the guest by email (``customers/getAll``) and add a membership of the program
        with a new membership number (``{program code}-{8 digits}``, **assumed**)."""
        holder = check_holder(holder)
        if not holder.email:
            raise InvalidInput(_("Mews finds the guest by email: type the guest's email."))
        program = next((p for p in self.programs() if p.id == str(template_id).strip()), None)
        if program is None:
            raise InvalidInput(_("{id!r} is not a Mews loyalty program.").format(
                id=clip(str(template_id), 64)), _("Choose one of the programs; nothing was sent."))
        guests = self.wire.customers(emails=[holder.email])
        if not guests or not clip(guests[0].get("Id"), 64):
            raise CardNotFound(_("Mews has no guest with the email {email}.").format(
                email=holder.email), _("The guest must be in Mews (a profile at the hotel) "
                                       "first."), service=TITLE)
        guest = clip(guests[0].get("Id"), 64)
        held = self.wire.memberships({"AccountIds": [guest]})
        if any(m.get("LoyaltyProgramId") == program.id for m in held):
            raise Refused(_("The guest is already a member of {program}.").format(
                program=program.name), _("Find the guest's membership by email instead."),
                service=TITLE)
        prefix = re.sub(r"[^A-Za-z0-9]", "", program.code)[:10] or "M"
        for _attempt in range(5):
            number = f"{prefix}-{secrets.randbelow(10**8):08d}"
            if not self.wire.memberships_by_number(number):
                break
        else:
            raise BadResponse(_("No free membership number was found."), service=TITLE)
        made = self.wire.add_membership({
            "AccountId": guest, "LoyaltyProgramId": program.id, "IsPrimary": not held,
            "State": "Enrolled",  # i18n-skip
            "MembershipNumber": number, "Points": 0})
        return clip(made.get("MembershipNumber"), 255) or number

    def check(self) -> str:
        """The chain's programs with their tiers (the settings dialog's Test shows them)."""
        programs = self.programs()
        listed = "; ".join(f"{p.name} ({', '.join(t.name for t in p.tiers)})" if p.tiers
                           else p.name for p in programs)
        count = len(programs)
        if listed:
            return ngettext("Mews: connected, {count} loyalty program: {listed}",
                            "Mews: connected, {count} loyalty programs: {listed}",
                            count).format(count=format_number(count), listed=listed)
        return ngettext("Mews: connected, {count} loyalty program",
                        "Mews: connected, {count} loyalty programs", count).format(
                            count=format_number(count))


def _changed(number: str, now: int, before: int) -> str:
    return _("The points of membership {number} changed elsewhere: now {now}, not "
             "{before}.").format(number=number, now=format_number(now),
                                 before=format_number(before))


def _unusable(state: CardStatus) -> str:
    return _("The membership is {status}: it cannot be used.").format(
        status=STATUS_LABELS[state].lower())


def _name_rule() -> str:
    return _("A program name needs 1 to 100 printable characters.")


def _tier(obj: dict[str, Any]) -> Tier:
    return Tier(clip(obj.get("Id"), 64), clip(obj.get("Name"), 50) or "?",
                clip(obj.get("Code"), 50), to_int(obj.get("Ordering")) or 0)
