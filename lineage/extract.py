"""Column-level lineage of SQL, one pass per statement (design §Lineage edges).

Each statement is parsed from its own tokens (so one broken statement does not sink its file), qualified once
against the schema, and its scopes walked once. Every column reference becomes an edge of one kind:

- ``copy`` / ``derive`` / ``aggregate``: the column's value flows into the target column;
- ``filter`` / ``join`` / ``group``: the column decides which rows (or groups) reach the target, so it points at
  every column the statement writes.

Kinds compose along CTEs and derived tables: ``max(copy < derive < aggregate)``. An output computed in a grouped
scope is marked ``grouped`` (a copied GROUP BY key is a group-level value, not a person's).
"""

from __future__ import annotations

import gc
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.errors import OptimizeError, ParseError, SqlglotError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, ScopeType, build_scope
from sqlglot.schema import MappingSchema
from sqlglot.tokens import Token, TokenType

from lineage import names, procedural

KINDS = ("copy", "derive", "aggregate", "filter", "join", "group")
_FLOW_RANK = {"copy": 0, "derive": 1, "aggregate": 2}
_FLOW_KIND = {rank: kind for kind, rank in _FLOW_RANK.items()}
STATEMENT_BUDGET_S = 10.0  # as DataHub: one statement may not hold up a warehouse's code base
_NO_LINEAGE = (exp.Drop, exp.Set, exp.Use, exp.Transaction, exp.Commit, exp.Rollback, exp.Analyze, exp.Pragma)


class Edge(NamedTuple):
    """One column reference of one statement: ``source`` reaches ``target`` as ``kind``.

    A named tuple, not a dataclass: a warehouse yields millions of edges and tuples are the cheapest to make."""

    source: str
    target: str
    kind: str
    file: str | None
    line: int
    unresolved: bool = False
    grouped: bool = False

    def to_json(self) -> dict:
        out = {"source": self.source, "target": self.target, "kind": self.kind, "file": self.file, "line": self.line}
        if self.unresolved:
            out["unresolved"] = True
        if self.grouped:
            out["grouped"] = True
        return out


@dataclass(frozen=True)
class LineageError:
    """A statement that could not be parsed or resolved; the rest of its file goes on."""

    file: str | None
    line: int
    message: str

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class StatementInfo:
    """What one statement writes: a table, a view, or (for a plain query) itself as ``SYSTEM.query.NAME``."""

    file: str | None
    line: int
    kind: str
    target: str | None
    columns: tuple[str, ...] = ()


@dataclass
class Result:
    edges: list[Edge] = field(default_factory=list)
    errors: list[LineageError] = field(default_factory=list)
    statements: list[StatementInfo] = field(default_factory=list)

    def extend(self, other: Result) -> None:
        self.edges.extend(other.edges)
        self.errors.extend(other.errors)
        self.statements.extend(other.statements)

    def to_json(self) -> dict:
        return {"edges": [e.to_json() for e in self.edges], "errors": [e.to_json() for e in self.errors]}


def make_schema(schema: dict | MappingSchema | None, dialect: str) -> MappingSchema:
    """A sqlglot schema keyed the way sqlglot normalizes this dialect's unquoted names."""
    if isinstance(schema, MappingSchema):
        return schema
    mapping = schema or {}
    if _case_insensitive(dialect):
        mapping = _lower_keys(mapping)
    return MappingSchema(mapping, dialect=dialect, normalize=False)


def extract(
    sql: str,
    dialect: str,
    schema: dict | MappingSchema | None = None,
    system: str = "sql",
    default_schema: str | None = None,
    file: str | None = None,
    line: int = 1,
    budget: float | None = STATEMENT_BUDGET_S,
    *,
    stem: str | None = None,
) -> Result:
    """Column lineage of every statement in ``sql``.

    ``schema`` is a sqlglot nested mapping (``{"schema": {"table": {"column": "type"}}}``) or a MappingSchema that
    this call extends with the tables and views the script creates, so later statements (and later files, when the
    caller passes the same MappingSchema) can expand ``*`` over them. ``line`` is the line of ``sql``'s first
    character in ``file`` (for SQL embedded in another file). A statement that takes longer than ``budget``
    seconds becomes an error (enforced in the main thread, where scans and pool workers run). A plain query is named
    ``SYSTEM.query.<stem>_<n>``; ``stem`` defaults to the file's stem (SQL from a Python file passes its own, so
    two strings in one file do not share names).
    """
    result = Result()
    dia = Dialect.get_or_raise(dialect)
    mapping = make_schema(schema, dialect)
    if default_schema is None and mapping.depth() == 2 and len(mapping.mapping) == 1:
        default_schema = next(iter(mapping.mapping))  # a schema of one schema: its tables need no qualifier
    stem = stem or (PurePath(file).stem if file else "query")
    with _young_collections():
        _extract_all(result, sql, dia, dialect, mapping, system, default_schema, file, line, budget, stem)
    return result


