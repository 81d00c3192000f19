"""The steward's review through the CLI, on a real store: verdicts, tags, history, rescans, stop-and-verify,
the spreadsheet round trip, diff; on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from scanner.cli import main
from tests.conftest import run_sql

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: object, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                                env={"ORIGINSCAN_REVIEWER": "s.steward"})
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(params=["sqlite", "postgresql"])
def reviewed_estate(request, estate: Path) -> Path:
    """The estate's config, with its store on SQLite (the default file) or on the PostgreSQL server."""
    if request.param == "postgresql":
        # A session time zone other than UTC: review dates must still compare with scan dates.
        url = request.getfixturevalue("pg_database") + "?options=-c%20TimeZone%3DAmerica/New_York"
        config = estate.read_text().replace('url = "sqlite:///store.db"', f'url = "{url}"')
        assert config != estate.read_text()
        estate.write_text(config)
    return estate


def scan(config: Path) -> dict:
    run("scan", config, "--out", config.parent / "out")
    return json.loads((config.parent / "out" / "findings.json").read_text())


def finding(document: dict, algorithm: str, use: str) -> dict:
    return next(f for f in document["findings"] if f["algorithm"] == f"algorithm:{algorithm}" and f["use"] == use)


def worklist(config: Path, *extra: str) -> list[dict]:
    return json.loads(run("review", "list", "--config", config, "--format", "json", *extra).output)["items"]


def review_log(config: Path) -> int:
    url = re.search(r'url = "(.*)"', config.read_text()).group(1)
    url = url if not url.startswith("sqlite:///") else f"sqlite:///{config.parent / url.removeprefix('sqlite:///')}"
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM reviews")).scalar()
    engine.dispose()
    return count


def test_worklist_puts_unreviewed_selection_first_and_reviews_reattach_on_rescan(reviewed_estate: Path) -> None:
    config = reviewed_estate
    first = scan(config)
    assert first["summary"]["new"] is None  # a first scan has nothing to be new against
    items = worklist(config)
    assert items[0]["kind"] == "finding" and items[0]["use"] == "selection"
    assert [i["kind"] for i in items] == sorted((i["kind"] for i in items), key=lambda k: k != "finding")
    target = finding(first, "controle-buitenland", "selection")
    run("review", "finding", target["id"][:6], "--verdict", "to_assess", "--config", config)
    run("review", "finding", target["id"][:6], "--verdict", "lawful", "--legal-basis", "Awir art. 48",
        "--justification", "noodzakelijk voor de controle", "--dpia", "DPIA-2026-04", "--config", config)
    second = scan(config)
    review = finding(second, "controle-buitenland", "selection")["review"]
    assert (review["status"], review["legal_basis"], review["dpia"], review["reviewer"]) == \
        ("lawful", "Awir art. 48", "DPIA-2026-04", "s.steward")
    assert second["summary"]["new"] == 0 and second["summary"]["unreviewed"] == second["summary"]["findings"] - 1
    history = json.loads(run("review", "history", target["id"], "--config", config, "--format", "json").output)
    assert [h["status"] for h in history] == ["to_assess", "lawful"]
    assert worklist(config, "--status", "reviewed")[0]["id"] == target["id"]


def test_invalid_reviews_are_refused_and_record_nothing(estate: Path) -> None:
    scan(estate)
    target = finding(json.loads((estate.parent / "out" / "findings.json").read_text()), "risicoscore",
                     "derived_feature")
    before = review_log(estate)
    lawful = run("review", "finding", target["id"], "--verdict", "lawful", "--config", estate, ok=False)
    assert lawful.exit_code == 1 and "needs the legal basis and the justification" in lawful.output
    unknown = run("review", "finding", "ffffffffff", "--verdict", "unlawful", "--config", estate, ok=False)
    assert unknown.exit_code == 1 and "no finding or tag id starts with" in unknown.output
    bad = run("review", "finding", target["id"], "--verdict", "maybe", "--config", estate, ok=False)
    assert bad.exit_code == 2
    dismiss = run("review", "tag", "t.main.persoon.geboorteland", "birth_country", "--dismiss", "--config", estate,
                  ok=False)
    assert dismiss.exit_code == 1 and "needs a reason" in dismiss.output
    nowhere = run("review", "list", "--store", f"sqlite:///{estate.parent / 'missing.db'}", ok=False)
    assert nowhere.exit_code == 1 and "no store at" in nowhere.output
    assert review_log(estate) == before


