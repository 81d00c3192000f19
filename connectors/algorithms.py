"""The algorithm register: which algorithms exist and which code, tables or columns they read (design §Algorithms).

Native files are TOML (``[[algorithm]]``) or JSON (a list, or ``{"algorithm": [...]}``) whose keys follow the
Algoritmeregister publication standard 1.0.0, plus ``id`` and ``inputs``.

The register's public JSON export (``{"algoritme_versions": [...]}``, as algoritmes.overheid.nl serves it) can be
listed too. Its entries say what the organisation *published*; they are matched to native entries by ``lars`` or
``source_id``, and the published text (name, organisation, source_data, lawful_basis, ...) wins, because the
published ``source_data`` is what findings are compared with. A published algorithm that matches no native entry
is still listed, without inputs, so the inventory shows what is registered but not mapped to code or data.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, time
from dataclasses import dataclass, field, replace
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
    published: bool = False  # from the Algoritmeregister's export rather than a native register file

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
    if isinstance(data, dict) and "algoritme_versions" in data:
        return _published(data["algoritme_versions"], path)
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
            source_data=str(entry.get("source_data") or ""), fields=_plain(entry)))
    return algorithms, errors


# Keys of the publication standard that a published entry gives the algorithm (legacy v0.x exports use the same).
PUBLISHED_KEYS = ("name", "organization", "publication_category", "status", "lawful_basis", "source_data")


def _published(entries: object, path: Path) -> tuple[list[Algorithm], list[SourceError]]:
    """Entries of an Algoritmeregister export; each needs a ``lars`` or a ``source_id`` to be matched by."""
    shown = path.as_posix()
    if not isinstance(entries, list):
        return [], [SourceError(REGISTER_SOURCE, shown, "'algoritme_versions' must be a list")]
    algorithms, errors, seen = [], [], set()
    for number, entry in enumerate(entries, start=1):
        key = _register_key(entry) if isinstance(entry, dict) else None
        if key is None:
            errors.append(SourceError(REGISTER_SOURCE, f"{shown} (algoritme_versions {number})",
                                      "a published algorithm needs 'lars' or 'source_id'"))
            continue
        if key in seen:  # the export may hold several versions; the first listed is kept
            continue
        seen.add(key)
        values = {k: str(entry.get(k) or "") for k in PUBLISHED_KEYS}
        algorithms.append(Algorithm(id=key, inputs=(), register=path, fields=_plain(entry), published=True,
                                    **{**values, "name": values["name"] or key}))
    return algorithms, errors


def _register_key(entry: dict) -> str | None:
    if str(entry.get("lars") or "").strip():
        return f"lars-{str(entry['lars']).strip()}"
    if str(entry.get("source_id") or "").strip():
        return str(entry["source_id"]).strip()
    return None


def merge_published(algorithms: list[Algorithm]) -> list[Algorithm]:
    """Native entries take what their published counterpart (same ``lars`` or ``source_id``) declares; published
    entries without a native counterpart stay, with no inputs."""
    published = [a for a in algorithms if a.published]
    native = [a for a in algorithms if not a.published]
    by_lars = {str(a.fields["lars"]).strip(): a for a in published if str(a.fields.get("lars") or "").strip()}
    by_source = {str(a.fields["source_id"]).strip(): a for a in published
                 if str(a.fields.get("source_id") or "").strip()}
    used: set[str] = set()
    merged = []
    for algorithm in native:
        twin = by_lars.get(str(algorithm.fields.get("lars") or "").strip()) or \
            by_source.get(str(algorithm.fields.get("source_id") or "").strip())
        if twin is None:
            merged.append(algorithm)
            continue
        used.add(twin.id)
        declared = {k: getattr(twin, k) for k in PUBLISHED_KEYS if getattr(twin, k)}
        merged.append(replace(algorithm, **declared, fields={**algorithm.fields, **twin.fields, "id": algorithm.id,
                                                             "inputs": list(algorithm.inputs)}))
    return merged + [a for a in published if a.id not in used]


def _plain(value):
    """TOML dates and times as ISO text: register fields travel into findings.json and the store as JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    return value
