"""Reading a filled-in worklist spreadsheet back into the review log, all or nothing.

Every row is checked before anything is written: an unknown id, a value outside the allowed ones, a lawful verdict
without its legal basis, a dismissal without a reason, a missing sheet or column. One problem anywhere and nothing
from the file is applied; the problems are listed with their sheet and row so the steward can fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from reports.worklist import FINDING_INPUT, TAG_INPUT
from scanner.review import (TAG_STATUSES, ReviewError, check_finding, finding_log_entry, tag_log_entry,
                            worklist)
from scanner.store import Store


@dataclass
class Plan:
    """What an import would record, and what is wrong with the file (if anything, nothing is recorded)."""

    entries: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0


def plan_import(store: Store, path: Path, reviewer: str) -> Plan:
    plan = Plan()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, BadZipFile, KeyError, ValueError) as err:
        plan.problems.append(f"{path.name}: not a readable .xlsx workbook ({err})")
        return plan
    sheets = {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    book.close()
    about = {str(row[0]): row[1] for row in sheets.get("about", [])[1:] if row and row[0] is not None}
    if not about.get("scan"):
        plan.problems.append(f"{path.name} is not a worklist workbook: export one with 'originscan review export "
                             "--xlsx FILE' (the originscan.xlsx a scan writes is for reading)")
        return plan
    try:
        scan, items = worklist(store, str(about["scan"]))
    except ReviewError:
        plan.problems.append(f"sheet 'about': scan {about['scan']} is not in this store")
        return plan
    known = {item["id"]: item for item in items}
    findings_log = store.latest_reviews("finding")
    via = f"spreadsheet {path.name}"
    for sheet, inputs in (("findings", FINDING_INPUT), ("tags", TAG_INPUT)):
        rows = sheets.get(sheet)
        if not rows:
            plan.problems.append(f"sheet {sheet!r} is missing")
            continue
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        missing = [c for c in ["id"] + inputs if c not in header]
        if missing:
            plan.problems.append(f"sheet {sheet!r}: column(s) {', '.join(missing)} missing")
            continue
        seen: set[str] = set()
        for number, row in enumerate(rows[1:], start=2):
            values = dict(zip(header, row))
            ident = str(values.get("id") or "").strip()
            where = f"sheet {sheet!r} row {number}"
            if not ident:
                if any(values.get(c) not in (None, "") for c in inputs):
                    plan.problems.append(f"{where}: a review without an id")
                continue
            item = known.get(ident)
            if item is None or item["kind"] != sheet[:-1]:
                plan.problems.append(f"{where}: unknown {sheet[:-1]} id {ident!r} (not in scan {scan['number']})")
                continue
            if ident in seen:
                plan.problems.append(f"{where}: {ident} appears twice")
                continue
            seen.add(ident)
            filled = {c: _cell(values[c]) for c in inputs if values.get(c) not in (None, "")}
            exported = _cell(values.get("entry") or "")
            current = findings_log.get(ident, {}) if sheet == "findings" else item["review"]
            if sheet == "findings":
                _finding_row(plan, where, ident, filled, current, reviewer, via, scan["id"], exported)
            else:
                _tag_row(plan, where, item, filled, current, reviewer, via, scan["id"], exported)
    if plan.problems:
        plan.entries = []
    return plan


def _cell(value: object) -> str:
    """A cell as text. The export guards text starting with = + - @ with a quote so a spreadsheet shows it as
    text; that quote is not part of the review. Whole numbers typed in a spreadsheet come back as floats."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def _newer(current: dict, exported: str) -> bool:
    """Was the item reviewed again after the spreadsheet was exported?"""
    return str(current.get("entry", "")) != exported


def _finding_row(plan: Plan, where: str, ident: str, filled: dict, current: dict, reviewer: str, via: str,
                 scan_id: str, exported: str) -> None:
    before, _ = check_finding(current, {})
    state, problems = check_finding(current, filled)
    if problems:
        plan.problems += [f"{where}: {p}" for p in problems]
    elif state == before and current:
        plan.unchanged += 1
    elif filled and _newer(current, exported):
        plan.problems.append(f"{where}: reviewed again since this worklist was exported ({current.get('reviewer')}, "
                             f"{current.get('date', '')[:10]}); export a fresh worklist")
    elif filled:
        plan.entries.append(finding_log_entry(ident, state, reviewer, via, scan_id))


def _tag_row(plan: Plan, where: str, item: dict, filled: dict, current: dict, reviewer: str, via: str,
             scan_id: str, exported: str) -> None:
    status = filled.get("status", "").lower()
    reason = filled.get("reason", current.get("reason", "") if status == current.get("status") else "")
    if not status:
        if "reason" in filled:
            plan.problems.append(f"{where}: a reason without a status ({' or '.join(TAG_STATUSES)})")
        return
    if status not in TAG_STATUSES:
        plan.problems.append(f"{where}: status must be {' or '.join(TAG_STATUSES)}, not {status!r}")
    elif status == "dismissed" and not reason:
        plan.problems.append(f"{where}: a dismissal needs a reason")
    elif (status, reason) == (current.get("status"), current.get("reason")):
        plan.unchanged += 1
    elif _newer(current, exported):
        plan.problems.append(f"{where}: reviewed again since this worklist was exported ({current.get('reviewer')}, "
                             f"{current.get('date', '')[:10]}); export a fresh worklist")
    else:
        plan.entries.append(tag_log_entry(item["column"], item, status, reason, reviewer, via, scan_id))
