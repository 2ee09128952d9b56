"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 10:59:31.585910
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("camera", "letters", name="apikeyscope", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index("ix_audit_event_at", ["at"], unique=False)

    op.create_table(
        "camera",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=400), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("direction_of_travel", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera")),
    )
    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_text", sa.String(length=16), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "resident",
                "bus",
                "taxi",
                "emergency",
                "business",
                "other",
                name="exclusioncategory",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion")),
    )
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exclusion_plate_text"), ["plate_text"], unique=False)

    op.create_table(
        "hotlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_text", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotlist_entry")),
    )
    with op.batch_alter_table("hotlist_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotlist_entry_plate_text"), ["plate_text"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("officer", "supervisor", "admin", name="role", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("slow", "circling", "frequent", "hotlist", name="flagkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open", "confirmed", "dismissed", "escalated", name="flagstatus", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("plate_text", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("matched_by", sa.String(length=8), nullable=True),
        sa.Column("hotlist_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hotlist_entry_id"],
            ["hotlist_entry.id"],
            name=op.f("fk_flag_hotlist_entry_id_hotlist_entry"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_flag_dedupe_key")),
    )
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_plate_text"), ["plate_text"], unique=False)
        batch_op.create_index("ix_flag_status_kind", ["status", "kind"], unique=False)

    op.create_table(
        "sighting",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("track_key", sa.String(length=160), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vehicle_class", sa.String(length=16), nullable=False),
        sa.Column("plate_raw", sa.String(length=16), nullable=True),
        sa.Column("plate_text", sa.String(length=16), nullable=True),
        sa.Column("plate_confidence", sa.Float(), nullable=True),
        sa.Column("plate_format", sa.String(length=32), nullable=True),
        sa.Column("plate_valid", sa.Boolean(), nullable=False),
        sa.Column("plate_corrected_by", sa.String(length=64), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("min_speed_kmh", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=32), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("stopped_seconds", sa.Float(), nullable=False),
        sa.Column("dwell_seconds", sa.Float(), nullable=False),
        sa.Column("zone_dwell", sa.JSON(), nullable=False),
        sa.Column("plate_image_path", sa.String(length=500), nullable=True),
        sa.Column("vehicle_image_path", sa.String(length=500), nullable=True),
        sa.Column("frames_seen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_sighting_camera_id_camera"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sighting")),
        sa.UniqueConstraint("track_key", name=op.f("uq_sighting_track_key")),
    )
    with op.batch_alter_table("sighting", schema=None) as batch_op:
        batch_op.create_index("ix_sighting_camera_first_seen", ["camera_id", "first_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_sighting_first_seen"), ["first_seen"], unique=False)
        batch_op.create_index("ix_sighting_plate_first_seen", ["plate_text", "first_seen"], unique=False)

    op.create_table(
        "flag_sighting",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("sighting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flag.id"], name=op.f("fk_flag_sighting_flag_id_flag"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sighting_id"],
            ["sighting.id"],
            name=op.f("fk_flag_sighting_sighting_id_sighting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flag_id", "sighting_id", name=op.f("pk_flag_sighting")),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("plate_text", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_approval",
                "approved",
                "sent",
                "cancelled",
                "responded",
                name="letterstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("policy_window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template_version", sa.String(length=32), nullable=False),
        sa.Column("keeper_name", sa.String(length=200), nullable=True),
        sa.Column("keeper_address", sa.Text(), nullable=True),
        sa.Column("keeper_lookup_source", sa.String(length=64), nullable=True),
        sa.Column("pdf_path", sa.String(length=500), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_rationale", sa.Text(), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("keeper_response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["user_account.id"],
            name=op.f("fk_letter_approved_by_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flag.id"], name=op.f("fk_letter_flag_id_flag"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_flag_id"), ["flag_id"], unique=False)
        batch_op.create_index("ix_letter_plate_created", ["plate_text", "created_at"], unique=False)

    op.create_table(
        "plate_read",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sighting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_text", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reader", sa.String(length=32), nullable=False),
        sa.Column("grammar_valid", sa.Boolean(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sighting_id"],
            ["sighting.id"],
            name=op.f("fk_plate_read_sighting_id_sighting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate_read")),
    )
    with op.batch_alter_table("plate_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plate_read_sighting_id"), ["sighting_id"], unique=False)

    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum("confirm", "dismiss", "escalate", name="reviewaction", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_plate", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flag.id"], name=op.f("fk_review_flag_id_flag"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_review_user_id_user_account"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_flag_id"), ["flag_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_flag_id"))

    op.drop_table("review")
    with op.batch_alter_table("plate_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plate_read_sighting_id"))

    op.drop_table("plate_read")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_plate_created")
        batch_op.drop_index(batch_op.f("ix_letter_flag_id"))

    op.drop_table("letter")
    op.drop_table("flag_sighting")
    with op.batch_alter_table("sighting", schema=None) as batch_op:
        batch_op.drop_index("ix_sighting_plate_first_seen")
        batch_op.drop_index(batch_op.f("ix_sighting_first_seen"))
        batch_op.drop_index("ix_sighting_camera_first_seen")

    op.drop_table("sighting")
    with op.batch_alter_table("flag", schema=None) as batch_op:
        batch_op.drop_index("ix_flag_status_kind")
        batch_op.drop_index(batch_op.f("ix_flag_plate_text"))

    op.drop_table("flag")
    op.drop_table("user_account")
    with op.batch_alter_table("hotlist_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotlist_entry_plate_text"))

    op.drop_table("hotlist_entry")
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exclusion_plate_text"))

    op.drop_table("exclusion")
    op.drop_table("camera")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_at")
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    op.drop_table("api_key")