@contextmanager
def _young_collections(threshold: int = 20_000) -> Iterator[None]:
    """Let a statement's tree be born and die within one young-generation collection.

    sqlglot trees are cyclic (parent pointers), so only the cycle collector frees them; with Python's default
    threshold (700 allocations) a tree is promoted while it is still being walked and is then freed by full
    collections, which walk everything alive. Measured on 2,000 statements: 20% less time."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], threshold), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _extract_all(result: Result, sql: str, dia: Dialect, dialect: str, mapping: MappingSchema, system: str,
                 default_schema: str | None, file: str | None, line: int, budget: float | None, stem: str) -> None:
    for item in _statements(sql, dia, dialect, stem, line, file, result):
        tokens, text, at, query_name, in_routine = item
        walker = partial(_Statement, dialect=dialect, schema=mapping, system=system, default_schema=default_schema,
                         file=file, line=at, query_name=query_name, text=text[tokens[0].start:tokens[-1].end + 1],
                         in_routine=in_routine)
        try:
            with _time_budget(budget):
                found = _one_statement(dia, dialect, tokens, text, mapping, walker, file, at)
            result.extend(found)
        except StatementTimeout:
            result.errors.append(LineageError(file, at, f"gave up after {budget:g} s (statement too complex)"))
        except ParseError as err:
            detail = err.errors[0] if err.errors else {}
            where = detail.get("line")
            result.errors.append(LineageError(
                file, (where + at - 1) if where else at, f"parse error: {detail.get('description') or err}"))
        except (SqlglotError, RecursionError, ValueError, KeyError, AttributeError, TypeError) as err:
            # sqlglot raises a range of errors on SQL it half understands; none of them may stop the scan.
            result.errors.append(LineageError(file, at, f"could not resolve statement: {type(err).__name__}: {err}"))
        finally:
            _forget_trees(mapping)


def _forget_trees(schema: MappingSchema) -> None:
    """MappingSchema caches lookups keyed by Table nodes, whose parents keep each analysed statement's whole tree
    alive: memory grew with the code base and every full garbage collection walked all of it (a third of the run
    time on 2,000 statements). The caches only help within a statement, so they are emptied after each one."""
    for cache in ("_find_cache", "_normalized_table_cache"):
        held = getattr(schema, cache, None)
        if isinstance(held, dict):
            held.clear()


def _one_statement(dia: Dialect, dialect: str, tokens: list[Token], sql: str, mapping: MappingSchema,
                   walker: Callable[..., _Statement], file: str | None, at: int) -> Result:
    """One statement's lineage; where sqlglot cannot qualify it against the schema, with less, and a note why."""
    found = Result()
    try:
        walker(qualify_schema=mapping).run(_parse(dia, tokens, sql), found)
    except OptimizeError as err:
        # Code and catalog disagree (a column the schema does not know, a correlated name it cannot place):
        # keep the statement's lineage by qualifying with less, and say so. Parsing again is cheaper than
        # copying every tree in case of failure.
        note = LineageError(file, at, f"resolved with partial schema information: {err}")
        try:
            found = Result(errors=[note])
            walker(qualify_schema=MappingSchema(dialect=dialect)).run(_parse(dia, tokens, sql), found)
        except OptimizeError:
            found = Result(errors=[note])
            lenient = walker(qualify_schema=MappingSchema(dialect=dialect))
            lenient.qualify_columns = False
            lenient.run(_parse(dia, tokens, sql), found)
    return found


class StatementTimeout(Exception):
    """A statement ran over its time budget."""


