"""enforcement workflow: escalation ladder, representations, keeper check, measured colour (issue 12)

Revision ID: 0007_enforcement
Revises: 0003
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_enforcement"
down_revision: str | None = "0006_plate_country"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    with op.batch_alter_table("sighting") as batch:
        batch.add_column(sa.Column("colour", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("colour_confidence", sa.Float(), nullable=True))
    with op.batch_alter_table("letter") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("keeper_check", sa.JSON(), nullable=True))
    op.create_table(
        "ladder_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_text", sa.String(length=16), nullable=False),
        sa.Column("status", _enum("ladderstatus", "active", "stopped", "expired"), nullable=False),
        sa.Column("current_stage", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ladder_case")),
    )
    with op.batch_alter_table("ladder_case") as batch:
        batch.create_index(batch.f("ix_ladder_case_plate_text"), ["plate_text"], unique=False)
    op.create_table(
        "ladder_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            _enum("stepstatus", "drafted", "approved", "done", "rejected", "skipped", "withdrawn"),
            nullable=False,
        ),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("template_version", sa.String(length=32), nullable=True),
        sa.Column("drafted_reason", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf_path", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["ladder_case.id"],
            name=op.f("fk_ladder_step_case_id_ladder_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flag.id"], name=op.f("fk_ladder_step_flag_id_flag"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_ladder_step_letter_id_letter"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ladder_step")),
    )
    with op.batch_alter_table("ladder_step") as batch:
        batch.create_index(batch.f("ix_ladder_step_case_id"), ["case_id"], unique=False)
    op.create_table(
        "representation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_whom", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "outcome", _enum("representationoutcome", "pending", "upheld", "not_upheld"), nullable=False
        ),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exclusion_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["letter.id"], name=op.f("fk_representation_letter_id_letter"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exclusion_id"],
            ["exclusion.id"],
            name=op.f("fk_representation_exclusion_id_exclusion"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representation")),
    )
    with op.batch_alter_table("representation") as batch:
        batch.create_index(batch.f("ix_representation_letter_id"), ["letter_id"], unique=False)


def downgrade() -> None:
    op.drop_table("representation")
    op.drop_table("ladder_step")
    op.drop_table("ladder_case")
    with op.batch_alter_table("letter") as batch:
        batch.drop_column("keeper_check")
        batch.drop_column("sent_at")
        batch.drop_column("stage")
    with op.batch_alter_table("sighting") as batch:
        batch.drop_column("colour_confidence")
        batch.drop_column("colour")
