"""Detection by sampled values: statistics only, and never a value in any output, log or store."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from scanner.cli import main
from scanner.detect import classify_column
from scanner.detect.values import evidence, profile
from tests.conftest import run_sql


@pytest.mark.parametrize("values, expected", [
    (["6030", "5022", "6043", "6030", None, "onbekend"], [("brp_land", 1.0)]),
    ([6030, 5022, 6043, 1], [("brp_land", 0.75)]),  # integers, one that is no country code
    (["NL", "MA", "TR", "BE"], [("iso_alpha2", 1.0)]),
    (["NLD", "MAR", "TUR"], [("iso_alpha3", 1.0)]),
    (["528", "504", "792"], [("iso_numeric", 1.0)]),
    (["Marokko", "Nederland", "Turkije"], [("country_name_nl", 1.0)]),
    (["Nederlandse", "Marokkaanse", "Turkse", "Burger van de Bondsrepubliek Duitsland"], [("nationality_adjective", 1.0)]),
    (["autochtoon", "niet-westers", "westers"], [("herkomst_class", 1.0)]),
    (["White", "Black or African American", "Asian"], [("ethnicity_term", 1.0)]),
    ([0, 1, 1, 0, 1], []),  # a flag is not a column of codes, though 0001 is Tabel 32's code for Dutch
    (["aanvraag", "brief", "e-mail"], []),
    ([], []),
])
def test_value_sets(values, expected) -> None:
    assert [(name, round(ratio, 2)) for name, ratio in evidence(profile(values))] == expected


def test_values_alone_tag_only_what_they_name() -> None:
    assert [t.category for t in classify_column("code_2", None, profile(["Marokkaanse", "Turkse", "Nederlandse"]))] \
        == ["nationality"]
    assert classify_column("land", None, profile(["NL", "BE", "DE"])) == []  # an address country: no origin tag
    supported = classify_column("geboorteland", None, profile(["6030", "5022", "6043"]))[0]
    assert supported.confidence > classify_column("geboorteland")[0].confidence
    assert supported.evidence[1].to_json() == {"rule": "values", "detail": "BRP Tabel 34 country codes",
                                                "ratio": 1.0, "sampled": 3}


def test_profile_holds_counts_not_values() -> None:
    result = profile(["Marokkaanse", "secret-value-123"])
    assert "secret-value-123" not in repr(result) and "Marokkaanse" not in repr(result)
    assert result.sampled == 2 and result.distinct == 2


def _planted(url: str) -> list[str]:
    """A person table with unique values that must never leave the database."""
    marks = [f"PLANTED-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    rows = ", ".join(f"({i}, '{marks[i % 3]}', 'Marokkaanse', '{marks[(i + 1) % 3]}')" for i in range(40))
    run_sql(url, "CREATE TABLE persoon (id INTEGER, naam TEXT, omschrijving_2 TEXT, notitie TEXT);"
                 f"INSERT INTO persoon VALUES {rows};")
    return marks


def _classify_sampled(url: str, marks: list[str]) -> None:
    result = CliRunner().invoke(main, ["classify", url, "--name", "bron", "--sample", "25"])
    assert result.exit_code == 0, result.output
    assert not [m for m in marks if m in result.output]
    columns = {c["column"].rsplit(".", 1)[1]: c for c in json.loads(result.output)["columns"]}
    tag = columns["omschrijving_2"]["tags"][0]
    assert tag["category"] == "nationality"
    assert tag["evidence"] == [{"rule": "values", "detail": "nationality adjectives (nl/en)", "ratio": 1.0,
                                "sampled": 25}, {"rule": "context", "detail": "person table (persoon)"}]


def test_classify_samples_sqlite_without_showing_values(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bron.db'}"
    _classify_sampled(url, _planted(url))


def test_classify_samples_postgres_without_showing_values(pg_database: str) -> None:
    _classify_sampled(pg_database, _planted(pg_database))


def test_no_sampled_value_reaches_any_output_or_the_store(tmp_path: Path, pg_database: str) -> None:
    marks = _planted(pg_database)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "originscan.toml").write_text(f'[store]\nurl = "{store}"\n[[sources]]\nname = "bron"\n'
                                              f'url = "{pg_database}"\nsample = 100\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "originscan.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = list((tmp_path / "out").iterdir()) + [tmp_path / "store.db"]
    assert len(written) >= 6
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            from openpyxl import load_workbook

            data = "\n".join(str(v) for sheet in load_workbook(path) for row in sheet.iter_rows(values_only=True)
                             for v in row).encode()
        assert not [m for m in marks if m.encode() in data], path.name
    assert not [m for m in marks if m in result.output]
    engine = create_engine(pg_database)
    with engine.connect() as conn:  # the source itself still has them: the test planted what it looks for
        assert conn.execute(text("SELECT count(*) FROM persoon WHERE naam = :m"), {"m": marks[0]}).scalar() > 0
    engine.dispose()


def test_values_speak_alone_only_when_name_and_comment_are_silent() -> None:
    languages = profile(["Turks", "Nederlands", "Arabisch", "Pools"])  # Dutch language names = nationality adjectives
    assert [t.category for t in classify_column("thuistaal", None, languages)] == ["proxy:language"]
    assert [t.category for t in classify_column("kenmerk_4", None, languages)] == ["nationality"]