@contextmanager
def _time_budget(seconds: float | None) -> Iterator[None]:
    """Raise StatementTimeout in the block once ``seconds`` have passed.

    The alarm repeats every 50 ms until the block ends: a signal that lands in a finaliser or garbage-collection
    callback has its exception swallowed by Python, and the next one then interrupts the statement itself. The
    handler raises only while armed, and leaving the block disarms it before anything else."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    armed = [True]

    def expire(_signum, _frame):
        if armed[0]:
            raise StatementTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _parse(dia: Dialect, tokens: list[Token], sql: str) -> exp.Expression | None:
    parsed = dia.parser().parse(tokens, sql)
    return parsed[0] if parsed else None


def _statements(sql: str, dia: Dialect, dialect: str, stem: str, line: int, file: str | None,
                result: Result) -> Iterator[tuple[list[Token], str, int, str, bool]]:
    """Every statement to analyse: (tokens, the text they index, line in the file, query name, inside a routine).
    A routine definition, or a chunk of top-level control flow, yields the DML statements inside it instead.

    Each statement is tokenized again when its turn comes: holding a whole warehouse's tokens alive made every
    garbage collection walk them (a quarter of the run time) and tripled peak memory."""
    for index, (text, first_line, error) in enumerate(_split(sql, dia, dialect), start=1):
        at = first_line + line - 1
        if error:
            result.errors.append(LineageError(file, at, error))
            continue
        tokens = dia.tokenize(text)
        body = procedural.routine(tokens, text, dialect, at)
        if body is not None:
            if not body.statements and body.language.lower() not in ("sql", "plpgsql", "tsql"):
                result.errors.append(LineageError(file, at, f"routine {body.name}: a {body.language} body is not analysed"))
            inner = body.statements
        elif tokens[0].text.upper() in procedural.CONTROL_STARTS:
            inner = tuple(procedural.dml_statements(text, dialect, at))
        else:
            yield tokens, text, at, f"{stem}_{index}", False
            continue
        for number, (statement, statement_line) in enumerate(inner, start=1):
            statement_tokens = dia.tokenize(statement)
            if statement_tokens:
                yield statement_tokens, statement, statement_line, f"{stem}_{index}_{number}", body is not None


def _split(sql: str, dia: Dialect, dialect: str) -> list[tuple[str, int, str | None]]:
    """Statements as (text, first line, error); only the texts are kept, not the tokens that found them.

    T-SQL batches end at a line holding only ``GO`` (split before tokenizing: sqlglot's T-SQL tokenizer reads
    what follows END as one raw string), Oracle's at a line holding only ``/``; a routine (CREATE PROCEDURE ...)
    without a quoted body is the whole of its batch, semicolons in its body included."""
    out: list[tuple[str, int, str | None]] = []
    for batch, offset in _batches(sql, dialect):
        try:
            tokens = dia.tokenize(batch)
        except TokenError as err:
            out.append(("", offset + 1, f"cannot tokenize: {err}"))
            continue
        if tokens and _starts_routine(tokens) and not any(t.token_type == TokenType.HEREDOC_STRING for t in tokens):
            out.append((batch[tokens[0].start:tokens[-1].end + 1], offset + tokens[0].line, None))
            continue
        first: Token | None = None
        last: Token | None = None
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                if first is not None:
                    out.append((batch[first.start:last.end + 1], offset + first.line, None))
                first = None
            else:
                first = first or token
                last = token
        if first is not None:
            out.append((batch[first.start:last.end + 1], offset + first.line, None))
        del tokens
    return out


# Batch separators on a line of their own: T-SQL's GO, and SQL*Plus's "/" after an Oracle PL/SQL block.
_SEPARATORS = {
    "tsql": re.compile(r"^[ \t]*GO[ \t]*(?:\d+[ \t]*)?$", re.IGNORECASE | re.MULTILINE),
    "oracle": re.compile(r"^[ \t]*/[ \t]*$", re.MULTILINE),
}


def _batches(sql: str, dialect: str) -> list[tuple[str, int]]:
    """Batches and the number of lines before each: T-SQL splits at GO, Oracle at "/"; others are one batch."""
    separator = _SEPARATORS.get(dialect)
    if separator is None:
        return [(sql, 0)]
    out, start = [], 0
    for match in separator.finditer(sql):
        out.append((sql[start:match.start()], sql.count("\n", 0, start)))
        start = match.end()
    out.append((sql[start:], sql.count("\n", 0, start)))
    return out


def _starts_routine(tokens: list[Token]) -> bool:
    words = [t.text.upper() for t in tokens[:4]]
    return bool(words) and words[0] in ("CREATE", "ALTER") and any(w in procedural.ROUTINES for w in words[1:4])


def _case_insensitive(dialect: str) -> bool:
    return Dialect.get_or_raise(dialect).NORMALIZATION_STRATEGY == NormalizationStrategy.CASE_INSENSITIVE


def _lower_keys(mapping: dict) -> dict:
    return {k.lower(): _lower_keys(v) if isinstance(v, dict) else v for k, v in mapping.items()}


class _Statement:
    """Walks one parsed statement; holds the per-statement memo so each scope projection is resolved once."""

    def __init__(self, dialect, schema, qualify_schema, system, default_schema, file, line, query_name, text,
                 in_routine=False):
        self.dialect = dialect
        self.schema = schema  # what the script knows and extends (CREATE TABLE ...), for * and INSERT positions
        self.qualify_schema = qualify_schema
        self.system = system
        self.default_schema = default_schema
        self.file = file
        self.line = line
        self.query_name = query_name
        self.text = text
        self.in_routine = in_routine
        self.qualify_columns = True
        self.memo: dict[tuple[int, str], dict[str, tuple[int, bool, bool]]] = {}
        self.projections: dict[int, dict[str, exp.Expression]] = {}
        self.grouped: dict[int, bool] = {}
        self.table_ids: dict[int, str] = {}  # per statement: its tree lives as long as this walker

    # -- statements -------------------------------------------------------------------------------------------
    def run(self, statement: exp.Expression | None, result: Result) -> None:
        if statement is None:
            return
        if isinstance(statement, exp.Command):
            result.errors.append(
                LineageError(self.file, self.line, f"not understood as {self.dialect} SQL (kept as an opaque command)")
            )
            return
        if isinstance(statement, _NO_LINEAGE):
            return
        if isinstance(statement, exp.Create):
            self._create(statement, result)
        elif isinstance(statement, exp.Insert):
            self._insert(statement, result)
        elif isinstance(statement, exp.Query):
            into = statement.args.get("into") if isinstance(statement, exp.Select) else None
            if into is not None and self.in_routine and self.dialect != "tsql":
                # PL/pgSQL SELECT ... INTO assigns variables: the statement is a query, not a table write.
                statement = statement.copy()
                statement.set("into", None)
                into = None
            if into is not None:
                statement = statement.copy()
                statement.set("into", None)
                self._write(into.this, None, statement, result, "select_into", register=True)
            else:
                self._write(None, None, statement, result, "select")
        elif isinstance(statement, exp.Delete):
            self._delete(statement, result)
        elif isinstance(statement, exp.Update):
            self._update(statement, result)
        elif isinstance(statement, exp.Merge):
            self._merge(statement, result)
        elif isinstance(statement, (exp.DML, exp.DDL, exp.Alter)):
            # Known statements whose lineage is not followed yet (UPDATE, MERGE, ...): say so, never stay silent.
            result.errors.append(
                LineageError(self.file, self.line, f"{type(statement).__name__.upper()} statements are not analysed yet")
            )
        else:
            snippet = " ".join(self.text.split())[:60]
            result.errors.append(LineageError(self.file, self.line, f"not a {self.dialect} statement: {snippet!r}"))

    def _create(self, create: exp.Create, result: Result) -> None:
        kind = (create.args.get("kind") or "").upper()
        target = create.this
        columns = None
        if isinstance(target, exp.Schema):
            columns = [c for c in target.expressions]
            target = target.this
        query = create.expression
        if isinstance(query, exp.Query) and kind in ("TABLE", "VIEW"):
            names_ = [c.this if isinstance(c, exp.ColumnDef) else c for c in columns] if columns else None
            self._write(target, names_, query, result, kind.lower(), register=True)
        elif kind == "TABLE" and columns:
            defs = {c.name: (c.args.get("kind") or exp.DataType.build("UNKNOWN")).sql(self.dialect)
                    for c in columns if isinstance(c, exp.ColumnDef)}
            self._register(target, defs)
            result.statements.append(StatementInfo(self.file, self.line, "ddl", self._table_id(target), tuple(defs)))

    def _insert(self, insert: exp.Insert, result: Result) -> None:
        target = insert.this
        listed = None
        if isinstance(target, exp.Schema):
            listed = list(target.expressions)
            target = target.this
        query = insert.expression
        if not isinstance(query, exp.Query):
            result.statements.append(StatementInfo(self.file, self.line, "insert_values", self._table_id(target)))
            return
        if listed is None:
            known = self.schema.column_names(self._qualified(target))
            listed = [exp.to_identifier(c) for c in known] or None
        with_ = insert.args.get("with_")
        if with_ is not None and not query.args.get("with_"):
            query = query.copy()
            query.set("with_", with_.copy())
        self._write(target, listed, query, result, "insert")

    def _delete(self, delete: exp.Delete, result: Result) -> None:
        """What a DELETE leaves in its table was selected by the columns of its WHERE."""
        table = delete.this
        where = delete.args.get("where")
        result.statements.append(StatementInfo(self.file, self.line, "delete", self._table_id(table)))
        if where is None:
            return
        probe = exp.select(exp.Star()).from_(table.copy()).where(where.this.copy())
        qualified = self._qualify(probe)
        root = build_scope(qualified)
        if root is None:
            return
        targets = [self._column_id(table, c) for c in self.schema.column_names(self._qualified(table))]
        targets = targets or [self._table_id(table) + ".*"]
        seen: set = set()
        for source, _, unresolved in self._selection_refs(root):
            for target in targets:
                self._emit(result, seen, source, target, "filter", unresolved, False)

    def _update(self, update: exp.Update, result: Result) -> None:
        """UPDATE as the SELECT it amounts to: each SET value is a projection into its column, FROM/WHERE as they are."""
        target = update.this
        from_ = update.args.get("from_")
        pairs = [(e.this, e.expression) for e in update.expressions if isinstance(e, exp.EQ)]
        if from_ is not None:
            aliased = next((t for t in from_.find_all(exp.Table)
                            if not target.args.get("db") and t.alias_or_name == target.name), None)
            sources = from_.sql(self.dialect)
            if aliased is not None:  # T-SQL: UPDATE r SET ... FROM risico r JOIN ...
                target = aliased
            else:
                sources = f"FROM {target.sql(self.dialect)}, {sources.removeprefix('FROM ')}"
        else:
            sources = f"FROM {target.sql(self.dialect)}"
        where = update.args.get("where")
        self._write_probe(target, pairs, sources, where.sql(self.dialect) if where else "", result, "update")

    def _merge(self, merge: exp.Merge, result: Result) -> None:
        """MERGE as a SELECT over target JOIN source ON the merge condition; WHEN conditions filter."""
        pairs: list[tuple[exp.Expression, exp.Expression]] = []
        conditions = []
        for when in merge.args["whens"].expressions:
            then = when.args.get("then")
            if when.args.get("condition") is not None:
                conditions.append(f"({when.args['condition'].sql(self.dialect)})")
            if isinstance(then, exp.Update):
                pairs += [(e.this, e.expression) for e in then.expressions if isinstance(e, exp.EQ)]
            elif isinstance(then, exp.Insert) and isinstance(then.this, exp.Tuple) \
                    and isinstance(then.expression, exp.Tuple):
                pairs += list(zip(then.this.expressions, then.expression.expressions))
        using = merge.args["using"]
        sources = (f"FROM {merge.this.sql(self.dialect)} JOIN {using.sql(self.dialect)} "
                   f"ON {merge.args['on'].sql(self.dialect)}")
        where = f"WHERE {' OR '.join(conditions)}" if conditions else ""
        self._write_probe(merge.this, pairs, sources, where, result, "merge")

    def _write_probe(self, target: exp.Table, pairs, sources: str, where: str, result: Result, kind: str) -> None:
        if not pairs:
            result.statements.append(StatementInfo(self.file, self.line, kind, self._table_id(target)))
            return
        values = ", ".join(exp.alias_(value.copy(), f"_{i}").sql(self.dialect) for i, (_, value) in enumerate(pairs))
        probe = sqlglot.parse_one(f"SELECT {values} {sources} {where}", read=self.dialect)
        self._write(target, [column.this if isinstance(column, exp.Column) else column for column, _ in pairs],
                    probe, result, kind)

    # -- the one pass -----------------------------------------------------------------------------------------
    def _write(self, target, listed, query: exp.Query, result: Result, kind: str, register: bool = False) -> None:
        qualified = self._qualify(query)
        root = build_scope(qualified)
        if root is None:
            raise ValueError("no query scope")
        outputs = list(qualified.selects)
        names_out = [self._output_name(sel, i) for i, sel in enumerate(outputs)]
        if listed is not None:
            target_names = [self._ident(i) for i in listed]
            if len(target_names) != len(outputs):
                result.errors.append(LineageError(
                    self.file, self.line,
                    f"{len(target_names)} target columns for {len(outputs)} selected values; mapped by position"))
        else:
            target_names = names_out
        table = self._table_id(target) if target is not None else f"{self.system}.query.{self.query_name}"
        seen: set = set()
        written: list[str] = []
        for position, sel in enumerate(outputs):
            if position >= len(target_names):
                break
            column = f"{table}.{target_names[position]}"
            written.append(column)
            for source, (rank, grouped, unresolved) in self._projection(root, position).items():
                self._emit(result, seen, source, column, _FLOW_KIND[rank], unresolved, grouped)
        for source, kind_, unresolved in self._selection_refs(root):
            for column in written:
                self._emit(result, seen, source, column, kind_, unresolved, False)
        if register and target is not None and target_names and "*" not in target_names:
            self._register(target, {n: "UNKNOWN" for n in target_names})
        result.statements.append(StatementInfo(self.file, self.line, kind, table, tuple(target_names)))

    def _emit(self, result, seen, source, target, kind, unresolved, grouped) -> None:
        key = (source, target, kind)
        if key not in seen:
            seen.add(key)
            result.edges.append(Edge(source, target, kind, self.file, self.line, unresolved, grouped))

    def _projection(self, scope: Scope, position: int) -> dict[str, tuple[int, bool, bool]]:
        """Base columns feeding output ``position`` of ``scope``: source -> (flow rank, grouped, unresolved)."""
        query = scope.expression
        if isinstance(query, exp.SetOperation):
            merged: dict[str, tuple[int, bool, bool]] = {}
            for branch in scope.set_operation_scopes:
                _merge(merged, self._projection(branch, position))
            return merged
        selects = query.selects
        if position >= len(selects):
            return {}
        return self._projection_of(scope, selects[position])

    def _named(self, scope: Scope, name: str) -> dict[str, tuple[int, bool, bool]]:
        """Base columns of the output called ``name`` of a CTE or derived-table scope (memoised)."""
        key = (id(scope), name)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = {}  # a recursive CTE refers to itself: stop there
        query = scope.expression
        index = self.projections.get(id(scope))
        if index is None:
            selects = query.selects
            index = self.projections[id(scope)] = {s.alias_or_name: i for i, s in enumerate(selects)}
        position = index.get(name)
        found = self._projection(scope, position) if position is not None else {}
        if position is None and "*" in index:
            found = self._projection(scope, index["*"])
        self.memo[key] = found
        return found

    def _projection_of(self, scope: Scope, sel: exp.Expression) -> dict[str, tuple[int, bool, bool]]:
        grouped = self.grouped.get(id(scope))
        if grouped is None:
            grouped = self.grouped[id(scope)] = _is_grouped(scope.expression)
        inner = sel.unalias()
        found: dict[str, tuple[int, bool, bool]] = {}
        if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star)):
            for source in self._star_sources(scope, inner):
                _merge(found, {source: (0, grouped, True)})
            return found
        subqueries = {id(s.expression): s for s in scope.subquery_scopes}
        for node in _walk_in_scope(sel):
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                rank = _flow_rank(node, inner)
                for source, (r, g, u) in self._resolve(scope, node).items():
                    _merge(found, {source: (max(rank, r), grouped or g, u)})
            elif isinstance(node, exp.Query) and id(_unwrap(node)) in subqueries:
                for source, _, unresolved in self._all_refs(subqueries[id(_unwrap(node))]):
                    _merge(found, {source: (1, grouped, unresolved)})
        return found

    def _resolve(self, scope: Scope, column: exp.Column) -> dict[str, tuple[int, bool, bool]]:
        """A column reference as base columns, through CTEs and derived tables (also of outer scopes)."""
        recursive = _recursive_reference(column, scope) if column.table else None
        if recursive is not None:
            # A recursive CTE reading itself: its column as the whole CTE defines it. While that very column is
            # being resolved the memo answers {} (the anchor and other branches supply its sources).
            cte_scope = _cte_scope(scope, recursive)
            return self._named(cte_scope, column.name) if cte_scope is not None else {}
        source = self._source(scope, column.table)
        if isinstance(source, Scope) and source.scope_type == ScopeType.UDTF:
            # UNNEST, LATERAL VIEW explode, FLATTEN: each output is computed from what the function reads.
            found: dict[str, tuple[int, bool, bool]] = {}
            for base, _, unresolved in self._all_refs(source):
                _merge(found, {base: (1, False, unresolved)})
            return found
        if isinstance(source, Scope):
            return self._named(source, column.name)
        if isinstance(source, exp.Table):
            unknown_schema = not source.args.get("db") and not self.default_schema
            return {self._column_id(source, column.this): (0, False, unknown_schema)}
        return {f"{self.system}.{column.sql(self.dialect)}": (0, False, True)}

    def _source(self, scope: Scope, name: str):
        if not name:
            selected = scope.selected_sources
            if len(selected) == 1:
                return next(iter(selected.values()))[1]
            return None
        while scope is not None:
            if name in scope.sources:
                return scope.sources[name]
            scope = scope.parent
        return None

    def _star_sources(self, scope: Scope, star: exp.Expression) -> list[str]:
        """An unexpanded ``*``: no schema knows the columns, so say so instead of staying silent."""
        qualifier = star.table if isinstance(star, exp.Column) else ""
        out = []
        for alias, (_, source) in scope.selected_sources.items():
            if qualifier and alias != qualifier:
                continue
            if isinstance(source, exp.Table):
                out.append(self._table_id(source) + ".*")
            elif isinstance(source, Scope):
                out.extend(s for s in self._named(source, "*"))
        return out

    def _selection_refs(self, root: Scope):
        """Columns that choose rows or groups: WHERE/HAVING/QUALIFY, JOIN conditions, GROUP BY, and everything an
        IN/EXISTS subquery uses (also inside scopes nested in it)."""
        scalar: set[int] = set()
        predicate: set[int] = set()
        for scope in reversed(list(root.traverse())):  # outer scopes first: a subquery's role holds for its insides
            if scope.scope_type == ScopeType.SUBQUERY and id(scope) not in scalar | predicate:
                inner = {id(s) for s in scope.traverse()}
                (scalar if _in_projection(scope) else predicate).update(inner)
        out = []
        for scope in root.traverse():
            if id(scope) in scalar:
                continue
            for column in scope.columns:
                kind = "filter" if id(scope) in predicate else _clause_kind(column, scope.expression)
                if kind is None:
                    continue
                for source, (_, _, unresolved) in self._resolve(scope, column).items():
                    out.append((source, kind, unresolved))
            for column in _group_by_all_keys(scope.expression):
                for source, (_, _, unresolved) in self._resolve(scope, column).items():
                    out.append((source, "group", unresolved))
        return out

    def _all_refs(self, scope: Scope):
        for inner in scope.traverse():
            for column in inner.columns:
                for source, (_, _, unresolved) in self._resolve(inner, column).items():
                    yield source, "derive", unresolved

    # -- names ------------------------------------------------------------------------------------------------
    def _qualify(self, expression: exp.Expression) -> exp.Expression:
        return qualify(expression, schema=self.qualify_schema, dialect=self.dialect, db=self.default_schema,
                       validate_qualify_columns=False, identify=False, quote_identifiers=False,
                       qualify_columns=self.qualify_columns)

    def _qualified(self, table: exp.Table) -> exp.Table:
        table = table.copy()
        if not table.args.get("db") and self.default_schema:
            table.set("db", exp.to_identifier(self.default_schema))
        return table

    def _register(self, table: exp.Table, columns: dict[str, str]) -> None:
        """Let later statements expand ``*`` over a table this script creates (needs a schema to put it in)."""
        qualified = self._qualified(table)
        if columns and (qualified.args.get("db") or self.schema.depth() in (0, 1)):
            self.schema.add_table(qualified, columns, dialect=self.dialect)

    def _ident(self, ident: exp.Expression) -> str:
        if isinstance(ident, exp.Identifier):
            # T-SQL temporary tables keep their '#' (or '##' for global ones): #t and t are different tables.
            prefix = "##" if ident.args.get("global_") else "#" if ident.args.get("temporary") else ""
            return prefix + names.normalize(ident.name, self.dialect, ident.quoted)
        if isinstance(ident, exp.Column):
            return self._ident(ident.this)
        return names.normalize(ident.name, self.dialect)

    def _output_name(self, sel: exp.Expression, position: int) -> str:
        alias = sel.args.get("alias") if isinstance(sel, exp.Alias) else None
        if isinstance(alias, exp.Identifier):
            return self._ident(alias)
        if isinstance(sel, exp.Column):
            return "*" if isinstance(sel.this, exp.Star) else self._ident(sel.this)
        if isinstance(sel, exp.Star):
            return "*"
        return names.normalize(sel.alias_or_name, self.dialect) or f"_col_{position}"

    def _table_id(self, table: exp.Table) -> str:
        known = self.table_ids.get(id(table))
        if known is None:
            db = table.args.get("db")
            schema = self._ident(db) if db is not None else (self.default_schema or "?")
            known = self.table_ids[id(table)] = names.table_id(self.system, schema, self._ident(table.this))
        return known

    def _column_id(self, table: exp.Table, column) -> str:
        name = self._ident(column) if isinstance(column, exp.Expression) else names.normalize(column, self.dialect)
        return f"{self._table_id(table)}.{name}"


def _merge(into: dict, found: dict) -> None:
    for source, (rank, grouped, unresolved) in found.items():
        old = into.get(source)
        if old is None:
            into[source] = (rank, grouped, unresolved)
        else:
            into[source] = (max(old[0], rank), old[1] or grouped, old[2] and unresolved)


def _recursive_reference(column: exp.Column, scope: Scope) -> str | None:
    """The name of the recursive CTE this column reads while being part of it (by its name or an alias)."""
    # In a recursive branch sqlglot maps an alias of the CTE to a scope over the anchor, which has no name: the
    # branch's own FROM/JOIN tables tell which table the alias stands for.
    names_ = {column.table} | {t.name for t in scope.tables if t.alias_or_name == column.table}
    cte = column.find_ancestor(exp.CTE)
    while cte is not None:
        if cte.alias_or_name in names_:
            return cte.alias_or_name
        cte = cte.find_ancestor(exp.CTE)
    return None


def _cte_scope(scope: Scope, name: str) -> Scope | None:
    """The scope of the CTE called ``name``, as an enclosing scope sees it."""
    current = scope.parent
    while current is not None:
        found = current.sources.get(name)
        if isinstance(found, Scope) and isinstance(found.expression.parent, exp.CTE):
            return found
        current = current.parent
    return None


def _unwrap(query: exp.Expression) -> exp.Expression:
    return query.this if isinstance(query, exp.Subquery) else query


def _walk_in_scope(node: exp.Expression):
    """Nodes of one projection without descending into subqueries (they are scopes of their own)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, exp.Query):
            continue
        stack.extend(current.iter_expressions())


