"""The report for the minister and parliament: aggregated figures only, in Dutch or English.

It answers: how many systems were scanned, how many algorithms use origin data (afkomstgerelateerde gegevens) and
in which role, what the stewards judged (rechtmatig, onrechtmatig, oneigenlijk), what was decided, and which uses
were stopped and verified by a later scan, with the trend across scans. It holds counts and nothing else: no column,
table or algorithm names, nothing that could point at a person. Direct origin data and proxies are counted apart.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from lineage.propagate import USES
from scanner.detect import categories
from scanner.review import DECISIONS, VERDICTS

LANGUAGES = ("nl", "en")
FORMATS = ("html", "md", "pdf")
ROLES = tuple(reversed(USES))  # selection first: the role the risk-profile framework treats as most serious

WORDS = {
    "nl": {
        "title": "Afkomstgerelateerde gegevens in algoritmes",
        "subtitle": "Stand van zaken volgens originscan",
        "scan": "Scan", "scans": "scans", "date": "datum", "figure": "aantal",
        "key": "Kerncijfers",
        "systems": "systemen (bronnen) gescand", "systems_failed": "systemen niet bereikbaar",
        "columns": "kolommen geïnventariseerd", "origin_columns": "kolommen met afkomstgerelateerde gegevens",
        "proxy_columns": "kolommen met indirecte (proxy)gegevens",
        "algorithms": "algoritmes in het register", "algorithms_using": "algoritmes die afkomstgerelateerde gegevens gebruiken",
        "findings": "toepassingen van afkomstgerelateerde gegevens (per algoritme, gegeven en rol)",
        "undeclared": "toepassingen niet vermeld in het algoritmeregister",
        "stopped": "toepassingen gestopt en door een latere scan geverifieerd",
        "errors": "onderdelen die de scan niet kon lezen (zie het volledige rapport)",
        "by_role": "Toepassingen naar rol", "role": "rol",
        "roles": {"selection": "selectiecriterium", "aggregate": "geaggregeerd op groepsniveau",
                  "derived_feature": "afgeleid kenmerk", "feature": "kenmerk"},
        "by_category": "Toepassingen naar soort gegeven", "category": "soort gegeven",
        "by_verdict": "Oordeel van de gegevenseigenaar", "verdict": "oordeel",
        "verdict_note": "Over de huidige toepassingen en de gestopte toepassingen samen.",
        "verdicts": {"lawful": "rechtmatig", "unlawful": "onrechtmatig", "improper": "oneigenlijk",
                     "to_assess": "nog te beoordelen", "unreviewed": "nog niet beoordeeld"},
        "by_decision": "Besluit", "decision": "besluit",
        "decisions": {"continue": "voortzetten", "modify": "aanpassen", "stop": "stoppen", "none": "nog geen besluit"},
        "by_organization": "Per organisatie", "organization": "organisatie", "unknown_org": "(organisatie onbekend)",
        "indirect": "Indirecte gegevens (proxies), apart geteld",
        "indirect_text": "Gegevens die afkomst kunnen benaderen zonder het te zijn (taal, verblijfstitel, postcode, "
                         "naam en dergelijke). Zij worden apart geteld en nooit opgeteld bij de directe gegevens.",
        "indirect_findings": "toepassingen van indirecte gegevens", "algorithms_using_proxies": "algoritmes die ze gebruiken",
        "trend": "Verloop over de scans",
        "method": "Werkwijze",
        "method_text": [
            "originscan leest de databases van de organisatie alleen-lezend in (tabellen, kolommen, toelichtingen) "
            "en de code die gegevens verwerkt (SQL, views, procedures, Python). Persoonsgegevens worden niet "
            "gekopieerd: van een steekproef worden alleen aantallen en percentages bewaard.",
            "Kolommen met afkomstgerelateerde gegevens (nationaliteit, dubbele nationaliteit, geboorteland, "
            "geboorteplaats, geboorteland van de ouders, migratieachtergrond, etniciteit) worden herkend aan hun "
            "naam, toelichting en waarden. Vervolgens wordt gevolgd waar die gegevens heen stromen, tot in de "
            "algoritmes uit het algoritmeregister.",
            "Per algoritme wordt vastgesteld hoe de gegevens gebruikt worden: als selectiecriterium (zij bepalen wie "
            "geselecteerd wordt), geaggregeerd, als afgeleid kenmerk of als kenmerk. Gegevenseigenaren beoordelen "
            "elke toepassing: rechtmatig, onrechtmatig (geen wettelijke grondslag) of oneigenlijk (wel een grondslag, "
            "geen objectieve rechtvaardiging), en besluiten tot voortzetten, aanpassen of stoppen.",
            "Een toepassing geldt als gestopt en geverifieerd wanneer tot stoppen is besloten en een latere scan, die "
            "de betrokken bron wel kon lezen, haar niet meer vindt. De cijfers zijn tellingen; dit rapport bevat geen "
            "persoonsgegevens en geen namen van kolommen of tabellen.",
        ],
        "no_history": "Dit is de eerste scan; een verloop volgt na een volgende scan.",
    },
    "en": {
        "title": "Origin data in algorithms",
        "subtitle": "State of play according to originscan",
        "scan": "Scan", "scans": "scans", "date": "date", "figure": "count",
        "key": "Key figures",
        "systems": "systems (sources) scanned", "systems_failed": "systems not reachable",
        "columns": "columns inventoried", "origin_columns": "columns holding origin data",
        "proxy_columns": "columns holding indirect (proxy) data",
        "algorithms": "algorithms in the register", "algorithms_using": "algorithms using origin data",
        "findings": "uses of origin data (per algorithm, data item and role)",
        "undeclared": "uses not declared in the algorithm register",
        "stopped": "uses stopped and verified by a later scan",
        "errors": "parts the scan could not read (see the full report)",
        "by_role": "Uses by role", "role": "role",
        "roles": {"selection": "selection criterion", "aggregate": "aggregate (group level)",
                  "derived_feature": "derived feature", "feature": "feature"},
        "by_category": "Uses by kind of data", "category": "kind of data",
        "by_verdict": "The data steward's verdict", "verdict": "verdict",
        "verdict_note": "Over current uses and stopped uses together.",
        "verdicts": {"lawful": "lawful", "unlawful": "unlawful (no legal basis)",
                     "improper": "improper (legal basis, no objective justification)",
                     "to_assess": "to be assessed", "unreviewed": "not yet reviewed"},
        "by_decision": "Decision", "decision": "decision",
        "decisions": {"continue": "continue", "modify": "modify", "stop": "stop", "none": "no decision yet"},
        "by_organization": "By organisation", "organization": "organisation", "unknown_org": "(organisation unknown)",
        "indirect": "Indirect data (proxies), counted apart",
        "indirect_text": "Data that can stand in for origin without being it (language, residence permit, postcode, "
                         "name and the like). They are counted apart and never added to the direct figures.",
        "indirect_findings": "uses of indirect data", "algorithms_using_proxies": "algorithms using them",
        "trend": "Trend across scans",
        "method": "Method",
        "method_text": [
            "originscan reads the organisation's databases read-only (tables, columns, descriptions) and the code "
            "that processes data (SQL, views, procedures, Python). Personal data is not copied: of a sample, only "
            "counts and shares are kept.",
            "Columns holding origin data (nationality, dual nationality, country of birth, place of birth, parents' "
            "country of birth, migration background, ethnicity) are recognised by their name, description and "
            "values. The scan then follows where that data flows, into the algorithms of the algorithm register.",
            "For each algorithm it establishes how the data is used: as a selection criterion (it decides who is "
            "selected), aggregated, as a derived feature or as a feature. Data stewards judge every use: lawful, "
            "unlawful (no legal basis) or improper (a legal basis but no objective justification), and decide to "
            "continue, modify or stop it.",
            "A use counts as stopped and verified when it was decided to stop it and a later scan that could read its "
            "source no longer finds it. The figures are counts; this report holds no personal data and no column or "
            "table names.",
        ],
        "no_history": "This is the first scan; a trend follows after the next one.",
    },
}


def figures(document: dict, history: list[dict] | None = None) -> dict:
    """Counts from a findings document; ``history`` holds earlier scans' documents (oldest first) for the trend."""
    findings = [f for f in document["findings"] if f["direct"]]
    indirect = [f for f in document["findings"] if not f["direct"]]
    stopped = [f for f in document.get("stopped", []) if f.get("direct", True) and f.get("verified")]
    s = document["summary"]
    organizations = {a["id"]: a.get("organization") or "" for a in document["algorithms"]}
    per_org: dict[str, Counter] = {}
    for algorithm in document["algorithms"]:
        per_org.setdefault(algorithm.get("organization") or "", Counter())["algorithms"] += 1
    for algorithm in {f["algorithm"] for f in findings}:
        per_org.setdefault(organizations.get(algorithm, ""), Counter())["algorithms_using"] += 1
    for f in findings:
        per_org.setdefault(organizations.get(f["algorithm"], ""), Counter())["findings"] += 1
    judged = findings + stopped  # a stopped use keeps its verdict: stopping it does not withdraw the judgement
    verdicts = Counter(f["review"]["status"] if f["review"]["status"] in VERDICTS else "unreviewed" for f in judged)
    decisions = Counter(f["review"].get("decision") or "none" for f in judged)
    return {
        "scan": {"date": document["scan"]["started"][:10], "id": document["scan"]["id"]},
        "key": {
            "systems": s["sources"] - s["sources_failed"], "systems_failed": s["sources_failed"],
            "columns": s["columns"], "origin_columns": s["origin_columns"], "proxy_columns": s["proxy_columns"],
            "algorithms": s["algorithms"], "algorithms_using": len({f["algorithm"] for f in findings}),
            "findings": len(findings), "undeclared": sum(1 for f in findings if f["undeclared"]),
            "stopped": len(stopped), "errors": s["errors"],
        },
        "by_role": {role: sum(1 for f in findings if f["use"] == role) for role in ROLES},
        "by_category": dict(sorted(Counter(f["category"] for f in findings).items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_verdict": {v: verdicts[v] for v in VERDICTS + ("unreviewed",)},
        "by_decision": {d: decisions[d] for d in DECISIONS + ("none",)},
        "by_organization": {org: {k: counts[k] for k in ("algorithms", "algorithms_using", "findings")}
                            for org, counts in sorted(per_org.items())},
        "indirect": {"findings": len(indirect), "algorithms": len({f["algorithm"] for f in indirect})},
        "trend": [_trend_point(d) for d in (history or [])] + [_trend_point(document)],
    }


def _trend_point(document: dict) -> dict:
    findings = [f for f in document["findings"] if f["direct"]]
    return {"date": document["scan"]["started"][:16].replace("T", " "),
            "algorithms_using": len({f["algorithm"] for f in findings}), "findings": len(findings),
            "selection": sum(1 for f in findings if f["use"] == "selection"),
            "stopped": sum(1 for f in document.get("stopped", []) if f.get("direct", True) and f.get("verified"))}


def render(numbers: dict, lang: str, fmt: str) -> str:
    """The report as HTML or Markdown text (PDF is printed from the HTML: see ``write``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    words = WORDS[lang]
    labels = {c.id: (c.label_nl if lang == "nl" else c.label_en) for c in categories()}
    env = Environment(loader=PackageLoader("reports", "templates"), trim_blocks=True, lstrip_blocks=True,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False))
    env.filters["category"] = lambda c: labels.get(c, c)
    env.filters["md"] = _md
    env.filters["rolebars"] = lambda rows, w: Markup(_bars([(w["roles"][role], count) for role, count in rows]))
    template = env.get_template(f"parliament.{'html' if fmt == 'html' else 'md'}.j2")
    organizations = {org or words["unknown_org"]: counts for org, counts in numbers["by_organization"].items()}
    return template.render(n=numbers, w=words, lang=lang, organizations=organizations,
                           trend_svg=_trend(numbers["trend"], words) if len(numbers["trend"]) > 1 else "")


def write(numbers: dict, lang: str, fmt: str, path: Path) -> Path:
    if fmt == "pdf":
        return _pdf(render(numbers, lang, "html"), path)
    path.write_text(render(numbers, lang, fmt), encoding="utf-8")
    return path


def _bars(rows: list[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG: a person would rather look than read."""
    width, bar, gap, label_w = 560, 18, 8, 250
    most = max([count for _, count in rows] + [1])
    height = len(rows) * (bar + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-hidden="true" class="bars">']
    for i, (label, count) in enumerate(rows):
        y = gap + i * (bar + gap)
        length = round((width - label_w - 50) * count / most)
        parts.append(f'<text x="{label_w - 8}" y="{y + bar - 4}" text-anchor="end">{_esc(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar}" rx="2"/>'
                     f'<text x="{label_w + length + 6}" y="{y + bar - 4}">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend(points: list[dict], words: dict) -> str:
    """Findings and selection-criterion findings per scan, as a small line chart with the legend below it."""
    width, height, left, right, top, bottom = 560, 220, 40, 50, 12, 56
    most = max([p["findings"] for p in points] + [1])
    step = (width - left - right) / max(len(points) - 1, 1)
    axis = height - bottom

    def xy(i: int, value: int) -> str:
        return f"{left + i * step:.1f},{top + (axis - top) * (1 - value / most):.1f}"

    lines = []
    for key, css in (("findings", "all"), ("selection", "sel")):
        lines.append(f'<polyline class="{css}" fill="none" points="'
                     + " ".join(xy(i, p[key]) for i, p in enumerate(points)) + '"/>')
    ticks = "".join(f'<text x="{left + i * step:.1f}" y="{axis + 16}" text-anchor="middle">{_esc(p["date"])}</text>'
                    for i, p in enumerate(points))
    legend = (f'<text x="{left}" y="{height - 18}" class="all">— {_esc(words["findings"].split(" (")[0])}</text>'
              f'<text x="{left}" y="{height - 4}" class="sel">— {_esc(words["roles"]["selection"])}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-hidden="true" class="trend"><line x1="{left}" y1="{axis}" x2="{width - right + 10}" '
            f'y2="{axis}" stroke="#999"/>{"".join(lines)}{ticks}{legend}'
            f'<text x="4" y="{top + 4}">{most}</text><text x="4" y="{axis}">0</text></svg>')


def _md(text: str) -> str:
    """Text for a Markdown table cell: one line, no table syntax, no HTML a renderer would run."""
    text = " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _pdf(html: str, path: Path) -> Path:
    """Print the HTML with a headless Chromium: the same rendering a reader sees, no second layout engine."""
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
                   None)
    if browser is None:
        raise RuntimeError("PDF output needs Chromium (Debian/Ubuntu: apt install chromium); "
                           "or write --format html and print that")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.html"
        source.write_text(html, encoding="utf-8")
        target = path.resolve()
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={folder}/profile", "--no-pdf-header-footer", f"--print-to-pdf={target}",
                   source.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"Chromium could not print the PDF: {done.stderr.strip()[-300:]}")
    return path
