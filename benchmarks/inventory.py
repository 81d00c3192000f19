"""Inventory at catalog scale: a generated PostgreSQL catalog of 2,000 tables and 50,000 columns.

Prints the time ``connectors.database.inventory`` takes, the number of round trips it makes (statements sent,
counted with a SQLAlchemy event), and its peak memory. Needs a server: ``make bench`` starts one
(ORIGINSCAN_TEST_PG_URL).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from benchmarks.postgres import throwaway_database
from connectors.database import inventory


def build(url: str, tables: int, columns: int, schemas: int = 5) -> None:
    ddl = [f"CREATE SCHEMA s{i};" for i in range(schemas)]
    for number in range(tables):
        cols = ", ".join(f"c{j} {'TEXT' if j % 3 else 'INTEGER'}" for j in range(columns))
        ddl.append(f"CREATE TABLE s{number % schemas}.t{number:04d} (id INTEGER, {cols});")
        if number % 10 == 0:
            ddl.append(f"COMMENT ON COLUMN s{number % schemas}.t{number:04d}.c1 IS 'Geboorteland (Tabel 34)';")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("\n".join(ddl))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=24, help="columns per table besides id")
    args = parser.parse_args(argv)
    server = os.environ.get("ORIGINSCAN_TEST_PG_URL")
    if not server:
        print("Inventory: not run (no PostgreSQL server; make bench starts one)")
        return
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    with throwaway_database(server, "catalog") as url:
        build(url, args.tables, args.columns)
        event.listen(Engine, "before_cursor_execute", count)
        try:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            found = inventory(url, "catalog")
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            event.remove(Engine, "before_cursor_execute", count)
    print(f"Inventory: PostgreSQL catalog of {len(found.tables):,} tables, {len(found.columns()):,} columns, "
          f"{len(found.errors)} errors")
    print(f"  {seconds:.1f} s, {statements[0]} round trips, peak RSS {peak:.0f} MB ({before:.0f} MB before)")


if __name__ == "__main__":
    main()
