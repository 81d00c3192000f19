"""The command line through click's runner: the JSON contracts, outputs, exit codes and hostile names."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from tests.conftest import FIXTURES, run_sql

LINEAGE = Path(FIXTURES) / "lineage"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_lineage_prints_the_contract_json(monkeypatch) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)  # files are shown relative to the working directory
    result = invoke("lineage", LINEAGE / "union_insert_script.sql", "--dialect", "postgres", "--system", "t",
                    "--schema", LINEAGE / "schema_toeslagen.json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"edges", "errors"}
    edge = next(e for e in document["edges"] if e["target"] == "t.public.tmp_herkomst.land")
    assert edge == {"source": "t.public.persoon.geboorteland", "target": "t.public.tmp_herkomst.land",
                    "kind": "copy", "file": "tests/fixtures/lineage/union_insert_script.sql", "line": 3}
    assert [(e["line"], e["message"].split(":")[0]) for e in document["errors"]] == [(12, "parse error")]
    assert {e["kind"] for e in document["edges"]} == {"copy", "derive", "join", "filter"}


def test_lineage_of_a_folder_with_only_broken_sql_fails(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("SELEC 1 FRM x;\n")
    result = invoke("lineage", tmp_path, "--dialect", "postgres")
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0]["file"].endswith("a.sql")


def test_lineage_rejects_a_broken_schema_file(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("{not json")
    result = CliRunner().invoke(main, ["lineage", str(LINEAGE), "--dialect", "postgres", "--schema", str(tmp_path / "s.json")])
    assert result.exit_code == 1 and "cannot read schema file" in result.output


def test_classify_prints_every_column_with_tags_and_evidence(tmp_path: Path) -> None:
    db = tmp_path / "gba.db"
    run_sql(f"sqlite:///{db}", "CREATE TABLE lo3_pl_persoon (a_nummer TEXT, geboorte_land_code TEXT, "
                               "geboorte_plaats TEXT, geboortedatum TEXT);")
    result = invoke("classify", f"sqlite:///{db}", "--name", "gbav")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    columns = {c["column"]: c for c in document["columns"]}
    assert list(columns) == [f"gbav.main.lo3_pl_persoon.{c}" for c in
                             ("a_nummer", "geboorte_land_code", "geboorte_plaats", "geboortedatum")]
    assert columns["gbav.main.lo3_pl_persoon.geboorte_land_code"]["tags"] == [
        {"category": "birth_country", "confidence": 0.93, "evidence": [
            {"rule": "name", "detail": "geboorteland"},
            {"rule": "context", "detail": "person table (anummer, geboortedatum)"}]}]
    assert columns["gbav.main.lo3_pl_persoon.geboorte_plaats"]["tags"][0]["category"] == "birthplace"
    assert columns["gbav.main.lo3_pl_persoon.geboortedatum"]["tags"] == []
    assert columns["gbav.main.lo3_pl_persoon.a_nummer"]["type"] == "TEXT"
    assert document["errors"] == []


def test_classify_reads_names_as_the_catalog_spells_them(tmp_path: Path) -> None:
    # SQLite is case-insensitive, so identities fold to lower case; the words of a camelCase name must survive
    db = tmp_path / "visa.db"
    run_sql(f"sqlite:///{db}", "CREATE TABLE ds160_application (dateOfBirth TEXT, belongsToClanOrTribe INTEGER, "
                               "RaceNone INTEGER);")
    document = json.loads(invoke("classify", f"sqlite:///{db}", "--name", "visa").output)
    tags = {c["column"]: c["tags"] for c in document["columns"]}
    assert [t["category"] for t in tags["visa.main.ds160_application.belongstoclanortribe"]] == ["ethnicity"]
    assert tags["visa.main.ds160_application.belongstoclanortribe"][0]["evidence"][0] == {"rule": "name",
                                                                                         "detail": "tribe"}
    # RaceNone's own words: the weak flag rule would find the folded racenone too, but not the word "race"
    assert tags["visa.main.ds160_application.racenone"][0]["evidence"][0] == {"rule": "name", "detail": "race"}


def test_classify_reads_postgres_comments(pg_database: str) -> None:
    run_sql(pg_database, "CREATE TABLE klant (id int, code_1 char(4)); "
                         "COMMENT ON COLUMN klant.code_1 IS 'Geboorteland volgens BRP Tabel 34';")
    result = invoke("classify", pg_database, "--name", "crm", "--schema", "public")
    document = json.loads(result.output)
    tags = {c["column"]: c["tags"] for c in document["columns"]}
    assert tags["crm.public.klant.code_1"][0]["category"] == "birth_country"
    assert tags["crm.public.klant.code_1"][0]["evidence"] == [{"rule": "comment", "detail": "geboorteland"},
                                                              {"rule": "context", "detail": "person table (klant)"}]


def test_classify_unreachable_database_is_a_json_error_and_exit_1(tmp_path: Path) -> None:
    result = invoke("classify", f"sqlite:///{tmp_path / 'nope.db'}")
    assert result.exit_code == 1
    assert "no such database file" in json.loads(result.output)["errors"][0]["message"]


def test_scan_writes_every_output(estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("scan", estate, "--out", out)
    assert result.exit_code == 0, result.output
    for name in ("findings.json", "report.html", "findings.csv", "origin_columns.csv", "errors.csv", "originscan.xlsx"):
        assert (out / name).stat().st_size > 0, name
    document = json.loads((out / "findings.json").read_text())
    assert {f["use"] for f in document["findings"]} == {"selection", "derived_feature", "aggregate"}
    for finding in document["findings"]:
        assert set(finding) >= {"algorithm", "column", "category", "use", "path", "review"}
        assert finding["review"] == {"status": "unreviewed"}
        assert all(set(step) == {"from", "to", "kind", "file", "line"} for step in finding["path"])
    assert document["errors"] == [{"source": "t", "file": "etl/02_termijnen.sql", "line": 5,
                                   "message": "parse error: Invalid expression / Unexpected token"}]
    assert "etl/02_termijnen.sql:5" in result.output
    assert (estate.parent / "store.db").exists()


def test_scan_with_a_broken_config_exits_1_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[[sources]]\nurl = 'sqlite:///x.db'\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "c.toml")])
    assert result.exit_code == 1
    assert "'name' is required" in result.output
    assert "Traceback" not in result.output


def test_hostile_names_are_text_in_every_output(estate: Path, tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    run_sql(f"sqlite:///{estate.parent / 'estate.db'}",
            f'CREATE TABLE "=HYPERLINK(""http://x"")" ("{hostile}nationaliteit" TEXT);')
    out = tmp_path / "out"
    assert invoke("scan", estate, "--out", out).exit_code == 0
    html = (out / "report.html").read_text()
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    csv = (out / "origin_columns.csv").read_text()
    assert not any(line.startswith(("=", "+", "@")) for line in csv.splitlines())


def test_lineage_as_dot_and_graphml() -> None:
    import xml.etree.ElementTree as ET

    import networkx as nx

    args = ["lineage", LINEAGE / "copy_derive_filter.sql", "--dialect", "postgres", "--system", "t",
            "--schema", LINEAGE / "schema_toeslagen.json"]
    dot = invoke(*args, "--format", "dot").output
    assert dot.startswith("digraph lineage {")
    assert ('"t.public.nationaliteit.nationaliteit_code" -> "t.public.stg_aanvrager.niet_nl" '
            '[label="derive", style=solid];') in dot
    assert '[label="filter", style=dashed];' in dot
    graphml = invoke(*args, "--format", "graphml").output
    ET.fromstring(graphml)  # well-formed
    graph = nx.parse_graphml(graphml, force_multigraph=True)
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"copy", "derive", "join", "filter"}
    assert graph.has_edge("t.public.persoon.geboorteland", "t.public.stg_aanvrager.geboorteland")


def test_lineage_with_a_process_pool_gives_the_same_edges() -> None:
    args = ["lineage", LINEAGE, "--dialect", "postgres", "--system", "t", "--schema", LINEAGE / "schema_toeslagen.json"]
    one = json.loads(invoke(*args).output)
    two = json.loads(invoke(*args, "--jobs", "2").output)
    assert len(one["edges"]) > 50
    assert one == two  # the fixture files create no table another file expands with *


def test_psql_meta_commands_are_skipped_and_lines_kept(tmp_path: Path) -> None:
    script = tmp_path / "load.sql"
    script.write_text("\\set ON_ERROR_STOP on\n\\connect toeslagen\nCREATE TABLE x AS SELECT nat FROM persoon;\n"
                      "\\i other.sql\nSELECT nat FROM x;\n")
    document = json.loads(invoke("lineage", script, "--dialect", "postgres", "--system", "t",
                                 "--default-schema", "public").output)
    assert document["errors"] == []
    assert [(e["line"], e["target"]) for e in document["edges"]] == [(3, "t.public.x.nat"), (5, "t.query.load_2.nat")]


def test_classify_on_duckdb(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "cbs.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE TABLE gbapersoontab (rinpersoon VARCHAR, gbageboorteland VARCHAR, gbageneratie VARCHAR)")
        conn.execute("INSERT INTO gbapersoontab VALUES ('1', '6030', '0'), ('2', '5022', '2'), ('3', '6043', '1')")
    result = invoke("classify", f"duckdb:///{path}", "--name", "cbs", "--sample", "10")
    assert result.exit_code == 0, result.output
    tags = {c["column"]: [t["category"] for t in c["tags"]] for c in json.loads(result.output)["columns"]}
    assert tags == {"cbs.main.gbapersoontab.rinpersoon": [], "cbs.main.gbapersoontab.gbageboorteland": ["birth_country"],
                    "cbs.main.gbapersoontab.gbageneratie": ["migration_background"]}


def test_every_command_has_help_with_an_example() -> None:
    import click

    def commands(group: click.Group, path: list[str]):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from commands(command, path + [name])
            else:
                yield path + [name]

    missing = [" ".join(path) for path in commands(main, [])
               if "Example" not in CliRunner().invoke(main, [*path, "--help"]).output]
    assert missing == []