def _flow_rank(column: exp.Column, projection: exp.Expression) -> int:
    """copy when the projection is the column (maybe cast), aggregate under an aggregate function, else derive."""
    if projection is column or (isinstance(projection, (exp.Cast, exp.TryCast)) and projection.this is column):
        return 0
    node = column.parent
    while node is not None and node is not projection.parent:
        if isinstance(node, exp.Window):
            return 1
        if isinstance(node, exp.AggFunc):
            return 1 if isinstance(node.parent, exp.Window) else 2
        node = node.parent
    return 1


def _group_by_all_keys(query: exp.Expression) -> list[exp.Column]:
    """GROUP BY ALL (DuckDB, Snowflake, Databricks) groups by every projection that is not an aggregate."""
    group = query.args.get("group") if isinstance(query, exp.Select) else None
    if group is None or not group.args.get("all"):
        return []
    keys = []
    for sel in query.selects:
        nodes = list(_walk_in_scope(sel))
        if not any(isinstance(n, exp.AggFunc) and not isinstance(n.parent, exp.Window) for n in nodes):
            keys += [n for n in nodes if isinstance(n, exp.Column) and not isinstance(n.this, exp.Star)]
    return keys


def _is_grouped(query: exp.Expression) -> bool:
    if not isinstance(query, exp.Select):
        return False
    if query.args.get("group"):
        return True
    return any(
        isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Window)
        for sel in query.selects for node in _walk_in_scope(sel)
    )


