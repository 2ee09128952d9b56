"""scale: every field of the sighting contract stored; flag_sighting.sighting_id indexed

The consensus plate's time, box and reader, a candidate's grammar format and a sighting's `extra`
annotations were dropped on the way into the database; they now have columns, so a stored sighting
turns back into the record it was made from. `flag_sighting` is keyed (flag_id, sighting_id): a
look-up or a cascade delete by sighting scanned the whole table without its own index.

Revision ID: 0008_scale
Revises: 0005_web_sessions
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_scale"
down_revision: str | None = "0007_enforcement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sighting") as batch:
        batch.add_column(sa.Column("plate_timestamp", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("plate_box", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("plate_reader", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("plate_quality", sa.Float(), nullable=True))
        batch.add_column(sa.Column("extra", sa.JSON(), nullable=True))
    with op.batch_alter_table("plate_read") as batch:
        batch.add_column(sa.Column("grammar_format", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("quality", sa.Float(), nullable=True))
    op.create_index("ix_flag_sighting_sighting_id", "flag_sighting", ["sighting_id"])


def downgrade() -> None:
    op.drop_index("ix_flag_sighting_sighting_id", table_name="flag_sighting")
    with op.batch_alter_table("plate_read") as batch:
        batch.drop_column("quality")
        batch.drop_column("grammar_format")
    with op.batch_alter_table("sighting") as batch:
        batch.drop_column("extra")
        batch.drop_column("plate_quality")
        batch.drop_column("plate_reader")
        batch.drop_column("plate_box")
        batch.drop_column("plate_timestamp")
