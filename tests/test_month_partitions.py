"""Monthly partitions on PostgreSQL (migration 0010): made on demand, dropped by retention, kept casework.

The partition tests run on a real PostgreSQL only (SQLite is not partitioned; its retention deletes
rows and is covered in test_api_retention.py); the migration's round trip runs on both.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import add_flag, add_sighting
from sqlalchemy.orm import Session, sessionmaker

from detect.records import PlateRead, Sighting, VehicleClass
from intel_api.db import models as m
from intel_api.db.migrate import downgrade, upgrade
from intel_api.db.partitions import Month, ensure_months, existing_months, months_before
from intel_api.services import retention
from intel_api.store import store_sightings

on_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def where(s: Session, table: str, row_id: int) -> str | None:
    """The partition a row is stored in."""
    return s.execute(
        sa.text(f"SELECT tableoid::regclass::text FROM {table} WHERE id = :i"), {"i": row_id}
    ).scalar()


def exists(s: Session, name: str) -> bool:
    return s.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None


def no_past_partitions(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """Drop the (empty) month partitions earlier tests left: rows are emptied between tests, tables not."""
    with sessions() as s:
        retention.run(s, 0, tmp_path / "none", dry_run=False)
        s.commit()
        assert months_before(s.connection(), Month.of(datetime.now(UTC)).start) == []


def record(key: str, when: datetime, plate: str = "AB12CDE") -> Sighting:
    read = PlateRead(raw_text=plate, text=plate, confidence=0.95, timestamp=when, reader="easyocr")
    return Sighting(
        track_key=key,
        camera_id="cam1",
        first_seen=when,
        last_seen=when + timedelta(seconds=8),
        vehicle_class=VehicleClass.CAR,
        plate=read,
        candidates=(read, read),
    )


def test_month_arithmetic() -> None:
    dec = Month.of(datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    assert (dec.year, dec.month) == (2025, 12)
    assert dec.next() == Month(2026, 1)
    assert dec.end == datetime(2026, 1, 1, tzinfo=UTC)
    assert Month(2026, 3).partition("plate_read") == "plate_read_y2026m03"
    # Cut in UTC: 00:30 on 1 June in BST is 23:30 on 31 May in UTC.
    assert Month.of(datetime(2026, 6, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))) == Month(2026, 5)
    with pytest.raises(ValueError, match="naive"):
        Month.of(datetime(2026, 1, 1))


@on_postgresql
def test_an_old_sighting_finds_its_month(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    """The ORM and the store both make the partitions a sighting's month needs, for both tables."""
    when = datetime(2019, 2, 14, 22, 0, tzinfo=UTC)
    with session_factory() as s:
        row = add_sighting(s, tmp_path, "cam1:1:1", "AB12CDE", when, with_files=False)
        row.reads.append(
            m.PlateReadRow(
                timestamp=when, raw_text="AB12CDE", text="AB12CDE", confidence=0.9, reader="easyocr"
            )
        )
        s.commit()
        assert where(s, "sighting", row.id) == "sighting_y2019m02"
        assert where(s, "plate_read", row.reads[0].id) == "plate_read_y2019m02"
        now = Month.of(datetime.now(UTC))
        assert {Month(2019, 2), now, now.next()} <= set(existing_months(s.connection()))

        result = store_sightings(s, [record("cam1:9:1", datetime(2018, 7, 1, 0, 0, 1, tzinfo=UTC))])
        s.commit()
        assert where(s, "sighting", result.ids[0]) == "sighting_y2018m07"
        stored = s.get(m.Sighting, result.ids[0])
        assert stored is not None and len(stored.reads) == 2
        assert {where(s, "plate_read", r.id) for r in stored.reads} == {"plate_read_y2018m07"}


