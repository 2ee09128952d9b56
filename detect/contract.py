"""The one wire and disk form of a `Sighting`: a strict, versioned schema (version 1).

Every place that turns a sighting into bytes and back uses these models: the camera worker's
spool on disk, the HTTP sink's request body and the API's ingest endpoint (`intel_api.schemas.ingest`
re-exports them). Unknown fields are refused rather than dropped, and `tests/test_contract.py`
checks that the schema names every field of `detect.records.Sighting` and `PlateRead`, so adding a
field to the record without adding it here fails the tests instead of losing data.

Free of numpy, OpenCV and torch, like `detect.records`: a remote worker needs only this and httpx.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from detect.records import ColourName, PlateRead, Sighting, VehicleClass, ZoneDwell

SCHEMA_VERSION: Literal[1] = 1

# The extra key/value annotations a sighting may carry (e.g. how its speed was measured).
MAX_EXTRA = 32


class ContractModel(BaseModel):
    # NaN and infinities parse from JSON but mean nothing in a sighting (and break the rules' sums);
    # an unknown field is a newer or broken sender, never something to drop silently.
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")


class PlateReadV1(ContractModel):
    raw_text: str = Field(pattern=r"^[A-Z0-9]{0,16}$")
    text: str = Field(pattern=r"^[A-Z0-9]{0,16}$")
    confidence: float = Field(ge=0, le=1)
    timestamp: AwareDatetime
    box: tuple[float, float, float, float] | None = None
    reader: str = Field("easyocr", max_length=32)
    grammar_valid: bool = False
    grammar_format: str | None = Field(None, max_length=32)
    quality: float | None = Field(None, ge=0, le=1, description="Measured view quality (size x sharpness)")

    def to_record(self) -> PlateRead:
        return PlateRead(**self.model_dump())

    @classmethod
    def from_record(cls, r: PlateRead) -> PlateReadV1:
        return cls(
            raw_text=r.raw_text,
            text=r.text,
            confidence=r.confidence,
            timestamp=r.timestamp,
            box=r.box,
            reader=r.reader,
            grammar_valid=r.grammar_valid,
            grammar_format=r.grammar_format,
            quality=r.quality,
        )


class ZoneDwellV1(ContractModel):
    zone: str = Field(max_length=64)
    entered: AwareDatetime
    left: AwareDatetime


class SightingV1(ContractModel):
    schema_version: Literal[1] = Field(SCHEMA_VERSION, description="Version of this sighting schema")
    camera_id: str = Field(pattern=r"^[a-z0-9_]+$")
    track_key: str = Field(
        min_length=3, max_length=160, description="camera:epoch:track; retries are idempotent"
    )
    vehicle_class: VehicleClass
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    plate: PlateReadV1 | None = None
    candidates: list[PlateReadV1] = Field(default_factory=list, max_length=200)
    speed_kmh: float | None = Field(None, ge=0, le=400)
    min_speed_kmh: float | None = Field(None, ge=0, le=400)
    direction: str | None = Field(None, max_length=32)
    heading_deg: float | None = Field(None, ge=-360, le=360)
    stopped: bool = False
    stopped_seconds: float = Field(0.0, ge=0, le=7 * 24 * 3600)
    zone_dwell: list[ZoneDwellV1] = Field(default_factory=list, max_length=100)
    plate_image_path: str | None = Field(None, max_length=500, description="Relative to the evidence store")
    vehicle_image_path: str | None = Field(None, max_length=500, description="Relative to the evidence store")
    frames_seen: int = Field(0, ge=0, le=2**31 - 1)
    extra: dict[str, str] = Field(
        default_factory=dict, max_length=MAX_EXTRA, description="Annotations (short keys and values)"
    )
    colour: ColourName | None = Field(None, description="Body colour measured from the vehicle crop")
    colour_confidence: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> SightingV1:
        if self.last_seen < self.first_seen:
            raise ValueError("last_seen is before first_seen")
        for key, value in self.extra.items():
            if not 0 < len(key) <= 64 or len(value) > 500:
                raise ValueError(f"extra[{key[:64]!r}]: keys are 1-64 characters, values at most 500")
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
            extra=dict(self.extra),
            colour=self.colour,
            colour_confidence=self.colour_confidence,
        )

    @classmethod
    def from_record(cls, s: Sighting) -> SightingV1:
        return cls(
            camera_id=s.camera_id,
            track_key=s.track_key,
            vehicle_class=s.vehicle_class,
            first_seen=s.first_seen,
            last_seen=s.last_seen,
            plate=PlateReadV1.from_record(s.plate) if s.plate is not None else None,
            candidates=[PlateReadV1.from_record(r) for r in s.candidates],
            speed_kmh=s.speed_kmh,
            min_speed_kmh=s.min_speed_kmh,
            direction=s.direction,
            heading_deg=s.heading_deg,
            stopped=s.stopped,
            stopped_seconds=s.stopped_seconds,
            zone_dwell=[ZoneDwellV1(zone=z.zone, entered=z.entered, left=z.left) for z in s.zone_dwell],
            plate_image_path=s.plate_image_path,
            vehicle_image_path=s.vehicle_image_path,
            frames_seen=s.frames_seen,
            extra=dict(s.extra),
            colour=s.colour,  # type: ignore[arg-type]  # the record holds what detect.colour measured
            colour_confidence=s.colour_confidence,
        )


class SightingBatchV1(ContractModel):
    """One request body / one spool line: sightings in the order they were made."""

    sightings: list[SightingV1] = Field(min_length=1)


def contract_problems(error: ValidationError) -> str:
    """A validation error as one line naming every bad field: `first_seen: Input should ...; ...`."""
    parts = []
    for item in error.errors():
        where = ".".join(str(x) for x in item["loc"]) or "sighting"
        parts.append(f"{where}: {item['msg']} (got {str(item.get('input'))[:60]!r})")
    return "; ".join(parts)
