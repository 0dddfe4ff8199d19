"""``pos-app screenshots --lang ru``: the window on the sandbox in Russian with roubles, the
PNGs in docs/screenshots/ru (English keeps docs/screenshots and the sandbox's defaults)."""

from __future__ import annotations

from pathlib import Path

from pos_app.cli.main import build_parser
from pos_app.core.settings import load_settings
from pos_app.qt.screenshots import DEFAULT_OUT, default_out, write_settings


def test_the_russian_set_runs_on_the_sandbox_in_russian_with_roubles(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    write_settings(str(path), "ru")
    settings = load_settings(path)
    assert settings.sandbox_requested
    assert (settings.language, settings.currency) == ("ru", "RUB")
    assert default_out("ru") == DEFAULT_OUT / "ru"


def test_the_english_set_keeps_its_folder_and_the_sandbox_defaults(tmp_path: Path) -> None:
    write_settings(str(tmp_path / "settings.toml"), "en")
    assert not (tmp_path / "settings.toml").exists()
    assert default_out("en") == DEFAULT_OUT == Path("docs/screenshots")


def test_the_command_passes_the_language_through() -> None:
    args = build_parser().parse_args(["screenshots", "--lang", "ru"])
    assert (args.lang, args.out) == ("ru", None)
    assert build_parser().parse_args(["screenshots"]).lang == "en"
