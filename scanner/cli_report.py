"""``originscan report …``: every report rendered again from a stored scan, for its three readers and for tools."""

from __future__ import annotations

import json
from pathlib import Path

import click

from lineage.extract import Edge
from lineage.graph import build_graph, to_graphml
from reports import openlineage, overview, parliament, register, tables_html
from reports import worklist as sheets
from reports.export import tables, write_tables
from scanner.cli_review import store_options
from scanner.review import worklist
from scanner.store import Store


def _document(store: Store, scan_ref: str | None) -> tuple[dict, dict]:
    scan = store.scan(scan_ref)
    if scan is None:
        raise click.ClickException("no such scan in this store" if scan_ref else "this store holds no scan yet")
    document = store.document(scan["id"])
    if document is None:
        raise click.ClickException(f"scan {scan['number']} was stored before reports could be re-rendered; rescan")
    return scan, document


def scan_option(command):
    return click.option("--scan", "scan_ref", help="Scan number or id (default: the latest).")(command)


@click.group()
def report() -> None:
    """Reports from a stored scan: for parliament, the steward, the CIO office, and for other tools.

    \b
    Example:
      originscan report parliament --lang nl --format pdf --out kamerbrief-bijlage.pdf --config originscan.toml
      originscan report worklist --format xlsx --out worklist.xlsx --config originscan.toml
    """


@report.command("parliament")
@store_options
@scan_option
@click.option("--lang", type=click.Choice(parliament.LANGUAGES), default="nl", show_default=True)
@click.option("--format", "fmt", type=click.Choice(parliament.FORMATS), default="html", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_parliament(store: Store, scan_ref: str | None, lang: str, fmt: str, out: Path) -> None:
    """Aggregated figures only (no column, table or algorithm names), with the trend over earlier scans of the same
    config. PDF is printed by a headless Chromium.

    \b
    Example:
      originscan report parliament --lang nl --format pdf --out kamer.pdf --config originscan-out/estate/originscan.toml
    """
    scan, document = _document(store, scan_ref)
    history = [d for s in store.scans() if s["number"] < scan["number"] and s["config"] == scan["config"]
               and (d := store.document(s["id"])) is not None]
    try:
        parliament.write(parliament.figures(document, history), lang, fmt, out)
    except RuntimeError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"written {out}")


@report.command("html")
@store_options
@scan_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_html(store: Store, scan_ref: str | None, out: Path) -> None:
    """report.html again, from the stored scan.

    \b
    Example:
      originscan report html --scan 2 --out scan2.html --config originscan-out/estate/originscan.toml
    """
    _, document = _document(store, scan_ref)
    click.echo(f"written {overview.write(document, out)}")


@report.command("worklist")
@store_options
@scan_option
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "xlsx"]), default="html", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A file (html, xlsx) or folder (csv).")
def report_worklist(store: Store, scan_ref: str | None, fmt: str, out: Path) -> None:
    """The steward's worklist with review state (xlsx: the workbook 'review import' reads back).

    \b
    Example:
      originscan report worklist --format html --out worklist.html --config originscan-out/estate/originscan.toml
    """
    scan, items = worklist(store, scan_ref)
    if fmt == "xlsx":
        sheets.write_xlsx(scan, items, out)
    elif fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        sheets.write_csv(items, out)
    else:
        tables_html.write(f"Worklist · scan {scan['number']} ({scan['started']})", sheets.readable(items), out)
    click.echo(f"written {out}")


@report.command("inventory")
@store_options
@scan_option
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "xlsx"]), default="html", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A file (html) or folder (csv, xlsx).")
def report_inventory(store: Store, scan_ref: str | None, fmt: str, out: Path) -> None:
    """The CIO office's inventory: origin columns with evidence, downstream columns, findings, errors.

    \b
    Example:
      originscan report inventory --format xlsx --out inventory/ --config originscan-out/estate/originscan.toml
    """
    scan, document = _document(store, scan_ref)
    if fmt == "html":
        tables_html.write(f"Inventory · scan {scan['number']} ({scan['started']})", tables(document), out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for path in write_tables(document, out, (fmt,)):
            click.echo(f"written {path}")
        return
    click.echo(f"written {out}")


@report.command("graphml")
@store_options
@scan_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_graphml(store: Store, scan_ref: str | None, out: Path) -> None:
    """The scan's column lineage graph as GraphML (yEd, Gephi, Cytoscape): edges with kind, file and line; origin
    columns carry their category in the node attribute ``origin``.

    \b
    Example:
      originscan report graphml --out lineage.graphml --config originscan-out/estate/originscan.toml
    """
    scan, document = _document(store, scan_ref)
    graph = build_graph((Edge(**e) for e in store.edges(scan["id"])),
                        [c["column"] for c in document["columns"] if c.get("inventoried")])
    for column in document["columns"]:
        own = [t["category"] for t in column["tags"] if "origin" not in t
               and t.get("review", {}).get("status") != "dismissed"]
        if own and column["column"] in graph:
            graph.nodes[column["column"]]["origin"] = own[0]
    out.write_text(to_graphml(graph), encoding="utf-8")
    click.echo(f"written {out}: {graph.number_of_nodes()} columns, {graph.number_of_edges()} edges")


@report.command("openlineage")
@store_options
@scan_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="NDJSON file: one OpenLineage RunEvent per line (the file transport's format).")
def report_openlineage(store: Store, scan_ref: str | None, out: Path) -> None:
    """The scan's column lineage as OpenLineage events (columnLineage facet; our kinds as DIRECT/INDIRECT
    transformations), for Marquez, DataHub, OpenMetadata and the like. Datasets are named originscan://SYSTEM.

    \b
    Example:
      originscan report openlineage --out lineage.ndjson --config originscan-out/estate/originscan.toml
    """
    scan, _ = _document(store, scan_ref)
    found = openlineage.events(store.edges(scan["id"]), run_id=scan["id"], event_time=scan["finished"])
    openlineage.write_events(found, out)
    click.echo(f"written {out}: {len(found)} events")


@report.command("register")
@store_options
@scan_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_register(store: Store, scan_ref: str | None, out: Path) -> None:
    """Algoritmeregister 1.0.0 entries per algorithm, with a proposed source_data text naming the origin data found
    and its role; originscan's detail under x_originscan. A proposal for the steward, not a publication.

    \b
    Example:
      originscan report register --out register.json --config originscan-out/estate/originscan.toml
    """
    _, document = _document(store, scan_ref)
    entries = register.register_entries(document)
    out.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"written {out}: {len(entries)} algorithms")
