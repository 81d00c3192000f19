"""The detection benchmark's scoring, on a small corpus built into a real SQLite file (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.detection.accuracy import build_sqlite, load, predictions, report, score
from tests.conftest import FIXTURES


def test_scoring_counts_hits_misses_and_confusions(tmp_path: Path) -> None:
    tables = load(Path(FIXTURES) / "detect" / "mini_corpus.json")
    result = score(tables, predictions(build_sqlite(tables, tmp_path / "c.db")))
    per = {category: dict(counts) for category, counts in result["per"].items()}
    assert per == {"birth_country": {"tp": 1}, "nationality": {"fn": 1}, "proxy:neighbourhood": {"tp": 1}}
    assert dict(result["confusion"]) == {("nationality", "none"): 1}  # its evidence is a comment: SQLite has none
    text = report("t", result)
    assert "= direct (micro)                 1.000   0.500" in text
    assert "nationality -> none: 1  (lo3_pl_persoon.veld7)" in text


def test_every_shipped_second_labelling_covers_exactly_its_corpus_columns() -> None:
    from benchmarks.detection.accuracy import CORPUS, second_labelling

    labelled = [c for c in sorted(CORPUS.parent.glob("*.json")) if "." not in c.stem and second_labelling(c)]
    assert labelled, "no corpus has a second labelling"
    for corpus in labelled:
        columns = {(t["name"].lower(), c["name"].lower()) for t in load(corpus) for c in t["columns"]}
        second = second_labelling(corpus)
        assert set(second) == columns
        # the two labellers disagree somewhere, and scoring one against the other counts it
        assert score(load(corpus), second)["confusion"]


def test_misses_lists_each_wrong_column_with_its_comment(tmp_path: Path) -> None:
    from benchmarks.detection.accuracy import misses

    tables = load(Path(FIXTURES) / "detect" / "mini_corpus.json")
    listed = misses(tables, predictions(build_sqlite(tables, tmp_path / "c.db")))
    lines = listed.splitlines()[1:]
    assert len(lines) == 1 and "nationality <- none" in lines[0] and "lo3_pl_persoon.veld7" in lines[0]
    assert lines[0].endswith("| Nationaliteit: Tabel 32")
    assert misses(tables, {(t["name"].lower(), c["name"].lower()): c["label"] for t in tables for c in t["columns"]}) \
        == "  no misses on direct categories"
