"""The rules engine against real databases (every test runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from intel_api.db import models as m
from intel_api.rules import engine as rules_engine
from intel_api.rules.engine import apply_rules, run_rules
from platewatch.config import SiteConfig, parse_config

SITE: dict[str, Any] = {
    "site": {"name": "Elm Street", "timezone": "Europe/London"},
    "cameras": [
        {
            "id": "elm_st_north",
            "source": "video.mp4",
            "zones": [{"name": "kerb_west", "kind": "watch", "polygon": [[0, 0], [10, 0], [10, 10]]}],
        },
        {"id": "elm_st_south", "source": "video2.mp4"},
    ],
    "rules": {
        "slow": {"max_speed_kmh": 12, "min_duration_s": 8, "parked_after_s": 300},
        "circling": {"passes": 3, "window_minutes": 60},
        "frequent": {"nights": 3, "days": 30, "night_start": "19:00", "night_end": "07:00"},
        "hotlist_max_distance": 1,
    },
}
CFG: SiteConfig = parse_config(SITE)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_ids = count(1)


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        s.add_all([m.Camera(id="elm_st_north"), m.Camera(id="elm_st_south")])
        s.commit()
        yield s


def add(
    s: Session,
    at: datetime,
    plate: str | None = "AB12CDE",
    *,
    camera: str = "elm_st_south",
    seconds: float = 20.0,
    speed: float | None = 40.0,
    stopped_s: float = 0.0,
    conf: float = 0.95,
    vehicle_class: str = "car",
    zones: list[dict[str, Any]] | None = None,
) -> m.Sighting:
    n = next(_ids)
    row = m.Sighting(
        track_key=f"{camera}:0:{n}",
        camera_id=camera,
        first_seen=at,
        last_seen=at + timedelta(seconds=seconds),
        vehicle_class=vehicle_class,
        plate_raw=plate,
        plate_text=plate,
        plate_confidence=conf if plate else None,
        plate_valid=plate is not None,
        speed_kmh=speed,
        min_speed_kmh=speed,
        stopped=stopped_s > 0,
        stopped_seconds=stopped_s,
        dwell_seconds=seconds,
        zone_dwell=zones or [],
    )
    s.add(row)
    s.flush()
    return row


def flags(s: Session) -> list[m.Flag]:
    return list(s.scalars(sa.select(m.Flag).order_by(m.Flag.id)))


def links(s: Session) -> set[tuple[str, int]]:
    rows = s.execute(
        sa.select(m.Flag.dedupe_key, m.flag_sighting.c.sighting_id).join(
            m.flag_sighting, m.flag_sighting.c.flag_id == m.Flag.id
        )
    )
    return {(k, i) for k, i in rows}


def test_slow_pass_in_watch_zone_raises_one_flag_with_its_sighting(db: Session) -> None:
    zone = [
        {"zone": "kerb_west", "entered": "2026-05-03T21:10:00+00:00", "left": "2026-05-03T21:10:40+00:00"}
    ]
    slow = add(db, utc("2026-05-03T21:10:00"), camera="elm_st_north", seconds=40, speed=7.0, zones=zone)
    outside = add(db, utc("2026-05-03T21:20:00"), "XY70ZZZ", camera="elm_st_north", seconds=40, speed=7.0)
    whole_view = add(db, utc("2026-05-03T21:30:00"), "BD51SMR", seconds=30, speed=5.0)
    db.commit()
    created = apply_rules(db, [slow.id, outside.id, whole_view.id], CFG, now=NOW)
    db.commit()
    assert sorted(f.dedupe_key for f in created) == [f"slow:{slow.track_key}", f"slow:{whole_view.track_key}"]
    flag = next(f for f in flags(db) if f.plate_text == "AB12CDE")
    assert flag.kind == m.FlagKind.SLOW and flag.status == m.FlagStatus.OPEN
    assert [x.id for x in flag.sightings] == [slow.id]
    # local time (BST) in the explanation, with the facts an officer checks
    assert "22:10 on 3 May 2026" in flag.explanation and "kerb_west" in flag.explanation
    assert "7 km/h" in flag.explanation and "officer review" in flag.explanation
    assert flag.details["motion"] == "slow"
    assert apply_rules(db, [slow.id, outside.id, whole_view.id], CFG, now=NOW) == []
    assert len(flags(db)) == 2


def test_parked_and_unread_vehicles_raise_nothing(db: Session) -> None:
    parked = add(db, utc("2026-05-03T21:00:00"), seconds=900, speed=0.0, stopped_s=880)
    unread = add(db, utc("2026-05-03T22:00:00"), None, seconds=40, speed=5.0)
    blurry = add(db, utc("2026-05-03T22:05:00"), "AB12CDF", seconds=40, speed=5.0, conf=0.3)
    bus = add(
        db, utc("2026-05-03T22:10:00"), "BU51BUS", seconds=60, speed=0.0, stopped_s=40, vehicle_class="bus"
    )
    result = run_rules(db, [parked.id, unread.id, blurry.id, bus.id], CFG, now=NOW)
    assert result.created == [] and flags(db) == []
    assert result.unread_slow == 2  # counted, so a batch run reports them, but no vehicle is named


def _night_passes(
    s: Session, plate: str, start: str, minutes: tuple[int, ...], **kw: Any
) -> list[m.Sighting]:
    t = utc(start)
    return [add(s, t + timedelta(minutes=mm), plate, **kw) for mm in minutes]


def test_circling_flag_grows_with_later_passes_and_is_never_duplicated(db: Session) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 25, 50))
    # a second camera seeing the third trip 30 s later is the same pass, not a fourth
    rows.append(add(db, rows[-1].first_seen + timedelta(seconds=30), camera="elm_st_north"))
    db.commit()
    created = apply_rules(db, [rows[0].id], CFG, now=NOW) + apply_rules(db, [rows[1].id], CFG, now=NOW)
    assert created == []
    created = apply_rules(db, [r.id for r in rows[2:]], CFG, now=NOW)
    db.commit()
    assert [f.dedupe_key for f in created] == ["circling:AB12CDE:2026-05-03"]
    flag = created[0]
    assert {x.id for x in flag.sightings} == {r.id for r in rows}
    assert flag.details["passes"] == 3
    assert "3 separate passes between 22:10 and 23:00 on 3 May 2026" in flag.explanation
    late = add(db, utc("2026-05-03T23:55:00"))  # 00:55 BST: same night, flag is open -> gains it
    db.commit()
    result = run_rules(db, [late.id], CFG, now=NOW)
    db.commit()
    assert result.created == [] and [f.id for f in result.updated] == [flag.id]
    db.refresh(flag)
    assert late.id in {x.id for x in flag.sightings} and flag.details["passes"] == 4
    # a batch over everything afterwards creates nothing and links nothing new
    before = links(db)
    assert apply_rules(db, [r.id for r in [*rows, late]], CFG, now=NOW) == []
    assert links(db) == before and len(flags(db)) == 1


def test_circling_threshold_not_met(db: Session) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 40, 90))
    assert apply_rules(db, [r.id for r in rows], CFG, now=NOW) == []


def test_incremental_and_batch_runs_agree(db: Session) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-03-27T20:00:00", (0,))
    rows += _night_passes(db, "AB12CDE", "2026-03-29T00:30:00", (0, 20, 40, 70))  # night of 28 Mar, DST
    rows += _night_passes(db, "AB12CDE", "2026-03-30T18:30:00", (0,))  # 19:30 BST, night of 30 Mar
    rows += _night_passes(db, "AB12CDE", "2026-04-20T21:00:00", (0,))  # inside the first window
    rows += _night_passes(db, "AB12CDE", "2026-05-01T21:00:00", (0, 1440, 2880))  # a second window
    db.commit()
    for r in rows:
        apply_rules(db, [r.id], CFG, now=NOW)
        db.commit()
    incremental = links(db)
    db.execute(m.flag_sighting.delete())
    db.execute(sa.delete(m.Flag))
    db.commit()
    apply_rules(db, [r.id for r in rows], CFG, now=NOW)
    db.commit()
    assert links(db) == incremental
    keys = sorted({k for k, _ in incremental})
    assert keys == [
        "circling:AB12CDE:2026-03-28",
        "frequent:AB12CDE:2026-03-27",
        "frequent:AB12CDE:2026-05-01",
    ]
    first = db.scalars(sa.select(m.Flag).where(m.Flag.dedupe_key == "frequent:AB12CDE:2026-03-27")).one()
    assert first.details["nights"] == ["2026-03-27", "2026-03-28", "2026-03-30", "2026-04-20"]
    assert "night of 28 March 2026: 00:30, 00:50, 02:10, 02:40" in first.explanation  # GMT, then BST
    assert "19:30" in first.explanation


def test_frequent_not_raised_for_two_nights_or_nights_too_far_apart(db: Session) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-01T21:00:00", (0, 1440))
    rows += _night_passes(db, "AB12CDE", "2026-06-15T21:00:00", (0,))
    rows += _night_passes(db, "AB12CDE", "2026-05-10T12:00:00", (0,))  # daytime: not a night
    assert apply_rules(db, [r.id for r in rows], CFG, now=NOW) == []


def test_hotlist_exact_fuzzy_and_expired(db: Session) -> None:
    wanted = m.HotlistEntry(
        plate_text="AB12CDE",
        reason="stolen",
        owner="PC 1",
        expires_at=NOW + timedelta(days=9),
        created_by="pc1",
    )
    old = m.HotlistEntry(
        plate_text="XY70ZZZ", reason="old", owner="PC 1", expires_at=NOW - timedelta(days=1), created_by="pc1"
    )
    db.add_all([wanted, old])
    db.flush()
    exact = add(db, utc("2026-05-03T12:00:00"))
    fuzzy = add(db, utc("2026-05-04T12:00:00"), "A812CDE")
    stale = add(db, utc("2026-05-05T12:00:00"), "XY70ZZZ")
    far = add(db, utc("2026-05-06T12:00:00"), "AB12CDF")
    db.commit()
    created = apply_rules(db, [exact.id, fuzzy.id, stale.id, far.id], CFG, now=NOW)
    db.commit()
    got = {(f.dedupe_key, f.matched_by, f.hotlist_entry_id) for f in created}
    assert got == {
        (f"hotlist:{wanted.id}:{exact.id}", "exact", wanted.id),
        (f"hotlist:{wanted.id}:{fuzzy.id}", "fuzzy", wanted.id),
    }
    fz = next(f for f in created if f.matched_by == "fuzzy")
    assert fz.plate_text == "A812CDE" and "position 2 read 8 where the entry has B" in fz.explanation
    assert apply_rules(db, [exact.id, fuzzy.id], CFG, now=NOW) == []


def test_exclusion_suppresses_behaviour_flags_but_not_an_exact_hotlist_hit(db: Session) -> None:
    db.add(
        m.Exclusion(
            plate_text="AB12CDE",
            category=m.ExclusionCategory.RESIDENT,
            reason="lives at no. 4",
            expires_at=NOW + timedelta(days=100),
            created_by="sgt1",
        )
    )
    entry = m.HotlistEntry(
        plate_text="AB12CDE",
        reason="cloned?",
        owner="PC 1",
        expires_at=NOW + timedelta(days=9),
        created_by="pc1",
    )
    fuzzy_entry = m.HotlistEntry(
        plate_text="A812CDE",
        reason="other",
        owner="PC 1",
        expires_at=NOW + timedelta(days=9),
        created_by="pc1",
    )
    db.add_all([entry, fuzzy_entry])
    db.flush()
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 20, 40), seconds=40, speed=5.0)
    result = run_rules(db, [r.id for r in rows], CFG, now=NOW)
    kinds = sorted({f.kind for f in result.created})
    assert kinds == [m.FlagKind.HOTLIST]  # no slow, no circling
    assert all(f.hotlist_entry_id == entry.id and f.matched_by == "exact" for f in result.created)
    assert "exclusion list (resident" in result.created[0].explanation
    assert result.suppressed == 3 + 3  # three slow passes and three fuzzy hits


def test_expired_exclusion_no_longer_protects(db: Session) -> None:
    db.add(
        m.Exclusion(
            plate_text="AB12CDE",
            category=m.ExclusionCategory.TAXI,
            reason="cab",
            expires_at=NOW - timedelta(days=1),
            created_by="sgt1",
        )
    )
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 20, 40))
    assert [f.kind for f in apply_rules(db, [r.id for r in rows], CFG, now=NOW)] == [m.FlagKind.CIRCLING]


def test_buses_never_circle(db: Session) -> None:
    rows = _night_passes(db, "BU51BUS", "2026-05-03T21:10:00", (0, 15, 30, 45), vehicle_class="bus")
    assert apply_rules(db, [r.id for r in rows], CFG, now=NOW) == []


def test_reviewed_flag_is_frozen(db: Session) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 20, 40))
    (flag,) = apply_rules(db, [r.id for r in rows], CFG, now=NOW)
    flag.status = m.FlagStatus.DISMISSED
    db.commit()
    late = add(db, utc("2026-05-03T22:10:00"))
    result = run_rules(db, [late.id], CFG, now=NOW)
    assert result.created == [] and result.updated == [] and result.frozen == 1
    db.refresh(flag)
    assert len(flag.sightings) == 3


def test_a_flag_raised_concurrently_is_joined_not_duplicated(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 20, 40))
    db.commit()
    with session_factory() as other:  # another writer (API ingest) raises the flag first
        apply_rules(other, [rows[0].id, rows[1].id, rows[2].id], CFG, now=NOW)
        other.commit()
    original = rules_engine._Engine._get_flag
    calls: dict[str, int] = {}

    def stale_lookup(self: Any, key: str) -> m.Flag | None:
        calls[key] = calls.get(key, 0) + 1
        if calls[key] == 1:
            return None  # as if our lookup ran before the other writer committed
        return original(self, key)

    monkeypatch.setattr(rules_engine._Engine, "_get_flag", stale_lookup)
    late = add(db, utc("2026-05-03T22:30:00"))
    result = run_rules(db, [late.id], CFG, now=NOW)
    db.commit()  # the caller's sighting survives the rejected insert
    assert result.created == [] and len(result.updated) == 1
    assert len(flags(db)) == 1 and db.get(m.Sighting, late.id) is not None
    assert ("circling:AB12CDE:2026-05-03", late.id) in links(db)


def test_cli_batch_run_prints_flags_and_reruns_cleanly(db: Session, db_url: str, tmp_path: Path) -> None:
    rows = _night_passes(db, "AB12CDE", "2026-05-03T21:10:00", (0, 20, 40))
    add(db, utc("2026-04-01T21:00:00"), "OLD1234")
    db.commit()
    cfg_path = tmp_path / "site.yaml"
    cfg_path.write_text(yaml.safe_dump(SITE))
    from platewatch.cli.main import app

    args = ["rules", "run", "--since", "2026-05-03", "--config", str(cfg_path), "--database-url", db_url]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "circling AB12CDE [circling:AB12CDE:2026-05-03]" in out.output
    assert "3 sightings checked: 1 flag(s) created" in out.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "0 flag(s) created" in again.output
    assert len(rows) == 3 and len(flags(db)) == 1
    bad = CliRunner().invoke(app, ["rules", "run", "--since", "yesterday", "--config", str(cfg_path)])
    assert bad.exit_code != 0


def test_pipeline_records_stored_then_ruled(db: Session) -> None:
    """What the pipeline writer and the ingest endpoint do: records -> store_sightings -> apply_rules."""
    from detect.records import PlateRead, VehicleClass, ZoneDwell
    from detect.records import Sighting as Record
    from intel_api.store import store_sightings

    def record(n: int, at: datetime) -> Record:
        read = PlateRead(raw_text="AB12CDE", text="AB12CDE", confidence=0.93, timestamp=at)
        return Record(
            camera_id="elm_st_north",
            track_key=f"elm_st_north:1:{n}",
            vehicle_class=VehicleClass.CAR,
            first_seen=at,
            last_seen=at + timedelta(seconds=30),
            plate=read,
            candidates=(read,),
            speed_kmh=6.0,
            min_speed_kmh=0.0,
            stopped=True,
            stopped_seconds=5.0,
            zone_dwell=(ZoneDwell("kerb_west", at, at + timedelta(seconds=25)),),
        )

    t = utc("2026-05-03T21:10:00")
    records = [record(n, t + timedelta(minutes=20 * n)) for n in range(3)]
    stored = store_sightings(db, records)
    created = apply_rules(db, stored.ids, CFG, now=NOW)
    db.commit()
    keys = sorted(f.dedupe_key for f in created)
    assert keys == ["circling:AB12CDE:2026-05-03"] + sorted(f"slow:{r.track_key}" for r in records)
    slow = next(f for f in created if f.kind == m.FlagKind.SLOW)
    assert slow.details["zones"] == ["kerb_west"] and slow.details["slow_seconds"] == 25.0
    again = store_sightings(db, records)  # a retried upload stores nothing and raises nothing
    assert again.ids == [] and apply_rules(db, again.ids, CFG, now=NOW) == []
