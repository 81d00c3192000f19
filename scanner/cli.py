"""The ``originscan`` command line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from sqlalchemy.exc import SQLAlchemyError

from connectors.code import read_sql_paths
from connectors.database import ConnectError, inventory, masked
from lineage.extract import STATEMENT_BUDGET_S, Result, make_schema
from lineage.parallel import extract_files
from lineage.graph import build_graph, to_dot, to_graphml
from reports import overview
from reports.export import build_document, write_json, write_tables
from scanner.cli_report import report
from scanner.cli_review import diff_command, review
from scanner.config import ConfigError, Config, load_config
from scanner.detect import THRESHOLD, classify_table
from scanner.detect.values import profile
from scanner.pipeline import ScanResult, run_scan
from scanner.review import ReviewState, load_state
from scanner.store import Store

err_console = Console(stderr=True, highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="originscan")
def main() -> None:
    """Find where origin data (nationality, birth country, herkomst, ethnicity) is held and which algorithms use it.

    \b
    Start with the bundled demo:  originscan demo
    Scan your own estate:         originscan scan originscan.toml
    """
    # sqlglot warns on stderr, quoting the SQL, when it keeps a statement as an opaque command; originscan reports
    # such statements itself (file, line, reason), so its own words are the only ones shown.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("originscan-out"),
              show_default=True, help="Folder for the demo estate, the store and the reports.")
def demo(out: Path) -> None:
    """Build the bundled demo estate (a fictional benefits agency) and scan it.

    Nothing else needs to run: the estate is a SQLite database, a folder of ETL SQL and an algorithm register,
    written into OUT/estate; the reports land in OUT.

    \b
    Example:
      originscan demo --out /tmp/demo
      open /tmp/demo/report.html
    """
    from scanner.demo import build_estate

    config_path = build_estate(out / "estate")
    err_console.print(f"demo estate written to {out / 'estate'}")
    _scan_and_report(load_config(config_path), out)


# --fail-on conditions: what in a finished scan should stop a pipeline. Direct findings only; proxies are reviewed
# but never gate on their own.
FAIL_ON = {
    "unreviewed-selection": lambda d: [f for f in d["findings"] if f["direct"] and f["use"] == "selection"
                                       and f["review"]["status"] == "unreviewed"],
    "unreviewed": lambda d: [f for f in d["findings"] if f["direct"] and f["review"]["status"] == "unreviewed"],
    "selection": lambda d: [f for f in d["findings"] if f["direct"] and f["use"] == "selection"],
    "undeclared": lambda d: [f for f in d["findings"] if f["direct"] and f["undeclared"]],
    "unlawful": lambda d: [f for f in d["findings"] if f["direct"] and f["review"]["status"] in ("unlawful", "improper")],
    "new": lambda d: [f for f in d["findings"] if f["direct"] and f["new"]],
    "errors": lambda d: d["errors"],
}
FAIL_EXIT = 3


@main.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("originscan-out"),
              show_default=True, help="Folder for findings.json, report.html and the CSV/XLSX tables.")
@click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(list(FAIL_ON)),
              help=f"Exit {FAIL_EXIT} when the scan has any of these (repeatable): for use in a pipeline.")
def scan(config: Path, out: Path, fail_on: tuple[str, ...]) -> None:
    """Scan the sources, code and algorithms of a config file and write the reports.

    Exits 0 when the scan ran, even if parts of it failed (they are listed under errors); 1 when the config is
    broken or nothing at all could be scanned; 3 when a --fail-on condition holds (the reports are written first).

    \b
    Example:
      ORIGINSCAN_TOESLAGEN_PASSWORD=... originscan scan originscan.toml --out out/
      originscan scan originscan.toml --fail-on unreviewed-selection --fail-on undeclared
    """
    try:
        cfg = load_config(config)
    except ConfigError as err:
        raise click.ClickException(str(err)) from err
    document = _scan_and_report(cfg, out)
    hits = {condition: len(FAIL_ON[condition](document)) for condition in fail_on}
    hits = {condition: count for condition, count in hits.items() if count}
    if hits:
        err_console.print("failing on: " + ", ".join(f"{c} ({n})" for c, n in hits.items()), markup=False)
        sys.exit(FAIL_EXIT)


@main.command()
@click.argument("url")
@click.option("--name", "system", help="System name used in column identities (default: the database name).")
@click.option("--schema", "schemas", multiple=True, help="Only this schema (repeatable; default: all non-system schemas).")
@click.option("--sample", type=click.IntRange(0, 100_000), default=0, show_default=True,
              help="Rows per table to read for value statistics (match ratios; no value is kept or shown).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
def classify(url: str, system: str | None, schemas: tuple[str, ...], sample: int, fmt: str) -> None:
    """List every column of a database with its origin tags and their evidence.

    URL is a SQLAlchemy URL; put a password in an environment variable and write ${VAR} in the URL.
    Tags below a confidence of 0.5 are not reported. With --sample, up to N rows per table are read inside the
    database's read-only session and reduced to statistics: which value sets matched, and how often.

    \b
    Example:
      originscan classify sqlite:///gba.db --name gba --sample 300
      originscan classify 'postgresql+psycopg://scanner:${PGPASSWORD}@db/brp' --schema public
    """
    try:
        inv = inventory(url, system, list(schemas) or None, sample=sample, summarize=profile)
    except ConnectError as err:
        _print_json({"columns": [], "errors": [{"source": system or "", "file": None, "line": 0, "message": str(err)}]})
        sys.exit(1)
    columns = []
    for table in inv.tables:
        for column, tags in classify_table(table):
            columns.append({"column": column.id, "type": column.type, "tags": [t.to_json() for t in tags]})
    errors = [{"source": e.source, "file": e.object, "line": 0, "message": e.message} for e in inv.errors]
    if fmt == "json":
        _print_json({"columns": columns, "errors": errors})
        return
    for column in columns:
        for tag in column["tags"]:
            evidence = "; ".join(f"{e['rule']}: {e['detail']}" for e in tag["evidence"])
            click.echo(f"{column['column']}\t{tag['category']}\t{tag['confidence']:.2f}\t{evidence}")
    tagged = sum(1 for c in columns if c["tags"])
    err_console.print(f"{tagged} of {len(columns)} columns tagged (threshold {THRESHOLD}); {len(errors)} errors")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dialect", required=True, help="SQL dialect: postgres, tsql, oracle, mysql, snowflake, sqlite, duckdb, ...")
@click.option("--system", default="sql", show_default=True, help="System part of the identities.")
@click.option("--default-schema", help="Schema for tables named without one.")
@click.option("--schema", "schema_file", type=click.Path(dir_okay=False, path_type=Path),
              help='JSON schema in sqlglot\'s nested shape: {"schema": {"table": {"column": "type"}}}.')
@click.option("--format", "fmt", type=click.Choice(["json", "dot", "graphml"]), default="json", show_default=True,
              help="json: the edges contract; dot (Graphviz) or graphml: the graph, to look at.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes; files are then analysed independently (see the README).")
@click.option("--budget", type=click.FloatRange(min=0.1), default=STATEMENT_BUDGET_S, show_default=True,
              help="Seconds one statement may take before it is reported as an error.")
def lineage(paths: tuple[Path, ...], dialect: str, system: str, default_schema: str | None,
            schema_file: Path | None, fmt: str, jobs: int, budget: float) -> None:
    """Column-level lineage of SQL files and folders, every column reference with its kind.

    Kinds: copy, derive, aggregate (the value flows), filter, join, group (the column selects rows or groups).
    A statement that cannot be parsed becomes an error with its file and line; the rest goes on.

    \b
    Example:
      originscan lineage etl/ --dialect postgres --system toeslagen --default-schema public --schema schema.json
      originscan lineage etl/ --dialect postgres --format dot | dot -Tsvg > lineage.svg
    """
    schema = {}
    if schema_file is not None:
        try:
            schema = json.loads(schema_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise click.ClickException(f"cannot read schema file {schema_file}: {err}") from err
        if not isinstance(schema, dict):
            raise click.ClickException(f"schema file {schema_file} must hold a JSON object")
    try:
        make_schema(schema, dialect)
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    texts, read_errors, _ = read_sql_paths(list(paths), Path.cwd(), system)
    result = Result()
    for found in extract_files([(t.text, t.file, t.line, t.stem) for t in texts], dialect, schema, system,
                               default_schema, jobs, budget):
        result.extend(found)
    document = result.to_json()
    document["errors"] = [{"file": e.object, "line": 0, "message": e.message} for e in read_errors] + document["errors"]
    if fmt == "json":
        _print_json(document)
    else:
        graph = build_graph(result.edges)
        click.echo(to_dot(graph) if fmt == "dot" else to_graphml(graph), nl=False)
        for error in document["errors"]:
            err_console.print(f"error {error['file']}:{error['line']}: {error['message']}", markup=False)
    if not result.statements and document["errors"]:
        sys.exit(1)


@main.group()
def reference() -> None:
    """Reference tables for recognising values: the full RvIG Landelijke tabellen 32 and 34."""


@reference.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def reference_load(csv_file: Path) -> None:
    """Load an RvIG table CSV (Tabel 32 nationalities or Tabel 34 countries), UTF-16 or UTF-8.

    originscan ships only the rows confirmed from public sources; a loaded table adds every code and description
    to value recognition, for every later scan on this machine (kept in $ORIGINSCAN_DATA_DIR, or
    ~/.local/share/originscan).

    \b
    Example:
      originscan reference load "Tabel34 Landentabel (gesorteerd op code).csv"
    """
    from scanner.detect import reference as tables
    from scanner.detect.values import value_sets

    try:
        table, rows, kept = tables.load(csv_file)
    except tables.ReferenceError as err:
        raise click.ClickException(str(err)) from err
    value_sets.cache_clear()
    click.echo(f"Tabel {table}: {rows} codes loaded, kept in {kept}")


def _scan_and_report(cfg: Config, out: Path) -> dict:
    store, state, store_error = None, ReviewState(), None
    try:  # reviews first: a dismissed tag must not propagate
        store = Store(cfg.store_url, scope=str(cfg.path))
        state = load_state(store, str(cfg.path))
    except (SQLAlchemyError, ConnectError) as err:
        store_error = _store_error(cfg.store_url, err)
    with Progress(SpinnerColumn(), TextColumn("{task.fields[name]:<16}"), TextColumn("{task.description}"),
                  console=err_console, transient=False) as progress:
        tasks = {"": progress.add_task("starting", name="scan")}
        tasks.update({s.name: progress.add_task("waiting", name=s.name) for s in cfg.sources})

        def show(source: str, message: str) -> None:
            progress.update(tasks[source], description=message)

        result = run_scan(cfg, progress=show, tag_reviews=state.tags)
        progress.update(tasks[""], description="done")
    out.mkdir(parents=True, exist_ok=True)
    document = build_document(result, state, str(cfg.path))
    if store is not None:
        try:
            _save(store, result, document)
        except SQLAlchemyError as err:
            store_error = _store_error(cfg.store_url, err)
        store.close()
    write_json(document, out / "findings.json")
    overview.write(document, out / "report.html")
    write_tables(document, out)
    _print_summary(document, out)
    if store_error:
        raise click.ClickException(f"the scan was not stored: {store_error}")
    if result.failed:
        raise click.ClickException("nothing could be scanned: see the errors above")
    return document


def _store_error(url: str, err: Exception) -> str:
    """What went wrong with the store, naming it without its password."""
    return f"store {masked(url)}: {str(getattr(err, 'orig', err)).splitlines()[0]}"


def _save(store: Store, result: ScanResult, document: dict) -> None:
    scan = dict(document["scan"], status="failed" if result.failed else "ok")
    store.save_scan(scan, document["columns"], [e.to_json() for e in result.lineage.edges], document["findings"],
                    document["errors"], document)


def _print_summary(document: dict, out: Path) -> None:
    s = document["summary"]
    uses = s["findings_by_use"]
    errors = s["errors"]
    lines = [
        f"Report: {out / 'report.html'}   Findings: {out / 'findings.json'}",
        f"{s['algorithms_using_origin_data']} of {s['algorithms']} algorithms use origin data: {s['findings']} findings "
        f"({uses['selection']} as selection criterion, {uses['aggregate']} aggregate, {uses['derived_feature']} derived "
        f"feature, {uses['feature']} feature); {s['undeclared']} not declared in the register.",
        f"{s['origin_columns']} of {s['columns']} columns hold origin data ({s['proxy_columns']} more hold proxies for it, "
        f"counted apart); {s['statements']} SQL statements read; "
        + (f"{errors} problem{'s' if errors != 1 else ''} (below)." if errors else "no problems."),
    ]
    for line in lines:  # one line each, never wrapped: people grep and pipe this
        click.echo(line)
    for error in document["errors"][:10]:
        where = f"{error['file']}:{error['line']}" if error["line"] else (error["file"] or "")
        click.echo(f"  error [{error['source']}] {where}: {error['message']}", err=True)
    if len(document["errors"]) > 10:
        click.echo(f"  ... and {len(document['errors']) - 10} more in findings.json", err=True)


def _print_json(document: dict) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


main.add_command(review)
main.add_command(report)
main.add_command(diff_command)

if __name__ == "__main__":
    main()
