"""Journal filters, and the CSV export read back."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.core.counter import Counter
from pos_app.core.effects import Effects
from pos_app.core.errors import InvalidInput
from pos_app.core.export import COLUMNS, parse_when, read_csv, write_csv
from pos_app.core.journal import SCHEMA_VERSION, Journal, JournalFilter, State
from pos_app.core.operations import Operation
from pos_app.core.services.cpextender.seed import DEMO as CPX
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA


def _run(counter: Counter) -> dict[str, int]:
    ops = {"stamp": (LUNA["stamps"], "stamp", ["2"]),
           "cashback": (LUNA["cashback"], "purchase-spend", ["100", "20"]),
           "gift": (LOONA["gift"], "spend", ["150"]),
           "discount": (LOONA["discount"], "purchase", ["200"])}
    ids = {}
    for name, (code, op, args) in ops.items():
        result = counter.apply(code, Operation.parse(op, args))
        assert result.ok and result.journal_id is not None
        ids[name] = result.journal_id
    return ids


def _move(journal: Journal, entry: int, when: dt.datetime) -> None:
    journal._db.execute("UPDATE operations SET created = ? WHERE id = ?",
                        (when.astimezone(dt.UTC).isoformat(timespec="milliseconds"), entry))


def test_filters(counter: Counter) -> None:
    ids = _run(counter)
    j = counter.journal

    def found(**kw: object) -> list[int]:
        return sorted(e.id for e in j.search(JournalFilter(**kw)))  # type: ignore[arg-type]

    assert found() == sorted(ids.values())
    assert found(service="luna") == sorted([ids["stamp"], ids["cashback"]])
    assert found(card=LUNA["stamps"]) == [ids["stamp"]]
    assert found(operation="spend") == [ids["gift"]]
    assert found(kind="discount") == [ids["discount"]]
    assert found(states=(State.DONE,)) == sorted(ids.values())
    assert found(states=(State.FAILED, State.UNKNOWN)) == []
    # By card code or holder, whatever the case, Cyrillic included; LIKE signs are literal.
    assert found(text="641-8") == [ids["stamp"]]
    holder = j.get(ids["cashback"]).holder  # type: ignore[union-attr]
    assert holder == "Михаил Жуков"
    assert found(text="жуков") == [ids["cashback"]]
    assert found(text="%") == [] and found(text="_") == []
    # Date range: since inclusive, until exclusive; local days.
    week_ago = dt.datetime.now().astimezone() - dt.timedelta(days=7)
    _move(j, ids["stamp"], week_ago)
    today = parse_when(dt.date.today().isoformat())
    assert found(since=today) == sorted([ids["cashback"], ids["gift"], ids["discount"]])
    assert found(until=today) == [ids["stamp"]]
    day = week_ago.date().isoformat()
    assert found(since=parse_when(day), until=parse_when(day, end=True)) == [ids["stamp"]]
    assert j.facets()["service"] == ["loona", "luna"]


def test_export_round_trip(counter: Counter, tmp_path: Path) -> None:
    ids = _run(counter)
    j = counter.journal
    j.label(ids["gift"], kind="gift", holder="=HYPERLINK(\"x\")")  # a formula from a service
    path = tmp_path / "out" / "journal.csv"
    entries = j.search(JournalFilter(), oldest_first=True)
    assert write_csv(entries, path) == 4
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by the BOM
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")
    rows = read_csv(path)
    assert list(rows[0]) == list(COLUMNS)
    by_id = {int(r["id"]): r for r in rows}
    for entry in entries:
        row = by_id[entry.id]
        assert row["service"] == entry.service and row["card"] == entry.card
        assert row["state"] == "done" and row["holder"] == entry.holder
        assert Effects.from_columns(row) == entry.effects
        assert row["utc"] == entry.created
        when = dt.datetime.strptime(row["time"], "%Y-%m-%d %H:%M:%S").astimezone()
        assert abs(when - dt.datetime.fromisoformat(entry.created)) < dt.timedelta(seconds=1)
    cash = by_id[ids["cashback"]]
    assert cash["holder"] == "Михаил Жуков"
    assert (cash["to_pay"], cash["points_spent"], cash["points_earned"]) == ("80.00", "20", "4")
    assert cash["balance_after"] == "404" and cash["balance_unit"] == "points"
    gift = by_id[ids["gift"]]
    assert gift["money_spent"] == "150.00" and gift["holder"] == "=HYPERLINK(\"x\")"
    assert by_id[ids["discount"]]["discount"] == "10.00"
    assert by_id[ids["stamp"]]["stamps_given"] == "2"
    # Excel where the comma is the decimal separator: ";" between fields, decimal commas.
    regional = tmp_path / "ru.csv"
    write_csv(entries, regional, sep=";")
    text = regional.read_text(encoding="utf-8-sig")
    assert text.startswith("id;time;utc;") and ";80,00;" in text
    assert "100.00 20.00" in text  # the operation's arguments stay as typed on the command line
    assert read_csv(regional) == rows


def test_a_hold_confirmed_cancelled_or_waiting_has_its_points_in_the_csv(
        counter: Counter, tmp_path: Path) -> None:
    """Issue: a finished CP Extender hold's row had empty ``points_spent`` and ``held``."""
    confirmed = counter.apply(CPX["plenty"], Operation.parse("hold", ["100"])).journal_id
    cancelled = counter.apply(CPX["plenty"], Operation.parse("hold", ["30"])).journal_id
    waiting = counter.apply(CPX["plenty"], Operation.parse("hold", ["20"])).journal_id
    assert confirmed and cancelled and waiting
    assert counter.finish(confirmed).ok and counter.finish(cancelled, cancel=True).ok
    path = tmp_path / "holds.csv"
    write_csv(counter.journal.search(JournalFilter(), oldest_first=True), path)
    by_id = {int(r["id"]): r for r in read_csv(path)}
    figures = {k: {"state": r["state"], "points_spent": r["points_spent"], "held": r["held"]}
               for k, r in by_id.items()}
    assert figures == {confirmed: {"state": "done", "points_spent": "100", "held": ""},
                       cancelled: {"state": "failed", "points_spent": "", "held": ""},
                       waiting: {"state": "pending", "points_spent": "", "held": "20"}}


