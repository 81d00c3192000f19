"""The store on SQLite and on a real PostgreSQL server: scans are snapshots, reviews a log that rescans keep."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from reports.export import build_document
from scanner.config import load_config
from scanner.pipeline import run_scan
from scanner.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_database")


def _scan_into(store: Store, config: Path) -> dict:
    result = run_scan(load_config(config))
    document = build_document(result, store.latest_reviews("finding"))
    store.save_scan(dict(document["scan"], status="ok"), document["columns"],
                    [e.to_json() for e in result.lineage.edges], document["findings"], document["errors"])
    return document


def test_scans_are_snapshots_and_reviews_reattach(store_url: str, estate: Path) -> None:
    store = Store(store_url)
    first = _scan_into(store, estate)
    assert all(f["review"] == {"status": "unreviewed"} for f in first["findings"])
    selection = next(f for f in first["findings"] if f["use"] == "selection")
    store.add_review("finding", selection["id"], "to_assess", reviewer="steward", reason="first look")
    store.add_review("finding", selection["id"], "unlawful", reviewer="jurist", reason="no legal basis",
                     data={"decision": "stop"})
    second = _scan_into(store, estate)
    review = next(f["review"] for f in second["findings"] if f["id"] == selection["id"])
    assert review["status"] == "unlawful" and review["decision"] == "stop" and review["reviewer"] == "jurist"
    assert len(store.scan_ids()) == 2 and first["scan"]["id"] != second["scan"]["id"]
    engine = create_engine(store_url)
    with engine.connect() as conn:
        counts = conn.execute(text("SELECT scan_id, count(*) FROM scan_findings GROUP BY scan_id")).all()
        log = conn.execute(text("SELECT count(*) FROM reviews")).scalar()
    engine.dispose()
    store.close()
    assert sorted(n for _, n in counts) == [len(first["findings"])] * 2
    assert log == 2  # the log keeps every entry; the latest wins
