"""The register export: one Algoritmeregister 1.0.0 entry per algorithm of a findings document, with a proposed
Dutch source_data text naming the origin data found (direct and proxies apart) and originscan's detail aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.register import STANDARD_KEYS, proposed_source_data, register_entries

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "findings.json"


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entries(document) -> dict[str, dict]:
    out = register_entries(document)
    assert len(out) == len(document["algorithms"])  # one entry per algorithm, none merged or dropped
    return {e["x_originscan"]["algorithm"]: e for e in out}


def test_one_entry_per_algorithm_in_the_standards_shape(document, entries):
    assert list(entries) == [a["id"] for a in document["algorithms"]]
    for entry in entries.values():
        assert set(entry) <= set(STANDARD_KEYS) | {"lars", "x_originscan"}
        assert entry["lang"] == "nld" and entry["standard_version"] == "1.0.0"
        assert entry["x_originscan"]["scan"] == document["scan"]["id"]
    risk = entries["algorithm:risicomodel-kinderopvangtoeslag"]
    # Keys the algorithm already has are kept; required ones the scan does not know are empty for the steward.
    assert risk["source_id"] == "UV-ALG-001" and risk["lars"] == "12345678"
    assert risk["description_short"].startswith("Selecteert aanvragen")
    assert risk["lawful_basis"] == "Algemene wet inkomensafhankelijke regelingen (Awir), art. 48"
    assert risk["contact_email"] == ""
    assert entries["algorithm:fraudescore-kinderopvang"]["description_short"] == ""
    assert "lawful_basis" not in entries["algorithm:dashboard-herkomst"]  # optional and empty: left out
    assert "inputs" not in risk and "id" not in risk  # originscan's own keys are not the standard's


def test_selection_use_nationality_is_named_with_its_role(entries):
    risk = entries["algorithm:risicomodel-kinderopvangtoeslag"]
    assert risk["source_data"] == (
        "Aanvraaggegevens, toetsingsinkomen en uren kinderopvang. "
        "Afkomstgerelateerde gegevens gevonden: nationaliteit (selectiecriterium). "
        "Mogelijke indirecte afkomstgegevens (proxy's) gevonden: woonwijk / postcode (kenmerk).")
    assert entries["algorithm:selectie-huisbezoek"]["source_data"].endswith(
        "Afkomstgerelateerde gegevens gevonden: geboorteland (selectiecriterium).")
    assert "geboorteland (geaggregeerd op groepsniveau)" in entries["algorithm:dashboard-herkomst"]["source_data"]
    assert "nationaliteit (afgeleid kenmerk)" in entries["algorithm:fraudescore-kinderopvang"]["source_data"]


def test_without_findings_the_declared_text_is_unchanged(document, entries):
    entry = entries["algorithm:termijnbewaking-aanvragen"]
    assert entry["source_data"] == "Aanvraagdatum, status en behandelaar"
    assert entry["x_originscan"]["findings"] == []
    assert entry["x_originscan"]["undeclared"] is False


def test_undeclared_follows_the_findings(document, entries):
    assert entries["algorithm:risicomodel-kinderopvangtoeslag"]["x_originscan"]["undeclared"] is True
    assert entries["algorithm:selectie-huisbezoek"]["x_originscan"]["undeclared"] is True
    assert entries["algorithm:fraudescore-kinderopvang"]["x_originscan"]["undeclared"] is False
    findings = entries["algorithm:risicomodel-kinderopvangtoeslag"]["x_originscan"]["findings"]
    assert [(f["id"], f["category"], f["use"], f["undeclared"], f["direct"]) for f in findings] == [
        ("539b01c5d5cb78b7", "nationality", "selection", True, True),
        ("0c9d2e7a51f3b846", "proxy:neighbourhood", "feature", True, False)]
    assert entries["algorithm:fraudescore-kinderopvang"]["x_originscan"]["findings"][0]["review"] == "to_assess"


def test_proposed_text_groups_uses_per_category():
    findings = [{"category": "nationality", "use": "feature", "direct": True},
                {"category": "nationality", "use": "selection", "direct": True},
                {"category": "birth_country", "use": "aggregate", "direct": True},
                {"category": "proxy:language", "use": "selection", "direct": False}]
    assert proposed_source_data("", findings) == (
        "Afkomstgerelateerde gegevens gevonden: nationaliteit (selectiecriterium, kenmerk), "
        "geboorteland (geaggregeerd op groepsniveau). "
        "Mogelijke indirecte afkomstgegevens (proxy's) gevonden: taal (selectiecriterium).")
    assert proposed_source_data("Gegevens uit de BRP.", []) == "Gegevens uit de BRP."


def test_the_entries_are_plain_json(entries):
    assert json.loads(json.dumps(list(entries.values()), ensure_ascii=False)) == list(entries.values())


def test_the_cli_writes_register_entries_for_a_stored_scan(tmp_path):
    import json

    from click.testing import CliRunner

    from scanner.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--out", str(tmp_path)]).exit_code == 0
    target = tmp_path / "register.json"
    result = runner.invoke(main, ["report", "register", "--out", str(target),
                                  "--config", str(tmp_path / "estate" / "originscan.toml")])
    assert result.exit_code == 0, result.output
    entries = {e["x_originscan"]["algorithm"]: e for e in json.loads(target.read_text())}
    risk = entries["algorithm:risicomodel-kinderopvangtoeslag"]
    assert risk["source_id"] == "UV-ALG-001" and risk["description_short"].startswith("Selecteert")  # from the register
    assert "nationaliteit (selectiecriterium)" in risk["source_data"] and risk["x_originscan"]["undeclared"]
    assert entries["algorithm:termijnbewaking-aanvragen"]["x_originscan"]["findings"] == []


def test_a_published_html_source_data_gets_a_paragraph_not_a_dangling_sentence():
    from reports.register import proposed_source_data

    finding = {"category": "birth_country", "use": "selection", "direct": True}
    assert proposed_source_data("<p>Aanvraaggegevens</p>", [finding]) == (
        "<p>Aanvraaggegevens</p><p>Afkomstgerelateerde gegevens gevonden: geboorteland (selectiecriterium).</p>")
