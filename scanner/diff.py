"""What changed between two stored scans: findings, origin tags and errors.

A finding's id includes its use, so a use that changed (say feature -> selection after an ETL change) would look
like one finding gone and another new; pairs of the same algorithm and column are reported as ``changed`` instead.
"""

from __future__ import annotations

from scanner.store import Store


def diff(store: Store, old: dict, new: dict) -> dict:
    """Differences from scan ``old`` to scan ``new`` (scan records as ``Store.scan`` returns them)."""
    before = {f["id"]: f for f in store.findings(old["id"])}
    after = {f["id"]: f for f in store.findings(new["id"])}
    added = {fid: f for fid, f in after.items() if fid not in before}
    removed = {fid: f for fid, f in before.items() if fid not in after}
    changed = []
    for fid, f in list(added.items()):
        twin = next((g for g in removed.values() if (g["algorithm"], g["column"]) == (f["algorithm"], f["column"])),
                    None)
        if twin is not None:
            changed.append({"algorithm": f["algorithm"], "column": f["column"], "category": f["category"],
                            "from": {"id": twin["id"], "use": twin["use"]}, "to": {"id": fid, "use": f["use"]}})
            del added[fid], removed[twin["id"]]
    tags_before, tags_after = _tags(store, old["id"]), _tags(store, new["id"])
    dismissed_before, dismissed_after = _dismissed(store, old["id"]), _dismissed(store, new["id"])
    errors_before, errors_after = _errors(store, old["id"]), _errors(store, new["id"])
    return {
        "from": {k: old[k] for k in ("id", "number", "started")},
        "to": {k: new[k] for k in ("id", "number", "started")},
        "findings": {"added": _brief(added.values()), "removed": _brief(removed.values()), "changed": changed,
                     "unchanged": len(set(before) & set(after))},
        "tags": {"added": sorted(tags_after - tags_before), "removed": sorted(tags_before - tags_after),
                 "dismissed": sorted(dismissed_after - dismissed_before),
                 "restored": sorted((dismissed_before - dismissed_after) & tags_after)},
        "errors": {"added": sorted(errors_after - errors_before), "removed": sorted(errors_before - errors_after)},
    }


def _brief(findings) -> list[dict]:
    return sorted(({k: f[k] for k in ("id", "algorithm", "column", "category", "use")} for f in findings),
                  key=lambda f: (f["algorithm"], f["column"], f["use"]))


def _tags(store: Store, scan_id: str) -> set[tuple[str, str]]:
    return {(c["column"], t["category"]) for c in store.columns(scan_id) for t in c["tags"]
            if "origin" not in t}


def _dismissed(store: Store, scan_id: str) -> set[tuple[str, str]]:
    """Tags the scan found but left out because a steward had dismissed them."""
    return {(c["column"], t["category"]) for c in store.columns(scan_id) for t in c["tags"]
            if "origin" not in t and t.get("review", {}).get("status") == "dismissed"}


def _errors(store: Store, scan_id: str) -> set[tuple[str, str, int, str]]:
    return {(e["source"], e["file"] or "", e["line"], e["message"]) for e in store.errors(scan_id)}
