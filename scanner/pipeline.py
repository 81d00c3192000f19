"""The scan, end to end: config -> inventory, code and register -> lineage graph -> tags -> findings.

Each step is a plain function over records; this module only wires them and gathers every error with the place it
came from, so that one bad source, file or statement never stops the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import networkx as nx
from sqlglot.schema import MappingSchema

from connectors.algorithms import Algorithm, load_register, merge_published
from connectors.code import SqlText, read_sql_paths, view_bodies
from connectors.python_etl import Inference
from connectors.database import ConnectError, Inventory, SourceError, inventory, masked
from lineage.extract import Result, StatementInfo, extract, make_schema
from lineage.graph import build_graph, table_columns
from lineage.propagate import Reach, propagate
from scanner.config import Code, Config, Source
from scanner.detect import Evidence, Tag, classify_table
from scanner.detect.values import profile
from scanner.findings import Finding, find
from scanner.review import evidence_changed, tag_id

# Hears what the scan is doing: (source name, or "" for the scan as a whole; what it is doing now).
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class ScanError:
    """Anything that failed, and where: source (a system, 'register' or 'config'), file or object, line."""

    source: str
    file: str | None
    line: int
    message: str

    def to_json(self) -> dict:
        return {"source": self.source, "file": self.file, "line": self.line, "message": self.message}


@dataclass
class ScanResult:
    id: str
    started: str
    finished: str = ""
    sources: list[dict] = field(default_factory=list)
    inventories: list[Inventory] = field(default_factory=list)
    lineage: Result = field(default_factory=Result)
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    tags: dict[str, list[Tag]] = field(default_factory=dict)
    reached: dict[str, list[Reach]] = field(default_factory=dict)
    algorithms: list[Algorithm] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    # Tags a steward dismissed whose evidence has not changed since: shown as dismissed, not propagated or counted.
    dismissed: dict[str, list[Tag]] = field(default_factory=dict)
    # Tags a steward dismissed whose evidence has changed materially since: back on the worklist (tag id -> dismissal).
    reopened: dict[str, dict] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """The job as a whole failed: not one source inventoried and not one statement understood."""
        return not self.inventories and not self.lineage.statements

    def column_types(self) -> dict[str, str]:
        return {c.id: c.type for inv in self.inventories for c in inv.columns()}


def run_scan(config: Config, progress: Progress | None = None, tag_reviews: dict[str, dict] | None = None) -> ScanResult:
    """The whole scan. ``tag_reviews`` (tag id -> the steward's latest entry) keeps dismissed tags out of
    propagation and findings, unless their evidence has changed materially since the dismissal."""
    hear = progress or (lambda _source, _message: None)
    tag_reviews = tag_reviews or {}

    def say(message: str) -> None:
        hear("", message)

    result = ScanResult(id=str(uuid.uuid4()), started=_now())

    say(f"inventory of {len(config.sources)} source(s)")
    for source, outcome in zip(config.sources, _inventories(config.sources, hear)):
        if isinstance(outcome, Inventory):
            result.inventories.append(outcome)
            result.errors += [_from_source(e) for e in outcome.errors]
            result.sources.append({"name": source.name, "url": outcome.url, "dialect": outcome.dialect,
                                   "tables": len(outcome.tables), "columns": len(outcome.columns()), "status": "ok"})
        else:
            result.errors.append(ScanError(source.name, None, 0, str(outcome)))
            result.sources.append({"name": source.name, "url": masked(source.url), "status": "failed"})

    schemas = {inv.system: inv for inv in result.inventories}
    shared: dict[tuple[str, str], MappingSchema] = {}

    def schema_for(system: str, dialect: str) -> MappingSchema:
        key = (system, dialect)
        if key not in shared:
            inv = schemas.get(system)
            shared[key] = make_schema(inv.sqlglot_schema() if inv else {}, dialect)
        return shared[key]

    say("lineage of views and code")
    by_file: dict[Path, list[StatementInfo]] = {}
    inferred: dict[Path, list[str]] = {}  # Python files that infer origin from names -> the nodes standing for it
    for inv in result.inventories:
        for text in view_bodies(inv):
            _extract_into(result, text, inv.dialect, schema_for(inv.system, inv.dialect), inv.system,
                          text.default_schema)
    for code in config.code:
        paths_texts, read_errors, imports = read_sql_paths(list(code.paths), config.folder, code.system)
        result.errors += [_from_source(e) for e in read_errors]
        _inferred(result, code.system, imports, config, inferred)
        for text in paths_texts:
            statements = _extract_into(result, text, code.dialect, schema_for(code.system, code.dialect),
                                       code.system, code.default_schema)
            by_file.setdefault((config.folder / text.file).resolve(), []).extend(statements)

    say("algorithm register")
    for register in config.registers:
        algorithms, errors = load_register(register)
        result.algorithms += algorithms
        result.errors += [_from_source(e) for e in errors]
    result.algorithms = merge_published(result.algorithms)

    say("origin tags")
    for inv in result.inventories:
        for table in inv.tables:
            for column, found in classify_table(table):
                tags = _reviewed(result, column.id, found, tag_reviews)
                if tags:
                    result.tags[column.id] = tags

    # Algorithms' own query files are parsed after the ETL so their names resolve against everything it created.
    pending = [(a, i) for a in result.algorithms for i in a.inputs if _is_code(i)]
    for algorithm, item in pending:
        path = (algorithm.register.parent / item).resolve()
        if path not in by_file and path.exists():
            system, dialect, default_schema = _code_context(algorithm, config)
            texts, errors, imports = read_sql_paths([path], config.folder, system)
            result.errors += [_from_source(e) for e in errors]
            _inferred(result, system, imports, config, inferred)
            by_file[path] = [s for t in texts for s in _extract_into(
                result, t, dialect, schema_for(system, dialect), system, default_schema)]

    say("lineage graph and propagation")
    result.graph = build_graph(result.lineage.edges, [c.id for inv in result.inventories for c in inv.columns()]
                               + [n for nodes in inferred.values() for n in nodes])
    for algorithm in result.algorithms:
        result.inputs[algorithm.id] = _resolve_inputs(algorithm, result, by_file, config, inferred)
    result.reached = propagate(result.graph, result.tags)
    result.findings = find(result.algorithms, result.inputs, result.tags, result.reached, result.graph)
    result.finished = _now()
    return result


def _reviewed(result: ScanResult, column: str, tags: list[Tag], reviews: dict[str, dict]) -> list[Tag]:
    """The tags that stay: a dismissed one goes to ``result.dismissed`` unless its evidence changed materially."""
    kept = []
    for tag in tags:
        tid = tag_id(column, tag.category)
        review = reviews.get(tid)
        if review is None or review["status"] != "dismissed":
            kept.append(tag)
        elif evidence_changed(review, tag.to_json()):
            result.reopened[tid] = review
            kept.append(tag)
        else:
            result.dismissed.setdefault(column, []).append(tag)
    return kept


def _inferred(result: ScanResult, system: str, imports: list[Inference], config: Config,
              inferred: dict[Path, list[str]]) -> None:
    """A file importing a name-to-origin package produces inferred ethnicity or nationality: a node per import
    stands for it, tagged directly, and an algorithm reading that file uses it."""
    for found in imports:
        node = f"{system}.python.{Path(found.file).stem}.{found.package}"
        evidence = Evidence("import", f"{found.package} infers {found.category} from names ({found.file}:{found.line})")
        result.tags[node] = [Tag(found.category, 0.95, (evidence,))]
        inferred.setdefault((config.folder / found.file).resolve(), []).append(node)


def _inventories(sources: tuple[Source, ...], hear: Progress) -> list[Inventory | ConnectError]:
    """Sources are read concurrently; a source that fails yields its error, never an exception."""

    def one(source: Source) -> Inventory | ConnectError:
        try:
            found = inventory(source.url, source.name, list(source.schemas) or None, source.password_env,
                              sample=source.sample, summarize=profile,
                              progress=lambda stage: hear(source.name, stage),
                              include=source.include, exclude=source.exclude, timeout_s=source.timeout)
        except ConnectError as err:
            hear(source.name, "failed")
            return err
        problems = f"{len(found.errors)} could not be read" if found.errors else "all read"
        hear(source.name, f"done: {len(found.tables)} tables, {problems}")
        return found

    if not sources:
        return []
    with ThreadPoolExecutor(max_workers=min(4, len(sources))) as pool:
        return list(pool.map(one, sources))


def _extract_into(result: ScanResult, text: SqlText, dialect: str, schema: MappingSchema, system: str,
                  default_schema: str | None) -> list[StatementInfo]:
    found = extract(text.text, dialect, schema, system, default_schema, text.file, text.line, stem=text.stem)
    result.lineage.extend(found)
    result.errors += [ScanError(system, e.file, e.line, e.message) for e in found.errors]
    return found.statements


def _resolve_inputs(algorithm: Algorithm, result: ScanResult, by_file: dict[Path, list[StatementInfo]],
                    config: Config, inferred: dict[Path, list[str]]) -> list[str]:
    """Column identities an algorithm reads: its query files' outputs, whole tables, or single columns."""
    columns: list[str] = []
    for item in algorithm.inputs:
        if _is_code(item):
            path = (algorithm.register.parent / item).resolve()
            statements = by_file.get(path)
            if statements is None and path in inferred:
                statements = []
            if statements is None:
                result.errors.append(ScanError("register", _relative(algorithm.register, config.folder), 0,
                                               f"{algorithm.identity}: input file {item} not found"))
                continue
            for statement in statements:
                if statement.target:
                    columns += [f"{statement.target}.{c}" for c in statement.columns if c != "*"]
            columns += inferred.get(path, [])
            continue
        found = table_columns(result.graph, item) or table_columns(result.graph, item.lower())
        if not found:
            found = [c for c in (item, item.lower()) if c in result.graph][:1]
        if not found:
            result.errors.append(ScanError("register", _relative(algorithm.register, config.folder), 0,
                                           f"{algorithm.identity}: input {item} matches no code file, table or column"))
        columns += found
    return columns


def _code_context(algorithm: Algorithm, config: Config) -> tuple[str, str, str | None]:
    """System, dialect and default schema for an algorithm's own query files: the entry's own keys, else the
    first [[code]] entry, else the first source."""
    fields = algorithm.fields
    first: Code | None = config.code[0] if config.code else None
    system = str(fields.get("system") or (first.system if first else config.sources[0].name if config.sources else "sql"))
    same = next((c for c in config.code if c.system == system), first)
    dialect = str(fields.get("dialect") or (same.dialect if same else "postgres"))
    default_schema = fields.get("default_schema") or (same.default_schema if same else None)
    return system, dialect, default_schema


def _is_code(item: str) -> bool:
    return item.lower().endswith((".sql", ".py")) or "/" in item


def _from_source(error: SourceError) -> ScanError:
    return ScanError(error.source, error.object, 0, error.message)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
