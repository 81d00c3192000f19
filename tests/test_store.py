"""The store on SQLite and on a real PostgreSQL server: scans are snapshots, reviews a log that rescans keep."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from reports.export import build_document
from scanner.config import load_config
from scanner.pipeline import run_scan
from scanner.review import load_state
from scanner.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_database")


def _scan_into(store: Store, config: Path) -> dict:
    state = load_state(store)
    result = run_scan(load_config(config), tag_reviews=state.tags)
    document = build_document(result, state)
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


def test_a_store_from_before_migrations_is_upgraded_and_keeps_its_reviews(tmp_path: Path) -> None:
    import sqlite3

    from scanner.store import HEAD

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((Path(__file__).parent / "fixtures" / "store" / "v1.sql").read_text())
    store = Store(f"sqlite:///{path}")
    scans = store.scans()
    # Both old scans started in the same second: the upgrade numbers them by (started, id), stably.
    assert [(s["number"], s["id"][-1]) for s in scans] == [(1, "1"), (2, "2")]
    review = store.latest_reviews("finding")["f00000000000000a"]
    assert (review["status"], review["decision"], review["reviewer"], review["via"]) == \
        ("unlawful", "stop", "jurist", "cli")
    assert store.presence({"f00000000000000a"}) == {"f00000000000000a": [2]}
    store.close()
    Store(f"sqlite:///{path}").close()  # opening again is a no-op
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def test_a_new_store_gets_every_migration(store_url: str) -> None:
    from scanner.store import HEAD

    Store(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT count(*) FROM scans")).scalar() == 0
    engine.dispose()
