"""A scan of a real PostgreSQL source: only reads are sent, in read-only sessions; views and function bodies
reach the lineage graph; a table that cannot be read does not stop the scan; no password in any output."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from scanner.cli import main
from tests.conftest import run_sql

SOURCE_SQL = """
CREATE TABLE persoon (bsn TEXT PRIMARY KEY, geboorteland CHAR(4), postcode TEXT);
CREATE TABLE nationaliteit (bsn TEXT, nationaliteit_code CHAR(4));
CREATE TABLE kenmerken (bsn TEXT, niet_nl INTEGER);
CREATE TABLE geheim (bsn TEXT, notitie TEXT);
INSERT INTO persoon VALUES ('999900001', '6030', '1234AB'), ('999900002', '5022', '2345BC');
INSERT INTO nationaliteit VALUES ('999900001', '0001'), ('999900002', '0131');
CREATE VIEW v_buitenland AS SELECT bsn FROM persoon WHERE geboorteland <> '6030';
CREATE FUNCTION vul_kenmerken() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kenmerken (bsn, niet_nl)
  SELECT n.bsn, CASE WHEN n.nationaliteit_code <> '0001' THEN 1 ELSE 0 END FROM nationaliteit n;
END;
$$;
CREATE ROLE {role} LOGIN PASSWORD 'Zeer-Geheim-Wachtwoord-9';
GRANT SELECT ON persoon, nationaliteit, kenmerken, v_buitenland TO {role};
"""


@pytest.fixture
def source(pg_database: str) -> str:
    role = f"scanner_{make_url(pg_database).database}"  # roles are cluster-wide: one per test database
    run_sql(pg_database, SOURCE_SQL.replace("{role}", role))
    # The scanner's own role, with a password; the test server trusts local connections, but the password still
    # travels in the URL and must appear nowhere.
    return make_url(pg_database).set(username=role, password="Zeer-Geheim-Wachtwoord-9").render_as_string(
        hide_password=False)


def _scan(tmp_path: Path, url: str) -> tuple[dict, str]:
    (tmp_path / "originscan.toml").write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/store.db"\n[[sources]]\nname = "bron"\nurl = "{url}"\nsample = 50\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "originscan.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / "out" / "findings.json").read_text()), result.output


def test_views_and_function_bodies_reach_the_lineage_graph(tmp_path: Path, source: str) -> None:
    document, _ = _scan(tmp_path, source)
    columns = {c["column"]: c for c in document["columns"]}
    view = columns["bron.public.v_buitenland.bsn"]
    assert any(t.get("relation") == "selected_by" and t["origin"] == "bron.public.persoon.geboorteland"
               for t in view["tags"])
    flag = columns["bron.public.kenmerken.niet_nl"]
    carried = [t for t in flag["tags"] if t.get("origin") == "bron.public.nationaliteit.nationaliteit_code"]
    assert carried and carried[0]["via"][0]["file"] == "bron:routine public.vul_kenmerken"
    assert carried[0]["via"][0]["line"] == 6  # in the definition as the catalog returns it (pg_get_functiondef)


def test_a_denied_table_is_an_error_and_the_scan_goes_on(tmp_path: Path, source: str) -> None:
    document, output = _scan(tmp_path, source)
    denied = [e for e in document["errors"] if "geheim" in (e["file"] or "")]
    assert denied and "permission denied" in denied[0]["message"]
    assert "bron.public.persoon.geboorteland" in {c["column"] for c in document["columns"]}


def test_no_password_anywhere(tmp_path: Path, source: str) -> None:
    document, output = _scan(tmp_path, source)
    secret = "Zeer-Geheim-Wachtwoord-9"
    assert secret not in output
    for path in list((tmp_path / "out").iterdir()) + [tmp_path / "store.db"]:
        assert secret.encode() not in path.read_bytes(), path.name
    assert re.match(r"postgresql\+psycopg://scanner_\w+:\*\*\*@", document["scan"]["sources"][0]["url"])


@pytest.fixture
def server_log() -> Path:
    """The test server's log, every statement in it (tests/with_databases.sh sets log_statement=all)."""
    log = Path(os.environ.get("ORIGINSCAN_TEST_PG_LOG", ""))
    if not log.is_file():
        message = "no server log: run with make test"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    return log


