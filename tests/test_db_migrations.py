from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from intel_api.db import models as m
from intel_api.db.migrate import current_revision, downgrade, head_revision, upgrade


def test_migrations_down_and_up(db_url: str) -> None:
    assert current_revision(db_url) == head_revision()
    downgrade(db_url, "base")
    assert current_revision(db_url) is None
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables <= {"alembic_version"}
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()


def test_schema_matches_models(engine: sa.Engine) -> None:
    """The migrations create every table and column the ORM models declare."""
    inspector = sa.inspect(engine)
    for table in m.Base.metadata.sorted_tables:
        cols = {c["name"] for c in inspector.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name


def test_indexes_match_models(engine: sa.Engine) -> None:
    """Every index the models declare exists after the migrations (0008's flag_sighting.sighting_id,
    0009's review-queue order among them), on both backends."""
    inspector = sa.inspect(engine)
    for table in m.Base.metadata.sorted_tables:
        made = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            assert index.name in made, f"{table.name}: {index.name} missing"
            assert made[index.name] == [c.name for c in index.columns], index.name
    assert "ix_flag_sighting_sighting_id" in {i["name"] for i in inspector.get_indexes("flag_sighting")}


def test_times_round_trip_as_utc(session_factory: sessionmaker[Session]) -> None:
    bst = timezone(timedelta(hours=1))
    local = datetime(2026, 6, 1, 23, 30, tzinfo=bst)
    with session_factory() as s:
        s.add(m.Camera(id="cam1", name="Test"))
        s.add(
            m.Sighting(
                track_key="cam1:0:1", camera_id="cam1", first_seen=local, last_seen=local, vehicle_class="car"
            )
        )
        s.commit()
    with session_factory() as s:
        row = s.scalars(sa.select(m.Sighting)).one()
        assert row.first_seen.tzinfo is not None
        assert row.first_seen == datetime(2026, 6, 1, 22, 30, tzinfo=UTC)


def test_track_key_is_unique(session_factory: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    with session_factory() as s:
        s.add(m.Camera(id="cam1"))
        s.add(
            m.Sighting(
                track_key="cam1:0:7", camera_id="cam1", first_seen=now, last_seen=now, vehicle_class="car"
            )
        )
        s.commit()
        s.add(
            m.Sighting(
                track_key="cam1:0:7", camera_id="cam1", first_seen=now, last_seen=now, vehicle_class="car"
            )
        )
        try:
            s.commit()
        except sa.exc.IntegrityError:
            s.rollback()
        else:
            raise AssertionError("a second sighting with the same track key was accepted")