def test_stop_then_disappearance_is_stopped_and_verified_and_new_findings_are_marked(reviewed_estate: Path) -> None:
    config = reviewed_estate
    first = scan(config)
    derived = finding(first, "risicoscore", "derived_feature")
    run("review", "finding", derived["id"], "--verdict", "unlawful", "--decision", "stop",
        "--note", "geen grondslag voor nationaliteit in het risicomodel", "--config", config)
    still = scan(config)
    assert still["stopped"] == [] and finding(still, "risicoscore", "derived_feature")["review"]["decision"] == "stop"
    # The model is changed: the nationality flag is no longer read, and the amount is now selected on birth country.
    (config.parent / "queries" / "model.sql").write_text(
        "SELECT k.aanvraag_id, k.bedrag FROM kenmerken k\n"
        "JOIN aanvraag a ON a.aanvraag_id = k.aanvraag_id JOIN persoon p ON p.bsn = a.bsn\n"
        "WHERE p.geboorteland <> 'Nederland';\n")
    third = scan(config)
    assert [f["id"] for f in third["findings"] if f["algorithm"] == "algorithm:risicoscore"
            and f["column"] == derived["column"]] == []
    [gone] = third["stopped"]
    assert gone["id"] == derived["id"] and gone["status"] == f"stopped (verified {third['scan']['started'][:10]})"
    assert gone["verified"] == third["scan"]["started"] and third["summary"]["stopped_verified"] == 1
    new = finding(third, "risicoscore", "selection")
    assert new["new"] is True and new["column"] == "t.main.persoon.geboorteland" and third["summary"]["new"] == 1
    assert all(not f["new"] for f in third["findings"] if f["id"] != new["id"])
    fourth = scan(config)  # still gone: verified by the first scan that no longer found it
    assert [g["verified"] for g in fourth["stopped"]] == [third["scan"]["started"]]
    changes = json.loads(run("diff", "--config", config, "2", "3", "--format", "json").output)
    assert [f["id"] for f in changes["findings"]["removed"]] == [derived["id"]]
    assert [f["id"] for f in changes["findings"]["added"]] == [new["id"]]
    text_diff = run("diff", "--config", config).output
    assert "0 new, 0 gone" in text_diff.splitlines()[1]


