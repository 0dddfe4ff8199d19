"""The command line, in-process against the sandbox it starts when nothing is configured."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app import __version__
from pos_app.cli.main import main
from pos_app.core.services import SERVICES
from pos_app.core.services.loona.seed import DEMO as LOONA
from pos_app.core.services.luna.seed import DEMO as LUNA


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_card_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "card", LUNA["stamps"], "--json")
    assert code == 0
    card = json.loads(out)
    for key in ("service", "kind", "status", "holder", "balance", "stamps", "rewards",
                "percent", "expires", "operations"):
        assert key in card
    assert card["service"] == "luna" and card["kind"] == "stamps"
    assert card["stamps"]["current"] == 5 and card["stamps"]["max"] == 10
    assert "stamp" in card["operations"]


def test_card_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "card", LOONA["gift"])
    assert code == 0
    assert "Gift certificate" in out and "1,000.00" in out


def test_apply_then_card_then_journal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", LOONA["discount"], "purchase", "1 000,00", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ok"] is True and isinstance(result["journal_id"], int)
    assert result["outcome"]["to_pay"] == "950.00"
    assert result["card"]["service"] == "loona"

    code, out, _ = run(capsys, "apply", LUNA["stamps"], "stamp", "2")
    assert code == 0 and "Stamps" in out and "->" in out

    code, out, _ = run(capsys, "journal", "--json")
    entries = json.loads(out)
    assert [e["operation"] for e in entries] == ["stamp", "purchase"]
    for e in entries:
        assert {"id", "created", "service", "card", "operation", "args", "state"} <= set(e)
        assert e["state"] == "done"
    assert entries[1]["args"] == ["1000.00"] and entries[1]["card"] == LOONA["discount"]

    code, out, _ = run(capsys, "journal")
    assert code == 0 and "stamp" in out


def test_refusals_exit_non_zero_with_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "apply", LUNA["certificate"], "spend", "-5")
    assert code == 2 and "negative" in err
    code, _, err = run(capsys, "apply", LOONA["coupon_used"], "coupon-redeem")
    assert code == 1 and err.strip()
    code, out, _ = run(capsys, "apply", LUNA["foreign"], "stamp", "1", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
    assert "another company" in json.loads(out)["error"]
    code, _, err = run(capsys, "card", "\x07")
    assert code == 2 and "code" in err.lower()
    assert "Traceback" not in err


def test_set_expiry_and_check_and_recover(capsys: pytest.CaptureFixture[str]) -> None:
    day = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    code, out, _ = run(capsys, "apply", LUNA["coupon"], "set-expiry", day, "--json")
    assert code == 0 and json.loads(out)["card"]["expires"].startswith(day)
    code, out, _ = run(capsys, "check")
    assert code == 0 and out.count("OK  ") == len(SERVICES)
    code, out, _ = run(capsys, "recover")
    assert code == 0 and "Nothing to recover" in out


def test_version_and_sandbox_command_as_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out = subprocess.run([sys.executable, "-m", "pos_app", "--version"], capture_output=True,
                         text=True, env=env, timeout=60, check=True).stdout
    assert out.strip() == f"pos-app {__version__}"
    proc = subprocess.Popen([sys.executable, "-m", "pos_app", "sandbox", "--state",
                             str(tmp_path / "state.json")], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(lines)
        assert 'base_url = "http://127.0.0.1:' in text and "client_secret" in text
        assert LUNA["stamps"] in text and LOONA["gift"] in text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
