from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from intel_api import messages
from intel_api.db.models import Exclusion, HotlistEntry
from intel_api.deps import Officer, SessionDep, Supervisor
from intel_api.errors import invalid
from intel_api.rows import get_or_404
from intel_api.schemas.watchlists import DeactivateIn, ExclusionIn, ExclusionOut, HotlistIn, HotlistOut
from intel_api.services import audit
from intel_api.services import watchlists as svc
from intel_api.services.review import normalise_plate

hotlist_router = APIRouter(prefix="/hotlist", tags=["hotlist"])
exclusions_router = APIRouter(prefix="/exclusions", tags=["exclusions"])


def _future(expires_at: datetime) -> None:
    if expires_at <= datetime.now(UTC):
        raise invalid(("expires_at (body)", messages.EXPIRY_PAST))


@hotlist_router.get(
    "",
    summary="Hotlist entries (active and unexpired unless include_inactive)",
    response_model=list[HotlistOut],
)
def list_hotlist(session: SessionDep, principal: Officer, include_inactive: bool = False) -> list[HotlistOut]:
    rows = svc.list_hotlist(session, include_inactive)
    audit.record(session, principal, "hotlist.list", "hotlist_entry", None, details={"returned": len(rows)})
    return [HotlistOut.model_validate(r) for r in rows]


@hotlist_router.post(
    "",
    summary="Add a vehicle of interest (supervisor)",
    response_model=HotlistOut,
    status_code=status.HTTP_201_CREATED,
)
def add_hotlist(body: HotlistIn, session: SessionDep, principal: Supervisor) -> HotlistOut:
    _future(body.expires_at)
    entry = svc.add_hotlist(
        session, principal, normalise_plate(body.plate_text), body.reason, body.owner, body.expires_at
    )
    session.flush()
    return HotlistOut.model_validate(entry)


@hotlist_router.post(
    "/{entry_id}/deactivate", summary="Deactivate a hotlist entry (supervisor)", response_model=HotlistOut
)
def deactivate_hotlist(
    entry_id: int, body: DeactivateIn, session: SessionDep, principal: Supervisor
) -> HotlistOut:
    entry = get_or_404(session, HotlistEntry, entry_id, "Hotlist entry")
    svc.deactivate_hotlist(session, principal, entry, body.reason)
    session.flush()
    return HotlistOut.model_validate(entry)


@exclusions_router.get(
    "", summary="Exclusions (active and unexpired unless include_inactive)", response_model=list[ExclusionOut]
)
def list_exclusions(
    session: SessionDep, principal: Officer, include_inactive: bool = False
) -> list[ExclusionOut]:
    rows = svc.list_exclusions(session, include_inactive)
    audit.record(session, principal, "exclusions.list", "exclusion", None, details={"returned": len(rows)})
    return [ExclusionOut.model_validate(r) for r in rows]


@exclusions_router.post(
    "",
    summary="Exclude a vehicle from behaviour flags (supervisor)",
    response_model=ExclusionOut,
    status_code=status.HTTP_201_CREATED,
)
def add_exclusion(body: ExclusionIn, session: SessionDep, principal: Supervisor) -> ExclusionOut:
    _future(body.expires_at)
    entry = svc.add_exclusion(
        session,
        principal,
        normalise_plate(body.plate_text),
        body.category,
        body.reason,
        body.owner,
        body.expires_at,
    )
    session.flush()
    return ExclusionOut.model_validate(entry)


@exclusions_router.post(
    "/{entry_id}/deactivate", summary="Deactivate an exclusion (supervisor)", response_model=ExclusionOut
)
def deactivate_exclusion(
    entry_id: int, body: DeactivateIn, session: SessionDep, principal: Supervisor
) -> ExclusionOut:
    entry = get_or_404(session, Exclusion, entry_id, "Exclusion")
    svc.deactivate_exclusion(session, principal, entry, body.reason)
    session.flush()
    return ExclusionOut.model_validate(entry)
