"""``report.html``: the whole scan on one self-contained page (inline CSS, no scripts, no network).

Every name in it comes from a scanned source and is untrusted: the template engine escapes all of it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from reports import lineage_svg
from reports.parliament import WORDS

from scanner.detect import categories

USE_LABELS = {
    "selection": "selection criterion",
    "aggregate": "aggregate (group level)",
    "derived_feature": "derived feature",
    "feature": "feature",
}
RELATION_LABELS = {"carries": "carries", "selected_by": "rows selected by", "grouped_by": "grouped by"}


def environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    labels = {c.id: c.label_en for c in categories()}
    env.filters["category"] = lambda c: labels.get(c, c)
    env.filters["use"] = lambda u: USE_LABELS.get(u, u)
    env.filters["relation"] = lambda r: RELATION_LABELS.get(r, r)
    # The steward's verdicts and decisions in words, as the parliament report has them.
    env.filters["verdict"] = lambda v: WORDS["en"]["verdicts"].get(v, v)
    env.filters["decision"] = lambda d: WORDS["en"]["decisions"].get(d, d)
    return env


def render(document: dict) -> str:
    """The HTML page for a ``findings.json`` document."""
    by_algorithm = defaultdict(list)
    proxies_by_algorithm = defaultdict(list)
    for finding in document["findings"]:
        (by_algorithm if finding["direct"] else proxies_by_algorithm)[finding["algorithm"]].append(finding)
    held = defaultdict(list)
    proxies = []
    carried = []
    dismissed = []
    for column in document["columns"]:
        own = [t for t in column["tags"] if "via" not in t and t.get("review", {}).get("status") != "dismissed"]
        dismissed += [(column, t) for t in column["tags"] if t.get("review", {}).get("status") == "dismissed"]
        direct = [t for t in own if not t["category"].startswith("proxy:")]
        if direct:
            held[column["column"].split(".", 1)[0]].append((column, direct))
        if len(own) > len(direct):
            proxies.append((column, [t for t in own if t["category"].startswith("proxy:")]))
        reached = [t for t in column["tags"] if "via" in t]
        if not own and reached:
            carried.append((column, reached))
    return environment().get_template("report.html.j2").render(
        doc=document, by_algorithm=by_algorithm, proxies_by_algorithm=proxies_by_algorithm, held=dict(held),
        proxies=proxies, carried=carried, dismissed=dismissed,
        names={a["id"]: a["name"] for a in document["algorithms"]},
        lineage_svg=Markup(lineage_svg.svg(document["findings"], document["algorithms"])))


def write(document: dict, path: Path) -> Path:
    path.write_text(render(document), encoding="utf-8")
    return path
