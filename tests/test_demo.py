"""The bundled demo estate and ``originscan demo``: what a newcomer sees first."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlglot
from click.testing import CliRunner

from scanner.cli import main
from scanner.demo import DATABASE, NOT_EXECUTED, build_estate


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def test_estate_is_built_with_etl_run_and_the_broken_script_skipped(tmp_path: Path) -> None:
    config = build_estate(tmp_path / "estate")
    folder = config.parent
    database = folder / DATABASE
    names = {n for (n,) in _rows(database, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"brp_persoon", "brp_nationaliteit", "toeslag_aanvraag", "stg_aanvrager", "risico_kenmerken",
            "v_aanvragen_buitenland_geboren", "stat_aanvragen_per_herkomst", "werkvoorraad_termijnen",
            "stg_ouders_herkomst"} <= names
    assert "export_signalering" not in names  # 90_legacy_export.sql is not executed
    assert (folder / "etl" / "90_legacy_export.sql").read_text().startswith(NOT_EXECUTED)
    assert _rows(database, "SELECT COUNT(*) FROM risico_kenmerken")[0][0] > 300
    flags = dict(_rows(database, "SELECT niet_nederlander, COUNT(*) FROM risico_kenmerken GROUP BY 1"))
    assert flags[0] > flags[1] > 0
    assert _rows(database, "SELECT MIN(bsn), MAX(bsn) FROM brp_persoon")[0] == ("999900000", "999900599")


def test_estate_is_deterministic(tmp_path: Path) -> None:
    first = build_estate(tmp_path / "a").parent / DATABASE
    second = build_estate(tmp_path / "b").parent / DATABASE
    query = "SELECT * FROM brp_persoon ORDER BY bsn"
    assert _rows(first, query) == _rows(second, query)
    rebuilt = build_estate(tmp_path / "a").parent / DATABASE  # building again over an old estate starts afresh
    assert _rows(rebuilt, "SELECT COUNT(*) FROM brp_persoon") == _rows(first, "SELECT COUNT(*) FROM brp_persoon")


def test_every_shipped_statement_but_the_broken_one_parses(tmp_path: Path) -> None:
    folder = build_estate(tmp_path / "estate").parent
    broken = []
    for script in sorted((folder / "etl").glob("*.sql")) + sorted((folder / "queries").glob("*.sql")):
        for statement in sqlglot.parse(script.read_text(), read="sqlite", error_level=sqlglot.ErrorLevel.IGNORE):
            assert not isinstance(statement, sqlglot.exp.Command), script
        try:
            sqlglot.parse(script.read_text(), read="sqlite")
        except sqlglot.ParseError:
            broken.append(script.name)
    assert broken == ["90_legacy_export.sql"]


def test_demo_command_finds_each_use(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "out")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "findings.json").read_text())
    found = {(f["algorithm"], f["column"], f["use"], f["undeclared"]) for f in document["findings"]}
    assert found == {
        ("algorithm:risicomodel-kinderopvangtoeslag", "demo.main.brp_nationaliteit.nationaliteit_code", "selection", True),
        ("algorithm:fraudescore-kinderopvang", "demo.main.brp_nationaliteit.nationaliteit_code", "derived_feature", False),
        ("algorithm:dashboard-herkomst", "demo.main.brp_persoon.geboorteland", "aggregate", False),
        ("algorithm:selectie-huisbezoek", "demo.main.brp_persoon.geboorteland", "selection", True),
    }
    derived = next(f for f in document["findings"] if f["use"] == "derived_feature")
    assert [(s["kind"], s["to"], s["file"]) for s in derived["path"]] == [
        ("copy", "demo.main.stg_aanvrager.nationaliteit_code", "etl/10_stg_aanvrager.sql"),
        ("derive", "demo.main.risico_kenmerken.niet_nederlander", "etl/20_risico_kenmerken.sql"),
    ]
    assert [(e["file"], e["line"]) for e in document["errors"]] == [("etl/90_legacy_export.sql", 8)]
    tags = {c["column"]: [t["category"] for t in c["tags"] if "via" not in t] for c in document["columns"]}
    assert tags["demo.main.stg_ouders_herkomst.geboorteland_ouder1"] == ["parents_birth_country"]
    assert tags["demo.main.brp_persoon.geboorteplaats"] == ["birthplace"]
    assert tags["demo.main.stg_aanvrager.aantal_nationaliteiten"] == ["dual_nationality"]
    assert "4 of 5 algorithms use origin data" in result.output


def test_demo_keeps_no_personal_value_in_its_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["demo", "--out", str(out)]).exit_code == 0
    database = out / "estate" / DATABASE
    values = {v for (v,) in _rows(database, "SELECT bsn FROM brp_persoon")}
    values |= {v for (v,) in _rows(database, "SELECT geslachtsnaam || ' ' || voornamen FROM brp_persoon")}
    values |= {v for (v,) in _rows(database, "SELECT postcode FROM brp_persoon")}
    written = [p for p in out.iterdir() if p.is_file()]
    assert {p.name for p in written} >= {"findings.json", "report.html", "originscan.xlsx", "findings.csv"}
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace") if path.suffix != ".xlsx" else _xlsx_text(path)
        leaked = [v for v in values if v in text]
        assert leaked == [], (path.name, leaked[:3])
    store = out / "estate" / "originscan.db"
    dump = "\n".join(str(row) for table in ("scans", "scan_columns", "scan_findings", "scan_errors", "scan_edges")
                     for row in _rows(store, f"SELECT * FROM {table}"))
    assert [v for v in values if v in dump] == []


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
