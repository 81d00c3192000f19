"""SQL inside Python ETL, read with ast from a fixture file (never run)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connectors.python_etl import Inference, read_python
from scanner.cli import main
from tests.conftest import FIXTURES

ETL = Path(FIXTURES) / "python_etl" / "load_risico.py"


def test_sql_strings_constants_and_text_calls_are_found_with_their_lines() -> None:
    texts, inferences, errors = read_python(ETL, "load_risico.py", "t")
    assert [(t.line, t.text.split()[0]) for t in texts] == [(6, "INSERT"), (16, "SELECT"), (17, "SELECT")]
    assert [(e.object, e.message) for e in errors] == [
        ("load_risico.py:18", "SQL built with an f-string at run time is not analysed")]
    assert inferences == [Inference("load_risico.py", 4, "ethnicolr", "ethnicity")]


def test_lineage_of_a_python_file_keeps_lines_and_distinct_query_names(monkeypatch) -> None:
    monkeypatch.chdir(Path(FIXTURES) / "python_etl")
    result = CliRunner().invoke(main, ["lineage", "load_risico.py", "--dialect", "postgres", "--system", "t",
                                       "--default-schema", "public"])
    document = json.loads(result.output)
    edges = {(e["source"], e["target"], e["kind"], e["line"]) for e in document["edges"]}
    assert ("t.public.nationaliteit.nationaliteit_code", "t.public.risico.niet_nl", "derive", 7) in edges
    assert ("t.public.persoon.geboorteland", "t.query.load_risico_line16_1.bsn", "filter", 16) in edges
    assert ("t.public.persoon.bsn", "t.query.load_risico_line17_1.bsn", "copy", 17) in edges
    assert document["errors"] == [{"file": "load_risico.py:18", "line": 0,
                                   "message": "SQL built with an f-string at run time is not analysed"}]


def test_unparseable_python_is_an_error_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.py"
    broken.write_text("def (:\n")
    texts, _, errors = read_python(broken, "kapot.py", "t")
    assert texts == [] and errors[0].message.startswith("cannot read Python")
