"""Lineage speed and memory: originscan against its peers on the same generated corpus, in one run.

Each approach runs in a subprocess of its own (so its peak memory is its own) over the same seeded corpus:

- ``originscan``: ``lineage.extract`` over the whole script, all six edge kinds;
- ``originscan-jobs``: the same as files of 50 statements over a process pool of one worker per core;
- ``sqlglot-lineage``: sqlglot's ``lineage(None, query, schema, trim_selects=False)`` per statement, its fastest
  all-columns mode (copy/derive only);
- ``parse+qualify``: sqlglot parse and qualify alone, the floor for any sqlglot-based engine;
- ``sqllineage``: reata/sqllineage on a sample (it is ~30x slower), if installed (``pip install sqllineage``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from benchmarks.corpus import generate

APPROACHES = ("originscan", "originscan-jobs", "sqlglot-lineage", "parse+qualify", "sqllineage")


def run_one(approach: str, statements: int, sample: int) -> dict:
    """Time one approach in this process; return statements, seconds and peak RSS."""
    corpus = generate(statements)
    before = _rss_mb()
    if approach == "sqllineage":
        chosen = corpus.statements[:sample]
    else:
        chosen = corpus.statements
    start = time.perf_counter()
    outputs = _APPROACH[approach](chosen, corpus.schema)
    seconds = time.perf_counter() - start
    peak = _rss_mb()
    if approach == "originscan-jobs":  # the workers' memory, not only the parent's
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return {"approach": approach, "statements": len(chosen), "seconds": seconds, "outputs": outputs,
            "rss_before_mb": before, "peak_rss_mb": peak}


def _originscan(statements: list[str], schema: dict) -> int:
    from lineage.extract import extract

    result = extract(";\n".join(statements) + ";", "postgres", schema, "bench", None)
    if result.errors:
        raise SystemExit(f"originscan: {len(result.errors)} errors, first: {result.errors[0]}")
    return len(result.edges)


def _originscan_jobs(statements: list[str], schema: dict) -> int:
    """The corpus as files of 50 statements over a process pool (``--jobs``), one worker per core."""
    import os

    from lineage.parallel import extract_files

    files = [(";\n".join(statements[i:i + 50]) + ";", f"f{i}.sql", 1, None) for i in range(0, len(statements), 50)]
    results = extract_files(files, "postgres", schema, "bench", None, jobs=os.cpu_count() or 1)
    return sum(len(r.edges) for r in results)


def _sqlglot_lineage(statements: list[str], schema: dict) -> int:
    import sqlglot
    from sqlglot.lineage import lineage
    from sqlglot.schema import MappingSchema

    mapping = MappingSchema(schema, dialect="postgres", normalize=False)
    nodes = 0
    for sql in statements:
        statement = sqlglot.parse_one(sql, read="postgres")
        query = statement.expression if isinstance(statement, (sqlglot.exp.Create, sqlglot.exp.Insert)) else statement
        found = lineage(None, query, schema=mapping, dialect="postgres", trim_selects=False)
        nodes += len(found)
    return nodes


def _parse_qualify(statements: list[str], schema: dict) -> int:
    import sqlglot
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    mapping = MappingSchema(schema, dialect="postgres", normalize=False)
    for sql in statements:
        qualify(sqlglot.parse_one(sql, read="postgres"), schema=mapping, dialect="postgres",
                validate_qualify_columns=False, identify=False, quote_identifiers=False)
    return len(statements)


def _sqllineage(statements: list[str], schema: dict) -> int:
    from sqllineage.core.metadata_provider import MetaDataProvider  # noqa: F401 - proves the package is there
    from sqllineage.runner import LineageRunner

    edges = 0
    for sql in statements:
        runner = LineageRunner(sql, dialect="postgres")
        edges += len(runner.get_column_lineage())
    return edges


_APPROACH = {"originscan": _originscan, "originscan-jobs": _originscan_jobs, "sqlglot-lineage": _sqlglot_lineage, "parse+qualify": _parse_qualify,
             "sqllineage": _sqllineage}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compare(statements: int, sample: int) -> list[dict]:
    """Every approach in a subprocess; an approach that cannot run (sqllineage not installed) says why."""
    rows = []
    for approach in APPROACHES:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.lineage", "--one", approach, "--statements", str(statements),
             "--sample", str(sample)], capture_output=True, text=True)
        if proc.returncode != 0:
            rows.append({"approach": approach, "error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
        else:
            rows.append(json.loads(proc.stdout))
    return rows


def table(rows: list[dict]) -> str:
    ours = next((r for r in rows if r["approach"] == "originscan" and "error" not in r), None)
    per_statement = ours["seconds"] / ours["statements"] if ours else None
    lines = [f"{'approach':<17}{'statements':>11}{'seconds':>10}{'stmts/s':>10}{'RSS MB before':>15}"
             f"{'peak RSS MB':>13}{'originscan time ÷ this':>24}"]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['approach']:<17}  not run: {row['error']}")
            continue
        rate = row["statements"] / row["seconds"]
        ratio = per_statement / (row["seconds"] / row["statements"]) if per_statement else float("nan")
        lines.append(f"{row['approach']:<17}{row['statements']:>11}{row['seconds']:>10.2f}{rate:>10.1f}"
                     f"{row['rss_before_mb']:>15.0f}{row['peak_rss_mb']:>13.0f}{ratio:>23.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=50, help="statements for sqllineage (it is slow)")
    parser.add_argument("--one", choices=APPROACHES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.statements, args.sample)))
        return
    print(f"Lineage: {args.statements} generated ETL statements (seed 42), dialect postgres, one process each")
    print(table(compare(args.statements, args.sample)))
    print("The last column is originscan's time per statement divided by this approach's: below 1, originscan is")
    print("faster. 'RSS before' is the process after generating the corpus; sqllineage runs on a sample only.")


if __name__ == "__main__":
    main()
