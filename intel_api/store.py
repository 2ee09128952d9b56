"""Storing Sightings: idempotent on `track_key`, with their plate candidates, on SQLite and PostgreSQL.

`sighting_to_dict` / `sighting_from_dict` are the one JSON form of a Sighting: the writer's
spool on disk uses it, and so does the API's ingest endpoint for remote cameras.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from detect.contract import SightingV1, contract_problems
from detect.reading.country import country_of_format, is_foreign_format
from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell
from intel_api.db.models import Camera, PlateReadRow
from intel_api.db.models import Sighting as SightingRow
from intel_api.db.partitions import Month, ensure_months


class SightingFormatError(ValueError):
    """A JSON sighting that cannot be turned back into a `Sighting` (names the bad field)."""


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """What the `camera` table records about a camera (from the site config)."""

    id: str
    name: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    direction_of_travel: str = ""


@dataclass(frozen=True, slots=True)
class StoreResult:
    inserted: int
    duplicates: int
    ids: list[int] = field(default_factory=list)  # ids of the rows inserted now, in input order


# -- JSON form ---------------------------------------------------------------------------------
def sighting_to_dict(s: Sighting) -> dict[str, Any]:
    """The contract's JSON form (`detect.contract.SightingV1`) of a record."""
    return SightingV1.from_record(s).model_dump(mode="json")


def sighting_from_dict(d: Mapping[str, Any]) -> Sighting:
    """Inverse of `sighting_to_dict`; raises `SightingFormatError` naming what is wrong."""
    data = dict(d)
    if "schema" in data and "schema_version" not in data:
        data["schema_version"] = data.pop("schema")  # spool lines written before the contract
    try:
        return SightingV1.model_validate(data).to_record()
    except ValidationError as e:
        raise SightingFormatError(contract_problems(e)) from None
    except ValueError as e:  # the record's own checks
        raise SightingFormatError(str(e)) from None


# -- database ----------------------------------------------------------------------------------
def _insert(session: Session, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT DO NOTHING on both supported backends."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}")


def upsert_cameras(session: Session, cameras: Sequence[CameraInfo]) -> None:
    """Create missing camera rows and refresh the descriptive fields of existing ones."""
    for cam in cameras:
        values = {
            "name": cam.name,
            "location": cam.location,
            "latitude": cam.latitude,
            "longitude": cam.longitude,
            "direction_of_travel": cam.direction_of_travel,
        }
        stmt = _insert(session, Camera).values(id=cam.id, **values)
        session.execute(stmt.on_conflict_do_update(index_elements=[Camera.id], set_=values))


def _ensure_cameras(session: Session, camera_ids: set[str]) -> None:
    for cid in sorted(camera_ids):
        session.execute(
            _insert(session, Camera).values(id=cid).on_conflict_do_nothing(index_elements=[Camera.id])
        )


def _row_values(s: Sighting) -> dict[str, Any]:
    p = s.plate
    return {
        "track_key": s.track_key,
        "camera_id": s.camera_id,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "vehicle_class": s.vehicle_class.value,
        "plate_raw": p.raw_text if p else None,
        "plate_text": p.text if p else None,
        "plate_confidence": p.confidence if p else None,
        "plate_format": p.grammar_format if p else None,
        "plate_valid": p.grammar_valid if p else False,
        "plate_country": country_of_format(p.grammar_format) if p else None,
        "plate_foreign": is_foreign_format(p.grammar_format) if p else False,
        "plate_timestamp": p.timestamp if p else None,
        "plate_box": list(p.box) if p and p.box is not None else None,
        "plate_reader": p.reader if p else None,
        "plate_quality": p.quality if p else None,
        "speed_kmh": s.speed_kmh,
        "min_speed_kmh": s.min_speed_kmh,
        "direction": s.direction,
        "heading_deg": s.heading_deg,
        "stopped": s.stopped,
        "stopped_seconds": s.stopped_seconds,
        "dwell_seconds": s.dwell_seconds,
        "zone_dwell": [
            {
                "zone": d.zone,
                "entered": d.entered.isoformat(),
                "left": d.left.isoformat(),
                "seconds": d.seconds,
            }
            for d in s.zone_dwell
        ],
        "plate_image_path": s.plate_image_path,
        "vehicle_image_path": s.vehicle_image_path,
        "frames_seen": s.frames_seen,
        "colour": s.colour,
        "colour_confidence": s.colour_confidence,
        "extra": dict(s.extra),
    }