def test_journal_command_exports_a_date_range(counter: Counter, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    ids = _run(counter)
    old = dt.datetime.now().astimezone() - dt.timedelta(days=3)
    _move(counter.journal, ids["stamp"], old)
    today = dt.date.today().isoformat()
    out = tmp_path / "today.csv"
    assert main(["journal", "--csv", str(out), "--since", today, "--until", today]) == 0
    assert "3 entries written" in capsys.readouterr().out
    assert sorted(int(r["id"]) for r in read_csv(out)) == sorted(
        [ids["cashback"], ids["gift"], ids["discount"]])
    assert main(["journal", "--search", "ЖУКОВ", "--state", "done"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and f"#{ids['cashback']}" in lines[0]
    assert main(["journal", "--since", "yesterday-ish"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["journal", "--state", "lost"]) == 2
    assert main(["journal", "--csv", str(out), "--sep", "|"]) == 2
    Path(os.environ["POS_APP_CONFIG"]).write_text('[export]\nseparator = ";"\n', "utf-8")
    assert main(["journal", "--csv", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id;time;")


def test_bad_dates_are_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_when("32.13.2026")
    assert parse_when("2026-12-01", end=True) - parse_when("2026-12-01") == dt.timedelta(days=1)


_V1 = """
CREATE TABLE operations (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,
 updated TEXT NOT NULL, service TEXT NOT NULL, card TEXT NOT NULL, card_id TEXT NOT NULL,
 operation TEXT NOT NULL, args TEXT NOT NULL, idem_key TEXT NOT NULL UNIQUE,
 state TEXT NOT NULL, steps TEXT NOT NULL, answer TEXT, before TEXT, after TEXT,
 outcome TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO operations (created, updated, service, card, card_id, operation, args, idem_key,
 state, steps, before, after, outcome) VALUES ('2026-01-02T10:00:00.000+00:00',
 '2026-01-02T10:00:01.000+00:00', 'loona', '4820193375', '1002', 'purchase-spend',
 '["100.00", "30.00"]', 'k', 'done', '[]',
 '{"kind": "points", "balance": "350.00", "balance_unit": "points"}',
 '{"kind": "points", "balance": "328.50", "balance_unit": "points"}',
 '{"to_pay": "70.00", "bonus_spent": "30.00", "bonus_accrued": "3.50"}');
"""


def test_a_schema_1_journal_is_migrated_with_its_figures(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_V1)
    db.close()
    journal = Journal(path)
    (entry,) = journal.entries()
    assert entry.kind == "points" and entry.holder == ""
    assert entry.effects == Effects(to_pay=Decimal("70.00"), points_earned=Decimal("3.50"),
                                    points_spent=Decimal("30.00"),
                                    balance_after=Decimal("328.50"), balance_unit="points")
    schema = journal._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    assert schema == str(SCHEMA_VERSION) and journal.shifts() == []
    journal.close()
    Journal(path).close()  # opening again changes nothing


def test_holds_journalled_before_they_had_effects_get_them_once(counter: Counter) -> None:
    """A journal of an earlier version: its confirmed hold is spent, its waiting one held."""
    confirmed = counter.apply(CPX["plenty"], Operation.parse("hold", ["100"])).journal_id
    waiting = counter.apply(CPX["plenty"], Operation.parse("hold", ["20"])).journal_id
    assert confirmed and waiting and counter.finish(confirmed).ok
    db = counter.journal._db
    db.execute("UPDATE operations SET points_spent = NULL, held = NULL")  # as it was written
    db.execute("DELETE FROM meta WHERE key = 'hold_effects'")
    path = counter.journal.path
    again = Journal(path)
    assert again.get(confirmed).effects.points_spent == Decimal(100)  # type: ignore[union-attr]
    assert again.get(waiting).effects.held == Decimal(20)  # type: ignore[union-attr]
    assert again.get(waiting).effects.points_spent is None  # type: ignore[union-attr]
    again.close()
    db.execute("UPDATE operations SET points_spent = NULL WHERE id = ?", (confirmed,))
    Journal(path).close()  # once: a later change is not made again
    assert counter.journal.get(confirmed).effects.points_spent is None  # type: ignore[union-attr]
