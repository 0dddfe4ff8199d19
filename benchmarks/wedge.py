"""Keyboard-wedge burst detection: synthetic scanners against synthetic people.

    .venv/bin/python benchmarks/wedge.py [--seed N] [--count N] [--max-gap MS] [--min-length N]

1000 scanner bursts (USB-like 2-30 ms per key with jitter, Bluetooth-like packets of keys
10-45 ms apart; with an Enter suffix, a Tab suffix or none) and 1000 human typing sequences
(80-400 ms per key, occasional fast pairs down to 20 ms, amounts, codes and names, with or
without Enter), shuffled into one key stream fed to one :class:`WedgeDetector` with the app's
defaults, the pause timer simulated exactly. A burst counts as recognised when it gives exactly
its code and none of its keys is delivered; a human sequence is taken for a scan when it gives
a code or any of its keys is lost or reordered.

Then the same in an entry field (an amount, a count, a date), where a burst is judged by
:func:`field_judge` as the window does on the sandbox (Luna and Loona configured: codes of 5
characters or more, Loona claims any): 1000 scanner bursts of the services' codes (Luna
serials, Loona QR values) against 1000 fast people (numeric keypad at 30-60 ms a key: amounts,
counts and dates, Enter as fast or none). Exit code 0 only when every burst of both runs is
recognised and no human sequence is taken.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_app.core.scanning.wedge import (
    Action,
    Judge,
    Step,
    WedgeDetector,
    WedgeOptions,
    field_judge,
)

CODE_CHARS = string.ascii_letters + string.digits + "-:/._=?&%+"


@dataclass
class Seq:
    kind: str                     # "usb", "bluetooth", "human"
    text: str
    suffix: str | None            # "enter", "tab" or None
    times: list[float] = field(default_factory=list)  # one per char, then one for the suffix


@dataclass
class Key:
    t: float
    seq: int
    index: int                    # position in the sequence; len(text) for the suffix
    char: str | None              # None for the suffix key


def scanner_code(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:  # a Luna-like serial
        return "-".join("".join(rng.choices(string.digits, k=n)) for n in (6, 3, 3))
    if kind < 0.5:  # a number
        return "".join(rng.choices(string.digits, k=rng.randint(6, 18)))
    if kind < 0.7:  # a URL with the serial in it
        return "https://example.test/c/" + "".join(rng.choices(CODE_CHARS, k=rng.randint(8, 30)))
    return "".join(rng.choices(CODE_CHARS, k=rng.randint(4, 64)))


def usb_times(rng: random.Random, n: int, start: float) -> list[float]:
    per_key = rng.uniform(2, 30)
    jitter = rng.uniform(0.0, 0.4)
    times, t = [], start
    for _ in range(n):
        times.append(t)
        t += max(0.3, per_key * (1 + rng.uniform(-jitter, jitter)))
    return times


def bluetooth_times(rng: random.Random, n: int, start: float) -> list[float]:
    """Keys come in radio packets: a few keys within 0-2 ms, then 10-45 ms to the next."""
    times, t = [], start
    while len(times) < n:
        for _ in range(rng.randint(1, 8)):
            if len(times) == n:
                break
            times.append(t)
            t += rng.uniform(0.0, 2.0)
        t += rng.uniform(10.0, 45.0)
    return times


def human_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:  # an amount
        return f"{rng.randint(1, 9999)}" + (f".{rng.randint(0, 99):02d}" if rng.random() < .5
                                            else "")
    if kind < 0.7:  # a code typed by hand
        return "".join(rng.choices(string.digits + "-", k=rng.randint(3, 18)))
    if kind < 0.85:  # a phone number
        return "+49" + "".join(rng.choices(string.digits, k=rng.randint(8, 11)))
    return "".join(rng.choices(string.ascii_lowercase + " @.", k=rng.randint(3, 20)))


def human_times(rng: random.Random, n: int, start: float) -> list[float]:
    """80-400 ms per key (a typist's own pace, varying), ~15% fast pairs (20-70 ms), never two
    fast gaps in a row."""
    pace = rng.uniform(120, 300)
    times, t, last_fast = [], start, False
    for _ in range(n):
        times.append(t)
        if not last_fast and rng.random() < 0.15:
            gap, last_fast = rng.uniform(20, 70), True
        else:
            gap, last_fast = min(400.0, max(80.0, rng.gauss(pace, pace * 0.3))), False
        t += gap
    return times


def key_times(rng: random.Random, s: Seq, start: float,
              human: Callable[[random.Random, int, float], list[float]]) -> list[float]:
    """When each key of ``s`` (its suffix included) is pressed: a scanner's or ``human``'s."""
    n = len(s.text) + (1 if s.suffix else 0)
    if s.kind == "usb":
        return usb_times(rng, n, start)
    if s.kind == "bluetooth":
        return bluetooth_times(rng, n, start)
    return human(rng, n, start)


def build(rng: random.Random, count: int) -> list[Seq]:
    seqs: list[Seq] = []
    for i in range(count):
        text = scanner_code(rng)
        suffix = rng.choice(["enter", "tab", None])
        kind = "bluetooth" if i % 3 == 2 else "usb"
        seqs.append(Seq(kind, text, suffix))
    for _ in range(count):
        seqs.append(Seq("human", human_text(rng), rng.choice(["enter", None])))
    rng.shuffle(seqs)
    t = 1000.0
    for s in seqs:
        s.times = key_times(rng, s, t, human_times)
        if s.kind == "human" and s.suffix:  # Enter after a look at the screen
            s.times[-1] = s.times[-2] + rng.uniform(150, 600)
        # Next sequence: sometimes right after (a scan just after typing), mostly later.
        t = s.times[-1] + (rng.uniform(80, 300) if rng.random() < 0.3
                           else rng.uniform(500, 3000))
    return seqs


def field_code(rng: random.Random) -> str:
    """A code of a configured service: a Luna serial or a Loona QR value (10 digits)."""
    if rng.random() < 0.5:
        return "-".join("".join(rng.choices(string.digits, k=n)) for n in (6, 3, 3))
    return "".join(rng.choices(string.digits, k=10))


def fast_field_text(rng: random.Random) -> tuple[str, str]:
    """What a quick cashier types on the numeric keypad: ``(field kind, text)``."""
    kind = rng.random()
    if kind < 0.45:
        amount = f"{rng.randint(1, 99999)}"
        if rng.random() < 0.5:
            amount += rng.choice(".,") + f"{rng.randint(0, 99):02d}"
        return "money", amount
    if kind < 0.6:
        return "count", str(rng.randint(1, 500))
    year, month, day = rng.randint(2026, 2035), rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.6:
        return "date", f"{year}-{month:02d}-{day:02d}"
    return "date", f"{day:02d}.{month:02d}.{year}"


def keypad_times(rng: random.Random, n: int, start: float) -> list[float]:
    """30-60 ms a key: a practised hand on the numeric keypad."""
    times, t = [], start
    for _ in range(n):
        times.append(t)
        t += rng.uniform(30, 60)
    return times


def build_field(rng: random.Random, count: int) -> tuple[list[Seq], list[str]]:
    """Bursts of the services' codes and fast keypad typing, each into an entry field."""
    seqs: list[Seq] = []
    kinds: list[str] = []
    for i in range(count):
        seqs.append(Seq("bluetooth" if i % 3 == 2 else "usb", field_code(rng),
                        rng.choice(["enter", "tab", None])))
        kinds.append(rng.choice(["money", "count", "date"]))
    for _ in range(count):
        kind, text = fast_field_text(rng)
        seqs.append(Seq("human", text, rng.choice(["enter", None])))
        kinds.append(kind)
    order = list(range(len(seqs)))
    rng.shuffle(order)
    seqs, kinds = [seqs[i] for i in order], [kinds[i] for i in order]
    t = 1000.0
    for s in seqs:
        s.times = key_times(rng, s, t, keypad_times)
        t = s.times[-1] + rng.uniform(500, 3000)
    return seqs, kinds


def run(seqs: list[Seq], options: WedgeOptions, kinds: list[str] | None = None,
        shortest: int = 5) -> dict[str, float]:
    """Feed every key; with ``kinds``, each sequence is typed into an entry field of that kind
    and bursts are judged as the window judges them (the field holding what was delivered)."""
    keys: list[Key] = []
    for si, s in enumerate(seqs):
        for i, ch in enumerate(s.text):
            keys.append(Key(s.times[i], si, i, ch))
        if s.suffix:
            keys.append(Key(s.times[-1], si, len(s.text), None))
    keys.sort(key=lambda k: k.t)

    det: WedgeDetector[Key] = WedgeDetector(options)
    delivered: dict[int, list[int]] = {i: [] for i in range(len(seqs))}
    codes: list[tuple[str, float]] = []
    hold_delay: list[float] = []
    held_at: dict[int, float] = {}

    def apply(step: Step[Key], key: Key | None, now: float) -> None:
        for k in step.release:
            delivered[k.seq].append(k.index)
            hold_delay.append(now - held_at.pop(id(k)))
        if step.code is not None:
            codes.append((step.code, now))
        if key is None:
            return
        if step.action is Action.PASS:
            delivered[key.seq].append(key.index)
        elif step.action is Action.HOLD:
            held_at[id(key)] = now

    def judge(seq: int) -> Judge | None:
        if kinds is None:
            return None
        text = seqs[seq].text
        return field_judge(kinds[seq], shortest, lambda _code: True,
                           lambda: "".join(text[i] for i in delivered[seq] if i < len(text)))

    for key in keys:
        deadline = det.deadline()
        while deadline is not None and deadline < key.t:
            apply(det.poll(deadline + 0.001), None, deadline + 0.001)
            deadline = det.deadline()
        if key.char is None:
            step = det.suffix(key.t, seqs[key.seq].suffix or "enter", key)
        else:
            step = det.char(key.t, key.char, key, judge(key.seq))
        apply(step, key, key.t)
    deadline = det.deadline()
    if deadline is not None:
        apply(det.poll(deadline + 0.001), None, deadline + 0.001)

    # Attribute each code to the sequence whose keys made it (by time).
    starts = [(s.times[0], s.times[-1], i) for i, s in enumerate(seqs)]
    code_of: dict[int, list[str]] = {i: [] for i in range(len(seqs))}
    for text, at in codes:
        owner = max((i for t0, _t1, i in starts if t0 <= at), key=lambda i: seqs[i].times[0])
        code_of[owner].append(text)

    stats = {"bursts": 0, "recognised": 0, "humans": 0, "taken": 0, "usb": 0, "usb_ok": 0,
             "bt": 0, "bt_ok": 0, "no_suffix": 0, "no_suffix_ok": 0}
    for i, s in enumerate(seqs):
        n = len(s.text) + (1 if s.suffix else 0)
        if s.kind == "human":
            stats["humans"] += 1
            if code_of[i] or delivered[i] != list(range(n)):
                stats["taken"] += 1
            continue
        ok = code_of[i] == [s.text] and not delivered[i]
        stats["bursts"] += 1
        stats["recognised"] += ok
        key = "usb" if s.kind == "usb" else "bt"
        stats[key] += 1
        stats[key + "_ok"] += ok
        if not s.suffix:
            stats["no_suffix"] += 1
            stats["no_suffix_ok"] += ok
    hold_delay.sort()
    stats["hold_p50"] = hold_delay[len(hold_delay) // 2] if hold_delay else 0.0
    stats["hold_max"] = hold_delay[-1] if hold_delay else 0.0
    stats["keys"] = len(keys)
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--count", type=int, default=1000, help="bursts and human sequences each")
    ap.add_argument("--max-gap", type=float, default=WedgeOptions.max_gap_ms)
    ap.add_argument("--min-length", type=int, default=WedgeOptions.min_length)
    args = ap.parse_args(argv)
    options = WedgeOptions(max_gap_ms=args.max_gap, min_length=args.min_length)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    seqs = build(rng, args.count)
    s = run(seqs, options)
    field_seqs, kinds = build_field(rng, args.count)
    f = run(field_seqs, options, kinds, shortest=5)  # the sandbox's services: Luna 14, Loona 5
    elapsed = time.perf_counter() - t0
    print(f"wedge detector: max gap {options.max_gap_ms:g} ms, min length "
          f"{options.min_length}, suffixes {'/'.join(options.suffixes)}; seed {args.seed}; "
          f"{s['keys']:.0f} keys in {elapsed:.2f} s")
    print(f"scanner bursts recognised: {s['recognised']:.0f}/{s['bursts']:.0f} "
          f"(USB-like {s['usb_ok']:.0f}/{s['usb']:.0f}, Bluetooth-like "
          f"{s['bt_ok']:.0f}/{s['bt']:.0f}, without suffix "
          f"{s['no_suffix_ok']:.0f}/{s['no_suffix']:.0f})")
    print(f"human sequences taken for a scan: {s['taken']:.0f}/{s['humans']:.0f}")
    print(f"human keys held back: median {s['hold_p50']:.1f} ms, max {s['hold_max']:.1f} ms")
    print(f"in an entry field: scanner bursts recognised {f['recognised']:.0f}/{f['bursts']:.0f}"
          f" (USB-like {f['usb_ok']:.0f}/{f['usb']:.0f}, Bluetooth-like "
          f"{f['bt_ok']:.0f}/{f['bt']:.0f}); fast keypad typing (30-60 ms a key) taken for a "
          f"scan: {f['taken']:.0f}/{f['humans']:.0f}; keys held back median "
          f"{f['hold_p50']:.1f} ms, max {f['hold_max']:.1f} ms")
    ok = (s["recognised"] == s["bursts"] and s["taken"] == 0
          and f["recognised"] == f["bursts"] and f["taken"] == 0)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
