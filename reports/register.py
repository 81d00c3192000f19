"""Algorithm register entries (Algoritmeregister publication standard 1.0.0) with a proposed ``source_data`` text.

The register asks an organisation which data an algorithm uses (``source_data``, "Gegevens"). originscan knows
which origin data actually reaches each algorithm, so this export proposes the register text: what was declared,
plus one Dutch sentence naming the origin-data categories found and the role they play, direct categories and
proxies in separate sentences (they are never counted together). It is a proposal for the steward, not a
publication: everything originscan adds beyond the standard sits under ``x_originscan`` so the rest of the object
keeps the standard's shape (research/origin-data-nl.md §4).
"""

from __future__ import annotations

import html

from reports.parliament import ROLES, WORDS
from scanner.detect import categories

# Publication standard 1.0.0 keys, in the standard's order, and the ones it requires. A required key the scan does
# not know is given as "" (the steward must fill it in); an optional unknown one is left out.
STANDARD_KEYS = (
    "name", "description_short", "organization", "category", "status", "begin_date", "end_date", "contact_email",
    "website", "publication_category", "url", "goal", "proportionality", "human_intervention", "risks",
    "lawful_basis", "lawful_basis_grouping", "process_index_url", "impacttoetsen_grouping", "impacttoetsen",
    "source_data", "source_data_grouping", "methods_and_models", "provider", "publiccode", "lang",
    "standard_version", "source_id", "tags",
)
REQUIRED_KEYS = ("name", "description_short", "organization", "status", "contact_email", "publication_category",
                 "lang")
# Register metadata that identifies an entry (not part of the standard's content, but the register's own id).
REGISTER_KEYS = ("lars",)
STANDARD_VERSION = "1.0.0"
SOURCE_DATA_LIMIT = 2500  # the standard's maximum length for source_data

# The role a finding's use gives the data, in the parliament report's Dutch words, most serious first.
USE_NL = {use: WORDS["nl"]["roles"][use] for use in ROLES}
DIRECT_SENTENCE = "Afkomstgerelateerde gegevens gevonden"
PROXY_SENTENCE = "Mogelijke indirecte afkomstgegevens (proxy's) gevonden"


def _direct(finding: dict) -> bool:
    """A finding is direct origin data unless it says otherwise or its category is a proxy."""
    return finding.get("direct", not finding["category"].startswith("proxy:"))


def _category_nl(category: str) -> str:
    labels = {c.id: c.label_nl for c in categories()}
    return labels.get(category, category.removeprefix("proxy:").replace("_", " "))


def _sentence(lead: str, findings: list[dict]) -> str:
    """``lead: cat (role, role), cat (role).``, categories by their most serious use, then alphabetically."""
    uses: dict[str, set[str]] = {}
    for finding in findings:
        uses.setdefault(_category_nl(finding["category"]), set()).add(finding["use"])
    order = list(USE_NL)

    def rank(use: str) -> int:
        return order.index(use) if use in order else len(order)

    parts = []
    for name in sorted(uses, key=lambda n: (min(rank(u) for u in uses[n]), n)):
        roles = ", ".join(USE_NL.get(use, use) for use in sorted(uses[name], key=rank))
        parts.append(f"{name} ({roles})")
    return f"{lead}: {', '.join(parts)}."


def proposed_source_data(declared: str, findings: list[dict]) -> str:
    """The declared text with a sentence per kind of origin data found; unchanged when nothing was found."""
    direct = [f for f in findings if _direct(f)]
    proxies = [f for f in findings if not _direct(f)]
    sentences = ([_sentence(DIRECT_SENTENCE, direct)] if direct else []) + \
                ([_sentence(PROXY_SENTENCE, proxies)] if proxies else [])
    if not sentences:
        return declared
    text = declared.strip()
    if text.startswith("<"):  # the register's fields are HTML (p, ul, li ...): add a paragraph, keep it HTML
        return text + "".join(f"<p>{html.escape(sentence)}</p>" for sentence in sentences)
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return " ".join(([text] if text else []) + sentences)


def register_entries(document: dict) -> list[dict]:
    """One register entry per algorithm of a ``findings.json`` document, in the document's order.

    Standard keys the algorithm already has are kept as they are (except ``source_data``, which becomes the
    proposal); ``lang`` and ``standard_version`` are filled in. ``x_originscan`` holds the scan id, the algorithm's
    originscan identity, its findings and whether any of them is undeclared in the register.
    """
    scan = document.get("scan", {}).get("id", "")
    by_algorithm: dict[str, list[dict]] = {}
    for finding in document.get("findings", []):
        by_algorithm.setdefault(finding["algorithm"], []).append(finding)
    entries = []
    for algorithm in document.get("algorithms", []):
        findings = by_algorithm.get(algorithm["id"], [])
        entry: dict = {key: algorithm[key] for key in REGISTER_KEYS if algorithm.get(key)}
        for key in STANDARD_KEYS:
            if algorithm.get(key) not in (None, "", []):
                entry[key] = algorithm[key]
            elif key in REQUIRED_KEYS:
                entry[key] = ""
        entry["lang"] = entry.get("lang") or "nld"  # the register is Dutch; "nld" is its ISO 639-3 code
        entry["standard_version"] = STANDARD_VERSION
        declared = algorithm.get("source_data") or ""
        proposal = proposed_source_data(declared, findings)
        if proposal:
            entry["source_data"] = proposal
        entry["x_originscan"] = {
            "scan": scan,
            "algorithm": algorithm["id"],
            "declared_source_data": declared,
            # The standard caps source_data; a longer proposal is still given whole, for the steward to shorten.
            "source_data_too_long": len(proposal) > SOURCE_DATA_LIMIT,
            "findings": [{
                "id": f["id"], "column": f["column"], "category": f["category"],
                "direct": _direct(f), "use": f["use"],
                "undeclared": bool(f.get("undeclared")),
                # Only the verdict: who reviewed it is not for a register export.
                "review": f.get("review", {}).get("status", "unreviewed"),
            } for f in findings],
            "undeclared": any(f.get("undeclared") for f in findings),
        }
        entries.append(entry)
    return entries
