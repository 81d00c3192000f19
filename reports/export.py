"""The scan as a document (the ``findings.json`` contract) and as CSV/XLSX tables.

Every report renders from this document, so a stored ``findings.json`` can be re-rendered without rescanning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lineage.parents import category_along
from lineage.propagate import RELATION, USES
from scanner.pipeline import ScanResult
from scanner.review import ReviewState, stopped, tag_id


def build_document(result: ScanResult, state: ReviewState | None = None, config: str = "") -> dict:
    """The ``findings.json`` document: scan, algorithms, findings (with review state), columns, errors.

    ``state`` is what the store knows (reviews, the previous scan, stop decisions); without it every finding is
    unreviewed and nothing is new or stopped.
    """
    state = state or ReviewState()
    findings = [{
        "id": f.id, "algorithm": f.algorithm, "column": f.column, "category": f.category, "direct": f.direct,
        "use": f.use, "path": [s.to_json() for s in f.path], "undeclared": f.undeclared,
        "new": state.previous is not None and f.id not in state.previous,
        "review": state.findings.get(f.id, {"status": "unreviewed"}),
    } for f in result.findings]
    gone = stopped(state, {f.id for f in result.findings}, result.started, _blind_spot(result))
    algorithms = [{
        "id": a.identity, "name": a.name, "organization": a.organization,
        "publication_category": a.publication_category, "status": a.status, "lawful_basis": a.lawful_basis,
        "source_data": a.source_data, "inputs": list(a.inputs), "columns_read": len(result.inputs.get(a.id, [])),
        "findings": sum(1 for f in result.findings if f.algorithm == a.identity and f.direct),
        "indirect_findings": sum(1 for f in result.findings if f.algorithm == a.identity and not f.direct),
        # Every other key of the register entry (lars, source_id, description_short, ...): exports need them.
        **{k: v for k, v in a.fields.items() if k not in ("id", "inputs") and k not in _ALGORITHM_KEYS},
    } for a in result.algorithms]
    errors = [e.to_json() for e in result.errors]
    return {
        "scan": {"id": result.id, "started": result.started, "finished": result.finished, "config": config,
                 "sources": result.sources},
        "summary": _summary(result, findings, gone, state.previous is None),
        "algorithms": algorithms,
        "findings": findings,
        "stopped": gone,
        "columns": _columns(result, state),
        "errors": errors,
    }


_ALGORITHM_KEYS = {"id", "name", "organization", "publication_category", "status", "lawful_basis", "source_data",
                   "inputs", "columns_read", "findings", "indirect_findings"}


def _blind_spot(result: ScanResult) -> Callable[[dict], str]:
    """Why this scan could not have found a finding ("" if it could): its absence proves nothing then."""
    scanned = {s["name"] for s in result.sources if s.get("status") == "ok"}
    algorithms = {a.identity for a in result.algorithms}
    dismissed = set(result.dismissed)

    def why(finding: dict) -> str:
        system = finding["column"].split(".", 1)[0]
        if finding["algorithm"] not in algorithms:
            return f"{finding['algorithm']} is not in this scan's register"
        if finding["column"] in dismissed:
            return "its origin tag is dismissed"
        if system not in scanned and any(s["name"] == system for s in result.sources):
            return f"source {system} could not be scanned"
        return ""

    return why


def _own_tags(result: ScanResult, column: str, state: ReviewState) -> list[dict]:
    """A column's own tags with their id and review; dismissed ones too, marked so (they are not counted)."""
    out = []
    for tag in result.tags.get(column, []):
        tid = tag_id(column, tag.category)
        review = state.tags.get(tid, {"status": "unreviewed"})
        if tid in result.reopened:
            review = {"status": "unreviewed", "reopened": "the evidence changed since it was dismissed",
                      "dismissed": result.reopened[tid]}
        out.append({**tag.to_json(), "id": tid, "review": review})
    for tag in result.dismissed.get(column, []):
        tid = tag_id(column, tag.category)
        out.append({**tag.to_json(), "id": tid, "review": state.tags[tid]})
    return out


def _columns(result: ScanResult, state: ReviewState) -> list[dict]:
    types = result.column_types()
    confidence = {col: tags[0].confidence for col, tags in result.tags.items()}
    out = []
    nodes = list(types) + sorted((set(result.reached) | set(result.tags)) - set(types))
    for column in nodes:
        tags = _own_tags(result, column, state)
        best: dict[tuple[str, str], dict] = {}
        for reach in result.reached.get(column, []):
            if reach.origin not in result.tags:
                continue
            category = category_along(result.graph, reach.path, result.tags[reach.origin][0].category)
            key = (category, RELATION[reach.use])
            if key not in best or len(reach.path) < len(best[key]["via"]):
                best[key] = {"category": category, "confidence": confidence[reach.origin], "evidence": [],
                             "origin": reach.origin, "relation": RELATION[reach.use], "use": reach.use,
                             "via": [s.to_json() for s in reach.path]}
        tags += sorted(best.values(), key=lambda t: (t["category"], t["relation"]))
        out.append({"column": column, "type": types.get(column, ""), "inventoried": column in types, "tags": tags})
    return out


