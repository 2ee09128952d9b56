from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from intel_api.deps import ContextDep, Officer, SessionDep
from intel_api.routers.sightings import check_range
from intel_api.routers.views import sighting_out
from intel_api.schemas.common import ReasonQuery, Since
from intel_api.schemas.sightings import NightCount, SpeedSummary, VisitsOut, VisitSummaryOut
from intel_api.services import audit
from intel_api.services import sightings as svc
from intel_api.tiers import history_floor

router = APIRouter(prefix="/vehicles", tags=["vehicles"])


@router.get(
    "/{plate}/visits",
    summary="A vehicle's visit history with a summary in local time (audited; needs a reason)",
    response_model=VisitsOut,
)
def list_visits(
    plate: Annotated[str, Path(pattern=r"^[A-Za-z0-9 ]{1,16}$")],
    session: SessionDep,
    ctx: ContextDep,
    principal: Officer,
    reason: ReasonQuery,
    since: Since = None,
    until: Since = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> VisitsOut:
    check_range(since, until)
    since = history_floor(ctx, principal, since)
    plate = "".join(plate.split()).upper()
    found = svc.history_with_flags(session, plate, since, until)
    summary = svc.summarise([s for s, _ in found], ctx.tz, ctx.site.rules.frequent.night_end_time)
    newest = found[::-1][:limit]
    audit.record_read(
        session,
        principal,
        "vehicle.visits",
        "vehicle",
        plate,
        reason=reason,
        details={"since": since.isoformat() if since else None, "passes": summary.passes},
    )
    return VisitsOut(
        plate=plate,
        since=since,
        until=until,
        summary=VisitSummaryOut(
            passes=summary.passes,
            first_seen=summary.first_seen,
            last_seen=summary.last_seen,
            timezone=ctx.site.site.timezone,
            nights=[NightCount(night=n, passes=c) for n, c in summary.nights],
            hour_histogram=summary.hour_histogram,
            cameras=summary.cameras,
            speed=SpeedSummary(
                min_kmh=summary.speed_min, median_kmh=summary.speed_median, max_kmh=summary.speed_max
            ),
        ),
        visits=[sighting_out(s, flagged) for s, flagged in newest],
    )
