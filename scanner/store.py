"""The store: scans as append-only snapshots, reviews as an append-only log (design §Store).

SQLite by default, any SQLAlchemy URL for a shared store. Nothing here holds a sampled value: columns carry tags
and evidence (statistics), findings carry paths of identities.
"""

from __future__ import annotations

from datetime import datetime, timezone
from importlib.resources import files

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, create_engine, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from connectors.database import resolve_url

HEAD = "0003"  # the newest migration in scanner/migrations/versions


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "originscan_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ScanRow(Base):
    __tablename__ = "scans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # 1, 2, ...: the order scans were stored in
    started: Mapped[str] = mapped_column(String(32))
    finished: Mapped[str] = mapped_column(String(32))
    config: Mapped[str] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # findings.json as written; None before 0003


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
    scan_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the scan the reviewer looked at
    via: Mapped[str] = mapped_column(Text, default="cli")  # cli, or the spreadsheet it was imported from


def migrate(engine: Engine) -> None:
    """Bring a store to the current schema (Alembic migrations shipped in the package).

    A store made before migrations existed (tables, no ``alembic_version``) is the first revision: it is stamped
    so, then upgraded like any other. An empty database gets every migration from the start.
    """
    with engine.begin() as connection:
        if MigrationContext.configure(connection).get_current_revision() == HEAD:
            return
        config = AlembicConfig()
        config.set_main_option("script_location", str(files("scanner") / "migrations"))
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "scans" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, "head")


