from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse

from intel_api import cursors, messages
from intel_api.db.models import Sighting
from intel_api.deps import ContextDep, Officer, SessionDep
from intel_api.errors import ApiError, denied, invalid
from intel_api.routers.views import sighting_out, visit_fields
from intel_api.rows import get_or_404
from intel_api.schemas.common import OptionalReasonQuery, PageQuery, PageSizeQuery, ReasonQuery, Since
from intel_api.schemas.sightings import SightingOut, SightingPage
from intel_api.services import audit
from intel_api.services import sightings as svc
from intel_api.services.evidence import resolve_evidence
from intel_api.tiers import check_visible, history_floor

router = APIRouter(prefix="/sightings", tags=["sightings"])

PlateSearch = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9*? ]{1,16}$",
        description="Plate; * matches any run, ? one character (e.g. AB12*)",
    ),
]


def check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise invalid(("until (query)", messages.RANGE_REVERSED))


CursorQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` from the previous page (keyset paging; `page` is then ignored)",
    ),
]


@router.get("", summary="Search sightings (audited; needs a reason)", response_model=SightingPage)
def search_sightings(
    session: SessionDep,
    ctx: ContextDep,
    principal: Officer,
    reason: ReasonQuery,
    plate: PlateSearch = None,
    camera: Annotated[str | None, Query(max_length=64)] = None,
    since: Since = None,
    until: Since = None,
    flagged: bool | None = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
    cursor: CursorQuery = None,
) -> Response:
    check_range(since, until)
    after = None
    if cursor is not None:
        after = cursors.decode(cursor)
        if after is None:
            raise invalid(("cursor (query)", messages.CURSOR_INVALID))
    since = history_floor(ctx, principal, since)
    query = svc.SightingQuery(plate=plate, camera_id=camera, since=since, until=until, flagged=flagged)
    found = svc.search(session, query, (page - 1) * page_size, page_size, after)
    rows, total = found.rows, found.total
    audit.record_read(
        session,
        principal,
        "sightings.search",
        "sighting",
        None,
        reason=reason,
        details={
            "plate": plate,
            "camera": camera,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "flagged": flagged,
            "page": page,
            "cursor": cursor,
            "returned": len(rows),
            "total": total,
            "total_capped": found.total_capped,
        },
    )
    # Validated once from plain values and serialised as FastAPI would (as the visit history is).
    out = SightingPage.model_validate(
        {
            "items": [visit_fields(row) for row in rows],
            "total": total,
            "page": page,
            "page_size": page_size,
            "total_capped": found.total_capped,
            "next_cursor": cursors.encode(found.next_key) if found.next_key else None,
        }
    )
    return Response(out.model_dump_json(by_alias=True), media_type="application/json")


def _get(session: SessionDep, sighting_id: int) -> Sighting:
    return get_or_404(session, Sighting, sighting_id, "Sighting")


@router.get("/{sighting_id}", summary="One sighting (audited; needs a reason)", response_model=SightingOut)
def get_sighting(
    sighting_id: int, session: SessionDep, ctx: ContextDep, principal: Officer, reason: ReasonQuery
) -> SightingOut:
    sighting = _get(session, sighting_id)
    check_visible(ctx, principal, sighting)
    audit.record_read(session, principal, "sighting.read", "sighting", sighting.id, reason=reason)
    return sighting_out(sighting, bool(svc.flagged_ids(session, [sighting.id])))


@router.get(
    "/{sighting_id}/evidence/{kind}",
    summary="Evidence image (plate patch or overview) of a sighting (audited)",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "No such image"}},
)
def get_evidence(
    sighting_id: int,
    kind: Literal["plate", "vehicle"],
    session: SessionDep,
    ctx: ContextDep,
    principal: Officer,
    reason: OptionalReasonQuery = None,
) -> FileResponse:
    sighting = _get(session, sighting_id)
    check_visible(ctx, principal, sighting)
    stored = sighting.plate_image_path if kind == "plate" else sighting.vehicle_image_path
    if not stored:
        raise ApiError(404, messages.EVIDENCE_MISSING.format(id=sighting_id, kind=kind))
    path = resolve_evidence(ctx.evidence_dir, stored)
    if path is None:
        raise denied(principal, messages.EVIDENCE_OUTSIDE.format(id=sighting_id), "sighting", sighting_id)
    if not path.is_file():
        raise ApiError(404, messages.EVIDENCE_MISSING.format(id=sighting_id, kind=kind))
    audit.record(
        session,
        principal,
        "evidence.read",
        "sighting",
        sighting.id,
        reason=reason or "evidence review",
        details={"kind": kind},
    )
    return FileResponse(path, headers={"Cache-Control": "no-store"})
