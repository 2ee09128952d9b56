"""Kinematics: homography, speed from frame times, heading, stops and zone dwell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from detect.kinematics import (
    CalibrationError,
    GroundPlane,
    MotionSample,
    compass_label,
    segment_speeds,
    summarise_motion,
    zone_dwell,
)
from detect.zones import ZoneSet
from platewatch.config import Calibration, Zone

T0 = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)
# A perspective view: the road's near edge is wide, the far edge narrow.
CAL = Calibration(
    image_points=[(100, 700), (1180, 700), (800, 300), (480, 300)],
    world_points=[(0, 0), (7.3, 0), (7.3, 40), (0, 40)],
)


def test_homography_maps_known_points_and_rejects_degenerate() -> None:
    plane = GroundPlane(CAL)
    world = plane.to_world(np.array(CAL.image_points, dtype=np.float64))
    np.testing.assert_allclose(world, np.array(CAL.world_points), atol=1e-6)
    mid = plane.to_world(np.array([[640.0, 700.0]]))[0]
    assert mid[0] == pytest.approx(3.65, abs=1e-6) and mid[1] == pytest.approx(0, abs=1e-6)
    with pytest.raises(CalibrationError):
        GroundPlane(Calibration(image_points=[(0, 0), (1, 1), (2, 2), (3, 3)], world_points=[(0, 0)] * 4))


def _track(world_xy: list[tuple[float, float]], fps: float, plane: GroundPlane) -> list[MotionSample]:
    inv = np.linalg.inv(plane.matrix)
    samples = []
    for i, (x, y) in enumerate(world_xy):
        p = inv @ np.array([x, y, 1.0])
        u, v = p[0] / p[2], p[1] / p[2]
        samples.append(MotionSample(T0 + timedelta(seconds=i / fps), (u - 20, v - 30, u + 20, v)))
    return samples


def test_constant_velocity_speed_in_kmh_from_frame_times() -> None:
    plane = GroundPlane(CAL)
    # 10 m/s = 36 km/h straight up the road (north), 5 fps for 3 s
    samples = _track([(3.0, 2.0 * i) for i in range(16)], 5.0, plane)
    s = summarise_motion(samples, plane, stopped_speed_kmh=3.0)
    assert s.speed_kmh == pytest.approx(36.0, rel=0.01)
    assert s.min_speed_kmh == pytest.approx(36.0, rel=0.01)
    assert s.heading_deg == pytest.approx(0.0, abs=0.5) and s.direction == "northbound"
    assert not s.stopped and s.stopped_seconds == 0.0
    # the same path at half the frame rate in time is half the speed: time comes from frames
    slow = [MotionSample(T0 + (m.timestamp - T0) * 2, m.box) for m in samples]
    assert summarise_motion(slow, plane, 3.0).speed_kmh == pytest.approx(18.0, rel=0.01)


def test_stop_is_found_and_timed() -> None:
    plane = GroundPlane(CAL)
    path = [(3.0, 1.0 * i) for i in range(10)]  # 5 m/s for 1.8 s
    path += [(3.0, 9.0)] * 20  # standing for 4 s
    path += [(3.0, 9.0 + 1.0 * i) for i in range(1, 11)]  # away again
    s = summarise_motion(_track(path, 5.0, plane), plane, stopped_speed_kmh=3.0)
    assert s.stopped
    assert 2.5 <= s.stopped_seconds <= 4.5  # 3.8 s standing, edges blurred by the 1.5 s baseline
    assert s.min_speed_kmh is not None and s.min_speed_kmh < 1.0
    assert s.speed_kmh is not None and s.speed_kmh < 18.0 + 0.5


def test_jitter_of_a_parked_car_is_not_motion_without_calibration() -> None:
    rng = np.random.default_rng(1)
    samples = [
        MotionSample(T0 + timedelta(seconds=i / 5), (100 + j[0], 100 + j[1], 160 + j[0], 150 + j[1]))
        for i, j in enumerate(rng.normal(0, 1.0, size=(40, 2)))
    ]
    s = summarise_motion(samples, None, stopped_speed_kmh=3.0)
    assert s.speed_kmh is None and s.heading_deg is None and s.direction is None
    assert s.stopped and s.stopped_seconds > 6.0
    moving = [
        MotionSample(T0 + timedelta(seconds=i / 5), (100, 100 + 5 * i, 160, 150 + 5 * i)) for i in range(20)
    ]
    m = summarise_motion(moving, None, stopped_speed_kmh=3.0)
    assert not m.stopped and m.direction == "approaching"


def test_too_short_a_track_claims_no_stop() -> None:
    samples = [MotionSample(T0 + timedelta(seconds=i / 25), (10, 10, 50, 50)) for i in range(5)]
    assert not summarise_motion(samples, None, 3.0).stopped


def test_zone_dwell_runs_per_zone() -> None:
    zs = [("a",), ("a",), ("a", "b"), ("b",), (), ("a",), ("a",)]
    samples = [MotionSample(T0 + timedelta(seconds=i), (0, 0, 1, 1), z) for i, z in enumerate(zs)]
    dwell = zone_dwell(samples)
    assert [(d.zone, d.seconds) for d in dwell] == [("a", 2.0), ("b", 1.0), ("a", 1.0)]


def test_zone_set_filters_by_ground_point() -> None:
    zones = ZoneSet(
        [
            Zone(name="road", kind="watch", polygon=[(0, 100), (200, 100), (200, 200), (0, 200)]),
            Zone(name="drive", kind="exclude", polygon=[(150, 100), (200, 100), (200, 200), (150, 200)]),
            Zone(name="read", kind="plate", polygon=[(0, 150), (100, 150), (100, 200), (0, 200)]),
        ]
    )
    assert zones.keeps((10, 20, 50, 120))  # roof outside, wheels inside the road
    assert not zones.keeps((10, 20, 50, 90))  # wheels above the road
    assert not zones.keeps((160, 120, 190, 180))  # parked on the excluded drive
    assert zones.in_plate_zone((10, 120, 50, 180)) and not zones.in_plate_zone((10, 100, 50, 120))
    assert zones.zones_at((10, 120, 50, 180)) == ("road", "read")
    assert ZoneSet([]).keeps((0, 0, 1, 1)) and ZoneSet([]).in_plate_zone((0, 0, 1, 1))


def test_compass_labels() -> None:
    assert [compass_label(h) for h in (0, 20, 46, 90, 180, 270, 359)] == [
        "northbound",
        "northbound",
        "northeastbound",
        "eastbound",
        "southbound",
        "westbound",
        "northbound",
    ]


def test_segment_speeds_uses_a_baseline() -> None:
    t = np.arange(10, dtype=np.float64) * 0.2
    pos = np.stack([t * 4.0, np.zeros_like(t)], axis=1)
    np.testing.assert_allclose(segment_speeds(pos, t), 4.0)
