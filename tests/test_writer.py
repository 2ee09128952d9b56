"""Storing sightings: idempotency, candidates, JSON form, and the writer's spool on a DB outage."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell, track_key
from detect.writer import SightingWriter, Spool
from intel_api.db import models as m
from intel_api.store import (
    CameraInfo,
    SightingFormatError,
    find_sightings,
    sighting_from_dict,
    sighting_to_dict,
    store_sightings,
)

T0 = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)


def make_sighting(n: int, camera: str = "cam_a", plate: str | None = "AB12CDE") -> Sighting:
    start = T0 + timedelta(seconds=10 * n)
    reads = (
        tuple(
            PlateRead(
                plate,
                plate,
                0.8 + i / 100,
                start + timedelta(seconds=i),
                (1.0, 2.0, 30.0, 10.0),
                "easyocr",
                True,
            )
            for i in range(3)
        )
        if plate
        else ()
    )
    return Sighting(
        camera_id=camera,
        track_key=track_key(camera, 1714600800000, n),
        vehicle_class=VehicleClass.CAR,
        first_seen=start,
        last_seen=start + timedelta(seconds=4),
        plate=reads[-1] if reads else None,
        candidates=reads,
        speed_kmh=12.5,
        min_speed_kmh=0.5,
        direction="northbound",
        heading_deg=3.0,
        stopped=True,
        stopped_seconds=1.5,
        zone_dwell=(ZoneDwell("kerb", start, start + timedelta(seconds=3)),),
        frames_seen=20,
        extra={"motion_basis": "ground_plane"},
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once the socket is closed


def test_json_roundtrip_is_exact() -> None:
    s = make_sighting(1)
    d = json.loads(json.dumps(sighting_to_dict(s)))
    assert sighting_from_dict(d) == s
    no_plate = make_sighting(2, plate=None)
    assert sighting_from_dict(json.loads(json.dumps(sighting_to_dict(no_plate)))) == no_plate


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_seen": "yesterday"}, "first_seen"),
        ({"first_seen": "2024-05-01T22:00:00"}, "timezone"),
        ({"vehicle_class": "tank"}, "tank"),
        ({"track_key": None}, "track_key"),
    ],
)
def test_from_dict_rejects_bad_input(change: dict[str, object], message: str) -> None:
    d = sighting_to_dict(make_sighting(1)) | change
    d = {k: v for k, v in d.items() if v is not None or k not in change}
    with pytest.raises(SightingFormatError, match=message):
        sighting_from_dict(d)


def test_store_is_idempotent_and_keeps_candidates(session_factory: sessionmaker[Session]) -> None:
    batch = [make_sighting(1), make_sighting(2, plate=None), make_sighting(3)]
    cam = CameraInfo("cam_a", name="Elm St north", location="lamp 14", latitude=53.4, longitude=-2.2)
    with session_factory() as s, s.begin():
        first = store_sightings(s, batch, [cam])
    assert (first.inserted, first.duplicates, len(first.ids)) == (3, 0, 3)
    with session_factory() as s, s.begin():
        again = store_sightings(s, batch + [make_sighting(4)], [cam])
    assert (again.inserted, again.duplicates) == (1, 3)
    with session_factory() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(m.Sighting)) == 4
        assert s.scalar(sa.select(sa.func.count()).select_from(m.PlateReadRow)) == 9  # 3 plates x 3 reads
        camera = s.get(m.Camera, "cam_a")
        assert camera is not None and camera.name == "Elm St north"
        row = s.scalars(sa.select(m.Sighting).where(m.Sighting.track_key == batch[0].track_key)).one()
        assert row.plate_text == "AB12CDE" and row.stopped and row.dwell_seconds == 4.0
        assert row.zone_dwell[0]["zone"] == "kerb" and row.zone_dwell[0]["seconds"] == 3.0
        assert [r.track_key for r in find_sightings(s, plate="AB12CDE", since=T0)] == [
            make_sighting(n).track_key for n in (4, 3, 1)
        ]


def _count(engine: Engine) -> tuple[int, int]:
    with engine.connect() as c:
        keys = c.execute(sa.select(m.Sighting.track_key)).scalars().all()
    return len(keys), len(set(keys))


def test_writer_spools_during_outage_and_replays_in_order(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    down = f"postgresql://postgres@127.0.0.1:{closed_port()}/platewatch"
    writer = SightingWriter(down, spool_dir, batch_size=2, batch_seconds=0.2, retry_seconds=0.1)
    writer.start()
    for n in range(5):
        writer.submit(make_sighting(n))
    stats = writer.close()
    assert stats.spooled == 5 and stats.inserted == 0 and stats.outages >= 1
    spooled = [s.track_key for batch in Spool(spool_dir).batches() for s in batch]
    assert spooled == [make_sighting(n).track_key for n in range(5)]

    # One of them reached the database before the outage (e.g. a crash after commit): replay
    # must count it as a duplicate, not store it twice.
    with engine.begin() as conn, Session(bind=conn) as s:
        store_sightings(s, [make_sighting(2)])
    writer = SightingWriter(db_url, spool_dir, batch_size=2, batch_seconds=0.2, retry_seconds=0.1)
    writer.start()
    for n in range(5, 8):
        writer.submit(make_sighting(n))
    stats = writer.close()
    assert stats.replayed >= 5
    assert stats.inserted == 7 and stats.duplicates == 1
    assert not Spool(spool_dir).has_pending()
    assert _count(engine) == (8, 8)
    with engine.connect() as c:
        ids = c.execute(sa.select(m.Sighting.track_key).order_by(m.Sighting.id)).scalars().all()
    # spooled sightings went in before the ones submitted after the database came back
    assert ids.index(make_sighting(4).track_key) < ids.index(make_sighting(5).track_key)


def test_writer_never_blocks_when_queue_is_full(db_url: str, engine: Engine, tmp_path: Path) -> None:
    writer = SightingWriter(db_url, tmp_path / "spool", queue_size=1, batch_seconds=0.1, retry_seconds=0.1)
    # not started yet: the queue fills at once, the rest must go to the spool, not block
    for n in range(4):
        writer.submit(make_sighting(n))
    assert writer.stats.spooled == 3
    writer.start()
    stats = writer.close()
    assert stats.inserted == 4 and _count(engine) == (4, 4)


def test_writer_calls_after_store_with_new_ids(db_url: str, engine: Engine, tmp_path: Path) -> None:
    seen: list[int] = []

    def hook(session: Session, ids: list[int]) -> None:
        assert session.scalar(
            sa.select(sa.func.count()).select_from(m.Sighting).where(m.Sighting.id.in_(ids))
        )
        seen.extend(ids)

    writer = SightingWriter(db_url, tmp_path / "spool", batch_seconds=0.1, after_store=hook)
    writer.start()
    writer.submit(make_sighting(1))
    writer.submit(make_sighting(1))  # duplicate: no id, no second call for it
    writer.submit(make_sighting(2))
    stats = writer.close()
    assert stats.inserted == 2 and stats.duplicates == 1 and len(seen) == 2


def test_torn_spool_line_is_set_aside_and_the_rest_replayed(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    spool.append([make_sighting(1)])
    with open(spool.pending, "a", encoding="utf-8") as f:
        f.write('{"sightings": [{"camera_id": "cam_a", "track_ke\n')  # crash mid-write
    spool.append([make_sighting(2), make_sighting(3)])
    writer = SightingWriter(db_url, tmp_path / "spool", batch_seconds=0.1, retry_seconds=0.1)
    writer.start()
    stats = writer.close()
    assert stats.inserted == 3 and stats.duplicates == 0
    assert not spool.has_pending() and _count(engine) == (3, 3)
    rejected = spool.rejected.read_text().splitlines()
    assert len(rejected) == 1 and "unreadable" in rejected[0]
