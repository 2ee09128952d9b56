"""Speed, heading, stops and zone dwell of one track, from frame timestamps only.

With a ground-plane calibration (image pixels -> metres, `cv2.findHomography`), the ground point of
each box (bottom-centre) is mapped to the road and speeds are in km/h. Without one, speed is None
and "stopped" is judged in pixels relative to the box height: a ground point moving slower than
`STOPPED_BOX_HEIGHTS_PER_S` box heights per second counts as stopped. That constant was chosen on
the annotated London clips (uk_dev): vehicles the annotators marked stopped/parked move under 0.05
box heights/s, moving ones in queueing traffic mostly above 0.1.
Detector boxes jitter by a few pixels at CCTV resolution, so positions are median-smoothed and
speeds are measured over a baseline of at least `SPEED_BASELINE_S` seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np
import numpy.typing as npt

from detect.records import BoxXYXY, ZoneDwell
from detect.zones import ground_point
from platewatch.config import Calibration

FloatArray = npt.NDArray[np.float64]

SMOOTH_WINDOW = 5  # samples in the running median of positions
SPEED_BASELINE_S = 1.5  # speeds are measured between samples at least this far apart
STOPPED_BOX_HEIGHTS_PER_S = 0.08  # stop threshold without calibration (see module docstring)
MIN_STOP_SECONDS = 1.0  # a Sighting is "stopped" once it was below the threshold this long
MIN_HEADING_METRES = 1.0  # shorter displacements give no heading (a parked car's jitter)
MIN_HEADING_BOX_HEIGHTS = 0.5

_COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")


class CalibrationError(ValueError):
    pass


class GroundPlane:
    """Homography from image pixels to metres on the road (x east, y north)."""

    def __init__(self, calibration: Calibration) -> None:
        src = np.asarray(calibration.image_points, dtype=np.float64)
        dst = np.asarray(calibration.world_points, dtype=np.float64)
        matrix, _ = cv2.findHomography(src, dst, 0)
        if matrix is None or not np.all(np.isfinite(matrix)) or abs(np.linalg.det(matrix)) < 1e-12:
            raise CalibrationError("calibration points are degenerate (collinear or repeated); no homography")
        self.matrix: FloatArray = matrix.astype(np.float64)

    def to_world(self, points: FloatArray) -> FloatArray:
        """Nx2 image points -> Nx2 world metres."""
        if len(points) == 0:
            return np.zeros((0, 2), dtype=np.float64)
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, self.matrix).reshape(-1, 2).astype(np.float64)


@dataclass(frozen=True, slots=True)
class MotionSample:
    timestamp: datetime
    box: BoxXYXY
    zones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MotionSummary:
    speed_kmh: float | None
    min_speed_kmh: float | None
    heading_deg: float | None
    direction: str | None
    stopped: bool
    stopped_seconds: float
    zone_dwell: tuple[ZoneDwell, ...]


def compass_label(heading_deg: float) -> str:
    return _COMPASS[int(((heading_deg % 360.0) + 22.5) // 45.0) % 8] + "bound"


def _running_median(values: FloatArray, window: int) -> FloatArray:
    if len(values) < 3 or window < 2:
        return values
    n = len(values)
    out = np.empty_like(values)
    for i in range(n):
        # symmetric window, shrinking at the ends, so steady motion is not bent at the ends
        half = min(window // 2, i, n - 1 - i)
        out[i] = np.median(values[i - half : i + half + 1], axis=0)
    return out


def segment_speeds(
    positions: FloatArray, seconds: FloatArray, baseline_s: float = SPEED_BASELINE_S
) -> FloatArray:
    """Speed (units/s) attributed to each interval [t_i, t_i+1], measured over >= baseline_s.

    Each interval takes the speed of the shortest sample span around it that lasts the baseline,
    so jitter of a pixel or two does not read as motion, and a real stop still shows within ~1 s.
    """
    n = len(seconds)
    if n < 2:
        return np.zeros(0, dtype=np.float64)
    speeds = np.zeros(n - 1, dtype=np.float64)
    for i in range(n - 1):
        mid = (seconds[i] + seconds[i + 1]) / 2.0
        lo, hi = i, i + 1
        while seconds[hi] - seconds[lo] < baseline_s and (lo > 0 or hi < n - 1):
            # grow towards whichever side keeps the span centred on this interval
            if lo > 0 and (hi == n - 1 or mid - seconds[lo - 1] <= seconds[hi + 1] - mid):
                lo -= 1
            else:
                hi += 1
        dt = seconds[hi] - seconds[lo]
        speeds[i] = float(np.linalg.norm(positions[hi] - positions[lo]) / dt) if dt > 0 else 0.0
    return speeds


def zone_dwell(samples: Sequence[MotionSample]) -> tuple[ZoneDwell, ...]:
    """One ZoneDwell per continuous run of samples inside a zone, in order of entry."""
    open_runs: dict[str, tuple[datetime, datetime]] = {}
    done: list[ZoneDwell] = []
    for s in samples:
        for name in list(open_runs):
            if name not in s.zones:
                entered, left = open_runs.pop(name)
                done.append(ZoneDwell(name, entered, left))
        for name in s.zones:
            entered, _ = open_runs.get(name, (s.timestamp, s.timestamp))
            open_runs[name] = (entered, s.timestamp)
    done.extend(ZoneDwell(name, entered, left) for name, (entered, left) in open_runs.items())
    return tuple(sorted(done, key=lambda d: (d.entered, d.zone)))


def _image_direction(start: FloatArray, end: FloatArray, scale_px: float) -> str | None:
    dx, dy = float(end[0] - start[0]), float(end[1] - start[1])
    if math.hypot(dx, dy) < MIN_HEADING_BOX_HEIGHTS * scale_px:
        return None
    if abs(dy) >= abs(dx):
        return "approaching" if dy > 0 else "receding"
    return "left-to-right" if dx > 0 else "right-to-left"


def summarise_motion(
    samples: Sequence[MotionSample],
    plane: GroundPlane | None,
    stopped_speed_kmh: float,
) -> MotionSummary:
    """Kinematics of one finished track (samples in time order)."""
    dwell = zone_dwell(samples)
    if len(samples) < 2:
        return MotionSummary(None, None, None, None, False, 0.0, dwell)
    t0 = samples[0].timestamp
    seconds = np.array([(s.timestamp - t0).total_seconds() for s in samples], dtype=np.float64)
    pixels = np.array([ground_point(s.box) for s in samples], dtype=np.float64)
    heights = np.array([max(1.0, s.box[3] - s.box[1]) for s in samples], dtype=np.float64)
    intervals = np.diff(seconds)

    if plane is not None:
        world = _running_median(plane.to_world(pixels), SMOOTH_WINDOW)
        speeds_kmh = _running_median(segment_speeds(world, seconds), SMOOTH_WINDOW) * 3.6
        stopped_mask = speeds_kmh < stopped_speed_kmh
        disp = world[-1] - world[0]
        heading: float | None = None
        direction: str | None = None
        if float(np.linalg.norm(disp)) >= MIN_HEADING_METRES:
            # x east, y north: heading clockwise from north
            heading = round(float(math.degrees(math.atan2(disp[0], disp[1]))), 3) % 360.0
            direction = compass_label(heading)
        speed = float(np.median(speeds_kmh))
        min_speed = float(np.min(speeds_kmh))
    else:
        smooth = _running_median(pixels, SMOOTH_WINDOW)
        # positions in box heights: the scale follows the vehicle as it nears or leaves the camera
        scale = float(np.median(heights))
        rel_speeds = _running_median(segment_speeds(smooth / scale, seconds), SMOOTH_WINDOW)
        stopped_mask = rel_speeds < STOPPED_BOX_HEIGHTS_PER_S
        heading, speed, min_speed = None, None, None
        direction = _image_direction(smooth[0], smooth[-1], scale)

    if seconds[-1] < SPEED_BASELINE_S:
        # too short to tell a stop from detector jitter: no stop is claimed
        stopped_mask = np.zeros_like(stopped_mask)
    stopped_seconds = float(np.sum(intervals[stopped_mask]))
    return MotionSummary(
        speed_kmh=speed,
        min_speed_kmh=min_speed,
        heading_deg=heading,
        direction=direction,
        stopped=stopped_seconds >= MIN_STOP_SECONDS,
        stopped_seconds=stopped_seconds,
        zone_dwell=dwell,
    )
