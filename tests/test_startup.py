"""Start-up and teardown work that need not happen: a stopping sandbox does not wait for its
poll, a command whose secrets are in the settings file never imports keyring, and opening a
journal that is up to date writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos_app.core.sandbox import server as sandbox_server
from pos_app.core.sandbox.server import SandboxServer
from pos_app.core.services.luna.sandbox import LunaApp

REPO = Path(__file__).resolve().parents[1]


def test_stop_does_not_wait_for_the_poll() -> None:
    assert sandbox_server.IDLE_POLL_S >= 10  # an idle sandbox does not wake 10 times a second
    started = []
    for _ in range(3):
        server = SandboxServer(LunaApp()).start()
        time.sleep(0.05)  # the loop is asleep in its poll now
        t0 = time.monotonic()
        server.stop()
        started.append(time.monotonic() - t0)
        assert server._thread is not None and not server._thread.is_alive()
    assert max(started) < 2.0, started


def _card_in_a_process(cfg: Path, data: Path, report: str) -> subprocess.CompletedProcess[str]:
    """``pos-app card <a Luna demo card> --json`` in a process of its own, which then prints
    ``report`` (an expression over ``sys.modules``) on stderr."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['pos-app', 'card', '931520-641-829', '--json']\n"
        "try:\n"
        "    runpy.run_module('pos_app.cli.main', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({report}, file=sys.stderr)\n"
    )
    env = {**os.environ, "POS_APP_CONFIG": str(cfg), "POS_APP_DATA_DIR": str(data)}
    env.pop("POS_APP_NO_KEYRING", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=60, check=False)
    assert '"service": "luna"' in res.stdout, res.stdout + res.stderr
    return res


def test_card_command_does_not_import_keyring_when_secrets_are_in_the_file(
        tmp_path: Path) -> None:
    server = SandboxServer(LunaApp()).start()
    try:
        cfg = tmp_path / "settings.toml"
        cfg.write_text(f'[luna]\nbase_url = "{server.url}"\ntoken = "sandbox-luna-token"\n',
                       "utf-8")
        res = _card_in_a_process(cfg, tmp_path, "'heavy:', sorted(m for m in ('keyring', "
                                 "'cryptography', 'secretstorage') if m in sys.modules)")
        assert "heavy: []" in res.stderr, res.stderr
    finally:
        server.stop()


def test_opening_an_up_to_date_journal_writes_nothing(tmp_path: Path) -> None:
    from pos_app.core.journal import Journal

    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    before = path.stat()
    time.sleep(0.01)
    journal = Journal(path)
    try:
        assert journal._db.total_changes == 0  # no commit to sync at every start
    finally:
        journal.close()
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_lazy_pattern_is_compiled_on_first_use_and_works_as_compiled() -> None:
    import re

    from pos_app.core.lazy_re import LazyPattern

    lazy = LazyPattern(r"rub\s*(\d+)", re.IGNORECASE)
    assert lazy.pattern == r"rub\s*(\d+)" and lazy._compiled is None
    assert lazy.fullmatch("RUB 12").group(1) == "12"
    assert lazy.sub("", "x rub 5") == "x "
    assert lazy.compiled() is lazy._compiled is re.compile(r"rub\s*(\d+)", re.IGNORECASE)


def test_card_command_imports_only_the_adapter_of_the_service_that_takes_the_code(
        tmp_path: Path) -> None:
    import tomli_w

    from pos_app.core.services.loona.sandbox import LoonaApp

    servers = [SandboxServer(LunaApp()).start(), SandboxServer(LoonaApp()).start()]
    try:
        cfg = tmp_path / "settings.toml"
        cfg.write_text(tomli_w.dumps({s.app.name: s.app.settings(s) for s in servers}), "utf-8")
        res = _card_in_a_process(cfg, tmp_path, "'adapters:', sorted(m for m in sys.modules "
                                 "if m.endswith('.adapter'))")
        assert "adapters: ['pos_app.core.services.luna.adapter']" in res.stderr, res.stderr
    finally:
        for server in servers:
            server.stop()


def test_the_collector_is_off_while_pos_app_starts_only_in_pos_app(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pos_app import cli

    for argv0, orig, frozen, expected in (
            ("/usr/bin/pos-app", [], False, True), (r"C:\App\Pos-App.exe", [], False, True),
            ("-m", ["python", "-X", "importtime", "-m", "pos_app.cli.main"], False, True),
            ("-m", ["python", "-m", "pos_app.cli.decode"], False, False),
            ("/x/bin/pytest", [], False, False), ("-c", ["python", "-c", "..."], False, False),
            ("launcher", [], True, True)):
        monkeypatch.setattr(sys, "argv", [argv0])
        monkeypatch.setattr(sys, "orig_argv", orig)
        monkeypatch.setattr(sys, "frozen", frozen, raising=False)
        assert cli._started_as_pos_app() is expected, (argv0, orig)
