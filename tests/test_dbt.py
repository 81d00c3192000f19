"""dbt projects read from their compiled manifest (tests/fixtures/dbt_project)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from tests.conftest import FIXTURES

PROJECT = Path(FIXTURES) / "dbt_project"


def _lineage(path: Path) -> dict:
    result = CliRunner().invoke(main, ["lineage", str(path), "--dialect", "postgres", "--system", "t"])
    return json.loads(result.output)


def test_models_become_their_relations_and_jinja_is_never_parsed() -> None:
    document = _lineage(PROJECT)
    edges = {(e["source"], e["target"], e["kind"], e["file"]) for e in document["edges"]}
    assert ("t.public.nationaliteit.nationaliteit_code", "t.analytics.stg_aanvrager.nationaliteit_code", "copy",
            "models/stg_aanvrager.sql (compiled)") in edges
    assert ("t.analytics.stg_aanvrager.nationaliteit_code", "t.analytics.kenmerken.niet_nl", "derive",
            "models/kenmerken.sql (compiled)") in edges
    assert ("t.public.nationaliteit.bsn", "t.analytics.stg_aanvrager.aanvraag_id", "join",
            "models/stg_aanvrager.sql (compiled)") in edges
    assert document["errors"] == []  # the models' {{ ref() }} templates were not read as SQL


def test_a_project_without_a_manifest_says_how_to_get_one(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    shutil.rmtree(project / "target")
    document = _lineage(project)
    assert document["edges"] == []
    assert document["errors"][0]["message"] == "dbt project without target/manifest.json: run `dbt compile` first"
