"""The input every rule reads: one sighting reduced to the facts rules need, from either source.

Rules take `SightingFacts` rather than the pipeline record or the ORM row so they stay pure functions
(no numpy, no session) and can be tested with hand-built sequences.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from detect.records import Sighting as SightingRecord
from intel_api.db.models import Sighting as SightingRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ZoneVisit:
    zone: str
    seconds: float


@dataclass(frozen=True, slots=True)
class SightingFacts:
    id: int | None  # database id; None for a record not yet stored
    track_key: str
    camera_id: str
    first_seen: datetime
    last_seen: datetime
    vehicle_class: str
    plate_text: str | None = None
    plate_confidence: float | None = None
    plate_corrected: bool = False  # an officer corrected the plate: its text is a fact, not a read
    speed_kmh: float | None = None  # median ground speed; None without calibration
    min_speed_kmh: float | None = None
    stopped: bool = False
    stopped_seconds: float = 0.0
    zone_dwell: tuple[ZoneVisit, ...] = ()

    def __post_init__(self) -> None:
        if self.first_seen.tzinfo is None or self.last_seen.tzinfo is None:
            raise ValueError("SightingFacts times must be timezone-aware")
        if self.last_seen < self.first_seen:
            raise ValueError(f"{self.track_key}: last_seen is before first_seen")
        if self.stopped_seconds < 0:
            raise ValueError(f"{self.track_key}: stopped_seconds is negative")

    @property
    def dwell_seconds(self) -> float:
        return (self.last_seen - self.first_seen).total_seconds()

    @property
    def plate(self) -> str | None:
        """The plate normalised for comparison (upper case, no spaces), or None when unread."""
        if not self.plate_text:
            return None
        text = "".join(self.plate_text.split()).upper()
        return text or None

    @classmethod
    def from_record(cls, rec: SightingRecord, sighting_id: int | None = None) -> SightingFacts:
        dwell: dict[str, float] = {}
        for z in rec.zone_dwell:
            dwell[z.zone] = dwell.get(z.zone, 0.0) + z.seconds
        return cls(
            id=sighting_id,
            track_key=rec.track_key,
            camera_id=rec.camera_id,
            first_seen=rec.first_seen,
            last_seen=rec.last_seen,
            vehicle_class=str(rec.vehicle_class),
            plate_text=rec.plate.text if rec.plate else None,
            plate_confidence=rec.plate.confidence if rec.plate else None,
            speed_kmh=rec.speed_kmh,
            min_speed_kmh=rec.min_speed_kmh,
            stopped=rec.stopped,
            stopped_seconds=rec.stopped_seconds,
            zone_dwell=tuple(ZoneVisit(k, v) for k, v in dwell.items()),
        )

    @classmethod
    def from_row(cls, row: SightingRow) -> SightingFacts:
        return cls(
            id=row.id,
            track_key=row.track_key,
            camera_id=row.camera_id,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            vehicle_class=row.vehicle_class,
            plate_text=row.plate_text,
            plate_confidence=row.plate_confidence,
            plate_corrected=row.plate_corrected_by is not None,
            speed_kmh=row.speed_kmh,
            min_speed_kmh=row.min_speed_kmh,
            stopped=bool(row.stopped),
            stopped_seconds=row.stopped_seconds or 0.0,
            zone_dwell=_zone_visits(row.zone_dwell or []),
        )


def _zone_visits(raw: list[dict[str, Any]]) -> tuple[ZoneVisit, ...]:
    """Zone dwell as stored: a list of {zone, entered, left} (ISO times) or {zone, seconds} items.

    A malformed item is skipped with a warning rather than failing the rules for every sighting stored
    with it: the sighting then simply has less zone evidence.
    """
    dwell: dict[str, float] = {}
    for item in raw:
        try:
            zone = str(item["zone"])
            if "seconds" in item:
                seconds = float(item["seconds"])
            else:
                entered = datetime.fromisoformat(str(item["entered"]))
                left = datetime.fromisoformat(str(item["left"]))
                seconds = (left - entered).total_seconds()
        except (KeyError, TypeError, ValueError) as e:
            log.warning("ignoring malformed zone_dwell item %r: %s", item, e)
            continue
        dwell[zone] = dwell.get(zone, 0.0) + max(seconds, 0.0)
    return tuple(ZoneVisit(k, v) for k, v in dwell.items())
