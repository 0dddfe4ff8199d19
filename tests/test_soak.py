"""A short soak: random operations under random faults, then the sandbox's ledger against the
journal (the full run is ``benchmarks/soak.py``)."""

from __future__ import annotations

from pathlib import Path

from helpers import load_soak


def test_short_soak_has_no_duplicate_loss_or_unknown(tmp_path: Path) -> None:
    soak = load_soak()
    report = soak.run_soak(150, seed=7, workdir=tmp_path)
    text = report.text()
    c = report.comparison
    assert report.journalled >= 60, text
    assert sum(sum(k.values()) for k in report.faults.values()) >= 30, text
    assert c.matched_steps > 0, text
    assert (c.duplicates, c.losses, c.failed_applied, c.unknown) == (0, 0, 0, 0), text
    assert (c.unexplained, c.state_mismatches) == (0, 0), text
    assert report.ok, text


def test_the_comparison_sees_duplicates_losses_and_unknowns() -> None:
    """The checker itself: hand-made journals and ledgers with each kind of discrepancy."""
    soak = load_soak()
    step = {"action": "usePass", "body": {"passSerialNumber": "111111-111-111", "sum": 5,
                                          "action": "accruePoints"},
            "expect": {"field": "amountMoneyBonus", "delta": 5}, "state": "done"}

    def entry(i: int, state: str, service: str = "luna", key: str = "k") -> dict:
        body = ({"passId": 7, "purchaseId": None, "amount": "1.00"} if service == "loona"
                else step["body"])
        return {"id": i, "service": service, "card": "c", "card_id": "111111-111-111"
                if service == "luna" else "7", "operation": "accrue", "key": key,
                "state": state, "steps": [{**step, "action": "spending" if service == "loona"
                                           else "usePass", "body": body}]}

    luna_row = {"action": "usePass", "card": "111111-111-111", "body": step["body"]}
    loona_row = {"action": "spending", "card": "7", "key": "k1",
                 "body": {"passId": 7, "purchaseId": "k1", "amount": "1.00"}}
    ok = soak.compare([entry(1, "done"), entry(2, "done", "loona", "k1")],
                      {"luna": [luna_row], "loona": [loona_row]})
    assert ok.ok and ok.matched_steps == 2
    dup = soak.compare([entry(1, "done")], {"luna": [luna_row, luna_row]})
    assert dup.duplicates == 1 and not dup.ok
    lost = soak.compare([entry(1, "done"), entry(2, "done", "loona", "k1")], {})
    assert lost.losses == 2
    failed = soak.compare([entry(2, "failed", "loona", "k1")], {"loona": [loona_row]})
    assert failed.failed_applied == 1
    unknown = soak.compare([entry(1, "unknown")], {})
    assert unknown.unknown == 1
    stray = soak.compare([], {"loona": [loona_row]})
    assert stray.unexplained == 1
    moved = soak.compare([entry(1, "done")], {"luna": [luna_row]},
                         before={"luna": {"111111-111-111": {"amountMoneyBonus": 10}}},
                         after={"luna": {"111111-111-111": {"amountMoneyBonus": 16}}})
    assert moved.state_mismatches == 1
