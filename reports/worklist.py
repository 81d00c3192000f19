"""The steward's worklist as a spreadsheet to fill in (and read back by ``originscan review import``) or as CSV.

One sheet per kind of item. The columns a steward fills in come last, with drop-down lists for the fixed values;
everything before them describes the item and is ignored on import. An ``about`` sheet records the scan the list
was taken from, so an import checks ids against the scan the steward saw.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from reports.export import inert
from scanner.review import DECISIONS, TAG_STATUSES, VERDICTS

FINDING_INFO = ["id", "algorithm", "column", "category", "direct", "use", "new", "undeclared", "path"]
FINDING_INPUT = ["verdict", "decision", "legal_basis", "justification", "dpia", "iama", "note"]
TAG_INFO = ["id", "column", "category", "direct", "confidence", "evidence"]
TAG_INPUT = ["status", "reason"]
# The review log entry a row showed when exported (hidden): an import refuses to overwrite a newer review with it.
LAST = ["reviewed_by", "reviewed_on", "entry"]
CHOICES = {"verdict": VERDICTS, "decision": DECISIONS, "status": TAG_STATUSES}


def frames(items: list[dict]) -> dict[str, pd.DataFrame]:
    """The worklist as two tables, findings and tags, in worklist order."""
    findings, tags = [], []
    for item in items:
        review = item["review"]
        last = {"reviewed_by": review.get("reviewer", ""), "reviewed_on": review.get("date", "")[:10],
                "entry": review.get("entry", "")}
        if item["kind"] == "finding":
            path = item["path"]
            findings.append({
                **{k: item.get(k, "") for k in FINDING_INFO},
                "path": " -> ".join([path[0]["from"]] + [s["to"] for s in path]) if path else item["column"],
                "verdict": review["status"] if review["status"] in VERDICTS else "",
                **{k: review.get(k, "") for k in FINDING_INPUT[1:]}, **last})
        else:
            tags.append({
                **{k: item.get(k, "") for k in TAG_INFO},
                "evidence": "; ".join(f"{e['rule']}: {e['detail']}" for e in item["evidence"]),
                "status": review["status"] if review["status"] in TAG_STATUSES else "",
                "reason": review.get("reason", ""), **last})
    return {"findings": pd.DataFrame(findings, columns=FINDING_INFO + FINDING_INPUT + LAST).map(inert),
            "tags": pd.DataFrame(tags, columns=TAG_INFO + TAG_INPUT + LAST).map(inert)}


def write_xlsx(scan: dict, items: list[dict], path: Path) -> Path:
    tables = frames(items)
    with pd.ExcelWriter(path, engine="openpyxl") as excel:
        for name, frame in tables.items():
            frame.to_excel(excel, sheet_name=name, index=False)
        pd.DataFrame([
            {"key": "scan", "value": scan["id"]}, {"key": "scan_started", "value": scan["started"]},
            {"key": "how", "value": "Fill in the columns with a yellow header; leave a cell empty to keep what is "
                                    "recorded. Then: originscan review import THIS_FILE --reviewer NAME "
                                    + (f'--config "{scan["config"]}"' if scan.get("config") else "--store URL")},
        ]).to_excel(excel, sheet_name="about", index=False)
    _mark_inputs(path, tables)
    return path


def readable(items: list[dict]) -> dict[str, pd.DataFrame]:
    """The tables for reading (HTML, CSV): without the hidden log entry only an import needs."""
    return {name: frame.drop(columns=["entry"]) for name, frame in frames(items).items()}


def write_csv(items: list[dict], folder: Path) -> list[Path]:
    written = []
    for name, frame in readable(items).items():
        target = folder / f"worklist_{name}.csv"
        frame.to_csv(target, index=False)
        written.append(target)
    return written


def _mark_inputs(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Yellow headers on the columns to fill in, drop-down lists where the values are fixed."""
    book = load_workbook(path)
    inputs = {"findings": FINDING_INPUT, "tags": TAG_INPUT}
    for name, frame in tables.items():
        sheet = book[name]
        rows = max(len(frame), 1) + 1
        for index, column in enumerate(frame.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            if column == "entry":
                sheet.column_dimensions[cell.column_letter].hidden = True
            if column not in inputs[name]:
                continue
            cell.fill = PatternFill("solid", fgColor="FFF2B3")
            if column in CHOICES:
                letter = cell.column_letter
                check = DataValidation(type="list", formula1='"' + ",".join(CHOICES[column]) + '"', allow_blank=True)
                check.add(f"{letter}2:{letter}{rows + 1000}")
                sheet.add_data_validation(check)
        sheet.freeze_panes = "B2"
    book.save(path)
