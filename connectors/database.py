"""Read-only inventory of a database through SQLAlchemy: schemas, tables, views, columns, types, comments.

Every session is opened read-only with a statement timeout where the dialect allows it, and nothing but catalog
reads is sent. Credentials never leave this module: errors and records carry the URL with its password masked.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import bindparam, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.types import NullType

from connectors.sampling import sample_table
from lineage import names

# sqlglot's dialect name for each SQLAlchemy dialect name.
SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
}
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "sys", "mysql", "performance_schema", "temp"}
STATEMENT_TIMEOUT_S = 30


@dataclass(frozen=True)
class Column:
    """One column of a table or view, named by its identity ``SYSTEM.SCHEMA.TABLE.COLUMN``."""

    id: str
    schema: str
    table: str
    name: str
    type: str
    comment: str | None = None
    table_comment: str | None = None
    catalog_name: str = ""  # as the catalog spells it, for querying (identities may fold its case)
    profile: object | None = None  # statistics of a value sample (never values), when the source was sampled


@dataclass
class Table:
    id: str
    schema: str
    name: str
    kind: str  # table | view | materialized_view
    columns: list[Column] = field(default_factory=list)
    comment: str | None = None
    definition: str | None = None  # view body, for lineage
    catalog_schema: str | None = None  # as the catalog spells them, for querying
    catalog_name: str = ""


@dataclass(frozen=True)
class Routine:
    """A stored function or procedure with its full definition (CREATE ... AS body), for lineage."""

    schema: str
    name: str
    definition: str


@dataclass(frozen=True)
class SourceError:
    """Something that could not be read; ``object`` says which schema, table or file."""

    source: str
    object: str
    message: str


@dataclass
class Inventory:
    system: str
    url: str  # password masked
    dialect: str  # sqlglot dialect
    tables: list[Table] = field(default_factory=list)
    routines: list[Routine] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # normalised query texts (PostgreSQL pg_stat_statements)
    errors: list[SourceError] = field(default_factory=list)

    def columns(self) -> list[Column]:
        return [c for t in self.tables for c in t.columns]

    def sqlglot_schema(self) -> dict:
        """``{schema: {table: {column: type}}}`` with catalog names, for qualifying code of this system."""
        out: dict = {}
        for table in self.tables:
            out.setdefault(table.schema, {})[table.name] = {c.name: c.type for c in table.columns}
        return out


class ConnectError(Exception):
    """A source that cannot be opened; the message is safe to show (no password)."""


def masked(url: str | URL) -> str:
    """The URL with its password hidden, for every message a person or a file may see."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(url))


def expand_env(text: str) -> str:
    """Replace ``${VAR}`` with the environment's value; a missing variable is an error, not an empty string."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConnectError(f"environment variable {name} is not set")
        return os.environ[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", value, text)


def resolve_url(url: str, password_env: str | None = None) -> URL:
    """Parse a source URL, then put ``${VAR}`` values into its parts, so a password holding '@' or '/' stays
    a password; ``password_env`` supplies a password the URL does not have."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        parsed = make_url(expand_env(url))  # a ${VAR} where the URL syntax needs a literal, such as the port
    parts = {key: expand_env(value) for key in ("username", "password", "host", "database")
             if isinstance(value := getattr(parsed, key), str)}
    parsed = parsed.set(**parts, query={k: expand_env(v) if isinstance(v, str) else v for k, v in parsed.query.items()})
    if password_env and parsed.password is None and os.environ.get(password_env):
        parsed = parsed.set(password=os.environ[password_env])
    return parsed


def default_system(url: str) -> str:
    """The database name in the URL (a file's stem for file databases)."""
    parsed = resolve_url(url)
    database = parsed.database or parsed.host or parsed.get_backend_name()
    if parsed.get_backend_name() in ("sqlite", "duckdb"):
        database = Path(database).stem if database not in (None, ":memory:") else "memory"
    return re.sub(r"[^A-Za-z0-9_]+", "_", database).strip("_").lower() or "db"


