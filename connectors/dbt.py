"""dbt projects, read from their compiled manifest (``target/manifest.json``).

Raw dbt models are Jinja templates, not SQL; the manifest holds each model's compiled SQL and the relation it
builds. A model becomes ``CREATE TABLE|VIEW <relation> AS <compiled SQL>``, so its lineage lands on the same
identities as the warehouse's inventory. Ephemeral models have no relation: dbt inlines them where they are used.
"""

from __future__ import annotations

import json
from pathlib import Path

from connectors.code import SqlText
from connectors.database import SourceError

MANIFEST = Path("target") / "manifest.json"


def is_project(folder: Path) -> bool:
    return (folder / "dbt_project.yml").is_file()


def read_project(folder: Path, shown: str, system: str) -> tuple[list[SqlText], list[SourceError]]:
    """The compiled models of a dbt project folder."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return [], [SourceError(system, shown, "dbt project without target/manifest.json: run `dbt compile` first")]
    return read_manifest(manifest, shown, system)


def read_manifest(path: Path, shown: str, system: str) -> tuple[list[SqlText], list[SourceError]]:
    try:
        nodes = json.loads(path.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, json.JSONDecodeError, AttributeError) as err:
        return [], [SourceError(system, shown, f"not a dbt manifest: {err}")]
    texts: list[SqlText] = []
    errors: list[SourceError] = []
    for unique_id, node in sorted(nodes.items()):
        if not isinstance(node, dict) or node.get("resource_type") not in ("model", "snapshot"):
            continue
        compiled = node.get("compiled_code") or node.get("compiled_sql")
        relation = node.get("relation_name")
        source_file = node.get("original_file_path") or unique_id
        if not relation:
            continue  # ephemeral: compiled into the models that use it
        if not compiled:
            errors.append(SourceError(system, source_file, "model has no compiled SQL in the manifest"))
            continue
        kind = "VIEW" if (node.get("config") or {}).get("materialized") == "view" else "TABLE"
        texts.append(SqlText(f"CREATE {kind} {relation} AS\n{compiled.strip().rstrip(';')}", f"{source_file} (compiled)"))
    return texts, errors
