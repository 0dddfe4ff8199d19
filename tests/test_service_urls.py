"""Service addresses: plain HTTP only to loopback (or with ``allow_insecure_http = true``),
never credentials in a URL, and URL user info masked in the log (issue 10, item 9)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli.main import main
from pos_app.core.backends.registry import build_backends
from pos_app.core.errors import ConfigError
from pos_app.core.logs import Redactor
from pos_app.core.settings import load_settings

LUNA = {"token": "luna-token-123456"}
LOONA = {"token_url": "https://auth.example.com/oauth/token", "client_id": "till",
         "client_secret": "loona-secret-123456"}


def _build(service: str, **table: Any) -> None:
    base = LUNA if service == "luna" else LOONA
    for backend in build_backends({service: {**base, **table}}):
        backend.close()


@pytest.mark.parametrize("url", ["http://example.com/api/v1", "http://10.0.0.5:8080/api",
                                 "http://192.168.1.2/api", "http://localhost.example.com/"])
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        _build("luna", base_url=url)
    text = str(info.value)
    assert "[luna] base_url" in text and "https://" in text and "allow_insecure_http" in text


def test_plain_http_token_url_is_refused_too() -> None:
    with pytest.raises(ConfigError, match=r"\[loona\] token_url"):
        _build("loona", base_url="https://api.example.com/v1",
               token_url="http://auth.example.com/oauth/token")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/api", "http://127.5.6.7/api",
                                 "http://localhost:9/api", "http://[::1]:8080/api",
                                 "https://example.com/api"])
def test_loopback_and_https_are_accepted(url: str) -> None:
    _build("luna", base_url=url)


def test_an_explicit_setting_allows_plain_http(caplog: pytest.LogCaptureFixture) -> None:
    _build("luna", base_url="http://10.0.0.5/api", allow_insecure_http=True)
    warned = [r for r in caplog.records if "allow_insecure_http" in r.getMessage()]
    assert warned and warned[0].levelno == logging.WARNING
    caplog.clear()
    with pytest.raises(ConfigError, match="allow_insecure_http"):
        _build("luna", base_url="http://10.0.0.5/api", allow_insecure_http="yes")


@pytest.mark.parametrize("url", ["https://till:hunter22secret@example.com/api",
                                 "https://till@example.com/api",
                                 "http://till:hunter22secret@127.0.0.1:8080/api"])
def test_credentials_in_a_url_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        _build("luna", base_url=url)
    text = str(info.value)
    assert "[luna] base_url" in text
    assert "hunter22secret" not in text and "till" not in text


@pytest.mark.parametrize("url", ["ftp://example.com/api", "example.com/api", "https:///api"])
def test_addresses_that_are_not_web_addresses_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match=r"\[luna\] base_url"):
        _build("luna", base_url=url)


def test_the_command_line_refuses_before_sending(isolated_dirs: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (isolated_dirs / "settings.toml").write_text(
        '[luna]\nbase_url = "http://example.com/api"\ntoken = "luna-token-123456"\n')
    assert load_settings().configured == ["luna"]
    assert main(["card", "931520-641-829"]) == 4
    err = capsys.readouterr().err
    assert "https://" in err and "luna-token" not in err


@pytest.mark.parametrize("text", [
    "GET https://till:hunter22secret@example.com/api failed",
    "url='http://till:hunter22secret@10.0.0.1:80/x'",
    "see HTTPS://till:hunter22secret@EXAMPLE.COM",
])
def test_the_redactor_masks_url_user_info(text: str) -> None:
    out = Redactor().redact(text)
    assert "hunter22secret" not in out and "till:" not in out
    assert "@" in out


def test_the_redactor_keeps_emails_and_plain_urls() -> None:
    text = "mail ivan@example.com at https://example.com/api?x=1"
    out = Redactor().redact(text)
    assert "https://example.com/api?x=1" in out and "@example.com" in out
