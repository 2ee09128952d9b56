"""month partitions: sighting and plate_read partitioned by month on PostgreSQL

Retention removed a month of sightings by deleting rows: 131 s for 819,206 sightings at 10 M a
year. Partitioned by month of `first_seen`, an expired month is two partitions dropped. PostgreSQL
wants the partition key in every unique constraint and foreign-key target, so on PostgreSQL
`sighting`'s primary key becomes (id, first_seen), `track_key` is unique with `first_seen`, and
`plate_read` and `flag_sighting` carry their sighting's first_seen (`sighting_first_seen`) in a
two-column foreign key (ON UPDATE CASCADE: a sighting moved in time takes its reads and links
along; PostgreSQL 15 or later moves a row between partitions as an update). SQLite gets the same
columns and keys but no partitions. The rows are copied into the new tables in one transaction;
ids and their sequences are kept.

Revision ID: 0010_month_partitions
Revises: 0009_review_queue_index
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from intel_api.db.partitions import Month, ensure_months

revision: str = "0010_month_partitions"
down_revision: str | None = "0009_review_queue_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHILD_FKS = ("plate_read", "flag_sighting")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()


def _sql(*statements: str) -> None:
    for statement in statements:
        op.execute(statement)


def _sequence(table: str) -> str:
    name = op.get_bind().execute(sa.text(f"SELECT pg_get_serial_sequence('{table}', 'id')")).scalar()
    assert isinstance(name, str), f"{table}.id has no sequence"
    return name


def _pg_upgrade() -> None:
    conn = op.get_bind()
    seq_s, seq_r = _sequence("sighting"), _sequence("plate_read")
    _sql(
        "ALTER TABLE flag_sighting DROP CONSTRAINT fk_flag_sighting_sighting_id_sighting",
        "ALTER TABLE flag_sighting ADD COLUMN sighting_first_seen TIMESTAMP WITH TIME ZONE",
        "UPDATE flag_sighting f SET sighting_first_seen = s.first_seen FROM sighting s "
        "WHERE s.id = f.sighting_id",
        "ALTER TABLE flag_sighting ALTER COLUMN sighting_first_seen SET NOT NULL",
        f"ALTER SEQUENCE {seq_s} OWNED BY NONE",
        f"ALTER SEQUENCE {seq_r} OWNED BY NONE",
        "ALTER TABLE sighting RENAME TO sighting_unpartitioned",
        "ALTER TABLE plate_read RENAME TO plate_read_unpartitioned",
        "CREATE TABLE sighting (LIKE sighting_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (first_seen)",
        "CREATE TABLE plate_read (LIKE plate_read_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
        "sighting_first_seen TIMESTAMP WITH TIME ZONE NOT NULL) PARTITION BY RANGE (sighting_first_seen)",
    )
    stored = conn.execute(
        sa.text("SELECT DISTINCT date_trunc('month', first_seen, 'UTC') FROM sighting_unpartitioned")
    ).scalars()
    ensure_months(conn, [Month.of(m) for m in stored] + [Month.of(datetime.now(UTC))])
    _sql(
        "INSERT INTO sighting SELECT * FROM sighting_unpartitioned",
        "INSERT INTO plate_read SELECT r.*, s.first_seen FROM plate_read_unpartitioned r "
        "JOIN sighting_unpartitioned s ON s.id = r.sighting_id",
        "DROP TABLE plate_read_unpartitioned",
        "DROP TABLE sighting_unpartitioned",
        f"ALTER SEQUENCE {seq_s} OWNED BY sighting.id",
        f"ALTER SEQUENCE {seq_r} OWNED BY plate_read.id",
        "ALTER TABLE sighting ADD CONSTRAINT pk_sighting PRIMARY KEY (id, first_seen)",
        "ALTER TABLE sighting ADD CONSTRAINT uq_sighting_track_key UNIQUE (track_key, first_seen)",
        "ALTER TABLE sighting ADD CONSTRAINT fk_sighting_camera_id_camera FOREIGN KEY (camera_id) "
        "REFERENCES camera (id) ON DELETE RESTRICT",
        "CREATE INDEX ix_sighting_first_seen ON sighting (first_seen)",
        "CREATE INDEX ix_sighting_plate_first_seen ON sighting (plate_text, first_seen)",
        "CREATE INDEX ix_sighting_camera_first_seen ON sighting (camera_id, first_seen)",
        "ALTER TABLE plate_read ADD CONSTRAINT pk_plate_read PRIMARY KEY (id, sighting_first_seen)",
        "CREATE INDEX ix_plate_read_sighting_id ON plate_read (sighting_id)",
    )
    for child in _CHILD_FKS:
        op.execute(
            f"ALTER TABLE {child} ADD CONSTRAINT fk_{child}_sighting_id_sighting "
            "FOREIGN KEY (sighting_id, sighting_first_seen) REFERENCES sighting (id, first_seen) "
            "ON DELETE CASCADE ON UPDATE CASCADE"
        )


def _pg_downgrade() -> None:
    conn = op.get_bind()
    seq_s, seq_r = _sequence("sighting"), _sequence("plate_read")
    read_cols = ", ".join(
        c["name"] for c in sa.inspect(conn).get_columns("plate_read") if c["name"] != "sighting_first_seen"
    )
    _sql(
        "ALTER TABLE flag_sighting DROP CONSTRAINT fk_flag_sighting_sighting_id_sighting",
        "ALTER TABLE plate_read DROP CONSTRAINT fk_plate_read_sighting_id_sighting",
        f"ALTER SEQUENCE {seq_s} OWNED BY NONE",
        f"ALTER SEQUENCE {seq_r} OWNED BY NONE",
        "ALTER TABLE sighting RENAME TO sighting_partitioned",
        "ALTER TABLE plate_read RENAME TO plate_read_partitioned",
        "CREATE TABLE sighting (LIKE sighting_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        "CREATE TABLE plate_read (LIKE plate_read_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        "ALTER TABLE plate_read DROP COLUMN sighting_first_seen",
        "INSERT INTO sighting SELECT * FROM sighting_partitioned",
        f"INSERT INTO plate_read ({read_cols}) SELECT {read_cols} FROM plate_read_partitioned",
        "DROP TABLE plate_read_partitioned",
        "DROP TABLE sighting_partitioned",
        f"ALTER SEQUENCE {seq_s} OWNED BY sighting.id",
        f"ALTER SEQUENCE {seq_r} OWNED BY plate_read.id",
        "ALTER TABLE sighting ADD CONSTRAINT pk_sighting PRIMARY KEY (id)",
        "ALTER TABLE sighting ADD CONSTRAINT uq_sighting_track_key UNIQUE (track_key)",
        "ALTER TABLE sighting ADD CONSTRAINT fk_sighting_camera_id_camera FOREIGN KEY (camera_id) "
        "REFERENCES camera (id) ON DELETE RESTRICT",
        "CREATE INDEX ix_sighting_first_seen ON sighting (first_seen)",
        "CREATE INDEX ix_sighting_plate_first_seen ON sighting (plate_text, first_seen)",
        "CREATE INDEX ix_sighting_camera_first_seen ON sighting (camera_id, first_seen)",
        "ALTER TABLE plate_read ADD CONSTRAINT pk_plate_read PRIMARY KEY (id)",
        "CREATE INDEX ix_plate_read_sighting_id ON plate_read (sighting_id)",
        "ALTER TABLE flag_sighting DROP COLUMN sighting_first_seen",
    )
    for child in _CHILD_FKS:
        op.execute(
            f"ALTER TABLE {child} ADD CONSTRAINT fk_{child}_sighting_id_sighting "
            "FOREIGN KEY (sighting_id) REFERENCES sighting (id) ON DELETE CASCADE"
        )


def _sqlite_upgrade() -> None:
    # The two-column key needs a unique index on its target; SQLite keeps its one-column primary key.
    op.create_index("uq_sighting_id_first_seen", "sighting", ["id", "first_seen"], unique=True)
    for child in _CHILD_FKS:
        with op.batch_alter_table(child) as batch:
            batch.add_column(sa.Column("sighting_first_seen", sa.DateTime(timezone=True), nullable=True))
        op.execute(
            f"UPDATE {child} SET sighting_first_seen = "
            f"(SELECT s.first_seen FROM sighting s WHERE s.id = {child}.sighting_id)"
        )
        with op.batch_alter_table(child, recreate="always") as batch:
            batch.alter_column(
                "sighting_first_seen", existing_type=sa.DateTime(timezone=True), nullable=False
            )
            batch.drop_constraint(f"fk_{child}_sighting_id_sighting", type_="foreignkey")
            batch.create_foreign_key(
                f"fk_{child}_sighting_id_sighting",
                "sighting",
                ["sighting_id", "sighting_first_seen"],
                ["id", "first_seen"],
                ondelete="CASCADE",
                onupdate="CASCADE",
            )


def _sqlite_downgrade() -> None:
    for child in _CHILD_FKS:
        with op.batch_alter_table(child, recreate="always") as batch:
            batch.drop_constraint(f"fk_{child}_sighting_id_sighting", type_="foreignkey")
            batch.drop_column("sighting_first_seen")
            batch.create_foreign_key(
                f"fk_{child}_sighting_id_sighting", "sighting", ["sighting_id"], ["id"], ondelete="CASCADE"
            )
    op.drop_index("uq_sighting_id_first_seen", table_name="sighting")
