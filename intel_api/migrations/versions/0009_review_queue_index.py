"""review queue index: open flags newest first without sorting every open flag

The review queue lists flags by status, newest first. With only (status, kind) indexed, each page
sorted every open flag (40,000 of them at 10 million sightings); (status, created_at, id) serves the
page straight from the index, in order.

Revision ID: 0009_review_queue_index
Revises: 0008_scale
Create Date: 2026-12-02 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_review_queue_index"
down_revision: str | None = "0008_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_flag_status_created", "flag", ["status", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_flag_status_created", table_name="flag")
