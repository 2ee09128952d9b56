from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from intel_api.context import AppContext
from intel_api.deps import Caller, ContextDep, OfficerCaller, SessionDep
from intel_api.routers.sightings import check_range
from intel_api.routers.views import visits_audit_details, visits_json
from intel_api.schemas.common import ReasonQuery, Since
from intel_api.schemas.sightings import VisitsOut
from intel_api.services import audit
from intel_api.services import sightings as svc
from intel_api.tiers import history_floor

router = APIRouter(prefix="/vehicles", tags=["vehicles"])

# Shared with the visit history's lean path (intel_api.visits_lean), which must take the same requests.
PLATE_IN_PATH = r"[A-Za-z0-9 ]{1,16}"
VISITS_ACTION = "vehicle.visits"


@router.get(
    "/{plate}/visits",
    summary="A vehicle's visit history with a summary in local time (audited; needs a reason)",
    response_model=VisitsOut,
)
async def list_visits(
    plate: Annotated[str, Path(pattern=f"^{PLATE_IN_PATH}$")],
    session: SessionDep,
    ctx: ContextDep,
    caller: OfficerCaller,
    reason: ReasonQuery,
    since: Since = None,
    until: Since = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    # The most frequent look-up: the caller's check, the history, the audit row and its commit in
    # one thread-pool call (three before; docs/benchmarks.md, "one hop").
    return await run_in_threadpool(_visits, session, ctx, caller, plate, reason, since, until, limit)


def _visits(
    session: Session,
    ctx: AppContext,
    caller: Caller,
    plate: str,
    reason: str,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> Response:
    principal = caller.principal()
    check_range(since, until)
    since = history_floor(ctx, principal, since)
    plate = "".join(plate.split()).upper()
    found = svc.history_rows(session, plate, since, until)
    audit.record_read(
        session,
        principal,
        VISITS_ACTION,
        "vehicle",
        plate,
        reason=reason,
        details=visits_audit_details(since, len(found)),
    )
    body = visits_json(ctx, plate, since, until, found, limit)
    # Committed here, before the response exists: the audit row is stored or the caller gets a 5xx.
    session.commit()
    return Response(body, media_type="application/json")
