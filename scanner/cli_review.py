"""``originscan review …`` and ``originscan diff``: the steward's commands, over the store a scan wrote."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from reports import worklist as sheets
from connectors.database import ConnectError, masked
from scanner.config import ConfigError, load_config
from scanner.diff import diff as scan_diff
from scanner.review import (DECISIONS, VERDICTS, ReviewError, finding_entry, resolve_id, tag_by_id, tag_entry,
                            worklist)
from scanner.review_import import plan_import
from scanner.store import Store

DEFAULT_STORE = "sqlite:///originscan.db"


def store_options(command: Callable) -> Callable:
    """--store / --config: which store to work on (the one a scan config names, or a URL)."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="A scan config: use the store it names.")
    @click.option("--store", "store_url", envvar="ORIGINSCAN_STORE", show_envvar=True,
                  help=f"SQLAlchemy URL of the store [default: {DEFAULT_STORE}].")
    @functools.wraps(command)
    def wrapper(*args, config_path: Path | None, store_url: str | None, **kwargs):
        url, scope = store_url or DEFAULT_STORE, None
        if config_path is not None:
            try:
                config = load_config(config_path)
            except ConfigError as err:
                raise click.ClickException(str(err)) from err
            url, scope = config.store_url, str(config.path)
        store = open_store(url, scope)
        try:
            return command(*args, store=store, **kwargs)
        except ReviewError as err:
            raise click.ClickException(str(err)) from err
        finally:
            store.close()

    return wrapper


def open_store(url: str, scope: str | None = None) -> Store:
    """An existing store: a SQLite file that does not exist is a mistake here, not a new store. With ``scope``
    (a config's path) the latest scan is that config's latest."""
    try:
        parsed = make_url(url)
    except Exception as err:  # SQLAlchemy raises ArgumentError and ValueError alike for a bad URL
        raise click.ClickException(f"not a SQLAlchemy URL: {masked(url)}") from err
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not Path(parsed.database).exists():
        raise click.ClickException(f"no store at {parsed.database}: run a scan first, or pass --config/--store")
    try:
        return Store(url, scope)
    except (SQLAlchemyError, ConnectError) as err:
        raise click.ClickException(f"cannot open the store {masked(url)}: "
                                   f"{str(getattr(err, 'orig', err)).splitlines()[0]}") from err


def reviewer_option(command: Callable) -> Callable:
    return click.option("--reviewer", envvar="ORIGINSCAN_REVIEWER", show_envvar=True, required=True,
                        help="Who records this (name or staff id); kept with every entry.")(command)


@click.group()
def review() -> None:
    """The steward's worklist: confirm or dismiss tags, record verdicts and decisions on findings.

    \b
    Every act is appended to the store's review log; the latest entry wins and the history stays.
    Ids may be shortened to a unique prefix. After 'originscan demo':
      originscan review list --config originscan-out/estate/originscan.toml
      originscan review finding 539b01c5 --verdict unlawful --decision stop --note "no legal basis" \\
          --reviewer j.jansen --config originscan-out/estate/originscan.toml
    """


