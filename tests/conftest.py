"""Shared fixtures: every test runs with settings and data in a temp folder, and sandboxed
services on loopback are started per test so that each test sees fresh demo data."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point settings and data at a temp folder so no test touches the real ones. Files the
    tests write are private (umask 077), as a careful user's would be: the app warns about a
    settings file with secrets that others can read."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    monkeypatch.setenv("POS_APP_CONFIG", str(home / "settings.toml"))
    monkeypatch.setenv("POS_APP_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("POS_APP_NO_KEYRING", "1")
    # English, with no currency sign, whatever this machine's locale: tests that check
    # another language choose it (the ``russian`` fixture).
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("POS_APP_LANGUAGE", "en")
    from pos_app.core import formatting, i18n

    i18n.set_language(i18n.SOURCE_LANGUAGE)
    formatting.set_currency(None)
    umask = os.umask(0o077)
    yield home
    os.umask(umask)
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    formatting.set_currency(None)


@pytest.fixture
def russian(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Texts in Russian and money in roubles, as a till in Russia shows them (also for the
    commands and windows a test starts: ``POS_APP_LANGUAGE=ru``, ``[shop]`` untouched)."""
    from pos_app.core import formatting, i18n

    monkeypatch.setenv("POS_APP_LANGUAGE", "ru")
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    i18n.set_language("ru", territory="RU")
    formatting.set_currency("RUB")
    yield
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    formatting.set_currency(None)


@pytest.fixture(autouse=True)
def no_leftover_log_file() -> Iterator[None]:
    """Commands run in-process set up file logging; take it down after each test."""
    yield
    from pos_app.core.logs import shutdown_logging

    shutdown_logging()


@pytest.fixture(autouse=True)
def fail_on_unexpected_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A test fails when the app logs a warning or an error that the test did not expect.

    Tests that expect one clear ``caplog`` records after checking them.
    """
    yield
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING
           and not getattr(r, "expected", False)]
    if bad:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"unexpected log records:\n{lines}")


@pytest.fixture
def luna_server() -> Iterator:
    from pos_app.core.sandbox.server import SandboxServer
    from pos_app.core.services.luna.sandbox import LunaApp

    server = SandboxServer(LunaApp(), seed=1).start()
    yield server
    server.stop()


@pytest.fixture
def loona_server() -> Iterator:
    from pos_app.core.sandbox.server import SandboxServer
    from pos_app.core.services.loona.sandbox import LoonaApp

    server = SandboxServer(LoonaApp(), seed=2).start()
    yield server
    server.stop()


@pytest.fixture
def counter() -> Iterator:
    """A counter on the in-process sandbox (nothing configured), closed after the test."""
    from pos_app.core.counter import Counter
    from pos_app.core.settings import load_settings

    c = Counter.open(load_settings())
    yield c
    c.close()
