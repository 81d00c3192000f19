"""The config file: paths relative to its folder, and a clear error for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import ConfigError, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "originscan.toml"
    path.write_text(text)
    return path


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, """
[store]
url = "sqlite:///state/store.db"
[[sources]]
name = "Toeslagen"
url = "sqlite:///data/toeslagen.db"
schemas = ["main"]
[[sources]]
name = "brp"
url = "postgresql+psycopg://scanner@db.example/brp"
[[code]]
system = "toeslagen"
paths = ["etl/", "models/x.sql"]
dialect = "SQLite"
[[algorithms]]
path = "register/algorithms.toml"
"""))
    assert cfg.store_url == f"sqlite:///{tmp_path.resolve()}/state/store.db"
    assert cfg.sources[0].url == f"sqlite:///{tmp_path.resolve()}/data/toeslagen.db"
    assert cfg.sources[0].name == "toeslagen" and cfg.sources[0].schemas == ("main",)
    assert cfg.sources[1].url == "postgresql+psycopg://scanner@db.example/brp"
    assert cfg.sources[1].password_env == "ORIGINSCAN_BRP_PASSWORD"
    assert cfg.code[0].paths == (tmp_path.resolve() / "etl", tmp_path.resolve() / "models/x.sql")
    assert cfg.code[0].dialect == "sqlite"
    assert cfg.registers == (tmp_path.resolve() / "register/algorithms.toml",)


@pytest.mark.parametrize("text, message", [
    ("[[sources]\nname = 'x'", "not valid TOML"),
    ("[souces]\nx = 1", "unknown section"),
    ("", "nothing to scan"),
    ("[[sources]]\nurl = 'sqlite:///x.db'", "'name' is required"),
    ("[[sources]]\nname = 'a b'\nurl = 'sqlite:///x.db'", "may hold only"),
    ("[[sources]]\nname = 'a'\nurl = 'sqlite:///x.db'\n[[sources]]\nname = 'a'\nurl = 'sqlite:///y.db'", "unique"),
    ("[[code]]\nsystem = 'a'\npaths = []\ndialect = 'postgres'", "non-empty list"),
    ("[[code]]\nsystem = 'a'\npaths = ['etl']\ndialect = 'cobol'", "unknown SQL dialect 'cobol'"),
    ("sources = 'x'", "array of tables"),
    ("[[sources]]\nname = 'a'\nurl = 'sqlite:///x.db'\ninclude = 'brp.*'", "include must be a list of patterns"),
    ("[[sources]]\nname = 'a'\nurl = 'sqlite:///x.db'\nsample = -1", "sample must be a number of rows"),
])
def test_broken_configs_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(_write(tmp_path, text))
    assert "originscan.toml" in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
