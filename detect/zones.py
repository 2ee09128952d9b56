"""A camera's zones as polygons: which detections to keep, where plates are read, dwell per zone.

Every test uses the box's ground point (bottom-centre): that is where the vehicle touches the road,
so a tall bus whose roof crosses into a zone does not count as inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from detect.records import BoxXYXY
from platewatch.config import Zone

Point = tuple[float, float]


def ground_point(box: BoxXYXY) -> Point:
    return ((box[0] + box[2]) / 2.0, box[3])


@dataclass(frozen=True, slots=True)
class _Polygon:
    name: str
    kind: str
    contour: npt.NDArray[np.float32]

    def contains(self, point: Point) -> bool:
        return cv2.pointPolygonTest(self.contour, (float(point[0]), float(point[1])), False) >= 0


class ZoneSet:
    """The zones of one camera. No zones at all means the whole frame is watched and read."""

    def __init__(self, zones: Sequence[Zone]) -> None:
        self._polygons = [
            _Polygon(z.name, z.kind, np.asarray(z.polygon, dtype=np.float32).reshape(-1, 1, 2)) for z in zones
        ]
        self._include = [p for p in self._polygons if p.kind in ("watch", "plate")]
        self._exclude = [p for p in self._polygons if p.kind == "exclude"]
        plate = [p for p in self._polygons if p.kind == "plate"]
        # A camera without a dedicated plate zone reads plates wherever it watches.
        self._plate = plate or self._include

    @property
    def names(self) -> list[str]:
        return [p.name for p in self._include]

    def keeps(self, box: BoxXYXY) -> bool:
        """True when a detection is inside a watch/plate zone (or there are none) and in no exclude zone."""
        point = ground_point(box)
        if any(p.contains(point) for p in self._exclude):
            return False
        return not self._include or any(p.contains(point) for p in self._include)

    def in_plate_zone(self, box: BoxXYXY) -> bool:
        point = ground_point(box)
        return not self._plate or any(p.contains(point) for p in self._plate)

    def zones_at(self, box: BoxXYXY) -> tuple[str, ...]:
        """Names of the watch/plate zones that hold the box's ground point (dwell is kept per zone)."""
        point = ground_point(box)
        return tuple(p.name for p in self._include if p.contains(point))
