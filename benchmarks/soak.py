"""Soak: thousands of random operations against the faulty sandbox, then ledger vs journal.

    python benchmarks/soak.py [--ops 3000] [--seed 1] [--quick] [--fault-scale 1.0]
                              [--json FILE]

Random operations on random demo cards of every service run through a real :class:`Counter`
over HTTP to the in-process sandbox, with faults switched on at random (timeouts, answers
dropped after applying, connections dropped before, 5xx, 429 with Retry-After, malformed
bodies with and without applying, slow answers; access tokens are short-lived so that token
routes are hit under faults too). Each service's sandbox says which routes read and write
(:class:`~pos_app.core.sandbox.app.Exercise`). Before each operation, leftovers are resolved
as the app does before new work, and cards with an unresolved operation are left alone. At the
end the faults are cleared and ``Counter.recover()`` runs until nothing is unresolved.

Then the sandbox's own ledger is compared with the journal (:func:`compare`):

* services whose ledger keeps the operation's key: every step the journal has done (or
  cancelled: its ``cancel``) has exactly one ledger entry with the operation's key (same
  action and body), every ``failed`` operation without such steps none.
* the others (no key on the wire): per card, the multiset of applied ``(action, body)`` in the
  ledger equals the multiset of the steps of the journal's ``done`` operations, and each card's
  final values equal its first values moved by the ``expect`` deltas of the done steps.
* nothing is left ``pending`` or ``unknown`` (an operation waiting for the cashier is not:
  at the end the cashier finishes or cancels each, as the till allows).

Exit code 0 when there is no duplicate, loss, unknown or unexplained entry; 1 otherwise.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import logging
import random
import sys
import tempfile
import threading
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from pos_app.core.backends.registry import build_backends  # noqa: E402
from pos_app.core.cards import Card, CardKind  # noqa: E402
from pos_app.core.counter import Counter, RetryPolicy  # noqa: E402
from pos_app.core.errors import PosError  # noqa: E402
from pos_app.core.journal import Journal, State  # noqa: E402
from pos_app.core.operations import Operation, OpName  # noqa: E402
from pos_app.core.sandbox.app import Exercise  # noqa: E402
from pos_app.core.sandbox.faults import FaultInjector, FaultKind, FaultRule  # noqa: E402
from pos_app.core.sandbox.runner import Sandbox, start_sandbox  # noqa: E402
from pos_app.core.services import SERVICES  # noqa: E402

#: Short timeouts: a TIMEOUT fault holds the request longer than ``read``.
TIMEOUT = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)
#: Short, bounded retries (the app's are longer; the logic is the same).
#: The sandbox applies a held write at most 0.5 s after it came (the "late" delays below).
RETRY = RetryPolicy(attempts=4, base_delay=0.02, max_delay=0.2, max_retry_after=0.1, settle=0.01,
                    hold=1.0, poll=0.1)
#: Access tokens live this long in the soak, so that new ones are fetched under faults.
TOKEN_TTL = 3.0

#: Cards a turn may pick until one has something to do.
PICKS = 5
#: Tills working at once on one data folder (one journal), each on its own share of the cards:
#: each resolves leftovers before its turns, and must leave the other's operations alone.
TILLS = 2
#: Share of operations on an idempotent service run on a card read earlier.
STALE_SHARE = 0.05
#: Share of operations during which the service refuses every write with 429.
OUTAGE_SHARE = 0.03
#: The last card of an idempotent service read, per counter (for stale-card operations).
_STALE: dict[int, Card] = {}

#: Junk a sick proxy or service answers with (none of them is a valid answer to anything).
MALFORMED_BODIES = ("<html><body><h1>502 Bad Gateway</h1></body></html>", "", "[", "null",
                    "[]", "{}", "[{}]", "[1, 2]", '{"status": "ok"}', '"ok"', "true")



def exercises() -> dict[str, Exercise]:
    """How each service is driven, from its sandbox."""
    return {spec.name: spec.sandbox().exercise() for spec in SERVICES}


def fault_rules(rng: random.Random, scale: float = 1.0,
                profiles: Mapping[str, Exercise] | None = None) -> dict[str, list[FaultRule]]:
    """The soak's faults per service; ``scale`` multiplies every probability."""

    def rule(kind: FaultKind, route: str, p: float, **kw: Any) -> FaultRule:
        return FaultRule(kind, route=route, times=None, probability=min(1.0, p * scale), **kw)

    def common(writes: str, reads: str | None) -> list[FaultRule]:
        rules = [
            rule(FaultKind.TIMEOUT, writes, 0.015, delay=0.6),
            rule(FaultKind.DROP_AFTER, writes, 0.05),
            rule(FaultKind.DROP_BEFORE, "*", 0.02),
            rule(FaultKind.ERROR, "*", 0.02, status=503),
            rule(FaultKind.ERROR, writes, 0.02, status=rng.choice((500, 502, 504))),
            rule(FaultKind.RATE_LIMIT, "*", 0.03, retry_after=0.05),
            rule(FaultKind.DELAY, "*", 0.03, delay=0.05),
            # A write that lands after the client gave up (its read timeout is 0.3 s).
            rule(FaultKind.DELAY, writes, 0.01, delay=0.5),
        ]
        if reads is not None:
            rules.append(rule(FaultKind.TIMEOUT, reads, 0.005, delay=0.6))
        for body in MALFORMED_BODIES:
            rules.append(rule(FaultKind.MALFORMED, writes, 0.03 / len(MALFORMED_BODIES),
                              body=body, apply=True))
            rules.append(rule(FaultKind.MALFORMED, "*", 0.03 / len(MALFORMED_BODIES),
                              body=body, apply=False))
        return rules

    rules: dict[str, list[FaultRule]] = {}
    for name, ex in (profiles or exercises()).items():
        rules[name] = common(ex.writes, ex.reads)
        if ex.auth:
            rules[name] += [rule(FaultKind.ERROR, ex.auth, 0.05, status=503),
                            rule(FaultKind.DROP_BEFORE, ex.auth, 0.03),
                            rule(FaultKind.MALFORMED, ex.auth, 0.03, body="<html>oops</html>")]
    return rules


