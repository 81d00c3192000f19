"""Catalog queries for SQL Server and Oracle, and the inventory built from their rows.

SQLAlchemy's inspector reads neither SQL Server's column descriptions (extended properties) nor procedure bodies,
and reflects Oracle one table at a time; these queries read each catalog in a few round trips. Building the
inventory from rows is a pure function, tested on recorded catalog rows (no live server is needed for that; the
queries themselves are not exercised against live servers by the test suite).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from connectors.database import Column, Inventory, Routine, Table
from lineage import names

MSSQL_COLUMNS = """
SELECT s.name AS schema_name, o.name AS table_name, o.type AS object_type, c.name AS column_name,
       t.name AS type_name, CAST(ep.value AS NVARCHAR(4000)) AS comment, CAST(tp.value AS NVARCHAR(4000)) AS table_comment
FROM sys.columns c
JOIN sys.objects o ON o.object_id = c.object_id
JOIN sys.schemas s ON s.schema_id = o.schema_id
JOIN sys.types t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.extended_properties ep
       ON ep.class = 1 AND ep.major_id = c.object_id AND ep.minor_id = c.column_id AND ep.name = 'MS_Description'
LEFT JOIN sys.extended_properties tp
       ON tp.class = 1 AND tp.major_id = o.object_id AND tp.minor_id = 0 AND tp.name = 'MS_Description'
WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 AND s.name NOT IN ('sys', 'INFORMATION_SCHEMA')
ORDER BY s.name, o.name, c.column_id
"""

MSSQL_MODULES = """
SELECT s.name AS schema_name, o.name AS object_name, o.type AS object_type, m.definition
FROM sys.sql_modules m
JOIN sys.objects o ON o.object_id = m.object_id
JOIN sys.schemas s ON s.schema_id = o.schema_id
WHERE o.type IN ('V', 'P', 'FN', 'IF', 'TF', 'TR') AND o.is_ms_shipped = 0
ORDER BY s.name, o.name
"""

ORACLE_SYSTEM_OWNERS = ("SYS", "SYSTEM", "XDB", "MDSYS", "CTXSYS", "ORDSYS", "OUTLN", "DBSNMP", "APPQOSSYS",
                        "WMSYS", "OJVMSYS", "LBACSYS", "DVSYS", "GSMADMIN_INTERNAL", "AUDSYS", "ORDDATA", "OLAPSYS")
_NOT_SYSTEM = f"NOT IN ({', '.join(repr(o) for o in ORACLE_SYSTEM_OWNERS)})"

ORACLE_COLUMNS = f"""
SELECT c.owner, c.table_name, o.object_type, c.column_name, c.data_type, cc.comments, tc.comments AS table_comment
FROM all_tab_columns c
JOIN all_objects o ON o.owner = c.owner AND o.object_name = c.table_name AND o.object_type IN ('TABLE', 'VIEW')
LEFT JOIN all_col_comments cc ON cc.owner = c.owner AND cc.table_name = c.table_name AND cc.column_name = c.column_name
LEFT JOIN all_tab_comments tc ON tc.owner = c.owner AND tc.table_name = c.table_name
WHERE c.owner {_NOT_SYSTEM}
ORDER BY c.owner, c.table_name, c.column_id
"""

ORACLE_VIEWS = f"SELECT owner, view_name, text FROM all_views WHERE owner {_NOT_SYSTEM} ORDER BY owner, view_name"

ORACLE_SOURCE = f"""
SELECT owner, name, type, line, text FROM all_source
WHERE owner {_NOT_SYSTEM} AND type IN ('PROCEDURE', 'FUNCTION', 'PACKAGE BODY', 'TRIGGER')
ORDER BY owner, name, type, line
"""

_KIND = {"U": "table", "V": "view", "TABLE": "table", "VIEW": "view"}


def mssql_inventory(system: str, url: str, columns: Iterable[Sequence], modules: Iterable[Sequence],
                    schemas: Sequence[str] | None = None) -> Inventory:
    """An inventory from the rows of MSSQL_COLUMNS and MSSQL_MODULES."""
    inv = Inventory(system=system, url=url, dialect="tsql")
    tables = _tables(inv, columns, schemas)
    for schema, name, object_type, definition in modules:
        if schemas and schema not in schemas or not definition:
            continue
        table = tables.get((schema, name))
        if object_type.strip() == "V" and table is not None:
            table.definition = definition
        elif object_type.strip() != "V":
            inv.routines.append(Routine(names.catalog_name(schema, "tsql"), names.catalog_name(name, "tsql"),
                                        definition))
    inv.tables = list(tables.values())
    return inv


def oracle_inventory(system: str, url: str, columns: Iterable[Sequence], views: Iterable[Sequence],
                     source: Iterable[Sequence], schemas: Sequence[str] | None = None) -> Inventory:
    """An inventory from the rows of ORACLE_COLUMNS, ORACLE_VIEWS and ORACLE_SOURCE (one row per source line)."""
    inv = Inventory(system=system, url=url, dialect="oracle")
    tables = _tables(inv, columns, schemas)
    for owner, name, text in views:
        table = tables.get((owner, name))
        if table is not None and text:
            table.definition = text
    bodies: dict[tuple[str, str, str], list[str]] = {}
    for owner, name, type_, _line, text in source:
        if not schemas or owner in schemas:
            bodies.setdefault((owner, name, type_), []).append(text or "")
    for (owner, name, _type), lines in bodies.items():
        # ALL_SOURCE holds "PROCEDURE x AS ...": the CREATE OR REPLACE of the statement that made it is not kept.
        inv.routines.append(Routine(names.catalog_name(owner, "oracle"), names.catalog_name(name, "oracle"),
                                    "CREATE OR REPLACE " + "".join(lines)))
    inv.tables = list(tables.values())
    return inv


def _tables(inv: Inventory, rows: Iterable[Sequence], schemas: Sequence[str] | None) -> dict[tuple[str, str], Table]:
    tables: dict[tuple[str, str], Table] = {}
    for schema, table_name, object_type, column_name, type_name, comment, table_comment in rows:
        if schemas and schema not in schemas:
            continue
        table = tables.get((schema, table_name))
        if table is None:
            schema_id = names.catalog_name(schema, inv.dialect)
            name = names.catalog_name(table_name, inv.dialect)
            table = tables[(schema, table_name)] = Table(
                id=names.table_id(inv.system, schema_id, name), schema=schema_id, name=name,
                kind=_KIND.get(object_type.strip(), "table"), comment=table_comment, catalog_schema=schema,
                catalog_name=table_name)
        column = names.catalog_name(column_name, inv.dialect)
        table.columns.append(Column(
            id=names.column_id(inv.system, table.schema, table.name, column), schema=table.schema, table=table.name,
            name=column, type=type_name, comment=comment, table_comment=table_comment, catalog_name=column_name))
    return tables
