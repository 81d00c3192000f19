"""lineage.extract through its public API: what fixture files cannot show (budgets, embedding, identities)."""

from __future__ import annotations

from lineage.extract import extract


def test_a_statement_over_budget_is_an_error_and_the_next_goes_on() -> None:
    # The first statement needs seconds; the budget is 0.2 s, ample for the second even after a full collection.
    columns = ", ".join(f"CASE WHEN a.c{i} > 1 THEN b.c{i} ELSE a.c{i} END AS x{i}" for i in range(20000))
    sql = f"SELECT {columns} FROM a JOIN b ON a.id = b.id;\nSELECT a.id FROM a;"
    result = extract(sql, "postgres", None, "t", "public", "big.sql", budget=0.2)
    assert [(e.line, e.message) for e in result.errors] == [(1, "gave up after 0.2 s (statement too complex)")]
    assert [(e.source, e.target) for e in result.edges] == [("t.public.a.id", "t.query.big_2.id")]


def test_embedded_sql_reports_lines_of_its_file() -> None:
    result = extract("SELECT 1;\n\nSELEC x;", "postgres", None, "t", "public", "etl.py", line=40)
    assert [e.line for e in result.errors] == [42]


def test_quoted_names_keep_their_case_and_unquoted_fold() -> None:
    result = extract('SELECT "Nationaliteit", Geboorteland FROM Persoon', "postgres",
                     {"public": {"persoon": {"Nationaliteit": "text", "geboorteland": "text"}}}, "t", "public", "q.sql")
    assert sorted(e.source for e in result.edges) == ["t.public.persoon.Nationaliteit", "t.public.persoon.geboorteland"]
    snowflake = extract('SELECT NAT, "Mixed" FROM BRP.PERSOON', "snowflake", None, "t", None, "q.sql")
    assert sorted(e.source for e in snowflake.edges) == ["t.brp.persoon.Mixed", "t.brp.persoon.nat"]


def test_created_tables_let_later_statements_expand_star() -> None:
    sql = "CREATE TABLE stg AS SELECT bsn, nationaliteit FROM persoon;\nCREATE VIEW v AS SELECT * FROM stg;"
    result = extract(sql, "postgres", {"public": {"persoon": {"bsn": "int", "nationaliteit": "text"}}}, "t", "public")
    assert ("t.public.stg.nationaliteit", "t.public.v.nationaliteit", "copy") in {
        (e.source, e.target, e.kind) for e in result.edges}
    assert not any(e.unresolved for e in result.edges)


def test_top_level_tsql_control_flow_keeps_its_dml() -> None:
    sql = """IF EXISTS (SELECT 1 FROM persoon)
BEGIN
  UPDATE risico SET niet_nl = 1 WHERE bsn IN (SELECT bsn FROM nationaliteit WHERE code <> '0001')
END
INSERT INTO log_tabel (bsn) SELECT bsn FROM risico WHERE niet_nl = 1;
GO
SELECT bsn FROM risico;
"""
    result = extract(sql, "tsql", None, "t", "dbo", "script.sql")
    assert [(s.line, s.kind, s.target) for s in result.statements] == [
        (3, "update", "t.dbo.risico"), (5, "insert", "t.dbo.log_tabel"), (7, "select", "t.query.script_2")]
    assert ("t.dbo.nationaliteit.code", "t.dbo.risico.niet_nl", "filter") in {
        (e.source, e.target, e.kind) for e in result.edges}
    # Without a schema sqlglot cannot tell whether the subquery's bsn is correlated: said, and still followed.
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [(3, "resolved with partial schema information")]


def test_oracle_plsql_blocks_end_at_a_slash() -> None:
    sql = """CREATE OR REPLACE PROCEDURE vul AS
BEGIN
  INSERT INTO kenmerk (bsn, buitenland) SELECT bsn, CASE WHEN gebland <> '6030' THEN 1 ELSE 0 END FROM persoon;
END;
/
SELECT bsn FROM kenmerk WHERE buitenland = 1;
"""
    result = extract(sql, "oracle", None, "t", "brp", "vul.sql")
    assert [(s.line, s.kind, s.target) for s in result.statements] == [
        (3, "insert", "t.brp.kenmerk"), (6, "select", "t.query.vul_2")]
    assert result.errors == []


def test_qualified_star_expands_only_its_table() -> None:
    schema = {"public": {"persoon": {"bsn": "int", "geboorteland": "text"}, "aanvraag": {"id": "int", "bsn": "int"}}}
    result = extract("CREATE VIEW v AS SELECT p.*, a.id FROM persoon p JOIN aanvraag a ON a.bsn = p.bsn",
                     "postgres", schema, "t", "public")
    copies = sorted((e.source, e.target) for e in result.edges if e.kind == "copy")
    assert copies == [("t.public.aanvraag.id", "t.public.v.id"), ("t.public.persoon.bsn", "t.public.v.bsn"),
                      ("t.public.persoon.geboorteland", "t.public.v.geboorteland")]
