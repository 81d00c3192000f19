"""Shared fixtures: real databases only (SQLite and DuckDB files, a real PostgreSQL server from make test)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from benchmarks.postgres import throwaway_database

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


@pytest.fixture(autouse=True, scope="session")
def own_data_dir(tmp_path_factory) -> Iterator[None]:
    """Reference tables a developer loaded on this machine must not change what the tests see."""
    old = os.environ.get("ORIGINSCAN_DATA_DIR")
    os.environ["ORIGINSCAN_DATA_DIR"] = str(tmp_path_factory.mktemp("originscan-data"))
    yield
    if old is None:
        os.environ.pop("ORIGINSCAN_DATA_DIR", None)
    else:
        os.environ["ORIGINSCAN_DATA_DIR"] = old


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of the PostgreSQL server started by tests/with_databases.sh (make test).

    Outside CI a run without it skips the PostgreSQL tests; in CI (CI=true) that is a failure, never a skip.
    """
    url = os.environ.get("ORIGINSCAN_TEST_PG_URL")
    if not url:
        message = "no PostgreSQL server: run the tests with 'make test' (or set ORIGINSCAN_TEST_PG_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """A fresh database on the MariaDB server started by tests/with_databases.sh; dropped afterwards."""
    server = os.environ.get("ORIGINSCAN_TEST_MYSQL_URL")
    if not server:
        message = "no MariaDB server: run the tests with 'make test' (or set ORIGINSCAN_TEST_MYSQL_URL)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    name = f"t_{os.urandom(6).hex()}"
    admin = create_engine(server)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server; dropped afterwards."""
    with throwaway_database(pg_server, "t") as url:
        yield url


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/estate with its SQLite database built; returns its config path."""
    folder = tmp_path / "estate"
    shutil.copytree(Path(FIXTURES) / "estate", folder)
    run_sql(f"sqlite:///{folder / 'estate.db'}", (folder / "schema.sql").read_text())
    return folder / "originscan.toml"


def run_sql(url: str, sql: str) -> None:
    """Set up a test database with a multi-statement script (the scanner itself never writes to a source)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database) as conn:
            conn.executescript(sql)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()
