import os
import stat
from pathlib import Path

import pytest

from pos_app.core.errors import ConfigError
from pos_app.core.paths import config_path, data_dir
from pos_app.core.settings import load_settings, mask_secret


def test_nothing_configured_means_sandbox(isolated_dirs: Path) -> None:
    settings = load_settings()
    assert settings.path == isolated_dirs / "settings.toml"
    assert settings.uses_sandbox and settings.configured == []


def test_config_flag_and_env_and_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          isolated_dirs: Path) -> None:
    assert config_path(tmp_path / "x.toml") == tmp_path / "x.toml"
    assert config_path() == isolated_dirs / "settings.toml"
    monkeypatch.setenv("POS_APP_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere" and data_dir().is_dir()


def test_round_trip_keeps_other_tables_and_is_private(isolated_dirs: Path) -> None:
    path = isolated_dirs / "settings.toml"
    path.write_text('[luna]\nbase_url = "https://luna.example/api/v1"\ntoken = "t0ken"\n'
                    '[scanner]\nwedge_max_gap_ms = 30\n', encoding="utf-8")
    settings = load_settings()
    assert settings.configured == ["luna"] and not settings.uses_sandbox
    settings.section("loona")["base_url"] = ""
    settings.save()
    again = load_settings()
    assert again.data["scanner"] == {"wedge_max_gap_ms": 30}
    assert again.configured == ["luna"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("text", ["[luna\n", '[loona]\nbase_url = "https://x"\n'])
def test_broken_settings_are_said_plainly(isolated_dirs: Path, text: str) -> None:
    (isolated_dirs / "settings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "settings.toml" in str(info.value)


def test_mask_secret() -> None:
    assert mask_secret("abcdefghij") == "••••••ghij"
    assert mask_secret("abc") == "•••"
