"""Secrets kept secret: flows with known secrets leave them in no log, journal row, error
message or output; secrets go to the keyring when one works; files are the user's alone;
phones and names are masked in logs."""

from __future__ import annotations

import base64
import logging
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.core
import pytest
from keyring.backend import KeyringBackend

from pos_app.cli.main import main
from pos_app.core import secrets
from pos_app.core.errors import ConfigError
from pos_app.core.logs import Redactor, setup_logging, shutdown_logging
from pos_app.core.paths import data_dir, log_dir
from pos_app.core.sandbox.faults import FaultKind, FaultRule
from pos_app.core.sandbox.runner import Sandbox, start_sandbox
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.services.luna.seed import DEMO_PHONE
from pos_app.core.settings import Settings, load_settings

LUNA_TOKEN = "lunaTOKEN-" + uuid.uuid4().hex
LOONA_ID = "till-7"
LOONA_SECRET = "loonaSECRET-" + uuid.uuid4().hex
WRONG_TOKEN = "wrongTOKEN-" + uuid.uuid4().hex
WRONG_SECRET = "wrongSECRET-" + uuid.uuid4().hex
SECRETS = [LUNA_TOKEN, LOONA_SECRET, WRONG_TOKEN, WRONG_SECRET] + [
    base64.b64encode(f"{LOONA_ID}:{s}".encode()).decode() for s in (LOONA_SECRET, WRONG_SECRET)]


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring: a real backend class, for tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = start_sandbox()
    sb.luna.app.token = LUNA_TOKEN  # type: ignore[attr-defined]
    sb.loona.app.client_id = LOONA_ID  # type: ignore[attr-defined]
    sb.loona.app.client_secret = LOONA_SECRET  # type: ignore[attr-defined]
    yield sb
    sb.stop()


@pytest.fixture
def file_log() -> Iterator[None]:
    yield
    shutdown_logging()


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """A keyring set with ``keyring.set_keyring``; the real platform one is never touched."""
    monkeypatch.delenv(secrets.NO_KEYRING_ENV, raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend",
                        getattr(keyring.core, "_keyring_backend", None))  # restored after

    def no_platform() -> None:
        raise AssertionError("the platform keyring must not be used in tests")

    monkeypatch.setattr(secrets, "_platform_backend", no_platform)
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    return fake


