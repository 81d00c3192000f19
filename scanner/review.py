"""What the data steward records, and how it meets the next scan (design §Review).

Two things are reviewed. A *tag* (is this column really origin data?) is confirmed or dismissed with a reason. A
*finding* (this algorithm uses this origin column in this role) gets a verdict, a decision, the legal basis, the
justification and DPIA/IAMA references. Every act is a new entry in the store's append-only log; an entry holds the
whole state after the act, so the latest entry wins and the history shows each step.

Rescans meet the log by identity: a finding's id is (algorithm, column, use); a tag's is (column, category).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from lineage.propagate import USES
from scanner.store import Store

VERDICTS = ("lawful", "unlawful", "improper", "to_assess")
DECISIONS = ("continue", "modify", "stop")
TAG_STATUSES = ("confirmed", "dismissed")
# What a finding's review holds besides the verdict (the entry's status): free text except the decision.
FINDING_FIELDS = ("decision", "legal_basis", "justification", "dpia", "iama", "note")
# A dismissed tag comes back when its confidence rises by this much, or when evidence of a new kind appears.
MATERIAL_CONFIDENCE = 0.1


class ReviewError(ValueError):
    """A review that cannot be recorded: unknown id, a value outside the allowed ones, a missing reason."""


def tag_id(column: str, category: str) -> str:
    """Stable over rescans, like a finding's id."""
    return hashlib.sha256(f"tag\x1f{column}\x1f{category}".encode()).hexdigest()[:16]


def check_finding(current: dict, changes: dict) -> tuple[dict, list[str]]:
    """The finding's review state after ``changes`` (verdict and FINDING_FIELDS), and what is wrong with it.

    ``current`` is the latest entry (or ``{}``). A verdict of ``lawful`` needs a legal basis and a justification;
    ``improper`` (oneigenlijk) needs the legal basis it rests on.
    """
    problems = []
    state = {key: current.get(key, "") for key in FINDING_FIELDS}
    state["verdict"] = current.get("status", "to_assess") if current.get("status") in VERDICTS else "to_assess"
    for key, value in changes.items():
        if value is None:
            continue
        value = str(value).strip()
        if key in ("verdict", "decision"):
            value = value.lower()
        if key == "verdict" and value not in VERDICTS:
            problems.append(f"verdict must be one of {', '.join(VERDICTS)}, not {value!r}")
        elif key == "decision" and value and value not in DECISIONS:
            problems.append(f"decision must be one of {', '.join(DECISIONS)}, not {value!r}")
        elif key not in FINDING_FIELDS and key != "verdict":
            problems.append(f"unknown field {key!r}")
        state[key] = value
    if state["verdict"] == "lawful" and not (state["legal_basis"] and state["justification"]):
        problems.append("a lawful verdict needs the legal basis and the justification")
    if state["verdict"] == "improper" and not state["legal_basis"]:
        problems.append("an improper verdict (legal basis, no objective justification) needs the legal basis")
    return state, problems


def finding_entry(store: Store, finding_id: str, changes: dict, reviewer: str, via: str = "cli",
                  scan_id: str | None = None) -> dict:
    """The log entry for a finding review; raises ReviewError when the id is unknown or the review invalid."""
    known = store.finding(finding_id)
    if known is None:
        raise ReviewError(f"no finding with id {finding_id} in any scan of this store (a tag's id? use "
                          "'originscan review tag ID --confirm|--dismiss')")
    state, problems = check_finding(store.latest_reviews("finding").get(finding_id, {}), changes)
    if problems:
        raise ReviewError(f"finding {finding_id}: " + "; ".join(problems))
    return finding_log_entry(finding_id, state, reviewer, via, scan_id)


def finding_log_entry(finding_id: str, state: dict, reviewer: str, via: str, scan_id: str | None) -> dict:
    """A checked review state (``check_finding``) as a log entry: the verdict is the entry's status."""
    data = {k: v for k, v in state.items() if k != "verdict"}
    return {"target": "finding", "target_id": finding_id, "status": state["verdict"], "reviewer": _who(reviewer),
            "reason": data.get("note", ""), "data": data, "scan_id": scan_id, "via": via}