@review.command("list")
@store_options
@click.option("--scan", "scan_ref", help="Scan number or id (default: the latest).")
@click.option("--kind", type=click.Choice(["all", "finding", "tag"]), default="all", show_default=True)
@click.option("--status", type=click.Choice(["all", "unreviewed", "reviewed"]), default="all", show_default=True)
@click.option("--use", type=click.Choice(["selection", "aggregate", "derived_feature", "feature"]))
@click.option("--algorithm", help="Only this algorithm (id, with or without 'algorithm:').")
@click.option("--category", help="Only this category, e.g. nationality or proxy:language.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def review_list(store: Store, scan_ref: str | None, kind: str, status: str, use: str | None, algorithm: str | None,
                category: str | None, fmt: str) -> None:
    """The worklist: unreviewed first, findings before tags, selection use first.

    \b
    Example:
      originscan review list --config originscan-out/estate/originscan.toml --status unreviewed --use selection
      originscan review list --store "$ORIGINSCAN_STORE" --format json > worklist.json
    """
    scan, items = worklist(store, scan_ref)
    wanted = algorithm if algorithm is None or algorithm.startswith("algorithm:") else f"algorithm:{algorithm}"
    items = [i for i in items
             if kind in ("all", i["kind"])
             and (status == "all" or (i["review"]["status"] == "unreviewed") == (status == "unreviewed"))
             and (use is None or i.get("use") == use) and (wanted is None or i.get("algorithm") == wanted)
             and (category is None or i["category"] == category)]
    if fmt == "json":
        click.echo(json.dumps({"scan": scan, "items": items}, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"scan {scan['number']} ({scan['started']}): {len(items)} items", title_justify="left")
    for name in ("id", "kind", "status", "use", "algorithm", "column", "category"):
        table.add_column(name, overflow="fold")
    for item in items:
        state = item["review"]["status"] + (f" / {item['review']['decision']}" if item["review"].get("decision") else "")
        if item.get("new"):
            state += " (new)"
        table.add_row(item["id"][:8], item["kind"], state, item.get("use", ""),
                      item.get("algorithm", "").removeprefix("algorithm:"), item["column"], item["category"])
    Console(highlight=False, markup=False, width=max(160, Console().width)).print(table)


@review.command("finding")
@store_options
@click.argument("finding_ref")
@click.option("--verdict", type=click.Choice(VERDICTS, case_sensitive=False), help="lawful, unlawful (onrechtmatig), improper "
              "(oneigenlijk: legal basis, no objective justification), to_assess.")
@click.option("--decision", type=click.Choice(DECISIONS, case_sensitive=False))
@click.option("--legal-basis", "legal_basis", help="The statutory basis relied on, e.g. 'Awir art. 48'.")
@click.option("--justification", help="Necessity and objective justification.")
@click.option("--dpia", help="Reference to the DPIA.")
@click.option("--iama", help="Reference to the IAMA (human rights and algorithms impact assessment).")
@click.option("--note", help="Anything else the next reader needs to know.")
@reviewer_option
def review_finding(store: Store, finding_ref: str, reviewer: str, **changes: str | None) -> None:
    """Record the verdict, decision, legal basis and references for one finding (id or a unique prefix of it).

    \b
    Example:
      originscan review finding 539b01c5 --verdict unlawful --decision stop --note "geen grondslag" \\
          --reviewer j.jansen --config originscan-out/estate/originscan.toml
    """
    if all(v is None for v in changes.values()):
        raise click.UsageError("say what to record: --verdict, --decision, --legal-basis, ...")
    finding_id = resolve_id(store, finding_ref)
    scan = store.scan()
    entry = finding_entry(store, finding_id, changes, reviewer, scan_id=scan["id"] if scan else None)
    store.add_reviews([entry])
    click.echo(f"finding {finding_id}: {entry['status']}"
               + (f", decision {entry['data']['decision']}" if entry["data"].get("decision") else "")
               + f" (recorded by {reviewer})")


@review.command("tag")
@store_options
@click.argument("column")
@click.argument("category", required=False)
@click.option("--confirm", "status", flag_value="confirmed", help="The column does hold this origin data.")
@click.option("--dismiss", "status", flag_value="dismissed", help="It does not (a reason is required).")
@click.option("--reason", default="", help="Why; required to dismiss.")
@reviewer_option
def review_tag(store: Store, column: str, category: str | None, status: str | None, reason: str,
               reviewer: str) -> None:
    """Confirm or dismiss one origin tag: by COLUMN and CATEGORY, or by the tag's id as 'review list' shows it.

    A dismissed tag is no longer propagated or counted from the next scan on, unless its evidence changes
    materially (a new kind of evidence, or confidence up by 0.1 or more): then it is back on the worklist.

    \b
    Example:
      originscan review tag demo.main.brp_persoon.postcode proxy:neighbourhood --dismiss \\
          --reason "correspondentieadres" --reviewer j.jansen --config originscan-out/estate/originscan.toml
      originscan review tag c26ab594 --confirm --reviewer j.jansen --config originscan-out/estate/originscan.toml
    """
    if status is None:
        raise click.UsageError("say --confirm or --dismiss")
    if category is None:
        column, category = tag_by_id(store, column)
    entry = tag_entry(store, column, category, status, reason, reviewer)
    store.add_reviews([entry])
    click.echo(f"tag {category} on {column}: {status} (recorded by {reviewer})")


@review.command("history")
@store_options
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def review_history(store: Store, ref: str, fmt: str) -> None:
    """Every entry ever recorded for a finding or tag, oldest first.

    \b
    Example:
      originscan review history 539b01c5 --config originscan-out/estate/originscan.toml
    """
    entries = store.history(resolve_id(store, ref))
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    for entry in entries:
        extra = ", ".join(f"{k}: {entry[k]}" for k in ("decision", "legal_basis", "justification", "dpia", "iama")
                          if entry.get(k))
        click.echo(f"{entry['date']}  {entry['reviewer']}  {entry['status']}"
                      + (f"  ({extra})" if extra else "") + (f"  - {entry['reason']}" if entry["reason"] else "")
                      + f"  [{entry['via']}]")


@review.command("export")
@store_options
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Write the worklist workbook.")
@click.option("--csv", "csv_folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write worklist_findings.csv and worklist_tags.csv into this folder.")
@click.option("--scan", "scan_ref", help="Scan number or id (default: the latest).")
def review_export(store: Store, xlsx: Path | None, csv_folder: Path | None, scan_ref: str | None) -> None:
    """The worklist as a spreadsheet to fill in (read back with 'review import') or as CSV.

    \b
    Example:
      originscan review export --xlsx worklist.xlsx --config originscan-out/estate/originscan.toml
    """
    if xlsx is None and csv_folder is None:
        raise click.UsageError("say where: --xlsx FILE and/or --csv FOLDER")
    scan, items = worklist(store, scan_ref)
    if xlsx is not None:
        click.echo(f"{len(items)} items of scan {scan['number']} written to {sheets.write_xlsx(scan, items, xlsx)}")
    if csv_folder is not None:
        csv_folder.mkdir(parents=True, exist_ok=True)
        for path in sheets.write_csv(items, csv_folder):
            click.echo(f"written {path}")


@review.command("import")
@store_options
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would be recorded; record nothing.")
@reviewer_option
def review_import(store: Store, workbook: Path, dry_run: bool, reviewer: str) -> None:
    """Record the reviews filled in on a worklist workbook (from 'review export --xlsx'): every row is checked
    first, and if any row is wrong nothing at all is recorded.

    \b
    Example:
      originscan review import worklist.xlsx --dry-run --reviewer j.jansen --config originscan-out/estate/originscan.toml
    """
    if not reviewer.strip():
        raise click.UsageError("--reviewer must not be empty")
    plan = plan_import(store, workbook, reviewer)
    if plan.problems:
        for problem in plan.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(plan.problems)} problem(s) in {workbook.name}; nothing was recorded")
    if not dry_run:
        store.add_reviews(plan.entries)
    verb = "would record" if dry_run else "recorded"
    click.echo(f"{verb} {len(plan.entries)} review(s) from {workbook.name}; {plan.unchanged} row(s) unchanged")


