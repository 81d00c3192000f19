"""SQL inside Python ETL, found with ``ast`` (the code is read, never run).

A string is SQL when it is passed to ``read_sql``/``read_sql_query``/``read_sql_table``, ``execute``/
``executemany``/``executescript``, ``spark.sql``/``sql``, or SQLAlchemy's ``text()``: as a literal, a constant
defined at module level and passed by name, or an implicitly joined literal. An f-string or a string built at run
time cannot be read and is reported as such. Imports of name-to-origin inference libraries are reported too: what
they produce is ethnicity or nationality by inference.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from connectors.code import SqlText, decode
from connectors.database import SourceError

SQL_CALLS = {"read_sql", "read_sql_query", "read_sql_table", "execute", "executemany", "executescript", "sql", "text"}
# Packages that infer ethnicity or nationality from a person's name (research/origin-data-nl.md §5).
INFERENCE_PACKAGES = {
    "ethnicolr": "ethnicity", "name2nat": "nationality", "ethnidata": "ethnicity", "demografix": "nationality",
    "firstname_to_nationality": "nationality", "names_dataset": "nationality", "nationalize": "nationality",
}


@dataclass(frozen=True)
class Inference:
    """An import of a name-to-origin inference package: ``category`` is what its output is."""

    file: str
    line: int
    package: str
    category: str


def read_python(path: Path, shown: str, system: str) -> tuple[list[SqlText], list[Inference], list[SourceError]]:
    """SQL strings, inference imports and what could not be read, from one Python file."""
    try:
        source = decode(path.read_bytes())
        tree = ast.parse(source, filename=shown)
    except (OSError, SyntaxError, ValueError) as err:
        return [], [], [SourceError(system, shown, f"cannot read Python: {err}")]
    constants = _module_constants(tree)
    texts: list[SqlText] = []
    errors: list[SourceError] = []
    inferences: list[Inference] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            inferences += _inference_imports(node, shown)
        if not isinstance(node, ast.Call) or _call_name(node) not in SQL_CALLS:
            continue
        argument = node.args[0] if node.args else _keyword(node, ("sql", "query", "sqlQuery"))
        if argument is None:
            continue
        found = _string(argument, constants)
        if found is not None:
            text, line = found
            texts.append(SqlText(text, f"{shown}", line))
        elif isinstance(argument, ast.JoinedStr):
            errors.append(SourceError(system, f"{shown}:{node.lineno}",
                                      "SQL built with an f-string at run time is not analysed"))
    unique = {(t.line, t.text): t for t in texts}  # execute(text(SQL)) names the same string twice
    return sorted(unique.values(), key=lambda t: t.line), inferences, errors


def _call_name(node: ast.Call) -> str | None:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return None


def _keyword(node: ast.Call, names: tuple[str, ...]) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg in names), None)


def _module_constants(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """NAME = "..." at module level: SQL kept in a constant and passed by name."""
    constants = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name):
            value = _string(statement.value, {})
            if value is not None:
                constants[statement.targets[0].id] = value
    return constants


def _string(node: ast.expr, constants: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    """The literal text and the line its first character is on, or None when it is not a plain string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # A triple-quoted string starting with a newline begins on the next line.
        return node.value, node.lineno
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.Call) and _call_name(node) == "text" and node.args:
        return _string(node.args[0], constants)
    return None


def _inference_imports(node: ast.Import | ast.ImportFrom, shown: str) -> list[Inference]:
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    found = []
    for module in modules:
        package = module.split(".")[0]
        if package in INFERENCE_PACKAGES:
            found.append(Inference(shown, node.lineno, package, INFERENCE_PACKAGES[package]))
    return found