def store_sightings(
    session: Session, sightings: Sequence[Sighting], cameras: Sequence[CameraInfo] = ()
) -> StoreResult:
    """Insert sightings not stored yet (by `track_key`); a repeat is a counted no-op.

    Also upserts `cameras` and creates a bare row for any other camera a sighting names, and
    writes one `plate_read` row per candidate. Flushes; the caller commits.
    """
    upsert_cameras(session, cameras)
    _ensure_cameras(session, {s.camera_id for s in sightings} - {c.id for c in cameras})
    ensure_months(session.connection(), {Month.of(s.first_seen) for s in sightings})
    # Month-partitioned PostgreSQL makes track_key unique with first_seen (the partition key); a
    # replayed sighting repeats both, so the repeat is still caught.
    conflict: list[Any] = [SightingRow.track_key]
    if session.get_bind().dialect.name == "postgresql":
        conflict.append(SightingRow.first_seen)
    ids: list[int] = []
    duplicates = 0
    for s in sightings:
        stmt = (
            _insert(session, SightingRow)
            .values(**_row_values(s))
            .on_conflict_do_nothing(index_elements=conflict)
            .returning(SightingRow.id)
        )
        new_id = session.execute(stmt).scalar_one_or_none()
        if new_id is None:
            duplicates += 1
            continue
        ids.append(int(new_id))
        for r in s.candidates:
            session.add(
                PlateReadRow(
                    sighting_id=new_id,
                    sighting_first_seen=s.first_seen,
                    timestamp=r.timestamp,
                    raw_text=r.raw_text,
                    text=r.text,
                    confidence=r.confidence,
                    reader=r.reader,
                    grammar_valid=r.grammar_valid,
                    grammar_format=r.grammar_format,
                    quality=r.quality,
                    box=list(r.box) if r.box is not None else None,
                )
            )
    session.flush()
    return StoreResult(inserted=len(ids), duplicates=duplicates, ids=ids)


def _box(raw: list[float] | None) -> tuple[float, float, float, float] | None:
    return (float(raw[0]), float(raw[1]), float(raw[2]), float(raw[3])) if raw is not None else None


def record_from_row(row: SightingRow) -> Sighting:
    """The record a stored row was made from (the inverse of `store_sightings` for one sighting).

    A row stored before migration 0008 has no consensus time or reader: the plate then takes the
    sighting's last_seen and the default reader. A plate an officer corrected comes back corrected.
    """
    plate: PlateRead | None = None
    if row.plate_text is not None:
        plate = PlateRead(
            raw_text=row.plate_raw or "",
            text=row.plate_text,
            confidence=row.plate_confidence or 0.0,
            timestamp=row.plate_timestamp or row.last_seen,
            box=_box(row.plate_box),
            reader=row.plate_reader or "easyocr",
            grammar_valid=bool(row.plate_valid),
            grammar_format=row.plate_format,
            quality=row.plate_quality,
        )
    reads = sorted(row.reads, key=lambda r: r.id)
    return Sighting(
        camera_id=row.camera_id,
        track_key=row.track_key,
        vehicle_class=VehicleClass(row.vehicle_class),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        plate=plate,
        candidates=tuple(
            PlateRead(
                raw_text=r.raw_text,
                text=r.text,
                confidence=r.confidence,
                timestamp=r.timestamp,
                box=_box(r.box),
                reader=r.reader,
                grammar_valid=bool(r.grammar_valid),
                grammar_format=r.grammar_format,
                quality=r.quality,
            )
            for r in reads
        ),
        speed_kmh=row.speed_kmh,
        min_speed_kmh=row.min_speed_kmh,
        direction=row.direction,
        heading_deg=row.heading_deg,
        stopped=bool(row.stopped),
        stopped_seconds=row.stopped_seconds or 0.0,
        zone_dwell=tuple(
            ZoneDwell(
                str(z["zone"]),
                datetime.fromisoformat(str(z["entered"])),
                datetime.fromisoformat(str(z["left"])),
            )
            for z in (row.zone_dwell or [])
            if "entered" in z and "left" in z
        ),
        plate_image_path=row.plate_image_path,
        vehicle_image_path=row.vehicle_image_path,
        frames_seen=row.frames_seen or 0,
        extra={str(k): str(v) for k, v in (row.extra or {}).items()},
        colour=row.colour,
        colour_confidence=row.colour_confidence,
    )


def find_sightings(
    session: Session,
    *,
    plate: str | None = None,
    since: datetime | None = None,
    camera_id: str | None = None,
    limit: int = 100,
) -> list[SightingRow]:
    """Stored sightings, newest first, filtered by plate text / start time / camera."""
    q = sa.select(SightingRow)
    if plate:
        q = q.where(SightingRow.plate_text == plate)
    if since is not None:
        q = q.where(SightingRow.first_seen >= since)
    if camera_id:
        q = q.where(SightingRow.camera_id == camera_id)
    q = q.order_by(SightingRow.first_seen.desc(), SightingRow.id.desc()).limit(limit)
    return list(session.scalars(q))
