"""Typed records passed between pipeline stages: detection -> track -> sighting.

This module must stay free of numpy/cv2/torch: `intel_api` imports `Sighting` from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal


class VehicleClass(StrEnum):
    CAR = "car"
    MOTORCYCLE = "motorcycle"
    BUS = "bus"
    TRUCK = "truck"


# COCO class ids used by the vehicle detector.
COCO_VEHICLE_CLASSES: dict[int, VehicleClass] = {
    2: VehicleClass.CAR,
    3: VehicleClass.MOTORCYCLE,
    5: VehicleClass.BUS,
    7: VehicleClass.TRUCK,
}

BoxXYXY = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class VehicleDetection:
    """One vehicle box in one frame; `track_id` is set once the tracker has seen it."""

    box: BoxXYXY
    vehicle_class: VehicleClass
    confidence: float
    track_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlateRead:
    """One reading of a plate in one frame (or the consensus of several)."""

    raw_text: str  # what the reader returned, normalised to A-Z0-9
    text: str  # after region grammar correction; equals raw_text when nothing was corrected
    confidence: float  # 0..1
    timestamp: datetime
    box: BoxXYXY | None = None  # plate box in frame pixels
    reader: str = "easyocr"
    grammar_valid: bool = False
    grammar_format: str | None = None  # e.g. "gb_current"; None when no format matched
    # Measured view quality 0..1 (plate size x sharpness, `detect.reading.quality`); None: unknown.
    quality: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")
        if self.timestamp.tzinfo is None:
            raise ValueError("PlateRead.timestamp must be timezone-aware (UTC)")


# The body colours `detect.colour` measures; here so the wire contract needs no OpenCV.
ColourName = Literal["black", "white", "grey", "red", "orange", "yellow", "green", "blue", "brown"]


@dataclass(frozen=True, slots=True)
class ZoneDwell:
    zone: str
    entered: datetime
    left: datetime

    @property
    def seconds(self) -> float:
        return (self.left - self.entered).total_seconds()


@dataclass(frozen=True, slots=True)
class Sighting:
    """One vehicle pass past one camera: the only record `detect` hands to `intel_api`."""

    camera_id: str
    track_key: str  # f"{camera_id}:{stream_epoch}:{track_id}": unique and idempotent
    vehicle_class: VehicleClass
    first_seen: datetime
    last_seen: datetime
    plate: PlateRead | None  # consensus read; None when never readable
    candidates: tuple[PlateRead, ...] = ()
    speed_kmh: float | None = None  # median ground speed; None without calibration
    min_speed_kmh: float | None = None
    direction: str | None = None  # compass-like label from the calibrated ground plane
    heading_deg: float | None = None
    stopped: bool = False
    stopped_seconds: float = 0.0
    zone_dwell: tuple[ZoneDwell, ...] = ()
    plate_image_path: str | None = None
    vehicle_image_path: str | None = None
    frames_seen: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    colour: str | None = None  # measured body colour (detect.colour) from the largest vehicle view
    colour_confidence: float | None = None

    def __post_init__(self) -> None:
        if self.first_seen.tzinfo is None or self.last_seen.tzinfo is None:
            raise ValueError("Sighting times must be timezone-aware (UTC)")
        if self.last_seen < self.first_seen:
            raise ValueError("Sighting.last_seen is before first_seen")

    @property
    def dwell_seconds(self) -> float:
        return (self.last_seen - self.first_seen).total_seconds()


def track_key(camera_id: str, stream_epoch: int, track_id: int) -> str:
    return f"{camera_id}:{stream_epoch}:{track_id}"
