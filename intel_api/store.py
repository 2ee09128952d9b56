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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from detect.reading.country import country_of_format, is_foreign_format
from detect.records import PlateRead, Sighting, VehicleClass, ZoneDwell
from intel_api.db.models import Camera, PlateReadRow
from intel_api.db.models import Sighting as SightingRow

SCHEMA_VERSION = 1


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
def _read_to_dict(r: PlateRead) -> dict[str, Any]:
    return {
        "raw_text": r.raw_text,
        "text": r.text,
        "confidence": r.confidence,
        "timestamp": r.timestamp.isoformat(),
        "box": list(r.box) if r.box is not None else None,
        "reader": r.reader,
        "grammar_valid": r.grammar_valid,
        "grammar_format": r.grammar_format,
    }


def sighting_to_dict(s: Sighting) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "camera_id": s.camera_id,
        "track_key": s.track_key,
        "vehicle_class": s.vehicle_class.value,
        "first_seen": s.first_seen.isoformat(),
        "last_seen": s.last_seen.isoformat(),
        "plate": _read_to_dict(s.plate) if s.plate is not None else None,
        "candidates": [_read_to_dict(r) for r in s.candidates],
        "speed_kmh": s.speed_kmh,
        "min_speed_kmh": s.min_speed_kmh,
        "direction": s.direction,
        "heading_deg": s.heading_deg,
        "stopped": s.stopped,
        "stopped_seconds": s.stopped_seconds,
        "zone_dwell": [
            {"zone": d.zone, "entered": d.entered.isoformat(), "left": d.left.isoformat()}
            for d in s.zone_dwell
        ],
        "plate_image_path": s.plate_image_path,
        "vehicle_image_path": s.vehicle_image_path,
        "frames_seen": s.frames_seen,
        "colour": s.colour,
        "colour_confidence": s.colour_confidence,
        "extra": dict(s.extra),
    }


def _time(d: Mapping[str, Any], key: str) -> datetime:
    value = d[key]
    if not isinstance(value, str):
        raise SightingFormatError(f"{key}: expected an ISO-8601 time string")
    try:
        t = datetime.fromisoformat(value)
    except ValueError as e:
        raise SightingFormatError(f"{key}: not an ISO-8601 time: {value!r}") from e
    if t.tzinfo is None:
        raise SightingFormatError(f"{key}: time needs a timezone offset: {value!r}")
    return t


def _opt_float(d: Mapping[str, Any], key: str) -> float | None:
    v = d.get(key)
    return None if v is None else float(v)


def _read_from_dict(d: Mapping[str, Any]) -> PlateRead:
    box = d.get("box")
    return PlateRead(
        raw_text=str(d["raw_text"]),
        text=str(d["text"]),
        confidence=float(d["confidence"]),
        timestamp=_time(d, "timestamp"),
        box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])) if box is not None else None,
        reader=str(d.get("reader", "easyocr")),
        grammar_valid=bool(d.get("grammar_valid", False)),
        grammar_format=d.get("grammar_format"),
    )


def sighting_from_dict(d: Mapping[str, Any]) -> Sighting:
    """Inverse of `sighting_to_dict`; raises `SightingFormatError` naming what is wrong."""
    try:
        plate = d.get("plate")
        return Sighting(
            camera_id=str(d["camera_id"]),
            track_key=str(d["track_key"]),
            vehicle_class=VehicleClass(d["vehicle_class"]),
            first_seen=_time(d, "first_seen"),
            last_seen=_time(d, "last_seen"),
            plate=_read_from_dict(plate) if plate is not None else None,
            candidates=tuple(_read_from_dict(r) for r in d.get("candidates", [])),
            speed_kmh=_opt_float(d, "speed_kmh"),
            min_speed_kmh=_opt_float(d, "min_speed_kmh"),
            direction=d.get("direction"),
            heading_deg=_opt_float(d, "heading_deg"),
            stopped=bool(d.get("stopped", False)),
            stopped_seconds=float(d.get("stopped_seconds", 0.0)),
            zone_dwell=tuple(
                ZoneDwell(str(z["zone"]), _time(z, "entered"), _time(z, "left"))
                for z in d.get("zone_dwell", [])
            ),
            plate_image_path=d.get("plate_image_path"),
            vehicle_image_path=d.get("vehicle_image_path"),
            frames_seen=int(d.get("frames_seen", 0)),
            colour=d.get("colour"),
            colour_confidence=_opt_float(d, "colour_confidence"),
            extra={str(k): str(v) for k, v in dict(d.get("extra", {})).items()},
        )
    except SightingFormatError:
        raise
    except KeyError as e:
        raise SightingFormatError(f"missing field {e.args[0]!r}") from None
    except (TypeError, ValueError, IndexError) as e:
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
    ids: list[int] = []
    duplicates = 0
    for s in sightings:
        stmt = (
            _insert(session, SightingRow)
            .values(**_row_values(s))
            .on_conflict_do_nothing(index_elements=[SightingRow.track_key])
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
                    timestamp=r.timestamp,
                    raw_text=r.raw_text,
                    text=r.text,
                    confidence=r.confidence,
                    reader=r.reader,
                    grammar_valid=r.grammar_valid,
                    box=list(r.box) if r.box is not None else None,
                )
            )
    session.flush()
    return StoreResult(inserted=len(ids), duplicates=duplicates, ids=ids)


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
