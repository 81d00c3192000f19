"""Fixture-file tests of the lineage extractor: tests/fixtures/lineage/NAME.sql -> NAME.json (expected edges).

An expected edge is ``[source, target, kind]`` plus optional flags (``{"grouped": true}``, ``{"unresolved": true}``).
A target ``TABLE.*`` stands for every column the file writes into TABLE; a bare ``*`` for every column its one
statement writes. The comparison is exact: a missing or an extra edge fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.extract import extract

CASES = Path(__file__).parent / "fixtures" / "lineage"


def _cases() -> list[str]:
    return sorted(p.stem for p in CASES.glob("*.sql"))


def _expand(expected: list, statements) -> set[tuple]:
    out = set()
    for source, target, kind, *flags in expected:
        flags = flags[0] if flags else {}
        if target == "*":
            assert len(statements) == 1, "a bare '*' target needs a one-statement file"
            targets = [f"{statements[0].target}.{c}" for c in statements[0].columns]
        elif target.endswith(".*") and any(s.target == target[:-2] for s in statements):
            targets = [f"{s.target}.{c}" for s in statements if s.target == target[:-2] for c in s.columns]
        else:
            targets = [target]
        for t in targets:
            out.add((source, t, kind, bool(flags.get("grouped")), bool(flags.get("unresolved"))))
    return out


@pytest.mark.parametrize("case", _cases())
def test_lineage_fixture(case: str) -> None:
    spec = json.loads((CASES / f"{case}.json").read_text())
    schema = json.loads((CASES / spec["schema"]).read_text()) if spec.get("schema") else None
    sql = (CASES / f"{case}.sql").read_text()
    result = extract(sql, spec["dialect"], schema, spec["system"], spec["default_schema"], f"{case}.sql")
    written = [s for s in result.statements if s.columns]
    actual = {(e.source, e.target, e.kind, e.grouped, e.unresolved) for e in result.edges}
    expected = _expand(spec["edges"], written)
    assert sorted(actual - expected) == [], "edges the fixture does not expect"
    assert sorted(expected - actual) == [], "expected edges that are missing"
    assert [s.line for s in result.statements] == spec["lines"]
    assert [e.line for e in result.errors] == spec["errors"]
    assert all(e.file == f"{case}.sql" for e in result.edges + result.errors)


def test_fixture_cases_exist() -> None:
    assert len(_cases()) >= 5
