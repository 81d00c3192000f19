"""The reports for the three readers, rendered from a stored scan: golden figures for parliament in both languages,
every HTML report opened in a real headless Chromium, PDF output, and --fail-on for pipelines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from tests.browser import Browser
from tests.browser import browser  # noqa: F401  (the session-wide chromium fixture)
from tests.conftest import run_sql

GOLDEN = Path(__file__).parent / "fixtures" / "parliament"
HOSTILE = "<script>alert(1)</script>"


def run(*args: object, code: int = 0):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                                env={"ORIGINSCAN_REVIEWER": "r.reviewer"})
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory) -> Path:
    """The demo after a steward's work: one use judged unlawful and stopped, then the query changed and rescanned
    (so it is stopped and verified); one judged lawful; one being modified. Returns the demo's config."""
    out = tmp_path_factory.mktemp("demo")
    run("demo", "--out", out)
    config = out / "estate" / "originscan.toml"
    document = json.loads((out / "findings.json").read_text())
    ids = {(f["algorithm"].removeprefix("algorithm:"), f["use"]): f["id"] for f in document["findings"]}
    run("review", "finding", ids[("risicomodel-kinderopvangtoeslag", "selection")], "--verdict", "unlawful",
        "--decision", "stop", "--note", "geen grondslag", "--config", config)
    run("review", "finding", ids[("dashboard-herkomst", "aggregate")], "--verdict", "lawful", "--decision", "continue",
        "--legal-basis", "CBS-wet art. 33", "--justification", "alleen geaggregeerde cijfers", "--config", config)
    run("review", "finding", ids[("selectie-huisbezoek", "selection")], "--verdict", "improper", "--decision",
        "modify", "--legal-basis", "Awir art. 47", "--config", config)
    query = config.parent / "queries" / "risicoselectie.sql"
    query.write_text(re.sub(r"JOIN brp_nationaliteit.*\n", "", query.read_text())
                     .replace("WHERE n.nationaliteit_code <> '0001'\n  AND", "WHERE"))
    run("scan", config, "--out", out)
    return config


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_parliament_report_figures_match_the_golden_files(demo_history: Path, tmp_path: Path, lang: str) -> None:
    target = tmp_path / f"parliament.{lang}.md"
    run("report", "parliament", "--lang", lang, "--format", "md", "--out", target, "--config", demo_history)
    text = re.sub(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", "DATE", target.read_text())
    assert text == (GOLDEN / f"demo.{lang}.md").read_text()


def test_parliament_report_holds_no_names_from_the_sources(demo_history: Path, tmp_path: Path) -> None:
    document = json.loads((demo_history.parent.parent / "findings.json").read_text())
    # Identifiers, not words: "geboorteland" is both a column and the report's own word for country of birth.
    names = {".".join(c["column"].split(".")[2:]) for c in document["columns"]}
    names |= {part for c in document["columns"] for part in c["column"].split(".")[2:] if "_" in part}
    names |= {a["id"].removeprefix("algorithm:") for a in document["algorithms"]} | {a["name"] for a in document["algorithms"]}
    for lang in ("nl", "en"):
        target = tmp_path / f"p.{lang}.html"
        run("report", "parliament", "--lang", lang, "--out", target, "--config", demo_history)
        text = re.sub(r"<[^>]+>", " ", target.read_text())
        words = set(re.findall(r"[\w.-]+", text))
        assert not names & words and not [n for n in names if " " in n and n in text], names & words


def test_html_reports_render_in_a_browser_with_no_errors(demo_history: Path, tmp_path: Path, browser: Browser) -> None:
    pages = {"parliament-nl": ("parliament", "--lang", "nl"), "parliament-en": ("parliament", "--lang", "en"),
             "worklist": ("worklist",), "inventory": ("inventory",), "report": ("html",)}
    expected = {"parliament-nl": ["Kerncijfers", "Toepassingen naar rol", "Oordeel van de gegevenseigenaar",
                                  "Verloop over de scans", "Werkwijze"],
                "parliament-en": ["Key figures", "Uses by role", "The data steward's verdict", "Trend across scans",
                                  "Method"],
                "worklist": ["findings", "tags"], "inventory": ["findings", "origin columns", "errors"],
                "report": ["Summary", "Algorithms", "Lineage", "Stopped uses", "Columns holding origin data", "Errors",
                           "Method"]}
    for name, args in pages.items():
        target = tmp_path / f"{name}.html"
        run("report", *args, "--out", target, "--config", demo_history)
        page = browser.render(target, evaluate=["document.querySelectorAll('svg').length",
                                                "document.querySelector('#lineage svg')?.textContent"])
        assert not page.console_errors and not page.dialogs and not page.requests, (name, page)
        headings = " | ".join(page.headings).lower()
        assert all(h.lower() in headings for h in expected[name]), (name, page.headings)
        if name.startswith("parliament"):
            assert page.evaluate("document.querySelectorAll('svg').length") == 2  # roles and the trend
        if name == "report":
            assert page.evaluate("document.querySelectorAll('svg').length") == 1  # the lineage picture
            drawn = page.evaluate("document.querySelector('#lineage svg')?.textContent")
            assert "Fraudescore kinderopvangtoeslag" in drawn and "brp_persoon.geboorteland" in drawn
            assert "Risicoclassificatiemodel" not in drawn  # its only use was stopped


def test_a_hostile_column_name_is_text_in_every_html_report(estate: Path, tmp_path: Path, browser: Browser) -> None:
    run_sql(f"sqlite:///{estate.parent / 'estate.db'}",
            f'CREATE TABLE "{HOSTILE}" ("{HOSTILE}nationaliteit" TEXT, "<img src=x onerror=alert(2)>" TEXT);')
    run("scan", estate, "--out", tmp_path / "out")
    outputs = [tmp_path / "out" / "report.html"]
    for kind in ("worklist", "inventory"):
        outputs.append(tmp_path / f"{kind}.html")
        run("report", kind, "--out", outputs[-1], "--config", estate)
    for path in outputs:
        page = browser.render(path, evaluate=["document.querySelectorAll('script, img').length"])
        assert HOSTILE in page.text, path.name
        assert page.evaluate("document.querySelectorAll('script, img').length") == 0
        assert not page.dialogs and not page.console_errors and not page.requests, (path.name, page)


def test_parliament_report_as_pdf(demo_history: Path, tmp_path: Path, browser: Browser) -> None:
    target = tmp_path / "kamer.pdf"
    run("report", "parliament", "--lang", "nl", "--format", "pdf", "--out", target, "--config", demo_history)
    assert target.read_bytes().startswith(b"%PDF-") and target.stat().st_size > 5000


def test_fail_on_stops_a_pipeline_until_the_steward_has_reviewed(estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    failing = run("scan", estate, "--out", out, "--fail-on", "unreviewed-selection", code=3)
    assert "failing on: unreviewed-selection (1)" in failing.output
    assert (out / "report.html").exists()  # the reports are written before failing
    selection = next(f for f in json.loads((out / "findings.json").read_text())["findings"] if f["use"] == "selection")
    run("review", "finding", selection["id"], "--verdict", "to_assess", "--config", estate)
    run("scan", estate, "--out", out, "--fail-on", "unreviewed-selection")
    run("scan", estate, "--out", out, "--fail-on", "undeclared", code=3)


def test_graphml_of_the_stored_scan_carries_kinds_and_origin_tags(demo_history: Path, tmp_path: Path) -> None:
    import networkx as nx

    target = tmp_path / "lineage.graphml"
    run("report", "graphml", "--out", target, "--config", demo_history)
    graph = nx.read_graphml(target)
    assert graph.nodes["demo.main.brp_persoon.geboorteland"]["origin"] == "birth_country"
    assert graph.nodes["demo.main.brp_persoon.bsn"].get("origin") is None
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert {"copy", "derive", "filter", "join", "group"} <= kinds


def test_a_hostile_organisation_name_is_text_in_the_parliament_report(estate: Path, tmp_path: Path,
                                                                      browser: Browser) -> None:
    register = estate.parent / "algorithms.toml"
    register.write_text(register.read_text().replace(
        'id = "risicoscore"', 'id = "risicoscore"\norganization = "<img src=x onerror=alert(1)>\\n| Dienst"\n'
        "begin_date = 2024-01-01"))  # a TOML date too: it must travel into JSON as text
    run("scan", estate, "--out", tmp_path / "out")
    markdown, page_path = tmp_path / "p.md", tmp_path / "p.html"
    run("report", "parliament", "--format", "md", "--out", markdown, "--config", estate)
    run("report", "parliament", "--format", "html", "--out", page_path, "--config", estate)
    rows = [line for line in markdown.read_text().splitlines() if "Dienst" in line]
    assert rows == ["| &lt;img src=x onerror=alert(1)&gt; \\| Dienst | 1 | 1 | 1 |"]
    page = browser.render(page_path, evaluate=["document.querySelectorAll('img, script').length"])
    assert "<img src=x onerror=alert(1)>" in page.text and not page.dialogs and not page.console_errors
    assert page.evaluate("document.querySelectorAll('img, script').length") == 0
    document = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert next(a for a in document["algorithms"] if a["id"] == "algorithm:risicoscore")["begin_date"] == "2024-01-01"
