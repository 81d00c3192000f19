"""Cross-check against sqlglot's own lineage on a sample of the benchmark corpus: for every output column, the
columns whose values flow into it (our copy/derive/aggregate edges) are exactly sqlglot's lineage leaves."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage
from sqlglot.schema import MappingSchema

from benchmarks.corpus import generate
from lineage.extract import extract

FLOW = {"copy", "derive", "aggregate"}


def _sqlglot_sources(sql: str, schema: MappingSchema) -> dict[str, set[str]]:
    statement = sqlglot.parse_one(sql, read="postgres")
    query = statement.expression if isinstance(statement, (exp.Create, exp.Insert)) else statement
    out = {}
    for name, root in lineage(None, query, schema=schema, dialect="postgres", trim_selects=False).items():
        leaves = set()
        for node in root.walk():
            if not node.downstream and isinstance(node.source, exp.Table):
                table = node.source
                leaves.add(f"{table.db}.{table.name}.{node.name.split('.')[-1]}")
        out[name] = leaves
    return out


def test_value_flow_agrees_with_sqlglot_lineage() -> None:
    corpus = generate(statements=120, tables=120, seed=7)
    schema = MappingSchema(corpus.schema, dialect="postgres", normalize=False)
    compared = 0
    for number, sql in enumerate(corpus.statements):
        ours = extract(sql + ";", "postgres", corpus.schema, "b", None, f"s{number}.sql")
        assert not ours.errors, ours.errors
        target = ours.statements[0].target
        flows: dict[str, set[str]] = {}
        for edge in ours.edges:
            if edge.kind in FLOW:
                flows.setdefault(edge.target.removeprefix(target + "."), set()).add(edge.source.split(".", 1)[1])
        theirs = _sqlglot_sources(sql, schema)
        for column, leaves in theirs.items():
            assert flows.get(column, set()) == leaves, (number, column)
            compared += 1
    assert compared > 1000