# -- the comparison ---------------------------------------------------------------------------


@dataclass
class Comparison:
    """Ledger vs journal: what matched, and every discrepancy with a line saying what."""

    states: dict[str, int] = field(default_factory=dict)
    matched_steps: int = 0
    duplicates: int = 0          # applied more often than the journal says
    losses: int = 0              # journal says done, the service has no trace
    failed_applied: int = 0      # journal says failed, the service applied it
    unknown: int = 0             # left pending or unknown
    unexplained: int = 0         # ledger entries no journal operation accounts for
    state_mismatches: int = 0    # a card's final values differ from what the journal implies
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.losses or self.failed_applied or self.unknown
                    or self.unexplained or self.state_mismatches)

    def note(self, what: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(what)


def _canon(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def compare(entries: Iterable[Mapping[str, Any]], ledgers: Mapping[str, list[dict[str, Any]]],
            *, before: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
            after: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
            profiles: Mapping[str, Exercise] | None = None) -> Comparison:
    """Compare journal entries (``Entry.to_json()`` dicts) with the sandboxes' ledgers.

    ``before``/``after`` (service -> card id -> raw card values) add the final-state check for
    the services compared step by step.
    """
    profiles = profiles or exercises()
    result = Comparison()
    entries = list(entries)
    result.states = dict(Tally(str(e["state"]) for e in entries))
    for e in entries:
        if e["state"] in (State.PENDING.value, State.UNKNOWN.value) and not _waiting(e):
            result.unknown += 1
            result.note(f"#{e['id']} {e['service']} {e['operation']} left {e['state']}")
    for name, ex in profiles.items():
        mine = [e for e in entries if e["service"] == name]
        if ex.keyed:
            # Actions without a key on the wire (step_actions) are compared step by step.
            unkeyed = [bool(e["steps"]) and all(s["action"] in ex.step_actions
                                                for s in e["steps"]) for e in mine]
            _compare_keyed(name, [e for e, u in zip(mine, unkeyed, strict=True) if not u],
                           ledgers.get(name, []), result)
            if ex.step_actions:
                _compare_steps(name, ex, [e for e, u in zip(mine, unkeyed, strict=True) if u],
                               ledgers.get(name, []), result, None, None)
        else:
            _compare_steps(name, ex, mine, ledgers.get(name, []), result,
                           (before or {}).get(name), (after or {}).get(name))
    return result


def _compare_keyed(name: str, entries: list[Mapping[str, Any]], ledger: list[dict[str, Any]],
                   result: Comparison) -> None:
    """Per operation key: one ledger entry for each step the journal has done (a cancelled
    step: its ``cancel``), none for a failed operation's other steps."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in ledger:
        if row.get("key") is None:
            continue  # not an operation of the counter's (a card issued, say)
        by_key.setdefault(str(row.get("key")), []).append(row)
    for e in entries:
        rows = by_key.pop(e["key"], [])
        state = e["state"]
        if state in (State.PENDING.value, State.UNKNOWN.value) and not _waiting(e):
            continue  # counted as unknown
        undone = [s["cancel"] for s in e["steps"] if s.get("state") == "cancelled"]
        wanted = [s for s in e["steps"] if s.get("state") == State.DONE.value] + undone
        if state == State.FAILED.value and not undone:
            wanted = []
        if state == State.FAILED.value and not wanted:
            if rows:
                result.failed_applied += len(rows)
                result.note(f"{name} #{e['id']} {e['operation']} failed but was applied")
            continue
        for step in wanted:
            mine = [r for r in rows if r.get("action") == step["action"]]
            if not mine:
                result.losses += 1
                result.note(f"{name} #{e['id']} {e['operation']} {step['action']} done but "
                            "not in the ledger")
                continue
            rows.remove(mine[0])
            if len(mine) > 1:
                result.duplicates += len(mine) - 1
                result.note(f"{name} #{e['id']} {step['action']} applied {len(mine)} times")
                for extra in mine[1:]:
                    rows.remove(extra)
            if _same_body(mine[0].get("body"), step["body"], e["key"]):
                result.matched_steps += 1
            else:
                result.unexplained += 1
                result.note(f"{name} #{e['id']}: the ledger holds another operation")
        if rows:
            result.unexplained += len(rows)
            result.note(f"{name} #{e['id']}: {len(rows)} ledger entr(y/ies) for no step done")
    for key, rows in by_key.items():
        result.unexplained += len(rows)
        result.note(f"{name} ledger key {key}: {len(rows)} entr(y/ies) with no journal entry")


def _waiting(entry: Mapping[str, Any]) -> bool:
    """An operation left open for the cashier to finish or cancel (not unknown)."""
    return any(s.get("state") == "waiting" for s in entry["steps"])


def _without_key(body: Any, key: str) -> dict[str, Any]:
    """A body without the fields that carry the operation's key (the plan holds a placeholder
    where the wire has the key)."""
    return {k: v for k, v in dict(body or {}).items() if v != key and v is not None}


def _same_body(sent: Any, planned: Any, key: str) -> bool:
    """A sent body equals the planned one, leaving out the fields the plan leaves empty (the
    wire fills them with the key or an earlier answer, e.g. an authorization code)."""
    filled = {k for k, v in dict(planned or {}).items() if v is None}
    return _canon(_without_key({k: v for k, v in dict(sent or {}).items() if k not in filled},
                               key)) == _canon(_without_key(planned, key))


def _compare_steps(name: str, ex: Exercise, entries: list[Mapping[str, Any]],
                   ledger: list[dict[str, Any]], result: Comparison,
                   before: Mapping[str, Mapping[str, Any]] | None,
                   after: Mapping[str, Mapping[str, Any]] | None) -> None:
    applied: Tally[tuple[str, str, str]] = Tally()
    for row in ledger:
        action = str(row.get("action"))
        if action in ex.step_actions:
            applied[(str(row.get("card")), action, _canon(row.get("body") or {}))] += 1
    wanted: Tally[tuple[str, str, str]] = Tally()
    failed: Tally[tuple[str, str, str]] = Tally()
    deltas: dict[str, Tally[str]] = {}
    for e in entries:
        if e["state"] not in (State.DONE.value, State.FAILED.value):
            continue
        for step in e["steps"]:
            key = (str(e["card_id"]), str(step["action"]), _canon(step["body"]))
            if e["state"] == State.FAILED.value:
                failed[key] += 1
                continue
            wanted[key] += 1
            expect = step.get("expect") or {}
            if "delta" in expect:
                deltas.setdefault(str(e["card_id"]), Tally())[str(expect["field"])] += int(
                    expect["delta"])
    for key in wanted:
        if key[1] in ex.once_per_body:
            wanted[key] = 1  # the same report twice is one report
    for key in set(applied) | set(wanted):
        have, want = applied[key], wanted[key]
        if have == want:
            result.matched_steps += want
            continue
        if have > want:
            extra = have - want
            blamed = min(extra, failed[key])
            result.failed_applied += blamed
            result.duplicates += extra - blamed
            result.note(f"{name} {key[0]} {key[1]} {key[2]}: applied {have}, journal done "
                        f"{want}")
        else:
            result.matched_steps += have
            result.losses += want - have
            result.note(f"{name} {key[0]} {key[1]} {key[2]}: journal done {want}, applied "
                        f"{have}")
    if before is None or after is None:
        return
    for card, moved in deltas.items():
        for value, delta in moved.items():
            if value == "unusedRewards":
                continue  # stamps that fill a card add rewards too
            first, last = before.get(card, {}).get(value), after.get(card, {}).get(value)
            if first is None or last is None:
                continue
            if Decimal(str(first)) + delta != Decimal(str(last)):
                result.state_mismatches += 1
                result.note(f"{name} {card} {value}: {first} + {delta} != {last}")


# -- random operations ------------------------------------------------------------------------


def random_operation(card: Card, rng: random.Random, *,
                     whole: bool = False) -> Operation | None:
    """A plausible cashier operation among those the card allows now, or ``None`` (``whole``:
    the service takes whole amounts only)."""
    ops = [op for op in card.operations if op is not OpName.UNSTAMP or rng.random() < 0.5]
    if not ops:
        return None
    op = rng.choice(ops)
    balance = card.balance or Decimal(0)

    def amount(top: float) -> str:
        value = Decimal(rng.randint(1, max(1, int(top))))
        if not whole and rng.random() < 0.5:
            value += Decimal(rng.randint(0, 99)) / 100
        return str(value)

    if op is OpName.PURCHASE:
        return Operation.parse("purchase", [amount(rng.choice((50, 500, 3000)))])
    if op is OpName.SPEND:
        top = min(balance, Decimal(60))
        if top < 1:
            return None
        return Operation.parse("spend", [str(rng.randint(1, int(top)))])
    if op is OpName.PURCHASE_SPEND:
        total = Decimal(rng.randint(20, 600))
        limit = min(balance, total * (card.max_spend_percent or 100) / 100)
        if limit < 1:
            return None
        return Operation.parse("purchase-spend", [str(total), str(rng.randint(1, int(limit)))])
    if op is OpName.ACCRUE:
        return Operation.parse("accrue", [str(rng.randint(1, 80))])
    if op is OpName.STAMP:
        n = 1
        if card.kind is CardKind.SUBSCRIPTION and card.stamps and card.stamps.max:
            n = max(1, min(2, card.stamps.max - card.stamps.current))
        elif rng.random() < 0.3:
            n = rng.randint(2, 4)
        return Operation.parse("stamp", [str(n)])
    if op is OpName.UNSTAMP:
        return Operation.parse("unstamp", ["1"])
    if op is OpName.REWARD:
        return Operation.parse("reward", ["1"])
    if op is OpName.SET_EXPIRY:
        day = dt.date.today() + dt.timedelta(days=rng.randint(30, 900))
        return Operation.parse("set-expiry", [day.isoformat()])
    return Operation(op)  # coupon activate / redeem


def card_codes(sandbox: Sandbox) -> list[tuple[str, str]]:
    """``(service, code)`` of every card the soak may pick, with current QR values."""
    return [(server.app.name, code) for server in sandbox.servers
            for code in server.app.card_codes()]


def card_values(sandbox: Sandbox) -> dict[str, dict[str, dict[str, Any]]]:
    """Service -> card id -> raw values, from the sandbox (services checked by value)."""
    return {server.app.name: server.app.card_values() for server in sandbox.servers}


# -- the run ----------------------------------------------------------------------------------


@dataclass
class SoakReport:
    ops: int
    seed: int
    attempted: int = 0
    picks: int = 0
    journalled: int = 0
    refused_before_journal: int = 0
    lookup_failed: int = 0
    nothing_to_do: int = 0
    skipped_unresolved: int = 0
    stale_cards: int = 0
    outages: int = 0
    #: Operations another till was driving when this one looked (left to it).
    left_to_other_till: int = 0
    resolved_during_run: int = 0
    recover_rounds: int = 0
    #: Operations left waiting for the cashier, finished or cancelled at the end, and those
    #: the till could not finish (to be finished at the service).
    finished: int = 0
    left_open: int = 0
    faults: dict[str, dict[str, int]] = field(default_factory=dict)
    comparison: Comparison = field(default_factory=Comparison)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.comparison.ok

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def text(self) -> str:
        c = self.comparison
        kinds: Tally[str] = Tally()
        for counts in self.faults.values():
            kinds.update(counts)
        lines = [
            f"operations run         {self.journalled + self.refused_before_journal} of "
            f"{self.attempted} turns (seed {self.seed})",
            f"  journalled           {self.journalled}",
            f"  refused before send  {self.refused_before_journal}",
            f"cards picked           {self.picks}",
            f"  lookup failed        {self.lookup_failed}",
            f"  nothing to do        {self.nothing_to_do}",
            f"  card left alone      {self.skipped_unresolved} (an operation on it unresolved)",
            f"  on a stale card      {self.stale_cards} (idempotent services)",
            f"  write outages        {self.outages} (429 on every retry)",
            f"  left to other till   {self.left_to_other_till} (its operations in flight)",
            f"by state               {', '.join(f'{k} {v}' for k, v in sorted(c.states.items()))}",
            f"resolved during run    {self.resolved_during_run}; final recover rounds "
            f"{self.recover_rounds}",
            f"waiting for cashier    {self.finished} finished or cancelled at the end, "
            f"{self.left_open} to finish at the service",
            f"faults injected        {sum(kinds.values())}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
        ]
        for service, counts in sorted(self.faults.items()):
            lines.append(f"  {service:<6} " + ", ".join(f"{k} {v}" for k, v in
                                                    sorted(counts.items())))
        lines += [
            f"ledger steps matched   {c.matched_steps}",
            f"duplicates             {c.duplicates}",
            f"losses                 {c.losses}",
            f"failed but applied     {c.failed_applied}",
            f"unknown left           {c.unknown}",
            f"unexplained entries    {c.unexplained}",
            f"card value mismatches  {c.state_mismatches}",
            f"elapsed                {self.elapsed:.1f} s",
        ]
        lines += [f"  ! {p}" for p in c.problems]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def build_counter(sandbox: Sandbox, journal_path: Path) -> Counter:
    """A counter over the sandbox with short timeouts and a short retry policy."""
    backends = build_backends(sandbox.service_settings(), timeout=TIMEOUT)
    counter = Counter(backends, Journal(journal_path), sandbox=sandbox)
    counter.retry = RETRY
    return counter


def run_soak(ops: int = 3000, seed: int = 1, *, workdir: Path | None = None,
             fault_scale: float = 1.0,
             progress: Callable[[str], None] | None = None) -> SoakReport:
    """Run the soak and return its report (the sandbox is started and stopped here)."""
    rng = random.Random(seed)
    report = SoakReport(ops=ops, seed=seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pos-soak-") as tmp:
        base = workdir or Path(tmp)
        sandbox = start_sandbox()
        for server in sandbox.servers:
            server.app.shorten_tokens(TOKEN_TTL)
            server.app.unthrottle()
        counter = build_counter(sandbox, base / "journal.sqlite3")
        profiles = {s.app.name: s.app.exercise() for s in sandbox.servers}
        try:
            first = card_values(sandbox)
            for i, server in enumerate(sandbox.servers):
                server.faults = FaultInjector(seed=seed * 100 + i)
            for name, rules in fault_rules(rng, fault_scale, profiles).items():
                server = sandbox.server(name)
                for r in rules:
                    server.faults.add(r)
            others = [Counter(build_backends(sandbox.service_settings(), timeout=TIMEOUT),
                              Journal(base / "journal.sqlite3")) for _ in range(TILLS - 1)]
            for other in others:
                other.retry = RETRY
            tills = [counter, *others]
            reports = [report] + [SoakReport(ops=0, seed=seed) for _ in others]
            rngs = [rng] + [random.Random(seed * 1000 + n) for n in range(1, TILLS)]

            def work(n: int) -> None:
                for i in range(n, ops, TILLS):
                    reports[n].attempted += 1
                    for _ in range(PICKS):
                        if _one(tills[n], sandbox, rngs[n], reports[n], profiles, (n, TILLS)):
                            break
                    if progress and n == 0 and (i + 1) % 500 < TILLS:
                        progress(f"{i + 1} operations, {time.perf_counter() - started:.0f} s")

            threads = [threading.Thread(target=work, args=(n,)) for n in range(1, TILLS)]
            for thread in threads:
                thread.start()
            work(0)
            for thread in threads:
                thread.join()
            for other, extra in zip(others, reports[1:], strict=True):
                other.close()
                for name in ("attempted", "picks", "journalled", "refused_before_journal",
                             "lookup_failed", "nothing_to_do", "skipped_unresolved",
                             "stale_cards", "outages", "left_to_other_till",
                             "resolved_during_run"):
                    setattr(report, name, getattr(report, name) + getattr(extra, name))
            report.faults = {s.app.name: s.faults.counts() for s in sandbox.servers}
            for server in sandbox.servers:
                server.faults.clear()
            for _ in range(20):
                if not counter.journal.unresolved():
                    break
                report.recover_rounds += 1
                counter.recover()
            for entry in counter.journal.waiting():  # the cashier finishes or cancels
                try:
                    result = counter.finish(entry.id, cancel=rng.random() < 0.5)
                except PosError:
                    result = None
                if result is None or result.waiting:
                    report.left_open += 1
                else:
                    report.finished += 1
            entries = [e.to_json() for e in counter.journal.entries()]
            ledgers = {s.app.name: copy.deepcopy(s.app.ledger) for s in sandbox.servers}
            report.comparison = compare(entries, ledgers, before=first,
                                        after=card_values(sandbox), profiles=profiles)
        finally:
            counter.close()
    report.elapsed = time.perf_counter() - started
    return report


def _one(counter: Counter, sandbox: Sandbox, rng: random.Random, report: SoakReport,
         profiles: Mapping[str, Exercise], share: tuple[int, int] = (0, 1)) -> bool:
    """One cashier turn: resolve leftovers, pick a card, look it up, run an operation.

    ``False`` when no operation was run (the lookup failed, or the card has nothing to do).
    """
    report.picks += 1
    open_ids: set[str] = set()
    unresolved = counter.journal.unresolved()
    if unresolved:
        report.left_to_other_till += sum(e.owner not in (None, counter.owner.name)
                                         for e in unresolved)
        results = counter.recover()
        report.resolved_during_run += sum(r.state in (State.DONE, State.FAILED) for r in results)
        open_ids = {e.card_id for e in counter.journal.unresolved()}
    service = rng.choice(list(profiles))
    server = sandbox.server(service)
    backend = counter.backend(service)
    stale = _STALE.get(id(counter))
    if backend.idempotent and stale is not None and stale.service == service \
            and rng.random() < STALE_SHARE:
        # A card read a while ago (another till may have changed it since): the service
        # checks the operation against its own state and refuses what no longer fits.
        card = stale
        report.stale_cards += 1
    else:
        mine = [c for c in card_codes(sandbox) if c[0] == service]
        mine = mine[share[0]::share[1]] or mine
        _, code = rng.choice(mine)
        try:
            card = counter.lookup(code)
        except PosError:
            report.lookup_failed += 1
            return False
        if backend.idempotent:
            _STALE[id(counter)] = card
    if card.card_id in open_ids:
        report.skipped_unresolved += 1
        return False
    try:
        operation = random_operation(card, rng, whole=backend.whole_amounts)
    except PosError:
        operation = None
    if operation is None:
        report.nothing_to_do += 1
        return False
    if rng.random() < OUTAGE_SHARE:
        # The service turns every write away (429) for as long as the retries last.
        server.faults.rules.insert(0, FaultRule(FaultKind.RATE_LIMIT,
                                                route=profiles[service].writes,
                                                times=RETRY.attempts, retry_after=0.01))
        report.outages += 1
    try:
        counter.apply(card, operation)
    except PosError:
        report.refused_before_journal += 1
        return True
    report.journalled += 1
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=3000, help="operations to run (3000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="200 operations")
    parser.add_argument("--fault-scale", type=float, default=1.0,
                        help="multiply every fault probability (1.0)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    ops = 200 if args.quick else args.ops
    report = run_soak(ops, args.seed, fault_scale=args.fault_scale,
                      progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(report.text())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=1, default=str),
                                   encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
