"""ETL code as SQL text with provenance: ``.sql`` files and folders, and view bodies from an inventory.

Splitting a script into statements is the lineage extractor's job (it keeps each statement's line); this module
finds the text, decodes it, and says where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.database import Inventory, SourceError

if TYPE_CHECKING:  # python_etl imports this module
    from connectors.python_etl import Inference

SQL_SUFFIXES = {".sql", ".py"}


@dataclass(frozen=True)
class SqlText:
    """SQL to analyse: its text, the file it came from (as shown to people) and the line it starts on."""

    text: str
    file: str
    line: int = 1
    default_schema: str | None = None  # for names without a schema; a view's own schema for its body
    stem: str | None = None  # names plain queries (SYSTEM.query.<stem>_<n>); default: the file's stem


def read_sql_paths(paths: list[Path], base: Path,
                   system: str) -> tuple[list[SqlText], list[SourceError], list[Inference]]:
    """SQL of every ``.sql`` file, the SQL strings in every ``.py`` file, and the compiled models of every dbt
    project (a folder with dbt_project.yml, read from target/manifest.json) under ``paths``, in name order; files
    are shown relative to ``base``. Also returns the imports of name-to-origin inference packages in Python files."""
    texts: list[SqlText] = []
    errors: list[SourceError] = []
    inferences: list = []
    from connectors import dbt  # dbt builds on this module

    for path in paths:
        if not path.exists():
            errors.append(SourceError(system, _shown(path, base), "no such file or folder"))
            continue
        if path.is_dir() and dbt.is_project(path) or path.name == "manifest.json":
            found, problems = (dbt.read_project(path, _shown(path, base), system) if path.is_dir()
                               else dbt.read_manifest(path, _shown(path, base), system))
            texts += found
            errors += problems
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SQL_SUFFIXES and p.is_file()
                       and not _in_dbt_project(p, path)) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() == ".py":
                from connectors.python_etl import read_python  # python_etl builds on this module

                found, imports, problems = read_python(file, _shown(file, base), system)
                texts += [replace(t, stem=f"{file.stem}_line{t.line}") for t in found]
                errors += problems
                inferences += imports
                continue
            try:
                texts.append(SqlText(without_psql_commands(decode(file.read_bytes())), _shown(file, base)))
            except (OSError, UnicodeDecodeError) as err:
                errors.append(SourceError(system, _shown(file, base), f"cannot read: {err}"))
    return texts, errors, inferences


def _in_dbt_project(file: Path, root: Path) -> bool:
    """Files of a dbt project below ``root`` are Jinja templates: the project is read from its manifest instead."""
    return any((parent / "dbt_project.yml").is_file() for parent in file.parents if parent.is_relative_to(root))


def view_bodies(inventory: Inventory) -> list[SqlText]:
    """View definitions as CREATE VIEW statements, so they resolve to the view's own identity, routine
    definitions (their DML is analysed; see lineage.procedural), and the query history (pg_stat_statements)."""
    out = [SqlText(r.definition, f"{inventory.system}:routine {r.schema}.{r.name}", 1, r.schema)
           for r in inventory.routines]
    out += [SqlText(query, f"{inventory.system}:query history", 1, stem=f"history_{number}")
            for number, query in enumerate(inventory.history, start=1)]
    for table in inventory.tables:
        body = _VIEW_OPTIONS.sub("CREATE VIEW", (table.definition or "").strip())
        if not body:
            continue
        if not body.upper().startswith("CREATE"):
            body = f"CREATE VIEW {_quoted(table.schema)}.{_quoted(table.name)} AS {body}"
        out.append(SqlText(body, f"{inventory.system}:{table.kind} {table.schema}.{table.name}", 1, table.schema))
    return out


# MySQL/MariaDB give a view back as SHOW CREATE VIEW prints it; its options say nothing about lineage and sqlglot
# cannot read DEFINER=``, so they go.
_VIEW_OPTIONS = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
                           r"(?:SQL\s+SECURITY\s+\w+\s+)?VIEW", re.IGNORECASE)


def _quoted(name: str) -> str:
    return name if name.isidentifier() and name == name.lower() else '"' + name.replace('"', '""') + '"'


_PSQL_COMMAND = re.compile(r"^[ \t]*\\[A-Za-z!?].*$", re.MULTILINE)


def without_psql_commands(sql: str) -> str:
    """psql's own commands (\\set, \\i, \\connect, ...) are instructions to the client, not SQL: they become empty
    lines, so every statement keeps its line number."""
    return _PSQL_COMMAND.sub("", sql)


def decode(data: bytes) -> str:
    """Text of a SQL file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 as the last resort."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _shown(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