def _tables(sandbox: Sandbox, token: str = LUNA_TOKEN, secret: str = LOONA_SECRET) -> dict:
    tables = sandbox.service_settings()
    tables["luna"]["token"] = token
    tables["loona"]["client_id"] = LOONA_ID
    tables["loona"]["client_secret"] = secret
    return tables


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_flows_leave_no_secret_anywhere(sandbox: Sandbox, isolated_dirs: Path, file_log: None,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    settings_path = isolated_dirs / "settings.toml"
    Settings(settings_path, _tables(sandbox)).save()
    wrong = isolated_dirs / "wrong.toml"
    Settings(wrong, _tables(sandbox, WRONG_TOKEN, WRONG_SECRET)).save()
    log_path = setup_logging(load_settings(), level=logging.DEBUG)
    setup_logging(load_settings(wrong), level=logging.DEBUG)  # its secrets are redacted too
    assert log_path.parent == log_dir()

    shown: list[str] = []

    def run(*args: str, config: Path = settings_path) -> int:
        code = main(["--config", str(config), *args])
        out, err = capsys.readouterr()
        shown.extend([out, err])
        return code

    assert run("check") == 0
    assert run("card", LUNA["stamps"]) == 0
    assert run("card", LOONA["bonus"], "--json") == 0
    assert run("apply", LUNA["cashback"], "purchase", "100") == 0
    assert run("apply", LOONA["gift"], "spend", "5", "--json") == 0
    sandbox.loona.faults.add(FaultRule(FaultKind.DROP_AFTER, route="transactions/*"))
    sandbox.luna.faults.add(FaultRule(FaultKind.ERROR, route="usePass", status=500))
    assert run("apply", LOONA["chop"], "stamp", "1") == 0
    assert run("apply", LUNA["stamps"], "stamp", "1") == 0
    assert run("apply", LUNA["certificate"], "spend", "999999") != 0  # refused
    assert run("journal") == 0
    assert run("journal", "--json") == 0
    assert run("recover", "--json") == 0
    # Failures with credentials the services refuse: the messages must not echo them.
    assert run("check", config=wrong) != 0
    assert run("card", LUNA["stamps"], config=wrong) != 0
    assert run("apply", LOONA["gift"], "spend", "1", config=wrong) != 0
    logging.getLogger("pos_app.test").info("customer %s, holder=Anna Smirnova, token %s",
                                           DEMO_PHONE, LUNA_TOKEN)
    logging.getLogger("pos_app.test").debug("headers %s", {"x-access-token": "live-abc",
                                                           "Authorization": "Bearer live-xyz"})
    try:
        raise RuntimeError(f"failed with {LOONA_SECRET}")
    except RuntimeError:
        logging.getLogger("pos_app.test").info("with a traceback", exc_info=True)

    logs = "".join(p.read_text("utf-8") for p in log_path.parent.glob(log_path.name + "*"))
    assert "getPassInfo" in logs or "HTTP Request" in logs  # the flows were logged at DEBUG
    journal_files = [p for p in data_dir().glob("journal.sqlite3*") if p.is_file()]
    journal = b"".join(p.read_bytes() for p in journal_files)
    assert journal and any("Journal #" in s or '"journal_id"' in s for s in shown)
    for secret in SECRETS:
        assert secret not in logs, secret
        assert secret.encode() not in journal, secret
        for text in shown:
            assert secret not in text, (secret, text)
    assert "live-abc" not in logs and "live-xyz" not in logs
    assert "[secret]" in logs and "[redacted]" in logs
    for token in sandbox.loona.app._tokens:  # type: ignore[attr-defined]
        assert token not in logs
    digits = "".join(ch for ch in DEMO_PHONE if ch.isdigit())
    assert DEMO_PHONE not in logs and digits not in logs
    assert "Anna Smirnova" not in logs and "holder=A. S." in logs
    if os.name == "posix":
        assert _mode(settings_path) == 0o600
        assert _mode(data_dir() / "journal.sqlite3") == 0o600
        assert _mode(log_path) == 0o600
        assert _mode(log_dir()) == 0o700


def test_secrets_go_to_the_keyring_and_not_the_file(isolated_dirs: Path,
                                                    memory_keyring: MemoryKeyring) -> None:
    path = isolated_dirs / "settings.toml"
    data = {"luna": {"base_url": "https://luna.example/api/v1", "token": LUNA_TOKEN},
            "loona": {"base_url": "https://loona.example/version1",
                      "token_url": "https://loona.example/oauth/token",
                      "client_id": LOONA_ID, "client_secret": LOONA_SECRET},
            "scanner": {"wedge_max_gap_ms": 30}}
    Settings(path, data).save()
    text = path.read_text("utf-8")
    assert LUNA_TOKEN not in text and LOONA_SECRET not in text
    assert text.count('"keyring:"') == 2 and LOONA_ID in text
    assert memory_keyring.items == {("pos-app", "luna.token"): LUNA_TOKEN,
                                    ("pos-app", "loona.client_secret"): LOONA_SECRET}
    assert data["luna"]["token"] == LUNA_TOKEN  # the settings in memory keep working
    loaded = load_settings()
    assert loaded.data["luna"]["token"] == LUNA_TOKEN
    assert loaded.data["loona"]["client_secret"] == LOONA_SECRET
    assert loaded.data["scanner"] == {"wedge_max_gap_ms": 30}
    loaded.save()  # saving again keeps the file free of secrets
    assert LUNA_TOKEN not in path.read_text("utf-8")
    status = secrets.status()
    assert status.available and "keyring" in status.message
    if os.name == "posix":
        assert _mode(path) == 0o600


def test_without_a_working_keyring_the_file_keeps_them_and_the_owner_is_told(
        isolated_dirs: Path, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never taken for a real store
    monkeypatch.setattr(secrets, "_platform_backend", lambda: None)
    status = secrets.status()
    assert not status.available and "No system keyring works" in status.message
    path = isolated_dirs / "settings.toml"
    Settings(path, {"luna": {"base_url": "https://luna.example/api/v1",
                             "token": LUNA_TOKEN}}).save()
    assert LUNA_TOKEN in path.read_text("utf-8")
    assert load_settings().data["luna"]["token"] == LUNA_TOKEN
    if os.name == "posix":
        assert _mode(path) == 0o600
    # A file that says the secret is in a keyring that cannot be read: said plainly.
    path.write_text('[luna]\nbase_url = "https://luna.example/api/v1"\ntoken = "keyring:"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="keyring"):
        load_settings()


def test_no_keyring_env_forces_the_file(isolated_dirs: Path) -> None:
    assert os.environ.get(secrets.NO_KEYRING_ENV) == "1"  # set by conftest
    assert secrets.backend() is None and not secrets.status().available
    assert not secrets.store("luna", "token", LUNA_TOKEN)


def test_redactor_masks_personal_data_but_keeps_serials_and_dates() -> None:
    r = Redactor([LUNA_TOKEN])
    text = r.redact(f"+7 (912) 555-01-23 74443334423 {LUNA['stamps']} 2026-11-21 10:00 "
                    f"'fName': 'Peter' email=m.zhukov@example.com {LUNA_TOKEN} "
                    "x-access-token: abc Authorization: Basic Zm9vOmJhcg==")
    assert "555-01-23" not in text and "74443334423" not in text
    assert LUNA["stamps"] in text and "2026-11-21 10" in text
    assert "Peter" not in text and "'fName': 'P.'" in text
    assert "m.zhukov" not in text and "@example.com" in text
    assert LUNA_TOKEN not in text and "abc" not in text and "Zm9vOmJhcg" not in text