def connect(url: str, password_env: str | None = None, timeout_s: int = STATEMENT_TIMEOUT_S) -> Engine:
    """A read-only engine for ``url``: file databases opened read-only, servers in read-only sessions."""
    try:
        parsed = resolve_url(url, password_env)
    except ArgumentError as err:
        raise ConnectError(f"not a database URL: {masked(url)}") from err
    backend = parsed.get_backend_name()
    connect_args: dict = {}
    if backend == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise ConnectError("an in-memory SQLite database has nothing to scan")
        if not Path(database).exists():
            raise ConnectError(f"no such database file: {database}")
        # mode=ro makes SQLite refuse every write and never create a missing file.
        parsed = parsed.set(database=f"file:{Path(database).resolve()}?mode=ro", query={"uri": "true"})
    elif backend == "duckdb":
        if parsed.database and parsed.database != ":memory:" and not Path(parsed.database).exists():
            raise ConnectError(f"no such database file: {parsed.database}")
        connect_args["read_only"] = True
    elif backend == "postgresql":
        connect_args["options"] = (
            f"-c default_transaction_read_only=on -c statement_timeout={timeout_s * 1000}"
        )
        connect_args["connect_timeout"] = 10
    try:
        engine = create_engine(parsed, connect_args=connect_args, poolclass=None)
    except (ArgumentError, SQLAlchemyError, ImportError) as err:
        raise ConnectError(f"cannot open {masked(parsed)}: {_reason(err)}") from err
    if backend in ("mysql", "mariadb"):
        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("SELECT VERSION()")
            if "mariadb" in str(cursor.fetchone()[0]).lower():  # MariaDB counts seconds, MySQL milliseconds
                cursor.execute(f"SET SESSION max_statement_time = {timeout_s}")
            else:
                cursor.execute(f"SET SESSION MAX_EXECUTION_TIME = {timeout_s * 1000}")
            cursor.close()
    # The Oracle and SQL Server safeguards need live servers, which the test suite does not have.
    elif backend == "oracle":
        @event.listens_for(engine, "connect")
        def _call_timeout(dbapi_connection, _record):
            dbapi_connection.call_timeout = timeout_s * 1000  # python-oracledb: milliseconds per round trip

        @event.listens_for(engine, "begin")
        def _read_only_transaction(conn):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif backend == "mssql":
        @event.listens_for(engine, "connect")
        def _query_timeout(dbapi_connection, _record):
            # SQL Server has no read-only session: scan with a login that may only read (see the README).
            dbapi_connection.timeout = timeout_s  # pyodbc: seconds per query
    return engine


def inventory(url: str, system: str | None = None, schemas: list[str] | None = None,
              password_env: str | None = None, sample: int = 0,
              summarize: Callable[[Iterable[object]], object] | None = None,
              progress: Callable[[str], None] | None = None,
              include: Sequence[str] = (), exclude: Sequence[str] = (),
              timeout_s: int = STATEMENT_TIMEOUT_S) -> Inventory:
    """Tables, views and columns of every (or the named) schema, read in bulk per schema.

    With ``sample`` > 0 and a ``summarize`` function, up to ``sample`` rows of each table are read and each
    column gets ``summarize``'s statistics as its ``profile``; the values themselves are not kept.
    A schema, view or table that cannot be read becomes an error in the inventory; the rest is still read. An
    unreachable database raises ConnectError, whose message carries no password. ``progress`` hears each stage.
    ``include``/``exclude`` are glob patterns on ``schema.table`` (case-insensitive); the names they leave are
    passed to the bulk catalog queries, so excluded tables are never reflected. A statement that runs longer
    than ``timeout_s`` is cancelled by the server (where the dialect allows) and recorded as an error.
    """
    say = progress or (lambda _stage: None)
    system = system or default_system(url)
    say("connecting")
    engine = connect(url, password_env, timeout_s)
    inv = Inventory(system=system, url=masked(url), dialect=SQLGLOT_DIALECTS.get(engine.dialect.name, engine.dialect.name))
    try:
        with engine.connect() as conn:
            if engine.dialect.name in ("mssql", "oracle"):
                say("catalog")
                inv = _catalog_inventory(conn, inv, engine.dialect.name, schemas)
                inv.tables = [t for t in inv.tables if _wanted(f"{t.schema}.{t.name}", include, exclude)]
            else:
                _read_schemas(conn, inv, schemas, include, exclude, say)
            if sample > 0 and summarize is not None:
                sampled = []
                for number, table in enumerate(inv.tables, start=1):
                    say(f"sampling table {number} of {len(inv.tables)}")
                    sampled.append(_sampled(conn, inv, table, sample, summarize))
                inv.tables = sampled
    except SQLAlchemyError as err:
        raise ConnectError(f"cannot read {inv.url}: {_reason(err)}") from err
    finally:
        engine.dispose()
    return inv


