"""Start-up and teardown work that need not happen: a stopping sandbox does not wait for its
poll, a command whose secrets are in the settings file never imports keyring, and opening a
journal that is up to date writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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


def test_card_command_does_not_import_keyring_when_secrets_are_in_the_file(
        tmp_path: Path) -> None:
    server = SandboxServer(LunaApp()).start()
    try:
        cfg = tmp_path / "settings.toml"
        cfg.write_text(f'[luna]\nbase_url = "{server.url}"\ntoken = "sandbox-luna-token"\n',
                       "utf-8")
        code = (
            "import sys, runpy\n"
            "sys.argv = ['pos-app', 'card', '931520-641-829', '--json']\n"
            "try:\n"
            "    runpy.run_module('pos_app.cli.main', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('heavy:', sorted(m for m in ('keyring', 'cryptography', 'secretstorage')"
            " if m in sys.modules), file=sys.stderr)\n"
        )
        env = {**os.environ, "POS_APP_CONFIG": str(cfg), "POS_APP_DATA_DIR": str(tmp_path)}
        env.pop("POS_APP_NO_KEYRING", None)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, cwd=REPO, timeout=60, check=False)
        assert '"service": "luna"' in res.stdout, res.stdout + res.stderr
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