def test_a_dismissed_tag_stays_dismissed_until_its_evidence_changes(estate: Path) -> None:
    first = scan(estate)
    column = "t.main.persoon.geboorteland"
    assert any(f["column"] == column for f in first["findings"])
    run("review", "tag", column, "birth_country", "--dismiss", "--reason", "bevat de vestigingsplaats",
        "--config", estate)
    second = scan(estate)
    assert not any(f["column"] == column for f in second["findings"])  # not propagated, no findings
    tags = next(c for c in second["columns"] if c["column"] == column)["tags"]
    assert [(t["category"], t["review"]["status"], t["review"]["reason"]) for t in tags] == \
        [("birth_country", "dismissed", "bevat de vestigingsplaats")]
    assert second["summary"]["dismissed_tags"] == 1
    html = (estate.parent / "out" / "report.html").read_text()
    held = html.split('id="columns"')[1].split('id="dismissed"')[0]
    assert column not in held and column in html.split('id="dismissed"')[1].split('id="errors"')[0]
    assert second["summary"]["origin_columns"] == first["summary"]["origin_columns"] - 1
    third = scan(estate)  # nothing changed: still dismissed
    changes = json.loads(run("diff", "1", "2", "--config", estate, "--format", "json").output)
    assert changes["tags"]["dismissed"] == [[column, "birth_country"]] and changes["tags"]["removed"] == []
    assert not any(f["column"] == column for f in third["findings"])
    # Sampling values gives evidence of a new kind (country codes among the values): back on the worklist.
    run_sql(f"sqlite:///{estate.parent / 'estate.db'}", "INSERT INTO persoon VALUES " + ", ".join(
        f"({n}, '{code}', '1234AB', NULL)" for n, code in enumerate(["6030", "5022", "6043", "5007"] * 10)) + ";")
    estate.write_text(estate.read_text().replace('url = "sqlite:///estate.db"', 'url = "sqlite:///estate.db"\nsample = 50'))
    fourth = scan(estate)
    tag = next(c for c in fourth["columns"] if c["column"] == column)["tags"][0]
    assert tag["review"]["status"] == "unreviewed" and tag["review"]["dismissed"]["reason"] == "bevat de vestigingsplaats"
    assert any(f["column"] == column for f in fourth["findings"])
    [item] = [i for i in worklist(estate, "--kind", "tag") if i["column"] == column]
    assert item["review"]["status"] == "unreviewed" and "reopened" in item["review"]
    run("review", "tag", column, "birth_country", "--confirm", "--config", estate)
    [item] = [i for i in worklist(estate, "--kind", "tag") if i["column"] == column]
    assert item["review"]["status"] == "confirmed"  # the newest entry wins over the scan's snapshot


def test_the_worklist_spreadsheet_round_trip(reviewed_estate: Path, tmp_path: Path) -> None:
    config = reviewed_estate
    document = scan(config)
    workbook = tmp_path / "worklist.xlsx"
    run("review", "export", "--xlsx", workbook, "--config", config)
    book = load_workbook(workbook)
    assert set(book.sheetnames) == {"findings", "tags", "about"}
    findings, tags = book["findings"], book["tags"]
    header = [c.value for c in findings[1]]
    selection = finding(document, "controle-buitenland", "selection")
    row = next(r for r in findings.iter_rows(min_row=2) if r[0].value == selection["id"])
    row[header.index("verdict")].value = "improper"
    row[header.index("legal_basis")].value = "Awir art. 48"
    row[header.index("decision")].value = "modify"
    tag_header = [c.value for c in tags[1]]
    tag_row = next(r for r in tags.iter_rows(min_row=2) if r[tag_header.index("column")].value == "t.main.persoon.postcode")
    tag_row[tag_header.index("status")].value = "dismissed"
    tag_row[tag_header.index("reason")].value = "adres voor correspondentie"
    book.save(workbook)
    before = review_log(config)
    assert "would record 2 review(s)" in run("review", "import", workbook, "--dry-run", "--config", config).output
    assert review_log(config) == before
    assert "recorded 2 review(s)" in run("review", "import", workbook, "--config", config).output
    assert review_log(config) == before + 2
    assert "recorded 0 review(s)" in run("review", "import", workbook, "--config", config).output  # unchanged rows
    rescan = finding(scan(config), "controle-buitenland", "selection")["review"]
    assert (rescan["status"], rescan["decision"], rescan["via"]) == ("improper", "modify", "spreadsheet worklist.xlsx")
    history = json.loads(run("review", "history", selection["id"], "--config", config, "--format", "json").output)
    assert len(history) == 1


