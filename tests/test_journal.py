import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.core.backends.base import Plan, Step
from pos_app.core.journal import Journal, State
from pos_app.core.operations import Operation


def _plan() -> Plan:
    op = Operation.parse("purchase", ["100"])
    steps = (Step("usePass", {"action": "accruePoints", "sum": 4}, "Add 4 points"),
             Step("usePass", {"action": "increaseTotalSpentSum", "sum": 100}, "Add 100"))
    return Plan(op, steps, {"points": 4})


def test_rows_survive_reopening_and_keep_every_field(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    entry = journal.begin(service="luna", card="931520-641-829", card_id="931520-641-829",
                          plan=_plan(), key="k1", before={"balance": "400"})
    journal.step(entry, 0, State.DONE, {"result": 1})
    journal.close()

    journal = Journal(path)
    row = journal.get(entry)
    assert row is not None
    assert row.state is State.PENDING
    assert row.args == ["100.00"]
    assert row.steps[0]["state"] == "done" and row.steps[1]["state"] == "pending"
    assert row.before == {"balance": "400"}
    assert row.outcome == {"points": 4}
    assert [e.id for e in journal.unresolved()] == [entry]

    journal.step(entry, 1, State.DONE, {"result": 1})
    journal.finish(entry, State.DONE, after={"balance": "404"},
                   outcome={"points": Decimal("4")})
    row = journal.get(entry)
    assert row is not None and row.state is State.DONE
    assert row.after == {"balance": "404"} and row.outcome == {"points": "4"}
    assert journal.unresolved() == []
    journal.close()


def test_journal_is_wal_private_and_keys_unique(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    mode = journal._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    journal.begin(service="luna", card="c", card_id="c", plan=_plan(), key="same",
                  before=None)
    with pytest.raises(Exception, match="UNIQUE"):
        journal.begin(service="luna", card="c", card_id="c", plan=_plan(), key="same",
                      before=None)
    journal.close()


def test_entries_filter_and_order(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    ids = [journal.begin(service="loona", card=f"c{i}", card_id=str(i), plan=_plan(),
                         key=f"k{i}", before=None) for i in range(3)]
    journal.finish(ids[0], State.FAILED, error="No connection")
    journal.finish(ids[1], State.UNKNOWN, error="lost")
    assert [e.id for e in journal.entries()] == ids[::-1]
    assert [e.id for e in journal.entries(limit=1)] == [ids[2]]
    assert [e.id for e in journal.entries(states=(State.FAILED,))] == [ids[0]]
    assert [e.id for e in journal.unresolved()] == [ids[1], ids[2]]
    assert journal.get(ids[0]).to_json()["state"] == "failed"  # type: ignore[union-attr]
    journal.close()


def test_the_filter_tells_waiting_and_cancelled_from_pending_and_failed(
        tmp_path: Path) -> None:
    """Issue: the list shows "Waiting" and "Cancelled", the state filter could not find them."""
    from pos_app.core.journal import MARK_BY_CASHIER, STEP_CANCELLED, JournalFilter

    journal = Journal(tmp_path / "j.sqlite3")
    ids = [journal.begin(service="luna", card=f"C{i}", card_id=f"C{i}", plan=_plan(),
                         key=f"k{i}", before={}) for i in range(5)]
    journal.finish(ids[0], State.PENDING)  # queued
    journal.wait(ids[1], 0, "hold", uncertain=False)
    journal.step(ids[2], 0, STEP_CANCELLED, mark=MARK_BY_CASHIER)
    journal.finish(ids[2], State.FAILED, error="Cancelled by the cashier")
    journal.step(ids[3], 0, STEP_CANCELLED)  # released after a refusal: not done
    journal.finish(ids[3], State.FAILED, error="refused")
    journal.finish(ids[4], State.DONE)

    def found(**where: object) -> list[int]:
        return sorted(e.id for e in journal.search(JournalFilter(**where)))  # type: ignore[arg-type]

    assert found(waiting=True) == [ids[1]]
    assert found(states=(State.PENDING,), waiting=False) == [ids[0]]
    assert found(cancelled=True) == [ids[2]]
    assert found(states=(State.FAILED,), cancelled=False) == [ids[3]]
    assert found() == sorted(ids)
    assert [journal.get(i).cancelled for i in ids] == [False, False, True, False, False]  # type: ignore[union-attr]
    journal.close()
