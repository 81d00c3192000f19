"""The store: scans as append-only snapshots, reviews as an append-only log (design §Store).

SQLite by default, any SQLAlchemy URL for a shared store. Nothing here holds a sampled value: columns carry tags
and evidence (statistics), findings carry paths of identities.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

SCHEMA_VERSION = 1


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "originscan_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ScanRow(Base):
    __tablename__ = "scans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started: Mapped[str] = mapped_column(String(32))
    finished: Mapped[str] = mapped_column(String(32))
    config: Mapped[str] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))


class ColumnRow(Base):
    __tablename__ = "scan_columns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id"), index=True)
    column: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSON)


class EdgeRow(Base):
    __tablename__ = "scan_edges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    file: Mapped[str | None] = mapped_column(Text, nullable=True)
    line: Mapped[int] = mapped_column(Integer)


class FindingRow(Base):
    __tablename__ = "scan_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id"), index=True)
    finding_id: Mapped[str] = mapped_column(String(32), index=True)
    algorithm: Mapped[str] = mapped_column(Text)
    column: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    use: Mapped[str] = mapped_column(String(32))
    path: Mapped[list] = mapped_column(JSON)
    undeclared: Mapped[bool]


class ErrorRow(Base):
    __tablename__ = "scan_errors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("scans.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(Text, nullable=True)
    line: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)


class ReviewRow(Base):
    """One entry of the review log: who said what about a finding or a tag, when and why. Never updated."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(16))  # finding | tag
    target_id: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url)
        Base.metadata.create_all(self.engine)
        with Session(self.engine) as session, session.begin():
            if session.get(Meta, "schema_version") is None:
                session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))

    def close(self) -> None:
        self.engine.dispose()

    def save_scan(self, scan: dict, columns: list[dict], edges: list[dict], findings: list[dict],
                  errors: list[dict]) -> None:
        """One scan's snapshot, written in one transaction (all or nothing)."""
        scan_id = scan["id"]
        with Session(self.engine) as session, session.begin():
            session.add(ScanRow(id=scan_id, started=scan["started"], finished=scan["finished"],
                                config=scan.get("config", ""), sources=scan["sources"], status=scan["status"]))
            session.flush()
            session.add_all(ColumnRow(scan_id=scan_id, column=c["column"], type=c["type"], tags=c["tags"])
                            for c in columns)
            session.add_all(EdgeRow(scan_id=scan_id, source=e["source"], target=e["target"], kind=e["kind"],
                                    file=e["file"], line=e["line"]) for e in edges)
            session.add_all(FindingRow(scan_id=scan_id, finding_id=f["id"], algorithm=f["algorithm"],
                                       column=f["column"], category=f["category"], use=f["use"], path=f["path"],
                                       undeclared=f["undeclared"]) for f in findings)
            session.add_all(ErrorRow(scan_id=scan_id, source=e["source"], file=e["file"], line=e["line"],
                                     message=e["message"]) for e in errors)

    def add_review(self, target: str, target_id: str, status: str, reviewer: str, reason: str = "",
                   data: dict | None = None) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(ReviewRow(target=target, target_id=target_id, status=status, data=data or {},
                                  reviewer=reviewer, reason=reason, created=datetime.now(timezone.utc)))

    def latest_reviews(self, target: str) -> dict[str, dict]:
        """The latest entry per reviewed id: the log is append-only and the newest entry wins."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ReviewRow).where(ReviewRow.target == target).order_by(ReviewRow.id))
            latest = {}
            for row in rows:
                latest[row.target_id] = {"status": row.status, "reviewer": row.reviewer, "reason": row.reason,
                                         "date": row.created.isoformat(timespec="seconds"), **row.data}
            return latest

    def scan_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(ScanRow.id).order_by(ScanRow.started, ScanRow.id)))
