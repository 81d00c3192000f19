"""The first store: scans as snapshots (columns, edges, findings, errors) and the review log.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("originscan_meta", sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text(), nullable=False))
    op.create_table("scans", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("started", sa.String(32), nullable=False),
                    sa.Column("finished", sa.String(32), nullable=False),
                    sa.Column("config", sa.Text(), nullable=False), sa.Column("sources", sa.JSON(), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False))
    op.create_table("scan_columns", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False, index=True),
                    sa.Column("column", sa.Text(), nullable=False), sa.Column("type", sa.Text(), nullable=False),
                    sa.Column("tags", sa.JSON(), nullable=False))
    op.create_table("scan_edges", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False, index=True),
                    sa.Column("source", sa.Text(), nullable=False), sa.Column("target", sa.Text(), nullable=False),
                    sa.Column("kind", sa.String(16), nullable=False), sa.Column("file", sa.Text(), nullable=True),
                    sa.Column("line", sa.Integer(), nullable=False))
    op.create_table("scan_findings", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False, index=True),
                    sa.Column("finding_id", sa.String(32), nullable=False, index=True),
                    sa.Column("algorithm", sa.Text(), nullable=False), sa.Column("column", sa.Text(), nullable=False),
                    sa.Column("category", sa.String(64), nullable=False), sa.Column("use", sa.String(32), nullable=False),
                    sa.Column("path", sa.JSON(), nullable=False), sa.Column("undeclared", sa.Boolean(), nullable=False))
    op.create_table("scan_errors", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False, index=True),
                    sa.Column("source", sa.Text(), nullable=False), sa.Column("file", sa.Text(), nullable=True),
                    sa.Column("line", sa.Integer(), nullable=False), sa.Column("message", sa.Text(), nullable=False))
    op.create_table("reviews", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("target", sa.String(16), nullable=False),
                    sa.Column("target_id", sa.Text(), nullable=False, index=True),
                    sa.Column("status", sa.String(32), nullable=False), sa.Column("data", sa.JSON(), nullable=False),
                    sa.Column("reviewer", sa.Text(), nullable=False), sa.Column("reason", sa.Text(), nullable=False),
                    sa.Column("created", sa.DateTime(timezone=True), nullable=False))


def downgrade() -> None:
    for table in ("reviews", "scan_errors", "scan_findings", "scan_edges", "scan_columns", "scans", "originscan_meta"):
        op.drop_table(table)
