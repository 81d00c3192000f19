"""Scans get a sequence number (started is kept to the second, so two quick scans tie), and every review entry
records the scan the reviewer looked at and how it was recorded (command line, or which spreadsheet).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    scans = sa.table("scans", sa.column("id", sa.String), sa.column("started", sa.String),
                     sa.column("number", sa.Integer))
    connection = op.get_bind()
    ordered = connection.execute(sa.select(scans.c.id).order_by(scans.c.started, scans.c.id)).scalars().all()
    for number, scan_id in enumerate(ordered, start=1):
        connection.execute(scans.update().where(scans.c.id == scan_id).values(number=number))
    with op.batch_alter_table("scans") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_scans_number", ["number"])
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("scan_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("via", sa.Text(), nullable=False, server_default="cli"))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("via")
        batch.drop_column("scan_id")
    with op.batch_alter_table("scans") as batch:
        batch.drop_constraint("uq_scans_number", type_="unique")
        batch.drop_column("number")