def test_the_scan_sends_only_reads_in_read_only_sessions(tmp_path: Path, source: str, server_log: Path) -> None:
    log = server_log
    url = make_url(source)
    before = log.stat().st_size
    _scan(tmp_path, source)
    with log.open("rb") as handle:
        handle.seek(before)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    sent = [re.sub(r"^.*?statement: ", "", line) for line in lines
            if f"{url.username}@{url.database} " in line and "statement: " in line]
    assert sent, "the statement log shows nothing of the scan"
    writes = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|GRANT|REVOKE|COPY|CALL|DO|"
                        r"VACUUM|CLUSTER|REINDEX|COMMENT|LOCK|REFRESH)\b", re.IGNORECASE)
    assert [s for s in sent if writes.match(s)] == []
    assert all(not re.search(r"default_transaction_read_only\s*=\s*off", s, re.I) for s in sent)


def test_the_statement_log_check_can_fail(source: str, server_log: Path) -> None:
    """The log filter really sees this role's statements: a query by the same role shows up in it."""
    from sqlalchemy import create_engine, text

    log = server_log
    url = make_url(source)
    before = log.stat().st_size
    engine = create_engine(source)
    with engine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM persoon"))
    engine.dispose()
    lines = log.read_bytes()[before:].decode("utf-8", "replace").splitlines()
    assert any(f"{url.username}@{url.database} " in line and "SELECT count(*) FROM persoon" in line for line in lines)


def test_a_table_that_times_out_is_an_error_and_the_scan_goes_on(tmp_path: Path, pg_database: str) -> None:
    run_sql(pg_database, "CREATE TABLE persoon (bsn TEXT, geboorteland CHAR(4));"
                         "INSERT INTO persoon VALUES ('999900001', '6030'), ('999900002', '5022'), ('999900003', '6043');"
                         "CREATE VIEW traag AS SELECT bsn, pg_sleep(3)::text AS wacht FROM persoon;")
    (tmp_path / "originscan.toml").write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/store.db"\n[[sources]]\nname = "bron"\nurl = "{pg_database}"\n'
        'sample = 10\ntimeout = 1\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "originscan.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert [(e["file"], "statement timeout" in e["message"]) for e in document["errors"]] == [
        ("sample of public.traag", True)]
    tags = {c["column"]: c["tags"] for c in document["columns"]}
    assert tags["bron.public.persoon.geboorteland"][0]["evidence"][1]["rule"] == "values"  # sampled all the same


def test_query_history_reaches_the_lineage_graph(tmp_path: Path, pg_database: str) -> None:
    role = f"scanner_{make_url(pg_database).database}"
    run_sql(pg_database, f"""
        CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
        CREATE TABLE nationaliteit (bsn TEXT, nationaliteit_code CHAR(4));
        CREATE TABLE kenmerken (bsn TEXT, niet_nl INTEGER);
        CREATE ROLE {role} LOGIN;
        GRANT SELECT ON nationaliteit, kenmerken TO {role};
        GRANT pg_read_all_stats TO {role};""")
    # An ETL job run by another role, with a literal that must not come back from the history.
    run_sql(pg_database, "INSERT INTO kenmerken SELECT bsn, CASE WHEN nationaliteit_code <> '0001' THEN 1 ELSE 0 END "
                         "FROM nationaliteit WHERE bsn <> 'LETTERLIJK-999';")
    source = make_url(pg_database).set(username=role).render_as_string(hide_password=False)
    document, _ = _scan(tmp_path, source)
    flag = {c["column"]: c for c in document["columns"]}["bron.public.kenmerken.niet_nl"]
    via = [t["via"][0] for t in flag["tags"] if t.get("origin") == "bron.public.nationaliteit.nationaliteit_code"]
    assert via and via[0]["file"] == "bron:query history" and via[0]["kind"] == "derive"
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert b"LETTERLIJK-999" not in written  # PostgreSQL normalises the history: constants become $1
