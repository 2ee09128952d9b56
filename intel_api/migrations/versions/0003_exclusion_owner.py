"""exclusion owner: exclusions, like hotlist entries, name who answers for them

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exclusion") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=100), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("exclusion") as batch:
        batch.drop_column("owner")