def tag_entry(store: Store, column: str, category: str, status: str, reason: str, reviewer: str,
              via: str = "cli", scan_id: str | None = None) -> dict:
    """The log entry for a tag review, keeping the evidence the steward saw (to notice when it changes)."""
    if status not in TAG_STATUSES:
        raise ReviewError(f"a tag is {' or '.join(TAG_STATUSES)}, not {status!r}")
    if status == "dismissed" and not reason.strip():
        raise ReviewError(f"dismissing {category} on {column} needs a reason")
    scan = store.scan(scan_id) if scan_id else store.scan()
    own = {t["category"]: t for c in (store.columns(scan["id"]) if scan else []) if c["column"] == column
           for t in c["tags"] if "origin" not in t}
    if category not in own:
        raise ReviewError(f"the latest scan has no {category} tag on {column}" + _hint(store, scan, column))
    return tag_log_entry(column, own[category], status, reason, reviewer, via, scan["id"])


def tag_by_id(store: Store, ref: str) -> tuple[str, str]:
    """(column, category) of the latest scan's tag whose id starts with ``ref``."""
    _, items = worklist(store)
    hits = [i for i in items if i["kind"] == "tag" and i["id"].startswith(ref.lower())]
    if len(hits) != 1:
        raise ReviewError(f"{'no' if not hits else 'more than one'} tag id starts with {ref!r}; "
                          "give COLUMN CATEGORY, or an id from 'originscan review list --kind tag'")
    return hits[0]["column"], hits[0]["category"]


def _hint(store: Store, scan: dict | None, column: str) -> str:
    """Which tags the column has, or which full column names end like the one given."""
    if scan is None:
        return ""
    tagged = {c["column"]: [t["category"] for t in c["tags"] if "origin" not in t] for c in store.columns(scan["id"])}
    if tagged.get(column):
        return f" (it has: {', '.join(tagged[column])})"
    near = sorted(c for c, tags in tagged.items() if tags and c.lower().endswith("." + column.lower()))
    return f"; did you mean {' or '.join(near[:3])}?" if near else ""


def tag_log_entry(column: str, tag: dict, status: str, reason: str, reviewer: str, via: str,
                  scan_id: str | None) -> dict:
    """A tag review as a log entry, keeping the evidence the steward saw (to notice when it changes)."""
    return {"target": "tag", "target_id": tag_id(column, tag["category"]), "status": status,
            "reviewer": _who(reviewer), "reason": reason.strip(), "scan_id": scan_id, "via": via,
            "data": {"column": column, "category": tag["category"], "confidence": tag["confidence"],
                     "evidence": [[e["rule"], e["detail"]] for e in tag["evidence"]]}}


def evidence_changed(dismissal: dict, tag: dict) -> bool:
    """Has a dismissed tag's evidence changed materially since the steward dismissed it?

    Material: evidence of a kind the steward did not see (a new rule or value set), or a confidence risen by
    MATERIAL_CONFIDENCE or more. The same evidence with a slightly different match ratio is not.
    """
    seen = {_kind(*item) for item in dismissal.get("evidence", [])}
    now = {_kind(e["rule"], e["detail"]) for e in tag["evidence"]}
    return bool(now - seen) or tag["confidence"] >= float(dismissal.get("confidence", 0)) + MATERIAL_CONFIDENCE


def _kind(rule: str, detail: str) -> tuple[str, str]:
    """What a piece of evidence is, without its incidental wording: a table context names a few sibling columns,
    and a new column in the table is no new evidence."""
    return (rule, detail.split(" (")[0]) if rule == "context" else (rule, detail)


@dataclass
class ReviewState:
    """What the store knows that a new scan's document needs: latest reviews, the previous scan, stop decisions."""

    findings: dict[str, dict] = field(default_factory=dict)
    tags: dict[str, dict] = field(default_factory=dict)
    previous: set[str] | None = None  # finding ids of every earlier scan of the same config; None: first scan
    scans: list[dict] = field(default_factory=list)  # earlier scans of the same config
    presence: dict[str, list[int]] = field(default_factory=dict)  # stop-decided finding id -> scan numbers
    stopped_rows: dict[str, dict] = field(default_factory=dict)  # stop-decided finding id -> finding as last seen


def load_state(store: Store, config: str | None = None) -> ReviewState:
    """The store's knowledge for a new scan of ``config`` (every scan when None): only scans of the same config
    count as earlier scans, so a shared store's other estates neither make findings old nor verify stops."""
    same = [s for s in store.scans() if config is None or s["config"] == config]
    numbers = {s["number"] for s in same}
    findings = store.latest_reviews("finding")
    stops = {fid for fid, review in findings.items() if review.get("decision") == "stop"}
    presence = {fid: [n for n in seen if n in numbers] for fid, seen in store.presence(stops).items()}
    return ReviewState(findings=findings, tags=store.latest_reviews("tag"),
                       previous=store.finding_ids([s["id"] for s in same]) if same else None,
                       scans=same, presence=presence,
                       stopped_rows={fid: row for fid in stops if presence.get(fid) and (row := store.finding(fid))})


