"""The algorithm register: which algorithms exist and which code, tables or columns they read (design §Algorithms).

Native files are TOML (``[[algorithm]]``) or JSON (a list, or ``{"algorithm": [...]}``) whose keys follow the
Algoritmeregister publication standard 1.0.0, plus ``id`` and ``inputs``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from connectors.database import SourceError

REGISTER_SOURCE = "register"


@dataclass(frozen=True)
class Algorithm:
    id: str
    name: str
    inputs: tuple[str, ...]
    register: Path  # the file it came from; code inputs are relative to its folder
    organization: str = ""
    publication_category: str = ""
    status: str = ""
    lawful_basis: str = ""
    source_data: str = ""
    fields: dict = field(default_factory=dict, hash=False, compare=False)  # every key of the entry, as given

    @property
    def identity(self) -> str:
        return f"algorithm:{self.id}"


def load_register(path: Path) -> tuple[list[Algorithm], list[SourceError]]:
    """Algorithms of one register file; a broken entry is an error and the other entries still load."""
    shown = path.as_posix()
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8-sig")) if path.suffix.lower() == ".toml" else json.loads(raw)
    except FileNotFoundError:
        return [], [SourceError(REGISTER_SOURCE, shown, "no such register file")]
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as err:
        return [], [SourceError(REGISTER_SOURCE, shown, f"not a valid register: {err}")]
    entries = data.get("algorithm", []) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return [], [SourceError(REGISTER_SOURCE, shown, "expected a list of algorithms under 'algorithm'")]
    algorithms: list[Algorithm] = []
    errors: list[SourceError] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{shown} (algorithm {number})"
        if not isinstance(entry, dict) or not str(entry.get("id") or "").strip():
            errors.append(SourceError(REGISTER_SOURCE, where, "every algorithm needs an 'id'"))
            continue
        ident = str(entry["id"]).strip()
        inputs = entry.get("inputs", [])
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            errors.append(SourceError(REGISTER_SOURCE, where, f"'inputs' of {ident} must be a list of strings"))
            continue
        if ident in seen:
            errors.append(SourceError(REGISTER_SOURCE, where, f"algorithm id {ident} appears twice"))
            continue
        seen.add(ident)
        algorithms.append(Algorithm(
            id=ident, name=str(entry.get("name") or ident), inputs=tuple(inputs), register=path,
            organization=str(entry.get("organization") or ""),
            publication_category=str(entry.get("publication_category") or ""),
            status=str(entry.get("status") or ""), lawful_basis=str(entry.get("lawful_basis") or ""),
            source_data=str(entry.get("source_data") or ""), fields=dict(entry)))
    return algorithms, errors
