"""A bounded sample of a table's values, reduced to statistics inside this module.

One read per table (``SELECT columns FROM table`` with the dialect's row cap: LIMIT, TOP, FETCH FIRST), inside the
read-only session. Each column's values go straight into ``summarize`` (the caller's, such as detection's value
profile) and the rows are dropped: no value leaves this function, is logged, or is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import column, select, table
from sqlalchemy.engine import Connection

Summary = TypeVar("Summary")
# Types whose values say nothing about origin and can be large.
SKIPPED_TYPES = ("BLOB", "BYTEA", "BINARY", "IMAGE", "GEOMETRY", "GEOGRAPHY", "XML", "JSON", "ARRAY", "VECTOR")


def sample_table(conn: Connection, schema: str | None, name: str, columns: list[tuple[str, str]], limit: int,
                 summarize: Callable[[Iterable[object]], Summary]) -> dict[str, Summary]:
    """``summarize`` over up to ``limit`` rows of each ``(catalog name, type)`` column, by catalog name."""
    wanted = [c for c, type_ in columns if not any(t in type_.upper() for t in SKIPPED_TYPES)]
    if not wanted or limit <= 0:
        return {}
    source = table(name, *(column(c) for c in wanted), schema=schema)
    rows = conn.execute(select(*source.columns).limit(limit)).fetchall()
    try:
        return {c: summarize(row[i] for row in rows) for i, c in enumerate(wanted)}
    finally:
        del rows