def stopped(state: ReviewState, current: set[str], scan_date: str, could_see: Callable[[dict], str]) -> list[dict]:
    """Findings decided ``stop`` that the scan dated ``scan_date`` no longer finds.

    Absence proves the stop only if the scan could have found the use: ``could_see(finding)`` says why it could
    not ("" when it could), e.g. its source was unreachable or its origin tag is dismissed. A verified stop is dated
    by the first scan after the decision that no longer found it; one that cannot be verified is listed as such.
    """
    out = []
    for fid, row in state.stopped_rows.items():
        if fid in current:
            continue
        review = state.findings[fid]
        blind = could_see(row)
        finding = {**row, "direct": not row["category"].startswith("proxy:"), "review": review}
        if blind:
            out.append({**finding, "status": f"stop decided, not verified: {blind}", "verified": None})
            continue
        last_seen = max(state.presence.get(fid) or [0])
        later = [s["started"] for s in state.scans if s["number"] > last_seen and s["started"] >= review["date"]
                 and s["status"] == "ok"]
        verified = min(later + [scan_date])
        out.append({**finding, "status": f"stopped (verified {verified[:10]})", "verified": verified})
    return sorted(out, key=lambda f: (f["algorithm"], f["column"], f["use"]))


def order(items: list[dict]) -> list[dict]:
    """The worklist order: unreviewed first, findings before tags, selection use first, then by name."""
    rank = {use: i for i, use in enumerate(reversed(USES))}
    return sorted(items, key=lambda i: (i["review"]["status"] != "unreviewed", i["kind"] != "finding",
                                        rank.get(i.get("use", ""), len(rank)), i.get("algorithm", ""),
                                        i["column"], i["category"]))


def worklist(store: Store, scan_ref: str | None = None) -> tuple[dict, list[dict]]:
    """The scan (latest by default) and its review items: every finding and every own tag, with their reviews."""
    scan = store.scan(scan_ref)
    if scan is None:
        raise ReviewError("no such scan in this store" if scan_ref else "this store holds no scan yet")
    reviews, tag_reviews = store.latest_reviews("finding"), store.latest_reviews("tag")
    earlier = [s["id"] for s in store.scans() if s["config"] == scan["config"] and s["number"] < scan["number"]]
    seen = store.finding_ids(earlier) if earlier else None
    items = [{"kind": "finding", **f, "new": seen is not None and f["id"] not in seen,
              "review": reviews.get(f["id"], {"status": "unreviewed"})} for f in store.findings(scan["id"])]
    for column in store.columns(scan["id"]):
        for tag in column["tags"]:
            if "origin" in tag:  # propagated: reviewed where it comes from
                continue
            tid = tag_id(column["column"], tag["category"])
            items.append({"kind": "tag", "id": tid, "column": column["column"], "category": tag["category"],
                          "direct": not tag["category"].startswith("proxy:"), "confidence": tag["confidence"],
                          "evidence": tag["evidence"], "review": _tag_review(tag.get("review"), tag_reviews.get(tid))})
    return scan, order(items)


def _tag_review(at_scan: dict | None, latest: dict | None) -> dict:
    """The log's latest entry, unless the scan reopened a dismissal and nobody has reviewed the tag since."""
    if at_scan and "reopened" in at_scan and latest and latest.get("entry") == at_scan["dismissed"].get("entry"):
        return at_scan
    return latest or at_scan or {"status": "unreviewed"}


def resolve_id(store: Store, ref: str, scan_ref: str | None = None) -> str:
    """A finding or tag id from a unique prefix of it (as git does with commits)."""
    _, items = worklist(store, scan_ref)
    ids = {i["id"] for i in items} | set(store.latest_reviews("finding")) | set(store.latest_reviews("tag"))
    hits = [i for i in ids if i.startswith(ref.lower())]
    if len(hits) != 1:
        raise ReviewError(f"{'no' if not hits else 'more than one'} finding or tag id starts with {ref!r}")
    return hits[0]


def _who(reviewer: str) -> str:
    if not reviewer.strip():
        raise ReviewError("every review needs a reviewer (--reviewer or $ORIGINSCAN_REVIEWER)")
    return reviewer.strip()
