"""Crash test: a process running operations is killed with SIGKILL at random moments, many
times; after each kill, recovery resolves what it left and the sandbox's ledger (in another
process) still matches the journal exactly."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import tomli_w
from helpers import REPO, load_soak

from pos_app.cli.main import main
from pos_app.core.journal import Journal
from pos_app.core.paths import data_dir
from pos_app.core.sandbox.app import Exercise
from pos_app.core.services import SERVICES

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"),
              pytest.mark.slow]

KILLS = 12
#: Writes are held this long (at most) by the sandbox, so that kills land mid-request too.
HOLD = 0.12
#: What the settings tell the app: a lost request may land this long after it was sent.
MAX_HOLD = 1.0
#: Total time the test may take.
BUDGET = 60.0


def _free_ports() -> int:
    """A port P with P, P + 1, ... free on loopback, one for each service."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + len(SERVICES) > 65535:
            continue
        try:
            for offset in range(1, len(SERVICES)):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no free run of ports")


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """``pos-app sandbox`` in its own process; yields it with the settings file it printed."""
    port = _free_ports()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos_app", "sandbox", "--port", str(port),
         "--state", str(tmp_path / "sandbox-state.json")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Press Ctrl+C"):
            break
    text = "".join(lines)
    assert "Sandbox running" in text, text + (proc.stderr.read() if proc.stderr else "")
    settings = tmp_path / "settings.toml"
    tables = tomllib.loads((lambda t: t[t.index("["):])(text.split("Demo cards:")[0]))
    for table in tables.values():  # the sandbox holds a write at most HOLD seconds here
        table["max_hold"] = MAX_HOLD
    settings.write_text(tomli_w.dumps(tables), encoding="utf-8")
    try:
        yield proc, str(settings), f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _controls(settings: str) -> dict[str, str]:
    """Service -> its sandbox's control address, for every service in the settings."""
    tables = tomllib.loads(Path(settings).read_text("utf-8"))
    parts = {name: urlsplit(str(table["base_url"])) for name, table in tables.items()}
    return {name: f"{p.scheme}://{p.netloc}/_sandbox/" for name, p in parts.items()}


def _run_until_killed(settings: str, seed: int, rng: random.Random) -> int:
    """Start a worker, let it run a random while, SIGKILL it; return the operations it
    reported finished."""
    worker = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "helpers" / "crash_worker.py"),
         "--config", settings, "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "POS_APP_CONFIG": settings})
    assert worker.stdout is not None and worker.stderr is not None
    try:
        ready, _, _ = select.select([worker.stdout], [], [], 20)
        assert ready, "the worker did not start"
        first = worker.stdout.readline()
        assert first.strip() == "ready", first + worker.stderr.read()
        time.sleep(rng.uniform(0.05, 0.9))
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    out = worker.stdout.read()
    err = worker.stderr.read()
    worker.stdout.close()
    worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL, err
    assert "Traceback" not in err, err
    return sum(1 for line in out.splitlines() if line.startswith("op "))


def test_sigkill_at_random_moments_loses_and_doubles_nothing(
        sandbox_process: tuple[subprocess.Popen[str], str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    _, settings, _ = sandbox_process
    soak = load_soak()
    controls = _controls(settings)
    rng = random.Random(5)
    started = time.monotonic()
    with httpx.Client(timeout=10) as http:
        profiles = {name: Exercise.from_json(http.get(url + "exercise").json())
                    for name, url in controls.items()}
        for url in controls.values():  # far more requests than a till sends
            http.post(url + "unthrottle").raise_for_status()
        faults = {name: [{"kind": "delay", "route": ex.writes, "times": None,
                          "probability": 0.6, "delay": HOLD},
                         {"kind": "drop-after", "route": ex.writes, "times": None,
                          "probability": 0.1}] for name, ex in profiles.items()}
        first = {name: http.get(url + "values").json() for name, url in controls.items()}
        kills = ops = recovered = 0
        while kills < KILLS and time.monotonic() - started < BUDGET - 10:
            for name, rules in faults.items():
                http.post(controls[name] + "faults", content=json.dumps(rules)).raise_for_status()
            ops += _run_until_killed(settings, kills, rng)
            kills += 1
            for name in controls:
                http.delete(controls[name] + "faults").raise_for_status()
            # Recovery at once, while the sandbox may still hold the killed worker's request:
            # nothing is sent again before it could have landed.
            code = main(["--config", settings, "recover"])
            out = capsys.readouterr().out
            assert code == 0, out
            recovered += out.count("Recovered #")
            journal = Journal(data_dir() / "journal.sqlite3")
            try:
                entries = [e.to_json() for e in journal.entries()]
            finally:
                journal.close()
            ledgers = {name: http.get(url + "ledger").json() for name, url in controls.items()}
            now = {name: http.get(url + "values").json() for name, url in controls.items()}
            result = soak.compare(entries, ledgers, before=first, after=now, profiles=profiles)
            assert result.ok, f"after kill {kills}: {result}"
    print(f"crash test: {kills} kills, {ops} operations reported, {len(entries)} journalled, "
          f"{recovered} left open by a kill and recovered, "
          f"states {result.states}, {result.matched_steps} ledger steps matched, "
          f"{time.monotonic() - started:.1f} s")
    assert kills >= 8
    assert len(entries) >= kills
    assert result.matched_steps > 0
