"""Journal queries on a large journal: filters, a shift summary and the CSV export.

    .venv/bin/python benchmarks/journal.py [--rows 100000]

Fills a temporary journal with ROWS operations (services, card kinds, states and figures
mixed, Cyrillic and Latin holders), then times, best of 5, each query the window and the
command line run, against the baseline of the same run: the plain newest-200 read the journal
view did before filters existed. Targets: a filtered list (200 newest, or no match in the
whole journal) under 100 ms; a shift's summary (a tenth of the rows) under 1 s; the export of
a busy till's month (30 000 operations) under 2 s, the rate measured on all ROWS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pos_app.core.backends.base import Plan, Step  # noqa: E402
from pos_app.core.effects import Effects  # noqa: E402
from pos_app.core.export import write_csv  # noqa: E402
from pos_app.core.journal import Journal, JournalFilter, ShiftRow, State  # noqa: E402
from pos_app.core.operations import Operation  # noqa: E402
from pos_app.core.shift import summarise  # noqa: E402

HOLDERS = ("Михаил Жуков", "Anna Smirnova", "John Smith", "Пётр Иванов", "Ольга Соколова")
OPS = (("purchase", ["100"]), ("spend", ["20"]), ("stamp", ["1"]), ("accrue", ["5"]))
KINDS = ("points", "gift", "stamps", "discount", "chop")
STATES = (State.DONE,) * 17 + (State.FAILED, State.UNKNOWN, State.PENDING)


def fill(journal: Journal, rows: int, rng: random.Random) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    step = dt.timedelta(days=30) / rows
    db = journal._db
    db.execute("BEGIN")
    for i in range(rows):
        op, args = OPS[i % len(OPS)]
        plan = Plan(Operation.parse(op, args), (Step("x", {}, op),))
        service = ("luna", "loona", "cpx")[i % 3]
        code = f"{rng.randrange(10**9):09d}"
        entry = journal.begin(service=service, card=code, card_id=code, plan=plan,
                              key=f"k{i}", before=None)
        when = (start + step * i).isoformat(timespec="milliseconds")
        db.execute("UPDATE operations SET created = ?, state = ? WHERE id = ?",
                   (when, STATES[i % len(STATES)].value, entry))
        journal.label(entry, kind=KINDS[i % len(KINDS)], holder=HOLDERS[i % len(HOLDERS)])
        journal.set_effects(entry, Effects(to_pay=Decimal("100.00"),
                                           points_earned=Decimal(5), stamps_given=1))
    db.execute("COMMIT")


def best(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "journal.sqlite3")
        t0 = time.perf_counter()
        fill(journal, args.rows, rng)
        print(f"{args.rows} rows written in {time.perf_counter() - t0:.1f} s")
        now = dt.datetime.now(dt.UTC)
        shift_start = now - dt.timedelta(days=3)
        shift = ShiftRow(1, shift_start.isoformat(), None, None, False)
        results = {
            "baseline: newest 200 (no filter)": best(lambda: journal.entries(limit=200)),
            "filter: service + state, newest 200": best(lambda: journal.search(
                JournalFilter(service="loona", states=(State.DONE,)), limit=200)),
            "search: holder 'жуков', newest 200": best(lambda: journal.search(
                JournalFilter(text="жуков"), limit=200)),
            "search: no match (whole journal)": best(lambda: journal.search(
                JournalFilter(text="no such holder"), limit=200)),
            "date range: one day, all rows": best(lambda: journal.search(JournalFilter(
                since=now - dt.timedelta(days=2), until=now - dt.timedelta(days=1)))),
            "shift summary: last 3 days": best(lambda: summarise(shift, journal.search(
                JournalFilter(since=shift_start), oldest_first=True)), runs=3),
            "CSV export: whole journal": best(lambda: write_csv(
                journal.search(JournalFilter(), oldest_first=True),
                Path(tmp) / "out.csv"), runs=1),
        }
        journal.close()
    for name, secs in results.items():
        print(f"{name:<40} {secs * 1000:9.1f} ms")
    list_ok = results["search: no match (whole journal)"] < 0.1
    shift_ok = results["shift summary: last 3 days"] < 1.0
    export_ok = results["CSV export: whole journal"] * 30_000 / args.rows < 2.0
    print(f"Target filtered list < 100 ms: {'met' if list_ok else 'MISSED'}")
    print(f"Target shift summary < 1 s: {'met' if shift_ok else 'MISSED'}")
    month = results["CSV export: whole journal"] * 30_000 / args.rows
    print(f"Target export of 30 000 rows < 2 s: {'met' if export_ok else 'MISSED'} "
          f"({month:.1f} s)")
    return 0 if list_ok and shift_ok and export_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
