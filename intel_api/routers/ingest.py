from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, status

from intel_api import messages
from intel_api.deps import CameraKey, ContextDep, SessionDep
from intel_api.rules.engine import apply_rules
from intel_api.schemas.ingest import IngestIn, IngestOut
from intel_api.services import audit
from intel_api.store import CameraInfo, store_sightings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ingest", tags=["ingest"])


@router.post(
    "/sightings",
    summary="Store sightings from a remote camera worker (camera API key; idempotent on track_key)",
    response_model=IngestOut,
)
def ingest_sightings(body: IngestIn, session: SessionDep, ctx: ContextDep, principal: CameraKey) -> IngestOut:
    known = {c.id: c for c in ctx.site.cameras}
    for i, s in enumerate(body.sightings):
        if principal.camera_id is not None and s.camera_id != principal.camera_id:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                messages.CAMERA_KEY_MISMATCH.format(index=i, camera=s.camera_id, bound=principal.camera_id),
            )
        if s.camera_id not in known:
            # Shaped like a validation error so the client sees which item is wrong.
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                messages.UNKNOWN_CAMERA.format(index=i, camera=s.camera_id),
            )
    cameras = [
        CameraInfo(
            id=c.id,
            name=c.name,
            location=c.location.description,
            latitude=c.location.latitude,
            longitude=c.location.longitude,
            direction_of_travel=c.direction_of_travel,
        )
        for c in known.values()
        if any(s.camera_id == c.id for s in body.sightings)
    ]
    result = store_sightings(session, [s.to_record() for s in body.sightings], cameras)
    audit.record(
        session,
        principal,
        "sightings.ingest",
        "sighting",
        None,
        details={"inserted": result.inserted, "duplicates": result.duplicates},
    )
    # Sightings are committed before the rules run: a rule failure must never lose evidence
    # (`platewatch rules run --since ...` catches up later).
    session.commit()
    flags_created: int | None = None
    if result.ids:
        try:
            flags_created = len(apply_rules(session, result.ids, ctx.site))
            session.commit()
        except Exception:
            session.rollback()
            log.exception("rules failed for ingested sightings %s; they are stored", result.ids)
    return IngestOut(
        inserted=result.inserted,
        duplicates=result.duplicates,
        ids=result.ids,
        rules_applied=flags_created is not None,
        flags_created=flags_created,
    )
