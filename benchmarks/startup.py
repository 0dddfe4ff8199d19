"""Whole-process start-up of ``pos-app card CODE --json`` against a running sandbox.

    .venv/bin/python benchmarks/startup.py [--runs N] [--json FILE]

Starts ``pos-app sandbox`` on free loopback ports, writes a settings file pointing at it
(secrets in the file, as without a keyring), then runs ``pos-app card CODE --json`` for a Luna
and a Loona demo card N times each, against a bare ``python -c pass`` in the same run
(interleaved), with bytecode caching on as in an installed app. Prints the median and best
wall time of each, and which heavy modules the command imported (``-X importtime``). Exit
code 0 when the median is under 0.12 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIMIT_S = 0.12
CARDS = {"luna": "931520-641-829", "loona": None}  # Loona: the first demo card listed
WATCH = ("keyring", "ssl", "cryptography", "secretstorage", "jeepney", "PySide6", "zxingcpp",
         "PIL", "numpy", "cv2", "babel")


def start_sandbox(tmp: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    """``pos-app sandbox`` on free ports; returns it, the settings text and the demo cards."""
    env = {**os.environ, "POS_APP_DATA_DIR": str(tmp / "sandbox-data")}
    proc = subprocess.Popen([sys.executable, "-m", "pos_app.cli.main", "sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Demo cards:"):
            break
    for line in proc.stdout:
        if not line.strip():
            break
        lines.append(line)
    text = "".join(lines)
    settings = text[text.index("[luna]"):text.index("Demo cards:")]
    cards = {}
    for m in re.finditer(r"^\s+(luna|loona)\s+(\S+)", text, re.M):
        cards.setdefault(m.group(1), m.group(2))
    return proc, settings, cards


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def imported(cmd: list[str], env: dict[str, str]) -> list[str]:
    res = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, cwd=REPO,
                         capture_output=True, text=True, check=True)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in res.stderr.splitlines()
             if line.startswith("import time:")}
    return [m for m in WATCH if m in names]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        proc, settings, cards = start_sandbox(tmp)
        try:
            cfg = tmp / "settings.toml"
            cfg.write_text(settings, "utf-8")
            env = {**os.environ, "POS_APP_CONFIG": str(cfg),
                   "POS_APP_DATA_DIR": str(tmp / "till")}
            env.pop("POS_APP_NO_KEYRING", None)
            # As an installed app runs: compiled modules cached (the warm-up run writes them).
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            cmds = {"bare python": [sys.executable, "-c", "pass"]}
            for service, code in cards.items():
                cmds[f"card {service} --json"] = [sys.executable, "-m", "pos_app.cli.main",
                                                  "card", code, "--json"]
            for cmd in cmds.values():  # warm the file cache; the journal is created here
                timed(cmd, env)
            times: dict[str, list[float]] = {k: [] for k in cmds}
            for _ in range(args.runs):
                for name, cmd in cmds.items():
                    times[name].append(timed(cmd, env))
            mods = {k: imported(c, env) for k, c in cmds.items() if k != "bare python"}
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"{'command':22s} {'median s':>9s} {'best s':>8s}  heavy modules imported")
    result = {}
    for name, ts in times.items():
        med, best = statistics.median(ts), min(ts)
        result[name] = {"median_s": round(med, 4), "best_s": round(best, 4),
                        "imports": mods.get(name, [])}
        print(f"{name:22s} {med:9.3f} {best:8.3f}  {', '.join(mods.get(name, [])) or '-'}")
    worst = max(v["median_s"] for k, v in result.items() if k != "bare python")
    ok = worst < LIMIT_S
    print(f"{'PASS' if ok else 'FAIL'}: slowest median {worst:.3f} s (limit {LIMIT_S} s), "
          f"{args.runs} runs each, interleaved")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