def _read_schemas(conn, inv: Inventory, schemas: list[str] | None, include: Sequence[str], exclude: Sequence[str],
                  say: Callable[[str], None]) -> None:
    """Through SQLAlchemy's inspector, in bulk per schema; PostgreSQL's routines in one more query."""
    insp = inspect(conn)
    wanted = schemas or [s for s in insp.get_schema_names() if _bare(s, inv.dialect).lower() not in SYSTEM_SCHEMAS
                         and not s.lower().startswith(("pg_", "system.", "temp."))]
    for number, schema in enumerate(wanted, start=1):
        say(f"schema {number} of {len(wanted)}: {schema}")
        try:
            inv.tables.extend(_read_schema(insp, inv, schema, include, exclude))
        except SQLAlchemyError as err:
            inv.errors.append(SourceError(inv.system, f"schema {schema}", _reason(err)))
            conn.rollback()
    if inv.dialect == "postgres":
        say("routines")
        inv.routines = _postgres_routines(conn, inv, wanted)
        inv.history = _postgres_history(conn, inv)
    elif inv.dialect == "mysql":
        say("routines")
        inv.routines = _mysql_routines(conn, inv, wanted)


def _mysql_routines(conn, inv: Inventory, schemas: list[str]) -> list[Routine]:
    """Stored procedures and functions with SQL bodies. information_schema keeps only the body (BEGIN ... END);
    it is given back a header, so the routine reads like any other CREATE ... AS."""
    query = text("SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES "
                 "WHERE ROUTINE_SCHEMA IN :schemas AND ROUTINE_BODY = 'SQL' ORDER BY ROUTINE_SCHEMA, ROUTINE_NAME")
    rows = _catalog_rows(conn, inv, "routines", query.bindparams(bindparam("schemas", expanding=True)),
                         {"schemas": list(schemas)})
    return [Routine(names.catalog_name(schema, inv.dialect), names.catalog_name(name, inv.dialect),
                    f"CREATE {kind} {name}() AS\n{body}") for schema, name, kind, body in rows if body]


def _catalog_rows(conn, inv: Inventory, what: str, query, params: dict | None = None) -> list:
    """Rows of one catalog query; a failure (no right to read it, say) is an error of the source, and no rows."""
    try:
        return list(conn.execute(query, params or {}).all())
    except SQLAlchemyError as err:
        inv.errors.append(SourceError(inv.system, what, _reason(err)))
        conn.rollback()
        return []


def _postgres_history(conn, inv: Inventory) -> list[str]:
    """Queries run against this database, from pg_stat_statements when the extension is there.

    PostgreSQL normalises them (constants become $1, $2), so no value comes with them; the scanner's own
    queries are left out. Without the extension (or the right to read it) there is simply no history."""
    present = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")).first()
    if present is None:
        return []
    rows = _catalog_rows(conn, inv, "pg_stat_statements", text(
        "SELECT query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = current_database() AND s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user) "
        "AND s.query ~* '^\\s*(with|insert|update|delete|merge|create|select)' ORDER BY s.queryid"))
    return [query for (query,) in rows]


def _catalog_inventory(conn, inv: Inventory, dialect: str, schemas: list[str] | None) -> Inventory:
    """SQL Server and Oracle: their own catalog queries (comments, view and routine bodies in a few round trips)."""
    from connectors import catalogs  # catalogs builds on this module's records

    if dialect == "mssql":
        found = catalogs.mssql_inventory(inv.system, inv.url, conn.execute(text(catalogs.MSSQL_COLUMNS)).all(),
                                         conn.execute(text(catalogs.MSSQL_MODULES)).all(), schemas)
    else:
        found = catalogs.oracle_inventory(inv.system, inv.url, conn.execute(text(catalogs.ORACLE_COLUMNS)).all(),
                                          conn.execute(text(catalogs.ORACLE_VIEWS)).all(),
                                          conn.execute(text(catalogs.ORACLE_SOURCE)).all(), schemas)
    found.errors = inv.errors
    return found