def _summary(result: ScanResult, all_findings: list[dict], gone: list[dict], first: bool) -> dict:
    """Figures for people. Direct origin data and proxies are counted apart, never together."""
    findings = [f for f in all_findings if f["direct"]]
    using = {f["algorithm"] for f in findings}
    return {
        "sources": len(result.sources),
        "sources_failed": sum(1 for s in result.sources if s.get("status") != "ok"),
        "tables": sum(len(i.tables) for i in result.inventories),
        "columns": sum(len(i.columns()) for i in result.inventories),
        "origin_columns": sum(1 for tags in result.tags.values() if tags[0].direct),
        "proxy_columns": sum(1 for tags in result.tags.values() if not tags[0].direct),
        "statements": len(result.lineage.statements),
        "edges": len(result.lineage.edges),
        "algorithms": len(result.algorithms),
        "algorithms_using_origin_data": len(using),
        "findings": len(findings),
        "findings_by_use": {use: sum(1 for f in findings if f["use"] == use) for use in reversed(USES)},
        "undeclared": sum(1 for f in findings if f["undeclared"]),
        "indirect_findings": len(all_findings) - len(findings),
        "algorithms_using_proxies": len({f["algorithm"] for f in all_findings if not f["direct"]}),
        "unreviewed": sum(1 for f in findings if f["review"]["status"] == "unreviewed"),
        "new": None if first else sum(1 for f in findings if f["new"]),
        "stopped_verified": sum(1 for f in gone if f["direct"] and f["verified"]),
        "dismissed_tags": sum(len(tags) for tags in result.dismissed.values()),
        "errors": len(result.errors),
    }


def write_json(document: dict, path: Path) -> Path:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def tables(document: dict) -> dict[str, pd.DataFrame]:
    """The document as flat tables: findings, origin columns (their own tags with evidence and review state; proxies
    and dismissed tags marked as such), downstream columns (where origin data flows), errors."""
    findings = pd.DataFrame([{
        "finding": f["id"], "algorithm": f["algorithm"], "column": f["column"], "category": f["category"],
        "direct": f["direct"], "use": f["use"], "undeclared": f["undeclared"], "review": f["review"]["status"],
        "path": " -> ".join([f["path"][0]["from"]] + [s["to"] for s in f["path"]]) if f["path"] else f["column"],
        "where": "; ".join(f"{s['file']}:{s['line']}" for s in f["path"]),
    } for f in document["findings"]], columns=["finding", "algorithm", "column", "category", "direct", "use",
                                               "undeclared", "review", "path", "where"])
    own = pd.DataFrame([{
        "column": c["column"], "type": c["type"], "category": t["category"], "confidence": t["confidence"],
        "evidence": "; ".join(f"{e['rule']}: {e['detail']}" for e in t["evidence"]),
        "review": t.get("review", {}).get("status", ""),
    } for c in document["columns"] for t in c["tags"] if "via" not in t],
        columns=["column", "type", "category", "confidence", "evidence", "review"])
    # Columns that origin data reaches downstream, kept apart so the origin columns' count is what it says.
    downstream = pd.DataFrame([{
        "column": c["column"], "category": t["category"], "relation": t["relation"], "origin": t["origin"],
        "steps": len(t["via"]),
    } for c in document["columns"] for t in c["tags"] if "via" in t],
        columns=["column", "category", "relation", "origin", "steps"])
    errors = pd.DataFrame(document["errors"], columns=["source", "file", "line", "message"])
    return {name: frame.map(inert) for name, frame in
            {"findings": findings, "origin_columns": own, "downstream_columns": downstream, "errors": errors}.items()}


def inert(value):
    """Names come from scanned sources: a spreadsheet must show ``=cmd|...`` as text, never run it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_tables(document: dict, folder: Path, formats: tuple[str, ...] = ("csv", "xlsx")) -> list[Path]:
    """One CSV per table and/or one XLSX workbook with a sheet per table."""
    written = []
    frames = tables(document)
    if "csv" in formats:
        for name, frame in frames.items():
            path = folder / f"{name}.csv"
            frame.to_csv(path, index=False)
            written.append(path)
    if "xlsx" in formats:
        workbook = folder / "originscan.xlsx"
        with pd.ExcelWriter(workbook, engine="openpyxl") as excel:
            for name, frame in frames.items():
                frame.to_excel(excel, sheet_name=name, index=False)
        written.append(workbook)
    return written
