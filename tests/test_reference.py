"""Loading the full RvIG tables with `originscan reference load` (UTF-16 and UTF-8 CSVs, as RvIG publishes them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.detect.values import evidence, profile, value_sets


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("ORIGINSCAN_DATA_DIR", str(tmp_path / "data"))
    value_sets.cache_clear()
    yield tmp_path / "data"
    value_sets.cache_clear()


def test_loading_tabel_32_adds_its_codes_and_descriptions(tmp_path: Path) -> None:
    before = evidence(profile(["0146", "0147", "0148", "0146"]))
    csv = tmp_path / "Tabel32 Nationaliteitentabel.csv"
    csv.write_bytes(("05.11 Nationaliteitscode;05.12 Omschrijving;85.10 Datum ingang\n"
                     "0146;Testnationaliteit A;19000101\n0147;Testnationaliteit B;19000101\n"
                     "0148;Testnationaliteit C;19000101\n").encode("utf-16"))
    result = CliRunner().invoke(main, ["reference", "load", str(csv)])
    assert result.exit_code == 0, result.output
    assert "Tabel 32: 3 codes loaded" in result.output
    assert before == []
    assert evidence(profile(["0146", "0147", "0148", "0146"])) == [("brp_nationaliteit", 1.0)]
    assert evidence(profile(["Testnationaliteit A", "Testnationaliteit C"])) == [("nationality_adjective", 1.0)]


def test_a_file_that_is_no_rvig_table_is_refused(tmp_path: Path, data_dir: Path) -> None:
    other = tmp_path / "klanten.csv"
    other.write_text("naam;woonplaats\nJansen;Utrecht\n", encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["reference", "load", str(other)])
    assert result.exit_code == 1 and "not Tabel 32 or 34" in result.output
    assert not data_dir.exists()
