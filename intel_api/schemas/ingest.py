"""What a remote camera worker posts: finished sightings, mirroring `detect.records.Sighting`."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from detect.colour import ColourName
from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell

# The most sightings one ingest request may carry (a worker sends batches of 25 by default).
MAX_BATCH = 500


class IngestModel(BaseModel):
    # NaN and infinities parse from JSON but mean nothing in a sighting (and break the rules' sums).
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")


class PlateReadIn(IngestModel):
    raw_text: str = Field(pattern=r"^[A-Z0-9]{0,16}$")
    text: str = Field(pattern=r"^[A-Z0-9]{0,16}$")
    confidence: float = Field(ge=0, le=1)
    timestamp: AwareDatetime
    box: tuple[float, float, float, float] | None = None
    reader: str = Field("easyocr", max_length=32)
    grammar_valid: bool = False
    grammar_format: str | None = Field(None, max_length=32)

    def to_record(self) -> PlateRead:
        return PlateRead(**self.model_dump())


class ZoneDwellIn(IngestModel):
    zone: str = Field(max_length=64)
    entered: AwareDatetime
    left: AwareDatetime


class SightingIn(IngestModel):
    camera_id: str = Field(pattern=r"^[a-z0-9_]+$")
    track_key: str = Field(
        min_length=3, max_length=160, description="camera:epoch:track; retries are idempotent"
    )
    vehicle_class: VehicleClass
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    plate: PlateReadIn | None = None
    candidates: list[PlateReadIn] = Field(default_factory=list, max_length=200)
    speed_kmh: float | None = Field(None, ge=0, le=400)
    min_speed_kmh: float | None = Field(None, ge=0, le=400)
    direction: str | None = Field(None, max_length=32)
    heading_deg: float | None = Field(None, ge=-360, le=360)
    stopped: bool = False
    stopped_seconds: float = Field(0.0, ge=0, le=7 * 24 * 3600)
    zone_dwell: list[ZoneDwellIn] = Field(default_factory=list, max_length=100)
    plate_image_path: str | None = Field(None, max_length=500, description="Relative to the evidence store")
    vehicle_image_path: str | None = Field(None, max_length=500, description="Relative to the evidence store")
    frames_seen: int = Field(0, ge=0, le=2**31 - 1)
    colour: ColourName | None = Field(None, description="Body colour measured from the vehicle crop")
    colour_confidence: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> SightingIn:
        if self.last_seen < self.first_seen:
            raise ValueError("last_seen is before first_seen")
        return self

    def to_record(self) -> Sighting:
        return Sighting(
            camera_id=self.camera_id,
            track_key=self.track_key,
            vehicle_class=self.vehicle_class,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            plate=self.plate.to_record() if self.plate else None,
            candidates=tuple(c.to_record() for c in self.candidates),
            speed_kmh=self.speed_kmh,
            min_speed_kmh=self.min_speed_kmh,
            direction=self.direction,
            heading_deg=self.heading_deg,
            stopped=self.stopped,
            stopped_seconds=self.stopped_seconds,
            zone_dwell=tuple(ZoneDwell(z.zone, z.entered, z.left) for z in self.zone_dwell),
            plate_image_path=self.plate_image_path,
            vehicle_image_path=self.vehicle_image_path,
            frames_seen=self.frames_seen,
            colour=self.colour,
            colour_confidence=self.colour_confidence,
        )


class IngestIn(IngestModel):
    sightings: list[SightingIn] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"At most {MAX_BATCH} sightings per request, within the body size limit",
    )


class IngestOut(BaseModel):
    inserted: int
    duplicates: int
    ids: list[int]
    rules_applied: bool
    flags_created: int | None = None