def test_a_bad_spreadsheet_changes_nothing(estate: Path, tmp_path: Path) -> None:
    document = scan(estate)
    workbook = tmp_path / "worklist.xlsx"
    run("review", "export", "--xlsx", workbook, "--config", estate)
    book = load_workbook(workbook)
    sheet = book["findings"]
    header = [c.value for c in sheet[1]]
    good = finding(document, "statistiek", "aggregate")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == good["id"]:
            row[header.index("verdict")].value = "unlawful"  # a valid row: must not land either
            row[header.index("decision")].value = "stop"
    last = sheet.max_row + 1
    sheet.cell(row=last, column=1, value="0123456789abcdef")
    sheet.cell(row=last, column=header.index("verdict") + 1, value="unlawful")
    sheet.cell(row=2, column=header.index("decision") + 1, value="pause")
    book.save(workbook)
    before = review_log(estate)
    result = run("review", "import", workbook, "--config", estate, ok=False)
    assert result.exit_code == 1 and "nothing was recorded" in result.output
    assert f"sheet 'findings' row {last}: unknown finding id '0123456789abcdef'" in result.output
    assert "sheet 'findings' row 2: decision must be one of continue, modify, stop, not 'pause'" in result.output
    assert review_log(estate) == before
    (tmp_path / "not.xlsx").write_text("just text")
    broken = run("review", "import", tmp_path / "not.xlsx", "--config", estate, ok=False)
    assert broken.exit_code == 1 and "not a readable .xlsx workbook" in broken.output
    assert review_log(estate) == before


def test_a_parent_self_join_turns_birth_country_into_parents_birth_country(estate: Path) -> None:
    (estate.parent / "etl" / "03_ouders.sql").write_text(
        "CREATE TABLE ouder_herkomst AS\n"
        "SELECT k.bsn, o.geboorteland AS land_ouder1 FROM persoon k JOIN persoon o ON o.bsn = k.ouder1_bsn;\n"
        "CREATE TABLE eigen_herkomst AS\n"  # the person's own, read in a statement that also joins a parent
        "SELECT k.bsn, k.geboorteland, o.postcode FROM persoon k JOIN persoon o ON o.bsn = k.ouder1_bsn;\n")
    (estate.parent / "queries" / "ouders.sql").write_text("SELECT h.bsn, h.land_ouder1 FROM ouder_herkomst h;\n")
    (estate.parent / "algorithms.toml").write_text((estate.parent / "algorithms.toml").read_text() + (
        '\n[[algorithm]]\nid = "ouders"\nname = "Ouders"\nsource_data = "Geboorteland ouders"\n'
        'inputs = ["queries/ouders.sql"]\n'))
    document = scan(estate)
    [found] = [f for f in document["findings"] if f["algorithm"] == "algorithm:ouders"]
    assert (found["column"], found["category"], found["use"]) == ("t.main.persoon.geboorteland",
                                                                  "parents_birth_country", "feature")
    columns = {c["column"]: c for c in document["columns"]}
    [own] = [t for t in columns["t.main.eigen_herkomst.geboorteland"]["tags"] if t.get("origin")]
    assert own["category"] == "birth_country"  # a neutral target keeps the person's own birth country
    own = finding(document, "controle-buitenland", "selection")  # the person's own birth country stays so
    assert own["category"] == "birth_country"


def test_algoritmeregister_export_is_matched_by_lars_or_source_id(estate: Path) -> None:
    folder = estate.parent
    (folder / "published.json").write_text((FIXTURES / "register" / "algoritme_versions.json").read_text())
    register = (folder / "algorithms.toml").read_text()
    register = register.replace('id = "controle-buitenland"', 'id = "controle-buitenland"\nsource_id = "T-002"')
    register = register.replace('id = "statistiek"', 'id = "statistiek"\nlars = "77120456"')
    (folder / "algorithms.toml").write_text(register)
    estate.write_text(estate.read_text() + '\n[[algorithms]]\npath = "published.json"\n')
    document = scan(estate)
    algorithms = {a["id"]: a for a in document["algorithms"]}
    control = algorithms["algorithm:controle-buitenland"]
    assert control["name"] == "Controle aanvragen met geboorteland buiten Nederland"  # published text wins
    assert control["source_data"] == "<p>Aanvraaggegevens uit het eigen systeem</p>"
    assert finding(document, "controle-buitenland", "selection")["undeclared"] is True  # published text omits it
    assert finding(document, "statistiek", "aggregate")["undeclared"] is False
    assert algorithms["algorithm:lars-90311522"]["inputs"] == []  # registered, not mapped to code: listed
    assert "algorithm:lars-41905837" not in algorithms  # matched, so not listed twice
    assert any("needs 'lars' or 'source_id'" in e["message"] for e in document["errors"])


