"""The scan configuration file (design §Scan): sources, code, algorithm registers and the store.

Relative paths are relative to the config file's folder. Secrets stay out of the file: a URL may say ``${VAR}``,
and a source's password may come from ``$ORIGINSCAN_<NAME>_PASSWORD``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlglot.dialects.dialect import Dialect

DEFAULT_STORE = "sqlite:///originscan.db"


class ConfigError(Exception):
    """A configuration that cannot be used; the message says which key of which file."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    schemas: tuple[str, ...] = ()
    sample: int = 0  # rows per table read for value statistics; 0 reads no values at all
    include: tuple[str, ...] = ()  # glob patterns on schema.table; default: every table
    exclude: tuple[str, ...] = ()
    timeout: int = 30  # seconds one statement may run in the source before it is cancelled

    @property
    def password_env(self) -> str:
        return "ORIGINSCAN_" + re.sub(r"[^A-Za-z0-9]+", "_", self.name).upper() + "_PASSWORD"


@dataclass(frozen=True)
class Code:
    system: str
    paths: tuple[Path, ...]
    dialect: str
    default_schema: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    store_url: str
    sources: tuple[Source, ...] = ()
    code: tuple[Code, ...] = ()
    registers: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def folder(self) -> Path:
        return self.path.parent


def load_config(path: Path) -> Config:
    """Read and check a config file; every problem is a ConfigError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: no such config file") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    folder = path.resolve().parent
    known = {"store", "sources", "code", "algorithms"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(known))}")
    store = _table(data, "store", path)
    sources = tuple(_source(s, i, path, folder) for i, s in enumerate(_list(data, "sources", path), 1))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: [[sources]] names must be unique, got {names}")
    code = tuple(_code(c, i, path, folder) for i, c in enumerate(_list(data, "code", path), 1))
    registers = tuple(folder / _text(a, "path", f"[[algorithms]] {i}", path)
                      for i, a in enumerate(_list(data, "algorithms", path), 1))
    if not sources and not code:
        raise ConfigError(f"{path}: nothing to scan: add [[sources]] or [[code]]")
    return Config(path=path.resolve(), store_url=_file_url(str(store.get("url", DEFAULT_STORE)), folder),
                  sources=sources, code=code, registers=registers)


def _source(raw, index: int, path: Path, folder: Path) -> Source:
    where = f"[[sources]] {index}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    name = _text(raw, "name", where, path)
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ConfigError(f"{path}: {where}: name {name!r} may hold only letters, digits, '_' and '-'")
    schemas = raw.get("schemas", [])
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise ConfigError(f"{path}: {where}: schemas must be a list of names")
    sample = raw.get("sample", 0)
    if not isinstance(sample, int) or isinstance(sample, bool) or not 0 <= sample <= 100_000:
        raise ConfigError(f"{path}: {where}: sample must be a number of rows from 0 to 100000")
    patterns = {}
    for key in ("include", "exclude"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
            raise ConfigError(f"{path}: {where}: {key} must be a list of patterns such as \"risk.*\"")
        patterns[key] = tuple(value)
    timeout = raw.get("timeout", 30)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 3600:
        raise ConfigError(f"{path}: {where}: timeout must be a number of seconds from 1 to 3600")
    return Source(name=name.lower(), url=_file_url(_text(raw, "url", where, path), folder), schemas=tuple(schemas),
                  sample=sample, timeout=timeout, **patterns)


def _code(raw, index: int, path: Path, folder: Path) -> Code:
    where = f"[[code]] {index}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    paths = raw.get("paths")
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{path}: {where}: paths must be a non-empty list of files or folders")
    dialect = _text(raw, "dialect", where, path).lower()
    try:
        Dialect.get_or_raise(dialect)
    except ValueError as err:
        raise ConfigError(f"{path}: {where}: unknown SQL dialect {dialect!r}") from err
    default_schema = raw.get("default_schema")
    return Code(system=_text(raw, "system", where, path).lower(), paths=tuple(folder / p for p in paths),
                dialect=dialect, default_schema=str(default_schema) if default_schema else None)


def _table(data: dict, key: str, path: Path) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    return value


def _list(data: dict, key: str, path: Path) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key} must be an array of tables ([[{key}]])")
    return value


def _text(raw: dict, key: str, where: str, path: Path) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {where}: '{key}' is required and must be text")
    return value.strip()


def _file_url(url: str, folder: Path) -> str:
    """Make a relative SQLite/DuckDB file URL relative to the config's folder."""
    match = re.match(r"^(sqlite|duckdb)(\+\w+)?:///(?!/)(.+)$", url)
    if match and not match.group(3).startswith((":memory:", "file:")) and "${" not in match.group(3):
        return f"{match.group(1)}{match.group(2) or ''}:///{(folder / match.group(3)).as_posix()}"
    return url