class Store:
    """Scans, their findings and the review log, in any SQLAlchemy database."""

    def __init__(self, url: str, scope: str | None = None) -> None:
        """``url`` may hold ``${VAR}`` (a password from the environment). With ``scope`` (a config path), "the
        latest scan" means the latest scan of that config: a shared store holds many."""
        self.url = url
        self.scope = scope
        self.engine: Engine = create_engine(resolve_url(url))
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def save_scan(self, scan: dict, columns: list[dict], edges: list[dict], findings: list[dict],
                  errors: list[dict], document: dict | None = None) -> int:
        """One scan's snapshot, written in one transaction (all or nothing); returns its number.

        ``document`` is the scan's findings.json, kept whole so reports can be rendered again from the store.
        """
        for attempt in range(5):  # scans stored at the same moment by other processes take the next number
            try:
                return self._save_scan(scan, columns, edges, findings, errors, document)
            except IntegrityError:
                if attempt == 4 or self.scan(scan["id"]) is not None:
                    raise
        raise AssertionError("unreachable")

    def _save_scan(self, scan: dict, columns: list[dict], edges: list[dict], findings: list[dict],
                   errors: list[dict], document: dict | None) -> int:
        scan_id = scan["id"]
        with Session(self.engine) as session, session.begin():
            number = (session.scalar(select(func.max(ScanRow.number))) or 0) + 1
            session.add(ScanRow(id=scan_id, number=number, started=scan["started"], finished=scan["finished"],
                                config=scan.get("config", ""), sources=scan["sources"], status=scan["status"],
                                document=document))
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
        return number

    def add_review(self, target: str, target_id: str, status: str, reviewer: str, reason: str = "",
                   data: dict | None = None, scan_id: str | None = None, via: str = "cli") -> None:
        self.add_reviews([{"target": target, "target_id": target_id, "status": status, "reviewer": reviewer,
                           "reason": reason, "data": data or {}, "scan_id": scan_id, "via": via}])

    def add_reviews(self, entries: list[dict]) -> None:
        """Append entries to the log in one transaction: all land, or none (a spreadsheet import is one act)."""
        now = datetime.now(timezone.utc)
        with Session(self.engine) as session, session.begin():
            session.add_all(ReviewRow(target=e["target"], target_id=e["target_id"], status=e["status"],
                                      data=e.get("data") or {}, reviewer=e["reviewer"], reason=e.get("reason", ""),
                                      created=now, scan_id=e.get("scan_id"), via=e.get("via", "cli"))
                            for e in entries)

    def latest_reviews(self, target: str) -> dict[str, dict]:
        """The latest entry per reviewed id: the log is append-only and the newest entry wins."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ReviewRow).where(ReviewRow.target == target).order_by(ReviewRow.id))
            return {row.target_id: _entry(row) for row in rows}

    def history(self, target_id: str) -> list[dict]:
        """Every entry ever recorded for one finding or tag, oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ReviewRow).where(ReviewRow.target_id == target_id).order_by(ReviewRow.id))
            return [_entry(row) for row in rows]

    def scan_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(ScanRow.id).order_by(ScanRow.number)))

    def scans(self) -> list[dict]:
        """Every stored scan, oldest first."""
        with Session(self.engine) as session:
            return [_scan(row) for row in session.scalars(select(ScanRow).order_by(ScanRow.number))]

    def scan(self, ref: str | None = None) -> dict | None:
        """A scan by id, unique id prefix or number; the latest one (of the scope's config, if set) when ``ref``
        is None."""
        scans = self.scans()
        if ref is None:
            scoped = [s for s in scans if self.scope is None or s["config"] == self.scope]
            return scoped[-1] if scoped else None
        hits = [s for s in scans if str(s["number"]) == ref or s["id"] == ref] or \
               [s for s in scans if s["id"].startswith(ref)]
        return hits[0] if len(hits) == 1 else None

    def document(self, scan_id: str) -> dict | None:
        """The findings document the scan wrote (None for scans stored before documents were kept)."""
        with Session(self.engine) as session:
            row = session.get(ScanRow, scan_id)
            return row.document if row is not None else None

    def findings(self, scan_id: str) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.scalars(select(FindingRow).where(FindingRow.scan_id == scan_id).order_by(FindingRow.id))
            return [{"id": r.finding_id, "algorithm": r.algorithm, "column": r.column, "category": r.category,
                     "direct": not r.category.startswith("proxy:"), "use": r.use, "path": r.path,
                     "undeclared": r.undeclared} for r in rows]

    def columns(self, scan_id: str) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ColumnRow).where(ColumnRow.scan_id == scan_id).order_by(ColumnRow.id))
            return [{"column": r.column, "type": r.type, "tags": r.tags} for r in rows]

    def edges(self, scan_id: str) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.scalars(select(EdgeRow).where(EdgeRow.scan_id == scan_id).order_by(EdgeRow.id))
            return [{"source": r.source, "target": r.target, "kind": r.kind, "file": r.file, "line": r.line}
                    for r in rows]

    def errors(self, scan_id: str) -> list[dict]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ErrorRow).where(ErrorRow.scan_id == scan_id).order_by(ErrorRow.id))
            return [{"source": r.source, "file": r.file, "line": r.line, "message": r.message} for r in rows]

    def presence(self, finding_ids: set[str]) -> dict[str, list[int]]:
        """For each finding id, the numbers of the scans that found it."""
        found: dict[str, list[int]] = {fid: [] for fid in finding_ids}
        if not finding_ids:
            return found
        with Session(self.engine) as session:
            rows = session.execute(select(FindingRow.finding_id, ScanRow.number)
                                   .join(ScanRow, ScanRow.id == FindingRow.scan_id)
                                   .where(FindingRow.finding_id.in_(sorted(finding_ids)))
                                   .order_by(ScanRow.number))
            for fid, number in rows:
                found[fid].append(number)
        return found

    def finding_ids(self, scan_ids: list[str]) -> set[str]:
        """Every finding id that any of these scans found."""
        if not scan_ids:
            return set()
        with Session(self.engine) as session:
            return set(session.scalars(select(FindingRow.finding_id).where(FindingRow.scan_id.in_(scan_ids))))

    def finding(self, finding_id: str) -> dict | None:
        """The finding as the most recent scan that had it saw it."""
        with Session(self.engine) as session:
            row = session.scalars(select(FindingRow).join(ScanRow, ScanRow.id == FindingRow.scan_id)
                                  .where(FindingRow.finding_id == finding_id)
                                  .order_by(ScanRow.number.desc()).limit(1)).first()
            if row is None:
                return None
            return {"id": row.finding_id, "algorithm": row.algorithm, "column": row.column,
                    "category": row.category, "use": row.use, "path": row.path, "undeclared": row.undeclared}


def _entry(row: ReviewRow) -> dict:
    return {**row.data, "entry": row.id, "status": row.status, "reviewer": row.reviewer, "reason": row.reason,
            "date": _utc(row.created).isoformat(timespec="seconds"), "scan": row.scan_id, "via": row.via}


def _utc(moment: datetime) -> datetime:
    """In UTC: SQLite hands back naive datetimes (every moment stored here was UTC), PostgreSQL aware ones in the
    session's time zone, and dates are compared as ISO strings."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _scan(row: ScanRow) -> dict:
    return {"id": row.id, "number": row.number, "started": row.started, "finished": row.finished,
            "config": row.config, "sources": row.sources, "status": row.status}