@click.command("diff")
@store_options
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(store: Store, old: str | None, new: str | None, fmt: str) -> None:
    """What changed between two scans (numbers or ids; default: the last two).

    \b
    Example:
      originscan diff --config originscan.toml          # the last two scans
      originscan diff 3 5 --config originscan.toml --format json
    """
    scans = [s for s in store.scans() if store.scope is None or s["config"] == store.scope]
    if old is None and new is None:
        if len(scans) < 2:
            raise click.ClickException("the store holds fewer than two scans" + (" of this config" if store.scope else ""))
        before, after = scans[-2], scans[-1]
    else:
        before, after = store.scan(old), store.scan(new) if new else store.scan()
        if before is None or after is None:
            raise click.ClickException(f"no such scan: {old if before is None else new}")
    changes = scan_diff(store, before, after)
    if fmt == "json":
        click.echo(json.dumps(changes, indent=2, ensure_ascii=False))
        return
    click.echo(f"scan {before['number']} ({before['started']}) -> scan {after['number']} ({after['started']})")
    f = changes["findings"]
    click.echo(f"findings: {len(f['added'])} new, {len(f['removed'])} gone, {len(f['changed'])} changed use, "
                  f"{f['unchanged']} unchanged")
    for sign, items in (("+", f["added"]), ("-", f["removed"])):
        for item in items:
            click.echo(f"  {sign} {item['algorithm']}  {item['column']}  {item['category']}  {item['use']}")
    for item in f["changed"]:
        click.echo(f"  ~ {item['algorithm']}  {item['column']}  {item['from']['use']} -> {item['to']['use']}")
    t, e = changes["tags"], changes["errors"]
    click.echo(f"origin tags: {len(t['added'])} new, {len(t['removed'])} gone, {len(t['dismissed'])} dismissed by "
                  f"a steward, {len(t['restored'])} back after a dismissal; "
                  f"errors: {len(e['added'])} new, {len(e['removed'])} gone")
    for sign, items in (("+", t["added"]), ("-", t["removed"]), ("x", t["dismissed"]), ("o", t["restored"])):
        for column, category in items:
            click.echo(f"  {sign} {column}  {category}")

