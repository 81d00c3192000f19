"""The whole pipeline on a small multi-hop estate (tests/fixtures/estate), through the public API."""

from __future__ import annotations

from pathlib import Path

from scanner.config import load_config
from scanner.pipeline import run_scan


def _uses(result) -> set[tuple[str, str, str]]:
    return {(f.algorithm, f.column, f.use) for f in result.findings}


def test_findings_by_use_along_multi_hop_paths(estate: Path) -> None:
    result = run_scan(load_config(estate))
    assert _uses(result) == {
        ("algorithm:risicoscore", "t.main.nationaliteit.nationaliteit_code", "derived_feature"),
        ("algorithm:controle-buitenland", "t.main.persoon.geboorteland", "selection"),
        ("algorithm:statistiek", "t.main.persoon.geboorteland", "aggregate"),
    }
    derived = next(f for f in result.findings if f.use == "derived_feature")
    assert [(s.source, s.target, s.kind) for s in derived.path] == [
        ("t.main.nationaliteit.nationaliteit_code", "t.main.stg_persoon.nationaliteit_code", "copy"),
        ("t.main.stg_persoon.nationaliteit_code", "t.main.kenmerken.niet_nl", "derive"),
        ("t.main.kenmerken.niet_nl", "t.query.model_1.niet_nl", "copy"),
    ]
    assert [(s.file, s.line) for s in derived.path] == [
        ("etl/01_staging.sql", 2), ("etl/01_staging.sql", 5), ("queries/model.sql", 1)]


def test_undeclared_origin_data_is_flagged(estate: Path) -> None:
    result = run_scan(load_config(estate))
    undeclared = {f.algorithm: f.undeclared for f in result.findings}
    assert undeclared == {"algorithm:risicoscore": True, "algorithm:controle-buitenland": False,
                          "algorithm:statistiek": False}


def test_broken_statement_is_an_error_with_file_and_line_and_the_rest_goes_on(estate: Path) -> None:
    result = run_scan(load_config(estate))
    assert [(e.file, e.line) for e in result.errors] == [("etl/02_termijnen.sql", 5)]
    written = [(s.file, s.line) for s in result.lineage.statements if s.file == "etl/02_termijnen.sql"]
    assert written == [("etl/02_termijnen.sql", 1), ("etl/02_termijnen.sql", 7)]
    assert not result.failed


def test_algorithm_reading_no_origin_data_has_no_finding(estate: Path) -> None:
    result = run_scan(load_config(estate))
    assert result.inputs["termijnbewaking"]  # it does read columns...
    assert not [f for f in result.findings if f.algorithm == "algorithm:termijnbewaking"]  # ...none of origin


def test_unreachable_source_and_missing_code_are_errors_not_crashes(tmp_path: Path) -> None:
    config = tmp_path / "originscan.toml"
    config.write_text("""
[[sources]]
name = "weg"
url = "sqlite:///does-not-exist.db"
[[code]]
system = "weg"
paths = ["nowhere/"]
dialect = "sqlite"
""")
    result = run_scan(load_config(config))
    assert result.failed
    assert {(e.source, e.file) for e in result.errors} == {("weg", None), ("weg", "nowhere")}


def test_proxy_uses_are_findings_counted_apart(estate: Path) -> None:
    from reports.export import build_document

    register = estate.parent / "algorithms.toml"
    register.write_text(register.read_text() + '\n[[algorithm]]\nid = "wijkaanpak"\nname = "Wijkaanpak"\n'
                        'source_data = "Adres"\ninputs = ["t.main.persoon.postcode"]\n')
    result = run_scan(load_config(estate))
    proxy = [f for f in result.findings if not f.direct]
    assert [(f.algorithm, f.column, f.category, f.use) for f in proxy] == [
        ("algorithm:wijkaanpak", "t.main.persoon.postcode", "proxy:neighbourhood", "feature")]
    summary = build_document(result)["summary"]
    assert summary["findings"] == 3 and summary["indirect_findings"] == 1
    assert summary["algorithms_using_origin_data"] == 3 and summary["algorithms_using_proxies"] == 1
    assert summary["origin_columns"] == 5 and summary["proxy_columns"] == 1


def test_an_algorithm_query_in_python_keeps_its_lines(estate: Path) -> None:
    (estate.parent / "queries" / "model.py").write_text(
        'import pandas as pd\n\n\ndef score(engine):\n    return pd.read_sql(\n'
        '        "SELECT k.niet_nl FROM kenmerken k WHERE k.bedrag > 100", engine)\n')
    register = estate.parent / "algorithms.toml"
    register.write_text(register.read_text().replace('inputs = ["queries/model.sql"]', 'inputs = ["queries/model.py"]'))
    result = run_scan(load_config(estate))
    derived = next(f for f in result.findings if f.algorithm == "algorithm:risicoscore")
    assert (derived.path[-1].file, derived.path[-1].line) == ("queries/model.py", 6)
    assert derived.path[-1].target == "t.query.model_line6_1.niet_nl"


def test_progress_is_heard_per_source(estate: Path) -> None:
    config = estate.parent / "originscan.toml"
    config.write_text(config.read_text() + '\n[[sources]]\nname = "weg"\nurl = "sqlite:///nope.db"\n')
    heard: list[tuple[str, str]] = []
    run_scan(load_config(config), progress=lambda source, message: heard.append((source, message)))
    assert ("t", "connecting") in heard and ("t", "schema 1 of 1: main") in heard
    assert ("t", "done: 8 tables, all read") in heard
    assert ("weg", "failed") in heard
    assert heard[0] == ("", "inventory of 2 source(s)")


def test_an_algorithm_importing_a_name_inference_package_uses_inferred_origin(estate: Path) -> None:
    (estate.parent / "queries" / "etniciteit.py").write_text(
        '"""Scores applicants by inferred ethnicity (fixture: read, never run)."""\n'
        "import pandas as pd\nfrom ethnicolr import pred_wiki_name\n\n\n"
        "def score(engine):\n"
        '    people = pd.read_sql("SELECT p.bsn, p.postcode FROM persoon p", engine)\n'
        "    return pred_wiki_name(people, 'achternaam')\n")
    register = estate.parent / "algorithms.toml"
    register.write_text(register.read_text() + '\n[[algorithm]]\nid = "naamscore"\nname = "Naamscore"\n'
                        'source_data = "Naam en adres"\ninputs = ["queries/etniciteit.py"]\n')
    result = run_scan(load_config(estate))
    found = [(f.column, f.category, f.direct) for f in result.findings if f.algorithm == "algorithm:naamscore"]
    assert ("t.python.etniciteit.ethnicolr", "ethnicity", True) in found
    tag = result.tags["t.python.etniciteit.ethnicolr"][0]
    assert tag.evidence[0].detail == "ethnicolr infers ethnicity from names (queries/etniciteit.py:3)"
    from reports.export import build_document

    columns = {c["column"]: c for c in build_document(result)["columns"]}
    assert columns["t.python.etniciteit.ethnicolr"]["tags"][0]["evidence"][0]["rule"] == "import"
