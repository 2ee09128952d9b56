from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter

from intel_api import messages
from intel_api.context import AppContext
from intel_api.deps import CameraKey, ContextDep, SessionDep
from intel_api.errors import denied, invalid
from intel_api.rules.engine import apply_rules
from intel_api.schemas.ingest import MAX_BATCH, IngestIn, IngestOut, SightingIn
from intel_api.services import audit
from intel_api.services.evidence import evidence_relative
from intel_api.store import CameraInfo, store_sightings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ingest", tags=["ingest"])


def time_window(ctx: AppContext, now: datetime) -> tuple[datetime, datetime]:
    """Earliest and latest time an ingested sighting may carry.

    Not before the configured epoch nor older than retention (it would be erased at once), not more
    than a few minutes ahead of this clock: year 0001 or 9999 is a broken camera clock, not a pass.
    """
    api = ctx.site.api
    earliest = max(api.ingest_epoch, now - timedelta(days=ctx.site.retention.sightings_days))
    return earliest, now + timedelta(minutes=api.ingest_future_minutes)


def _times(s: SightingIn) -> list[tuple[str, datetime]]:
    out = [("first_seen", s.first_seen), ("last_seen", s.last_seen)]
    if s.plate is not None:
        out.append(("plate.timestamp", s.plate.timestamp))
    out += [(f"candidates.{j}.timestamp", c.timestamp) for j, c in enumerate(s.candidates)]
    for j, z in enumerate(s.zone_dwell):
        out += [(f"zone_dwell.{j}.entered", z.entered), (f"zone_dwell.{j}.left", z.left)]
    return out


def _checked(ctx: AppContext, body: IngestIn) -> list[SightingIn]:
    """The batch with evidence paths made store-relative; every bad field is refused together (422)."""
    known = {c.id for c in ctx.site.cameras}
    earliest, latest = time_window(ctx, datetime.now(UTC))
    problems: list[tuple[str, str]] = []
    cleaned: list[SightingIn] = []
    root = ctx.evidence_dir
    for i, s in enumerate(body.sightings):
        where = f"sightings.{i}"
        if s.camera_id not in known:
            problems.append(
                (f"{where}.camera_id (body)", messages.UNKNOWN_CAMERA_FIELD.format(camera=s.camera_id))
            )
        for name, t in _times(s):
            if not earliest <= t <= latest:
                problems.append(
                    (
                        f"{where}.{name} (body)",
                        messages.TIME_OUT_OF_WINDOW.format(
                            value=t.isoformat(), earliest=earliest.isoformat(), latest=latest.isoformat()
                        ),
                    )
                )
        paths: dict[str, str | None] = {}
        for name in ("plate_image_path", "vehicle_image_path"):
            stored = getattr(s, name)
            if stored is None:
                paths[name] = None
                continue
            relative = evidence_relative(root, stored)
            if relative is None:
                problems.append((f"{where}.{name} (body)", messages.EVIDENCE_PATH_OUTSIDE))
            paths[name] = relative
        cleaned.append(s.model_copy(update=paths))
    if problems:
        raise invalid(*problems)
    return cleaned


@router.post(
    "/sightings",
    summary=(
        f"Store up to {MAX_BATCH} sightings from a remote camera worker "
        "(camera API key; idempotent on track_key)"
    ),
    response_model=IngestOut,
)
def ingest_sightings(body: IngestIn, session: SessionDep, ctx: ContextDep, principal: CameraKey) -> IngestOut:
    for i, s in enumerate(body.sightings):
        if principal.camera_id is not None and s.camera_id != principal.camera_id:
            raise denied(
                principal,
                messages.CAMERA_KEY_MISMATCH.format(index=i, camera=s.camera_id, bound=principal.camera_id),
                "sighting",
            )
    sightings = _checked(ctx, body)
    named = {s.camera_id for s in sightings}
    cameras = [
        CameraInfo(
            id=c.id,
            name=c.name,
            location=c.location.description,
            latitude=c.location.latitude,
            longitude=c.location.longitude,
            direction_of_travel=c.direction_of_travel,
        )
        for c in ctx.site.cameras
        if c.id in named
    ]
    result = store_sightings(session, [s.to_record() for s in sightings], cameras)
    audit.record(
        session,
        principal,
        "sightings.ingest",
        "sighting",
        None,
        details={"inserted": result.inserted, "duplicates": result.duplicates},
    )
    flags_created: int | None = None
    if result.ids:
        # A rule failure must never lose evidence: the rules run in a savepoint, and the sightings
        # commit without their flags (`platewatch rules run --since ...` catches up later).
        try:
            with session.begin_nested():
                flags_created = len(apply_rules(session, result.ids, ctx.site))
        except Exception:
            log.exception("rules failed for ingested sightings %s; they are stored", result.ids)
    return IngestOut(
        inserted=result.inserted,
        duplicates=result.duplicates,
        ids=result.ids,
        rules_applied=flags_created is not None,
        flags_created=flags_created,
    )
