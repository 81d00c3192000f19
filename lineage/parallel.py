"""Lineage of many files, in one process or a pool of them.

In one process the files share one schema that grows with every table they create, so a later file can expand
``SELECT *`` over a table an earlier file made. In a pool each worker starts from the given schema and files are
analysed independently: tables created by *other* files are known only if the schema (the inventory) has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from lineage.extract import STATEMENT_BUDGET_S, Result, extract, make_schema

_worker: dict = {}


def extract_files(
    files: Sequence[tuple[str, str, int, str | None]],
    dialect: str,
    schema: dict | None = None,
    system: str = "sql",
    default_schema: str | None = None,
    jobs: int = 1,
    budget: float | None = STATEMENT_BUDGET_S,
) -> list[Result]:
    """One Result per ``(text, file, first line, stem)``, in the order given."""
    if jobs <= 1 or len(files) <= 1:
        shared = make_schema(schema, dialect)
        return [extract(text, dialect, shared, system, default_schema, file, line, budget, stem=stem)
                for text, file, line, stem in files]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start,
                             initargs=(schema or {}, dialect, system, default_schema, budget)) as pool:
        return list(pool.map(_one, files, chunksize=max(1, len(files) // (jobs * 8))))


def _start(schema: dict, dialect: str, system: str, default_schema: str | None, budget: float | None) -> None:
    _worker.update(schema=make_schema(schema, dialect), dialect=dialect, system=system,
                   default_schema=default_schema, budget=budget)


def _one(item: tuple[str, str, int, str | None]) -> Result:
    text, file, line, stem = item
    return extract(text, _worker["dialect"], _worker["schema"], _worker["system"], _worker["default_schema"],
                   file, line, _worker["budget"], stem=stem)
