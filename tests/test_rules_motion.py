"""Slow-moving / kerb-crawling: the motion call and the slow verdict on constructed sightings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell
from intel_api.rules.facts import SightingFacts, ZoneVisit
from intel_api.rules.motion import MotionSummary, classify_motion, slow_verdict
from platewatch.config import SlowRule

RULE = SlowRule(max_speed_kmh=12, min_duration_s=8, parked_after_s=300)
T0 = datetime(2026, 5, 3, 21, 10, tzinfo=UTC)


def facts(
    dwell_s: float,
    speed: float | None,
    stopped_s: float = 0.0,
    zones: tuple[ZoneVisit, ...] = (),
    min_speed: float | None = None,
) -> SightingFacts:
    return SightingFacts(
        id=1,
        track_key="elm_st_north:0:1",
        camera_id="elm_st_north",
        first_seen=T0,
        last_seen=T0 + timedelta(seconds=dwell_s),
        vehicle_class="car",
        plate_text="AB12CDE",
        plate_confidence=0.95,
        speed_kmh=speed,
        min_speed_kmh=min_speed if min_speed is not None else speed,
        stopped=stopped_s > 0,
        stopped_seconds=stopped_s,
        zone_dwell=zones,
    )


@pytest.mark.parametrize(
    ("dwell", "speed", "stopped", "label"),
    [
        (20, 30.0, 0.0, "moving"),
        (20, 8.0, 0.0, "slow"),
        (20, 12.0, 0.0, "moving"),  # the limit itself is not "below"
        (20, 25.0, 4.0, "stopped"),
        (20, 25.0, 0.5, "moving"),  # under a second of standstill is braking, not a stop
        (400, 0.0, 300.0, "parked"),
        (400, 0.0, 299.0, "stopped"),
        (20, None, 0.0, "moving"),
        (20, None, 3.0, "stopped"),
    ],
)
def test_classify_motion(dwell: float, speed: float | None, stopped: float, label: str) -> None:
    call = classify_motion(MotionSummary.from_facts(facts(dwell, speed, stopped)), RULE)
    assert call.label == label
    assert call.reason


def test_stopped_without_duration_counts_as_a_stop() -> None:
    f = SightingFacts(
        id=1, track_key="c:0:1", camera_id="c", first_seen=T0, last_seen=T0 + timedelta(seconds=5),
        vehicle_class="car", speed_kmh=40.0, stopped=True, stopped_seconds=0.0,
    )  # fmt: skip
    assert classify_motion(MotionSummary.from_facts(f), RULE).label == "stopped"


def test_slow_for_long_enough_in_whole_view_is_flagged() -> None:
    v = slow_verdict(facts(15, 7.0), RULE, frozenset())
    assert v.flag and v.call.label == "slow"
    assert v.slow_seconds == pytest.approx(15)


def test_slow_but_too_short_is_not_flagged() -> None:
    v = slow_verdict(facts(6, 7.0), RULE, frozenset())
    assert not v.flag
    assert "under the 8 s needed" in v.reason


def test_stop_and_go_adds_up_stops_even_when_moving_briskly_between_them() -> None:
    # median 20 km/h between stops, but three short stops of 3 s each: 9 s stationary on the kerb
    v = slow_verdict(facts(30, 20.0, stopped_s=9.0, min_speed=0.0), RULE, frozenset())
    assert v.flag and v.call.label == "stopped"
    assert v.slow_seconds == pytest.approx(9.0)
    # ...whereas a single 3 s stop (a junction) is not enough
    assert not slow_verdict(facts(30, 20.0, stopped_s=3.0, min_speed=0.0), RULE, frozenset()).flag


def test_parked_vehicle_is_not_flagged() -> None:
    v = slow_verdict(facts(900, 0.0, stopped_s=850.0), RULE, frozenset())
    assert v.call.label == "parked"
    assert not v.flag


def test_only_time_inside_watch_zones_counts() -> None:
    zones = frozenset({"kerb_west"})
    inside = facts(60, 6.0, zones=(ZoneVisit("kerb_west", 20.0), ZoneVisit("road", 40.0)))
    v = slow_verdict(inside, RULE, zones)
    assert v.flag and v.zones == ("kerb_west",) and v.watch_seconds == pytest.approx(20.0)
    brief = facts(60, 6.0, zones=(ZoneVisit("kerb_west", 5.0),))
    assert not slow_verdict(brief, RULE, zones).flag
    outside = facts(60, 6.0, zones=(ZoneVisit("road", 60.0),))
    v = slow_verdict(outside, RULE, zones)
    assert not v.flag and v.reason == "never entered a watch zone"


def test_facts_from_pipeline_record() -> None:
    read = PlateRead(raw_text="AB12CDE", text="AB12CDE", confidence=0.9, timestamp=T0)
    rec = Sighting(
        camera_id="elm_st_north",
        track_key="elm_st_north:0:9",
        vehicle_class=VehicleClass.CAR,
        first_seen=T0,
        last_seen=T0 + timedelta(seconds=30),
        plate=read,
        speed_kmh=6.0,
        min_speed_kmh=0.0,
        stopped=True,
        stopped_seconds=4.0,
        zone_dwell=(
            ZoneDwell("kerb_west", T0, T0 + timedelta(seconds=10)),
            ZoneDwell("kerb_west", T0 + timedelta(seconds=15), T0 + timedelta(seconds=20)),
        ),
    )
    f = SightingFacts.from_record(rec)
    assert f.plate == "AB12CDE" and f.plate_confidence == 0.9 and f.dwell_seconds == 30
    assert f.zone_dwell == (ZoneVisit("kerb_west", 15.0),)
    assert slow_verdict(f, RULE, frozenset({"kerb_west"})).flag


def test_facts_reject_naive_times_and_negative_stops() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SightingFacts(id=1, track_key="k", camera_id="c", first_seen=T0.replace(tzinfo=None),
                      last_seen=T0.replace(tzinfo=None), vehicle_class="car")  # fmt: skip
    with pytest.raises(ValueError, match="negative"):
        SightingFacts(id=1, track_key="k", camera_id="c", first_seen=T0, last_seen=T0, vehicle_class="car",
                      stopped_seconds=-1)  # fmt: skip


def test_facts_from_row_tolerate_malformed_zone_dwell(caplog: pytest.LogCaptureFixture) -> None:
    from intel_api.db.models import Sighting as Row

    row = Row(
        id=5, track_key="c:0:5", camera_id="c", first_seen=T0, last_seen=T0 + timedelta(seconds=30),
        vehicle_class="car", plate_text="ab12 cde", plate_confidence=0.8, stopped=False, stopped_seconds=0.0,
        zone_dwell=[
            {"zone": "kerb_west", "entered": "2026-05-03T21:10:00Z", "left": "2026-05-03T21:10:12Z"},
            {"zone": "kerb_west", "seconds": 3},
            {"zone": "kerb_west", "entered": "not a time", "left": "2026-05-03T21:10:12+00:00"},
            {"seconds": 4},
        ],
    )  # fmt: skip
    f = SightingFacts.from_row(row)
    assert f.plate == "AB12CDE" and f.zone_dwell == (ZoneVisit("kerb_west", 15.0),)
    assert "malformed zone_dwell" in caplog.text