def _clause_kind(column: exp.Column, top: exp.Expression) -> str | None:
    """The clause of ``top`` that holds ``column``; None for projections, for a table function's arguments, and
    for references that belong to a nested query (a correlated subquery accounts for its own references)."""
    kind = None
    child, node = column, column.parent
    while node is not None and node is not top:
        if isinstance(node, exp.Query):
            return None
        if kind is None:
            if isinstance(node, (exp.Where, exp.Having, exp.Qualify)):
                kind = "filter"
            elif isinstance(node, exp.Join):
                if child is node.this:
                    return None  # the joined source itself (a LATERAL function's input), not a join condition
                kind = "join"
            elif isinstance(node, exp.Group):
                kind = "group"
        child, node = node, node.parent
    return kind


def _in_projection(scope: Scope) -> bool:
    """Is this subquery a scalar value inside its parent's SELECT list (derive) rather than a predicate?"""
    parent = scope.parent
    if parent is None or not isinstance(parent.expression, exp.Select):
        return False
    selects = {id(s) for s in parent.expression.selects}
    node = scope.expression.parent
    while node is not None and node is not parent.expression:
        if isinstance(node, (exp.Where, exp.Having, exp.Qualify, exp.Join)):
            return False
        if id(node) in selects:
            return True
        node = node.parent
    return False
