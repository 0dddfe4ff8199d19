"""The keyboard-wedge burst detector (timing only; the Qt filter is in tests/qt)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.core.scanning.wedge import Action, Step, WedgeDetector, WedgeOptions


class Sim:
    """Feeds keys at given times, running poll() at each deadline as the Qt timer would."""

    def __init__(self, options: WedgeOptions | None = None) -> None:
        self.det: WedgeDetector[str] = WedgeDetector(options)
        self.delivered: list[str] = []
        self.codes: list[tuple[str, str]] = []
        self.actions: list[Action] = []

    def _apply(self, step: Step[str], key: str | None) -> None:
        self.delivered.extend(step.release)
        if step.code is not None:
            self.codes.append((step.code, step.ended_by))
        if key is not None:
            self.actions.append(step.action)
            if step.action is Action.PASS:
                self.delivered.append(key)

    def _until(self, t: float) -> None:
        deadline = self.det.deadline()
        while deadline is not None and deadline < t:
            self._apply(self.det.poll(deadline + 0.5), None)
            deadline = self.det.deadline()

    def char(self, t: float, ch: str) -> None:
        self._until(t)
        self._apply(self.det.char(t, ch, ch), ch)

    def suffix(self, t: float, key: str = "enter") -> None:
        self._until(t)
        self._apply(self.det.suffix(t, key, f"<{key}>"), f"<{key}>")

    def other(self, t: float, name: str = "<bs>") -> None:
        self._until(t)
        self._apply(self.det.other(t, name), name)

    def type(self, text: str, start: float, gap: float) -> float:
        t = start
        for ch in text:
            self.char(t, ch)
            t += gap
        return t - gap

    def finish(self, t: float = 1e9) -> None:
        self._until(t)


def test_burst_with_enter_is_one_code_and_nothing_is_delivered() -> None:
    sim = Sim()
    last = sim.type("LUNA-448234", 0, 8)
    sim.suffix(last + 8)
    sim.finish()
    assert sim.codes == [("LUNA-448234", "enter")]
    assert sim.delivered == []
    assert sim.actions[:3] == [Action.HOLD] * 3
    assert set(sim.actions[3:]) == {Action.SWALLOW}


def test_burst_without_suffix_ends_at_the_pause() -> None:
    sim = Sim()
    sim.type("0123456789", 100, 20)
    sim.finish()
    assert sim.codes == [("0123456789", "pause")]
    assert sim.delivered == []


def test_tab_suffix_and_bluetooth_packets() -> None:
    sim = Sim()
    t = 0.0
    for packet in ("ABCD", "EFG", "H", "IJKLM"):
        for ch in packet:
            sim.char(t, ch)
            t += 1
        t += 44  # radio interval
    sim.suffix(t - 44 + 5, "tab")
    sim.finish()
    assert sim.codes == [("ABCDEFGHIJKLM", "tab")]
    assert sim.delivered == []


def test_human_typing_is_delivered_in_order_and_never_a_code() -> None:
    sim = Sim()
    sim.type("12.50", 0, 150)
    sim.suffix(5000)
    sim.finish()
    assert sim.codes == []
    assert sim.delivered == [*"12.50", "<enter>"]


def test_fast_pair_then_slow_keys_is_typing() -> None:
    sim = Sim()
    for t, ch in ((0, "4"), (25, "2"), (200, "0"), (400, "0"), (430, "7")):
        sim.char(t, ch)
    sim.finish()
    assert sim.codes == []
    assert sim.delivered == list("42007")


def test_short_fast_sequence_with_enter_is_typing() -> None:
    sim = Sim(WedgeOptions(min_length=4))
    sim.type("123", 0, 5)
    sim.suffix(15)
    sim.finish()
    assert sim.codes == []
    assert sim.delivered == ["1", "2", "3", "<enter>"]


def test_late_suffix_after_a_pause_ended_burst_is_swallowed_within_the_grace() -> None:
    sim = Sim()
    last = sim.type("ABCDEFGH", 0, 5)
    sim.suffix(last + 120)  # 50 ms gap passed: the burst ended; Enter comes 120 ms late
    sim.finish()
    assert sim.codes == [("ABCDEFGH", "pause")]
    assert sim.delivered == []
    sim.type("ABCDEFGH", 10_000, 5)
    sim.suffix(10_000 + 35 + 400)  # far too late: a person's Enter
    assert sim.delivered == ["<enter>"]


def test_other_key_ends_a_burst_and_passes() -> None:
    sim = Sim()
    sim.type("ABCDEF", 0, 5)
    sim.other(30, "<F2>")
    sim.finish()
    assert sim.codes == [("ABCDEF", "key")]
    assert sim.delivered == ["<F2>"]


def test_other_key_releases_held_keys_first() -> None:
    sim = Sim()
    sim.type("AB", 0, 5)
    sim.other(12, "<bs>")
    assert sim.delivered == ["A", "B", "<bs>"]


def test_suffix_not_configured_is_an_ordinary_key() -> None:
    sim = Sim(WedgeOptions(suffixes=("enter",)))
    sim.type("ABCDEF", 0, 5)
    sim.suffix(30, "tab")
    sim.finish()
    assert sim.codes == [("ABCDEF", "key")]
    assert sim.delivered == ["<tab>"]


def test_flush_finishes_or_releases() -> None:
    det: WedgeDetector[str] = WedgeDetector()
    det.char(0, "A", "A")
    assert det.flush().release == ["A"]
    for i, ch in enumerate("ABCDE"):
        det.char(i, ch, ch)
    step = det.flush()
    assert step.code == "ABCDE"
    assert not det.active


def test_options_validation_and_settings_round_trip() -> None:
    with pytest.raises(ValueError):
        WedgeOptions(max_gap_ms=0)
    with pytest.raises(ValueError):
        WedgeOptions(min_length=1)
    with pytest.raises(ValueError):
        WedgeOptions(suffixes=("space",))
    opts = WedgeOptions(max_gap_ms=80, min_length=6, suffixes=("tab",))
    assert WedgeOptions.from_settings(opts.to_settings()) == opts
    assert WedgeOptions.from_settings({"wedge_max_gap_ms": "oops"}) == WedgeOptions()
    assert WedgeOptions.from_settings({}) == WedgeOptions()


codes = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=4, max_size=60)


@settings(max_examples=150, deadline=None)
@given(code=codes, gaps=st.lists(st.floats(0, 49.9), min_size=60, max_size=60),
       suffix=st.sampled_from(["enter", "tab", None]))
def test_any_burst_within_the_gap_is_read_exactly(code: str, gaps: list[float],
                                                  suffix: str | None) -> None:
    sim = Sim()
    sim.other(-1000, "<start>")
    t = 0.0
    for ch, gap in zip(code, gaps, strict=False):
        sim.char(t, ch)
        t += gap
    if suffix:
        sim.suffix(t, suffix)
    sim.finish()
    assert sim.codes == [(code, suffix or "pause")]
    assert sim.delivered == ["<start>"]


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1,
                    max_size=30),
       gaps=st.lists(st.floats(50.01, 600), min_size=30, max_size=30))
def test_any_typing_slower_than_the_gap_is_delivered_untouched(text: str,
                                                               gaps: list[float]) -> None:
    sim = Sim()
    t = 0.0
    for ch, gap in zip(text, gaps, strict=False):
        sim.char(t, ch)
        t += gap
    sim.finish()
    assert sim.codes == []
    assert sim.delivered == list(text)


def test_benchmark_passes_on_a_smaller_run(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "wedge.py"
    spec = importlib.util.spec_from_file_location("bench_wedge", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_wedge"] = module
    try:
        spec.loader.exec_module(module)
        assert module.main(["--count", "200", "--seed", "7"]) == 0
    finally:
        sys.modules.pop("bench_wedge", None)
    out = capsys.readouterr().out
    assert "scanner bursts recognised: 200/200" in out
    assert "human sequences taken for a scan: 0/200" in out


def test_a_judged_burst_in_a_field_is_typing_unless_the_judge_says_scan() -> None:
    """Issue 14.4: "1500" at 45 ms a key in an amount field, then Enter, is typing: every key
    is delivered in order and Enter passes; a service's code in the same field is a scan."""
    from pos_app.core.scanning.wedge import field_judge

    typed: list[str] = []
    judge = field_judge("money", 5, lambda _code: True, lambda: "".join(typed))
    det: WedgeDetector[str] = WedgeDetector()
    actions = []
    for i, ch in enumerate("1500"):
        step = det.char(1000 + 45 * i, ch, ch, judge)
        typed.extend(step.release)
        actions.append(step.action)
    end = det.suffix(1000 + 45 * 4, "enter", "\r")
    typed.extend(end.release)
    assert actions == [Action.HOLD] * 4 and end.action is Action.PASS and end.code is None
    assert typed == list("1500")

    det = WedgeDetector()
    code = "931520-641-829"
    for i, ch in enumerate(code):
        assert det.char(2000 + 3 * i, ch, ch, judge).action is Action.HOLD
    end = det.suffix(2000 + 3 * len(code), "enter", "\r")
    assert end.code == code and end.action is Action.SWALLOW
    assert end.dropped == list(code) and end.release == []


def test_a_date_typed_in_quick_runs_is_typing() -> None:
    from pos_app.core.scanning.wedge import field_judge

    field = ""
    judge = field_judge("date", 5, lambda _code: True, lambda: field)
    assert not judge("2031-05-31", "enter") and not judge("31.05.2031", "pause")
    field = "203"
    assert not judge("1-05-", "pause")  # the rest of a date after a pause
    assert judge("4820193375", "pause"), "a 10-digit Loona code is no date"
    assert not field_judge("money", 14, lambda _c: True)("4820193375", "enter"), \
        "shorter than Luna's"
    phone = field_judge("phone", 5, lambda _c: True)
    assert not phone("+7 900 111 22 33", "pause") and not phone("+79001112233", "enter")
    text = field_judge("", 5, lambda _c: True)
    assert not text("Vera Lind", "pause") and text("931520-641-829", "enter")
