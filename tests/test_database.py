"""Inventory through SQLAlchemy on real SQLite, DuckDB and PostgreSQL databases; sessions are read-only."""

from __future__ import annotations

import socket

import duckdb
import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from connectors.database import ConnectError, connect, default_system, inventory, masked, resolve_url
from tests.conftest import run_sql

PERSON_SQL = """
CREATE TABLE persoon (bsn INTEGER PRIMARY KEY, geboorteland CHAR(4), "Nationaliteit" TEXT, postcode TEXT);
CREATE VIEW buitenland AS SELECT bsn FROM persoon WHERE geboorteland <> '6030';
"""


def test_sqlite_inventory_reads_tables_views_and_definitions(tmp_path) -> None:
    path = tmp_path / "gba.db"
    run_sql(f"sqlite:///{path}", PERSON_SQL)
    inv = inventory(f"sqlite:///{path}")
    assert inv.system == "gba" and inv.dialect == "sqlite" and inv.errors == []
    tables = {t.id: t for t in inv.tables}
    assert set(tables) == {"gba.main.persoon", "gba.main.buitenland"}
    assert [c.id for c in tables["gba.main.persoon"].columns] == [
        "gba.main.persoon.bsn", "gba.main.persoon.geboorteland", "gba.main.persoon.nationaliteit",
        "gba.main.persoon.postcode"]
    assert tables["gba.main.persoon"].columns[1].type == "CHAR(4)"
    assert tables["gba.main.buitenland"].kind == "view"
    assert "6030" in tables["gba.main.buitenland"].definition


def test_sqlite_source_is_opened_read_only(tmp_path) -> None:
    path = tmp_path / "gba.db"
    run_sql(f"sqlite:///{path}", PERSON_SQL)
    engine = connect(f"sqlite:///{path}")
    with engine.connect() as conn, pytest.raises(SQLAlchemyError, match="readonly"):
        conn.execute(text("DELETE FROM persoon"))
    engine.dispose()


def test_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path) -> None:
    with pytest.raises(ConnectError, match="no such database file"):
        inventory(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()


def test_duckdb_inventory_and_read_only(tmp_path) -> None:
    path = tmp_path / "cbs.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA micro")
        conn.execute("CREATE TABLE micro.gbapersoontab (rinpersoon VARCHAR, gbageboorteland VARCHAR, gbageneratie VARCHAR)")
    inv = inventory(f"duckdb:///{path}", system="cbs")
    assert [c.id for c in inv.columns()] == [
        "cbs.micro.gbapersoontab.rinpersoon", "cbs.micro.gbapersoontab.gbageboorteland",
        "cbs.micro.gbapersoontab.gbageneratie"]
    engine = connect(f"duckdb:///{path}")
    with engine.connect() as conn, pytest.raises(SQLAlchemyError, match="read-only"):
        conn.execute(text("CREATE TABLE micro.x (a INT)"))
    engine.dispose()


def test_postgres_inventory_reads_comments_views_and_quoted_names(pg_database: str) -> None:
    run_sql(pg_database, PERSON_SQL + """
        CREATE SCHEMA brp;
        CREATE TABLE brp.nationaliteit (bsn INTEGER, code CHAR(4));
        COMMENT ON COLUMN brp.nationaliteit.code IS 'Nationaliteit volgens BRP Tabel 32';
        COMMENT ON TABLE brp.nationaliteit IS 'Nationaliteiten van ingeschrevenen';
        CREATE MATERIALIZED VIEW brp.telling AS SELECT code, count(*) AS n FROM brp.nationaliteit GROUP BY code;
    """)
    inv = inventory(pg_database, system="toeslagen")
    columns = {c.id: c for c in inv.columns()}
    assert "toeslagen.public.persoon.Nationaliteit" in columns  # quoted mixed case keeps its case
    code = columns["toeslagen.brp.nationaliteit.code"]
    assert code.comment == "Nationaliteit volgens BRP Tabel 32"
    assert code.table_comment == "Nationaliteiten van ingeschrevenen"
    kinds = {t.id: t.kind for t in inv.tables}
    assert kinds["toeslagen.brp.telling"] == "materialized_view"
    assert kinds["toeslagen.public.buitenland"] == "view"
    view = next(t for t in inv.tables if t.id == "toeslagen.public.buitenland")
    assert "6030" in view.definition


def test_postgres_session_is_read_only(pg_database: str) -> None:
    run_sql(pg_database, PERSON_SQL)
    engine = connect(pg_database)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "30s"
        with pytest.raises(SQLAlchemyError, match="read-only transaction"):
            conn.execute(text("DELETE FROM persoon"))
    engine.dispose()


def test_unreachable_server_error_has_no_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://scanner:Geheim-Wachtwoord-42@127.0.0.1:{port}/brp"
    with pytest.raises(ConnectError) as caught:
        inventory(url)
    assert "Geheim-Wachtwoord-42" not in str(caught.value)
    assert "scanner:***@127.0.0.1" in str(caught.value)


def test_masking_and_environment_expansion(monkeypatch) -> None:
    assert masked("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    monkeypatch.setenv("OS_PW", "p@ss")
    assert resolve_url("postgresql://u:${OS_PW}@h/db").password == "p@ss"
    monkeypatch.setenv("ORIGINSCAN_GBA_PASSWORD", "from/env")
    assert resolve_url("postgresql://u@h/db", "ORIGINSCAN_GBA_PASSWORD").password == "from/env"
    assert resolve_url("postgresql://u:given@h/db", "ORIGINSCAN_GBA_PASSWORD").password == "given"
    monkeypatch.delenv("OS_PW")
    with pytest.raises(ConnectError, match="OS_PW is not set"):
        resolve_url("postgresql://u:${OS_PW}@h/db")
    assert default_system("sqlite:////data/Toeslagen-2024.db") == "toeslagen_2024"
    assert default_system("postgresql://u@h/brp") == "brp"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_include_and_exclude_reach_the_catalog_queries(backend: str, tmp_path, request) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    url = f"sqlite:///{tmp_path / 'f.db'}" if backend == "sqlite" else request.getfixturevalue("pg_database")
    run_sql(url, PERSON_SQL + "CREATE TABLE persoon_archief (bsn INTEGER); CREATE TABLE log_tabel (regel TEXT);")
    sent: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, repr(parameters)))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        inv = inventory(url, "f", include=["*.persoon*", "*.buitenland"], exclude=["*_archief"])
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert sorted(t.name for t in inv.tables) == ["buitenland", "persoon"]
    if backend == "postgresql":  # the column query is given the wanted tables' names, and only those
        column_queries = [params for statement, params in sent if "pg_catalog.pg_attribute" in statement]
        assert column_queries and all("persoon" in p and "log_tabel" not in p for p in column_queries)
