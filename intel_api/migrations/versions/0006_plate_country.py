"""plate country: a sighting records the country its plate was read as, and whether it is foreign

Revision ID: 0006_plate_country
Revises: 0005_web_sessions
Create Date: 2026-12-01 22:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from detect.reading.country import country_of_format, is_foreign_format

revision: str = "0006_plate_country"
down_revision: str | None = "0005_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sighting") as batch:
        batch.add_column(sa.Column("plate_country", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("plate_foreign", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rows stored before this revision: their format already says which country they were read as.
    conn = op.get_bind()
    sighting = sa.table(
        "sighting",
        sa.column("id", sa.Integer),
        sa.column("plate_format", sa.String),
        sa.column("plate_country", sa.String),
        sa.column("plate_foreign", sa.Boolean),
    )
    formats = conn.execute(
        sa.select(sighting.c.plate_format).where(sighting.c.plate_format.is_not(None)).distinct()
    )
    for (fmt,) in formats.all():
        conn.execute(
            sa.update(sighting)
            .where(sighting.c.plate_format == fmt)
            .values(plate_country=country_of_format(fmt), plate_foreign=is_foreign_format(fmt))
        )


def downgrade() -> None:
    with op.batch_alter_table("sighting") as batch:
        batch.drop_column("plate_foreign")
        batch.drop_column("plate_country")
