"""SQL Server and Oracle inventories built from recorded catalog rows (tests/fixtures/catalogs), and their view and
routine bodies through lineage. The catalog queries themselves are not run against live servers here."""

from __future__ import annotations

import json
from pathlib import Path

from connectors.catalogs import mssql_inventory, oracle_inventory
from connectors.code import view_bodies
from lineage.extract import Result, extract, make_schema
from scanner.detect import classify_table
from tests.conftest import FIXTURES

ROWS = Path(FIXTURES) / "catalogs"


def _lineage(inv) -> Result:
    schema = make_schema(inv.sqlglot_schema(), inv.dialect)
    result = Result()
    for text in view_bodies(inv):
        result.extend(extract(text.text, inv.dialect, schema, inv.system, text.default_schema, text.file, text.line))
    return result


def _tags(inv) -> dict[str, list[str]]:
    return {column.id: [t.category for t in tags] for table in inv.tables for column, tags in classify_table(table)}


def test_sql_server_catalog_rows() -> None:
    rows = json.loads((ROWS / "mssql.json").read_text())
    inv = mssql_inventory("gemeente", "mssql+pyodbc://scanner:***@db/gemeente", rows["columns"], rows["modules"])
    assert [t.id for t in inv.tables] == ["gemeente.dbo.klant", "gemeente.risk.score", "gemeente.dbo.vbuitenland"]
    klant = inv.tables[0]
    assert klant.catalog_name == "Klant" and klant.columns[1].catalog_name == "Nationaliteit"
    assert klant.columns[2].comment == "Geboorteland (Tabel 34)"
    assert inv.tables[2].kind == "view" and "6030" in inv.tables[2].definition
    assert [(r.schema, r.name) for r in inv.routines] == [("risk", "vulscore")]
    tags = _tags(inv)
    assert tags["gemeente.dbo.klant.code1"] == ["birth_country"]  # by its description (extended property)
    assert tags["gemeente.dbo.klant.nationaliteit"] == ["nationality"]
    edges = {(e.source, e.target, e.kind) for e in _lineage(inv).edges}
    assert ("gemeente.dbo.klant.code1", "gemeente.dbo.vbuitenland.klantid", "filter") in edges
    assert ("gemeente.dbo.klant.nationaliteit", "gemeente.risk.score.nietnl", "derive") in edges


def test_oracle_catalog_rows() -> None:
    rows = json.loads((ROWS / "oracle.json").read_text())
    inv = oracle_inventory("brp", "oracle+oracledb://scanner:***@db/brp", rows["columns"], rows["views"],
                           rows["source"])
    assert [c.id for c in inv.tables[0].columns] == ["brp.brp.persoon.bsn", "brp.brp.persoon.gebland",
                                                     "brp.brp.persoon.Achternaam"]  # quoted mixed case is kept
    assert inv.routines[0].definition.startswith("CREATE OR REPLACE PROCEDURE vul_kenmerk AS\nBEGIN\n")
    assert _tags(inv)["brp.brp.persoon.gebland"] == ["birth_country"]
    result = _lineage(inv)
    edges = {(e.source, e.target, e.kind, e.line) for e in result.edges}
    assert ("brp.brp.persoon.gebland", "brp.brp.v_buitenland.bsn", "filter", 1) in edges
    assert ("brp.brp.persoon.gebland", "brp.risk.kenmerk.buitenland", "derive", 3) in edges
    assert result.errors == []


def test_schema_filter_applies_to_catalog_rows() -> None:
    rows = json.loads((ROWS / "oracle.json").read_text())
    inv = oracle_inventory("brp", "x", rows["columns"], rows["views"], rows["source"], schemas=["RISK"])
    assert [t.id for t in inv.tables] == ["brp.risk.kenmerk"] and [r.name for r in inv.routines] == ["vul_kenmerk"]
