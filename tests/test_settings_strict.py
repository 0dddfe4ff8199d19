"""Settings that cannot lie: unknown tables and keys are errors naming them, the sandbox runs
only without a settings file or when the file says so, and every command run on it says so
(issue 10, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.core.errors import ConfigError
from pos_app.core.scanning.options import DEFAULTS
from pos_app.core.services.luna.seed import DEMO as LUNA
from pos_app.core.settings import Settings, load_settings
from pos_app.core.settings_schema import known_tables

LUNA_TABLE = '[luna]\nbase_url = "https://luna.example.com/api"\ntoken = "luna-token-123456"\n'


def _write(home: Path, text: str) -> Path:
    path = home / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "named"), [
    ('[Luna]\nbase_url = "https://luna.example.com/api"\ntoken = "t0ken-123"\n', "[Luna]"),
    ('[luna]\nbaseurl = "https://luna.example.com/api"\ntoken = "t0ken-123"\n', "baseurl"),
    ('[lunna]\nbase_url = "https://x.example.com"\n', "[lunna]"),
    ('base_url = "https://luna.example.com/api"\n', "base_url"),
    (LUNA_TABLE + '[scanner]\ngap_ms = 30\n', "gap_ms"),
    (LUNA_TABLE + '[ui]\ntheme = "dark"\n', "[ui]"),
    ('[sandbox]\nenabled = "yes"\n', "enabled"),
])
def test_unknown_tables_and_keys_are_errors_that_name_them(isolated_dirs: Path, text: str,
                                                            named: str) -> None:
    path = _write(isolated_dirs, text)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert named in str(info.value) and str(path) in str(info.value)


def test_a_likely_typo_gets_a_suggestion(isolated_dirs: Path) -> None:
    _write(isolated_dirs, '[luna]\nbaseurl = "https://luna.example.com/api"\n')
    with pytest.raises(ConfigError, match="did you mean base_url"):
        load_settings()
    _write(isolated_dirs, '[Luna]\nbase_url = "https://luna.example.com/api"\n')
    with pytest.raises(ConfigError, match=r"did you mean \[luna\]"):
        load_settings()


def test_typos_never_run_an_operation_on_the_sandbox(isolated_dirs: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _write(isolated_dirs, '[Luna]\nbase_url = "https://luna.example.com/api"\ntoken = "t0k3n"\n')
    assert main(["apply", LUNA["stamps"], "stamp", "1"]) == 4
    out, err = capsys.readouterr()
    assert "Done" not in out and "[Luna]" in err


def test_a_file_configuring_no_service_is_not_the_sandbox(isolated_dirs: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    _write(isolated_dirs, '[luna]\ntoken = "luna-token-123456"\n[scanner]\nwedge_enabled = true\n')
    settings = load_settings()
    assert not settings.uses_sandbox and settings.configured == []
    assert main(["card", LUNA["stamps"]]) == 4
    err = capsys.readouterr().err
    assert "configures no service" in err and "[sandbox] enabled = true" in err


def test_the_sandbox_runs_when_the_file_says_so(isolated_dirs: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _write(isolated_dirs, '[sandbox]\nenabled = true\n[scanner]\nwedge_enabled = false\n')
    assert load_settings().uses_sandbox
    assert main(["card", LUNA["stamps"], "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["sandbox"] is True
    assert "Sandbox" in err and "[sandbox] enabled = true" in err


def test_sandbox_and_a_service_at_once_is_an_error(isolated_dirs: Path) -> None:
    _write(isolated_dirs, LUNA_TABLE + '[sandbox]\nenabled = true\n')
    with pytest.raises(ConfigError, match=r"\[sandbox\]"):
        load_settings()


def test_every_command_on_the_sandbox_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["card", LUNA["stamps"]], ["apply", LUNA["stamps"], "stamp", "1"],
                 ["journal"], ["templates"], ["recover"], ["check"]):
        assert main(argv) == 0, argv
        err = capsys.readouterr().err
        assert "Sandbox: demo cards" in err and "no settings file" in err, argv
    for argv in (["card", LUNA["stamps"], "--json"],
                 ["apply", LUNA["stamps"], "stamp", "1", "--json"]):
        assert main(argv) == 0
        assert json.loads(capsys.readouterr().out)["sandbox"] is True
    assert main(["apply", LUNA["stamps"], "stamp", "0", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["sandbox"] is True


def test_saving_on_the_sandbox_keeps_the_till_on_it(isolated_dirs: Path) -> None:
    settings = load_settings()
    assert settings.uses_sandbox and not settings.found
    settings.section("scanner")["wedge_min_length"] = 6  # what the scanner dialog does
    settings.save()
    again = load_settings()
    assert again.uses_sandbox and again.sandbox_requested
    assert again.data["scanner"]["wedge_min_length"] == 6


def test_saving_a_configured_service_keeps_it(isolated_dirs: Path) -> None:
    _write(isolated_dirs, LUNA_TABLE + '[scanner]\nwedge_min_length = 5\n')
    settings = load_settings()
    settings.save()
    again = load_settings()
    assert again.configured == ["luna"] and not again.uses_sandbox
    assert again.data == {"luna": settings.data["luna"], "scanner": {"wedge_min_length": 5}}


def test_every_table_the_app_reads_is_known() -> None:
    tables = known_tables()
    assert set(DEFAULTS) <= set(tables["scanner"])
    assert {"luna", "loona", "scanner", "sandbox"} <= set(tables)
    assert "templates" in tables["loona"] and "allow_insecure_http" in tables["luna"]


def test_settings_made_in_code_follow_the_same_rule(tmp_path: Path) -> None:
    assert Settings(tmp_path / "none.toml").uses_sandbox
    assert not Settings(tmp_path / "x.toml", {"scanner": {}}, found=True).uses_sandbox
    assert Settings(tmp_path / "x.toml", {"sandbox": {"enabled": True}}, found=True).uses_sandbox


def test_code_cannot_add_a_table_the_file_could_not_load_again(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\[ui\]"):
        Settings(tmp_path / "x.toml").section("ui")