@on_postgresql
def test_a_replay_is_still_a_duplicate(session_factory: sessionmaker[Session]) -> None:
    when = datetime.now(UTC) - timedelta(days=40)
    with session_factory() as s:
        first = store_sightings(s, [record("cam1:2:1", when), record("cam1:2:2", when + timedelta(days=35))])
        again = store_sightings(s, [record("cam1:2:1", when), record("cam1:2:2", when + timedelta(days=35))])
        s.commit()
        assert (first.inserted, again.inserted, again.duplicates) == (2, 0, 2)
        assert s.scalar(sa.select(sa.func.count()).select_from(m.Sighting)) == 2


@on_postgresql
def test_retention_drops_whole_months_and_keeps_casework(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    no_past_partitions(session_factory, tmp_path)
    evidence = tmp_path / "evidence"
    now = datetime.now(UTC)
    gone_month = Month.of(now - timedelta(days=500))
    held_month = Month.of(now - timedelta(days=450))
    with session_factory() as s:
        gone = [
            add_sighting(s, evidence, f"cam1:3:{i}", "AB12CDE", gone_month.start + timedelta(days=i))
            for i in range(3)
        ]
        held = add_sighting(s, evidence, "cam1:4:1", "CD34EFG", held_month.start + timedelta(days=2))
        held.reads.append(
            m.PlateReadRow(
                timestamp=held.first_seen,
                raw_text="CD34EFG",
                text="CD34EFG",
                confidence=0.9,
                reader="easyocr",
            )
        )
        free = add_sighting(s, evidence, "cam1:4:2", "EF56GHJ", held_month.start + timedelta(days=3))
        dismissed = add_flag(s, "EF56GHJ", [free])
        dismissed.status = m.FlagStatus.DISMISSED
        open_flag = add_flag(s, "CD34EFG", [held])
        recent = add_sighting(s, evidence, "cam1:5:1", "AB12CDE", now - timedelta(days=3))
        s.commit()
        held_id, free_id, recent_id, open_id = held.id, free.id, recent.id, open_flag.id
        gone_files = {Path(p).name for g in gone for p in (g.plate_image_path, g.vehicle_image_path) if p}

    with session_factory() as s:
        dry = retention.run(s, 365, evidence, dry_run=True)
        s.rollback()
        assert (dry.sightings, dry.months_dropped, dry.kept_for_casework) == (4, 2, 1)
        assert exists(s, gone_month.partition("sighting"))

    with session_factory() as s:
        report = retention.run(s, 365, evidence, dry_run=False)
        s.commit()
        retention.delete_files(report)
        assert (report.sightings, report.months_dropped, report.kept_for_casework) == (4, 2, 1)
        assert report.files == 8
        # The month with nothing kept is gone; the other is made again holding only the kept row.
        assert not exists(s, gone_month.partition("sighting"))
        assert not exists(s, gone_month.partition("plate_read"))
        assert where(s, "sighting", held_id) == held_month.partition("sighting")
        assert s.get(m.Sighting, free_id) is None
        kept = s.get(m.Sighting, held_id)
        assert kept is not None and [r.text for r in kept.reads] == ["CD34EFG"]
        assert [f.id for f in kept.flags] == [open_id]
        assert s.get(m.Sighting, recent_id) is not None
        assert s.scalar(sa.select(sa.func.count()).select_from(m.flag_sighting)) == 1
    remaining = {p.name for p in evidence.iterdir()}
    assert not remaining & gone_files
    assert len(remaining) == 4  # held and recent: a plate and a vehicle image each

    with session_factory() as s:  # a second run finds nothing more to drop
        again = retention.run(s, 365, evidence, dry_run=False)
        s.commit()
        assert (again.sightings, again.months_dropped, again.kept_for_casework) == (0, 0, 1)


def test_migration_keeps_rows_ids_and_links(
    db_url: str, engine: sa.Engine, session_factory: sessionmaker[Session]
) -> None:
    """Down to the unpartitioned schema and up again, on both backends: every row, id and link
    survives both ways, and ids continue from where they were."""
    when = datetime.now(UTC) - timedelta(days=70)
    with session_factory() as s:
        stored = store_sightings(s, [record(f"cam1:6:{i}", when + timedelta(days=20 * i)) for i in range(3)])
        flag = add_flag(s, "AB12CDE", [s.get(m.Sighting, i) for i in stored.ids])
        s.commit()
        flag_id = flag.id
    engine.dispose()
    postgres = engine.dialect.name == "postgresql"
    downgrade(db_url, "0009_review_queue_index")
    with engine.connect() as conn:
        counts = [
            conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("sighting", "plate_read", "flag_sighting")
        ]
        assert counts == [3, 6, 3]
        assert "sighting_first_seen" not in {c["name"] for c in sa.inspect(conn).get_columns("plate_read")}
        if postgres:
            kind = conn.execute(sa.text("SELECT relkind FROM pg_class WHERE relname = 'sighting'")).scalar()
            assert kind == "r"
    engine.dispose()
    upgrade(db_url)
    engine.dispose()
    with session_factory() as s:
        rows = s.scalars(sa.select(m.Sighting).order_by(m.Sighting.id)).all()
        assert [r.id for r in rows] == stored.ids
        assert all(len(r.reads) == 2 and [f.id for f in r.flags] == [flag_id] for r in rows)
        assert all(read.sighting_first_seen == r.first_seen for r in rows for read in r.reads)
        if postgres:
            assert {where(s, "sighting", r.id) for r in rows} == {
                Month.of(r.first_seen).partition("sighting") for r in rows
            }
        else:
            assert s.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        more = store_sightings(s, [record("cam1:7:1", datetime.now(UTC))])
        s.commit()
        assert more.ids[0] > max(stored.ids)


@on_postgresql
def test_a_month_emptied_by_daily_runs_is_dropped(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Daily runs delete an expiring month row by row; once the whole month is past the cutoff its
    empty partitions are dropped, not left for every visit-history query to probe."""
    no_past_partitions(session_factory, tmp_path)
    evidence = tmp_path / "evidence"
    month = Month(2024, 3)
    with session_factory() as s:
        for day in (2, 9, 20):
            add_sighting(
                s, evidence, f"cam1:9:{day}", "AB12CDE", month.start + timedelta(days=day), with_files=False
            )
        s.commit()
    mid_month = month.start + timedelta(days=365 + 15)  # the cutoff falls inside March 2024
    with session_factory() as s:
        daily = retention.run(s, 365, evidence, dry_run=False, now=mid_month)
        s.commit()
        assert (daily.sightings, daily.months_dropped) == (2, 0)
        assert exists(s, month.partition("sighting"))
    with session_factory() as s:
        later = retention.run(s, 365, evidence, dry_run=False, now=mid_month + timedelta(days=30))
        s.commit()
        assert (later.sightings, later.months_dropped) == (1, 1)
        assert not exists(s, month.partition("sighting")) and not exists(s, month.partition("plate_read"))
    with session_factory() as s:  # emptied by rows this time, then dropped on the next run
        add_sighting(
            s, evidence, "cam1:9:30", "AB12CDE", Month(2024, 4).start + timedelta(days=1), with_files=False
        )
        s.commit()
        retention.run(s, 365, evidence, dry_run=False, now=Month(2024, 4).start + timedelta(days=365 + 10))
        s.commit()
        assert exists(s, Month(2024, 4).partition("sighting"))
        final = retention.run(s, 365, evidence, dry_run=False, now=Month(2024, 5).start + timedelta(days=366))
        s.commit()
        assert (final.sightings, final.months_dropped) == (0, 1)
        assert not exists(s, Month(2024, 4).partition("sighting"))


@on_postgresql
def test_two_writers_starting_the_same_month_both_succeed(engine: sa.Engine) -> None:
    """Two processes' first sightings of a new month race to make its partitions: one makes them,
    the other waits on the lock and finds them made."""
    barrier = threading.Barrier(2)
    made: list[list[str]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with engine.begin() as conn:
                barrier.wait(timeout=10)
                made.append(ensure_months(conn, [Month(2015, 3)]))
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(len(m) for m in made) == [0, 2]
    with engine.connect() as conn:
        assert Month(2015, 3) in existing_months(conn)