def _postgres_routines(conn, inv: Inventory, schemas: list[str]) -> list[Routine]:
    """SQL and PL/pgSQL functions and procedures of the scanned schemas, in one catalog read."""
    query = text(
        "SELECT n.nspname, p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang "
        "WHERE n.nspname = ANY(:schemas) AND p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql') "
        "ORDER BY n.nspname, p.proname")
    rows = _catalog_rows(conn, inv, "routines", query, {"schemas": list(schemas)})
    return [Routine(names.catalog_name(schema, inv.dialect), names.catalog_name(name, inv.dialect), definition)
            for schema, name, definition in rows]


def _sampled(conn, inv: Inventory, table: Table, limit: int, summarize) -> Table:
    """The table with a value profile on each column; a table that cannot be sampled is an error, not a stop."""
    columns = [(c.catalog_name, c.type) for c in table.columns]
    try:
        profiles = sample_table(conn, table.catalog_schema, table.catalog_name, columns, limit, summarize)
    except SQLAlchemyError as err:
        inv.errors.append(SourceError(inv.system, f"sample of {table.schema}.{table.name}", _reason(err)))
        conn.rollback()
        return table
    return replace(table, columns=[replace(c, profile=profiles.get(c.catalog_name)) for c in table.columns])


def _read_schema(insp, inv: Inventory, schema: str, include: Sequence[str] = (),
                 exclude: Sequence[str] = ()) -> list[Table]:
    reflect_schema = None if inv.dialect in ("sqlite",) and schema == "main" else schema
    names_filter = None
    if include or exclude:
        every = insp.get_table_names(schema=reflect_schema) + insp.get_view_names(schema=reflect_schema)
        try:
            every += insp.get_materialized_view_names(schema=reflect_schema)
        except NotImplementedError:
            pass
        names_filter = [t for t in every if _wanted(f"{_bare(schema, inv.dialect)}.{t}", include, exclude)]
        if not names_filter:
            return []
    columns = insp.get_multi_columns(schema=reflect_schema, filter_names=names_filter, kind=ObjectKind.ANY)
    try:
        comments = insp.get_multi_table_comment(schema=reflect_schema, filter_names=names_filter,
                                                kind=ObjectKind.ANY)
    except NotImplementedError:
        comments = {}
    views = set(insp.get_view_names(schema=reflect_schema))
    try:
        materialized = set(insp.get_materialized_view_names(schema=reflect_schema))
    except NotImplementedError:
        materialized = set()
    schema_name = names.catalog_name(_bare(schema, inv.dialect), inv.dialect)
    tables = []
    for (_, table_name), cols in sorted(columns.items(), key=lambda item: item[0][1]):
        name = names.catalog_name(table_name, inv.dialect)
        kind = "materialized_view" if table_name in materialized else "view" if table_name in views else "table"
        comment = (comments.get((reflect_schema, table_name)) or {}).get("text")
        table = Table(id=names.table_id(inv.system, schema_name, name), schema=schema_name, name=name, kind=kind,
                      comment=comment, catalog_schema=reflect_schema, catalog_name=table_name)
        for col in cols:
            col_name = names.catalog_name(col["name"], inv.dialect)
            table.columns.append(Column(
                id=names.column_id(inv.system, schema_name, name, col_name), schema=schema_name, table=name,
                name=col_name, type=_type_name(col["type"]), comment=col.get("comment"), table_comment=comment,
                catalog_name=col["name"]))
        if kind != "table":
            try:
                table.definition = insp.get_view_definition(table_name, schema=reflect_schema)
            except (SQLAlchemyError, NotImplementedError) as err:
                inv.errors.append(SourceError(inv.system, f"view {schema}.{table_name}", _reason(err)))
        tables.append(table)
    return tables


def _wanted(name: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    lowered = name.lower()
    if include and not any(fnmatch.fnmatchcase(lowered, p.lower()) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(lowered, p.lower()) for p in exclude)


def _bare(schema: str, dialect: str) -> str:
    """DuckDB names schemas ``catalog.schema``; identities use the schema alone."""
    return schema.rsplit(".", 1)[-1] if dialect == "duckdb" else schema


def _type_name(type_) -> str:
    if isinstance(type_, NullType):  # SQLite columns made by CREATE TABLE AS have no declared type
        return ""
    try:
        return str(type_)
    except Exception:  # noqa: BLE001 - some dialect types cannot render themselves; the class name will do
        return type(type_).__name__.upper()


def _reason(err: BaseException) -> str:
    """The first line of a driver error, without the SQL or parameters SQLAlchemy appends."""
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    first = text[0] if text else type(err).__name__
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", first)
