"""Serial scanner framing by suffix (CR, LF, CRLF, Tab, none + idle timeout)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.core.scanning.serial import SUFFIXES, SuffixFramer


def test_cr_frames_across_reads() -> None:
    f = SuffixFramer("cr")
    assert f.feed(b"AB", 0.0) == []
    assert f.feed(b"C\rDE", 0.01) == ["ABC"]
    assert f.feed(b"F\r", 0.02) == ["DEF"]
    assert not f.pending


def test_crlf_split_between_reads() -> None:
    f = SuffixFramer("crlf")
    assert f.feed(b"12345\r", 0.0) == []
    assert f.feed(b"\n678", 0.01) == ["12345"]
    assert f.feed(b"\r\n", 0.02) == ["678"]


def test_lf_and_tab() -> None:
    assert SuffixFramer("lf").feed(b"A\nB\n", 0) == ["A", "B"]
    assert SuffixFramer("tab").feed(b"A\tB\t", 0) == ["A", "B"]


def test_crlf_scanner_set_as_cr_gives_clean_codes() -> None:
    f = SuffixFramer("cr")
    assert f.feed(b"ONE\r\nTWO\r\n", 0.0) == ["ONE", "TWO"]
    assert f.pending  # the last LF
    assert f.poll(1.0) == []  # ...which is no code
    assert not f.pending


def test_no_suffix_ends_by_idle_timeout() -> None:
    f = SuffixFramer("none", idle_timeout=0.05)
    assert f.feed(b"ABC", 0.0) == []
    assert f.feed(b"DEF", 0.02) == []
    assert f.deadline() == pytest.approx(0.07)
    assert f.poll(0.05) == []
    assert f.poll(0.08) == ["ABCDEF"]
    assert f.feed(b"GHI", 1.0) == []
    assert f.feed(b"JKL", 1.2) == ["GHI"]  # a pause between two reads: two codes
    assert f.flush() == ["JKL"]


def test_missing_suffix_still_gives_the_code_after_the_idle_timeout() -> None:
    f = SuffixFramer("cr", idle_timeout=0.1)
    assert f.feed(b"NOSUFFIX", 0.0) == []
    assert f.poll(0.2) == ["NOSUFFIX"]


def test_encoding() -> None:
    f = SuffixFramer("cr")
    assert f.feed("Карта-1\r".encode(), 0) == ["Карта-1"]
    assert f.feed(b"caf\xe9\r", 0) == ["café"]  # not UTF-8: cp1252
    assert f.feed(b"\x00X\x00\r", 0) == ["X"]
    assert f.feed(b"\r\r  \r", 0) == []


def test_runaway_input_is_dropped() -> None:
    f = SuffixFramer("cr", max_frame=16)
    assert f.feed(b"x" * 40, 0) == []
    assert f.overflows == 1
    assert f.feed(b"OK\r", 0) == ["OK"]


def test_settings_and_validation() -> None:
    f = SuffixFramer.from_settings({"serial_suffix": "CRLF", "serial_idle_ms": 250,
                                    "serial_encoding": "latin-1"})
    assert (f.suffix, f.idle_timeout, f.encoding) == ("crlf", 0.25, "latin-1")
    f = SuffixFramer.from_settings({"serial_suffix": "bogus", "serial_idle_ms": "x",
                                    "serial_encoding": "nope"})
    assert (f.suffix, f.idle_timeout, f.encoding) == ("cr", 0.1, "utf-8")
    with pytest.raises(ValueError):
        SuffixFramer("space")
    with pytest.raises(ValueError):
        SuffixFramer("cr", idle_timeout=0)


@settings(max_examples=200, deadline=None)
@given(codes=st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=0x44F,
                                            exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
                              min_size=1, max_size=30), min_size=1, max_size=8),
       suffix=st.sampled_from([s for s in SUFFIXES if s != "none"]),
       cuts=st.lists(st.integers(0, 400), max_size=12))
def test_any_chunking_gives_the_codes(codes: list[str], suffix: str, cuts: list[int]) -> None:
    stream = b"".join(c.encode() + SUFFIXES[suffix] for c in codes)
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    f = SuffixFramer(suffix, idle_timeout=10)
    out: list[str] = []
    for a, b in itertools.pairwise(points):
        out += f.feed(stream[a:b], 0.0)
    out += f.flush()
    assert out == codes
