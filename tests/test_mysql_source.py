"""A real MariaDB server (started by make test): inventory with comments, views and routine bodies, a read-only
session, and classify with sampled values."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from connectors.code import view_bodies
from connectors.database import connect, inventory
from lineage.extract import Result, extract, make_schema
from scanner.cli import main

SETUP = [
    "CREATE TABLE persoon (bsn VARCHAR(9) PRIMARY KEY, geb_land CHAR(4) COMMENT 'Geboorteland, Tabel 34', "
    "nationaliteit VARCHAR(40)) COMMENT 'Ingeschreven personen'",
    "INSERT INTO persoon VALUES ('999900001', '6030', 'Nederlandse'), ('999900002', '5022', 'Marokkaanse'), "
    "('999900003', '6043', 'Turkse')",
    "CREATE TABLE kenmerk (bsn VARCHAR(9), buitenland INT)",
    "CREATE VIEW v_buitenland AS SELECT bsn FROM persoon WHERE geb_land <> '6030'",
    "CREATE PROCEDURE vul_kenmerk() BEGIN\n  DELETE FROM kenmerk;\n  INSERT INTO kenmerk (bsn, buitenland)\n"
    "  SELECT bsn, CASE WHEN geb_land <> '6030' THEN 1 ELSE 0 END FROM persoon;\nEND",
]


@pytest.fixture
def source(mysql_database: str) -> str:
    engine = create_engine(mysql_database)
    with engine.begin() as conn:
        for statement in SETUP:
            conn.exec_driver_sql(statement)
    engine.dispose()
    return mysql_database


def test_inventory_reads_comments_views_and_procedure_bodies(source: str) -> None:
    inv = inventory(source, "gemeente")
    columns = {c.id: c for c in inv.columns()}
    schema = next(iter(columns)).split(".")[1]
    assert columns[f"gemeente.{schema}.persoon.geb_land"].comment == "Geboorteland, Tabel 34"
    assert columns[f"gemeente.{schema}.persoon.geb_land"].table_comment == "Ingeschreven personen"
    assert [r.name for r in inv.routines] == ["vul_kenmerk"]
    result = Result()
    mapping = make_schema(inv.sqlglot_schema(), "mysql")
    for body in view_bodies(inv):
        result.extend(extract(body.text, "mysql", mapping, inv.system, body.default_schema, body.file, body.line))
    edges = {(e.source.split(".", 2)[2], e.target.split(".", 2)[2], e.kind) for e in result.edges}
    assert ("persoon.geb_land", "v_buitenland.bsn", "filter") in edges
    assert ("persoon.geb_land", "kenmerk.buitenland", "derive") in edges


def test_session_is_read_only(source: str) -> None:
    engine = connect(source)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM persoon")).scalar() == 3
        with pytest.raises(SQLAlchemyError, match="READ ONLY"):
            conn.execute(text("DELETE FROM persoon"))
    engine.dispose()


def test_classify_with_sampled_values(source: str) -> None:
    result = CliRunner().invoke(main, ["classify", source, "--name", "gemeente", "--sample", "10"])
    assert result.exit_code == 0, result.output
    tags = {c["column"].rsplit(".", 2)[1] + "." + c["column"].rsplit(".", 1)[1]: c["tags"]
            for c in json.loads(result.output)["columns"]}
    geb_land = tags["persoon.geb_land"][0]
    assert geb_land["category"] == "birth_country"
    assert {e["rule"] for e in geb_land["evidence"]} == {"name", "comment", "values", "context"}
    assert tags["persoon.nationaliteit"][0]["category"] == "nationality"
    assert "999900001" not in result.output and "Marokkaanse" not in result.output