def test_a_stale_spreadsheet_never_overwrites_a_newer_review(estate: Path, tmp_path: Path) -> None:
    document = scan(estate)
    target = finding(document, "controle-buitenland", "selection")
    run("review", "finding", target["id"], "--verdict", "to_assess", "--note", "- eerst navragen bij de jurist",
        "--config", estate)
    run("review", "tag", "t.main.persoon.postcode", "proxy:neighbourhood", "--dismiss", "--reason",
        "=alleen correspondentie", "--config", estate)
    workbook = tmp_path / "worklist.xlsx"
    run("review", "export", "--xlsx", workbook, "--config", estate)
    # Untouched, the sheet changes nothing: a note or reason starting with - or = comes back as it was recorded.
    assert "recorded 0 review(s)" in run("review", "import", workbook, "--config", estate).output
    run("review", "finding", target["id"], "--verdict", "unlawful", "--decision", "stop", "--config", estate)
    book = load_workbook(workbook)
    sheet = book["findings"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == target["id"])
    row[header.index("decision")].value = "continue"  # made on the old sheet, after the newer review
    book.save(workbook)
    before = review_log(estate)
    result = run("review", "import", workbook, "--config", estate, ok=False)
    assert result.exit_code == 1 and "reviewed again since this worklist was exported" in result.output
    assert review_log(estate) == before
    history = json.loads(run("review", "history", target["id"], "--config", estate, "--format", "json").output)
    assert history[-1]["decision"] == "stop" and history[0]["note"] == "- eerst navragen bij de jurist"


def test_a_use_missing_because_its_source_failed_is_not_verified_as_stopped(estate: Path) -> None:
    first = scan(estate)
    derived = finding(first, "risicoscore", "derived_feature")
    run("review", "finding", derived["id"], "--verdict", "unlawful", "--decision", "stop", "--config", estate)
    (estate.parent / "estate.db").rename(estate.parent / "elsewhere.db")  # the source is unreachable now
    outage = scan(estate)
    [entry] = outage["stopped"]
    assert entry["verified"] is None and entry["status"].startswith("stop decided, not verified: source t")
    assert outage["summary"]["stopped_verified"] == 0
    # Another config sharing the store: its scans neither verify this stop nor make old findings look new.
    (estate.parent / "elsewhere.db").rename(estate.parent / "estate.db")
    other = estate.parent / "other.toml"
    other.write_text(estate.read_text())
    second = json.loads((run("scan", other, "--out", estate.parent / "o") and
                         (estate.parent / "o" / "findings.json")).read_text())
    assert second["stopped"] == [] and second["summary"]["new"] is None


def test_the_cli_meets_a_steward_halfway(estate: Path) -> None:
    document = scan(estate)
    [tag] = [i for i in worklist(estate, "--kind", "tag") if i["column"] == "t.main.persoon.postcode"]
    assert "recorded by s.steward" in run("review", "tag", tag["id"][:8], "--confirm", "--config", estate).output
    short = run("review", "tag", "persoon.postcode", "birth_country", "--confirm", "--config", estate, ok=False)
    assert "did you mean t.main.persoon.postcode?" in short.output
    wrong = run("review", "tag", "t.main.persoon.postcode", "birth_country", "--confirm", "--config", estate, ok=False)
    assert "(it has: proxy:neighbourhood)" in wrong.output
    as_finding = run("review", "finding", tag["id"][:8], "--verdict", "to_assess", "--config", estate, ok=False)
    assert "a tag's id?" in as_finding.output
    target = finding(document, "statistiek", "aggregate")
    run("review", "finding", target["id"], "--verdict", "TO_ASSESS", "--decision", "Continue", "--config", estate)
    review = worklist(estate, "--status", "reviewed", "--kind", "finding")[0]["review"]
    assert (review["status"], review["decision"]) == ("to_assess", "continue")
    not_a_worklist = run("review", "import", estate.parent / "out" / "originscan.xlsx", "--config", estate, ok=False)
    assert "is not a worklist workbook" in not_a_worklist.output
