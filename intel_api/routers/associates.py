"""Associated vehicles: officer-only leads, each with the sightings behind it (reason required, audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from intel_api.deps import ContextDep, Officer, SessionDep
from intel_api.rules.nights import parse_hhmm
from intel_api.schemas.common import ReasonQuery
from intel_api.services import associates as svc
from intel_api.services import audit

router = APIRouter(tags=["associates"])


class EvidenceOut(BaseModel):
    night: date
    camera_id: str
    this_sighting_id: int
    other_sighting_id: int
    this_seen: datetime
    other_seen: datetime
    gap_seconds: float


class AssociationOut(BaseModel):
    plate: str
    pattern: str = Field(description="seen_together | brief_stops")
    nights: int
    explanation: str
    evidence: list[EvidenceOut]


class AssociatesOut(BaseModel):
    plate: str
    lead_only: bool = Field(True, description="Associations are leads for an officer; they never raise flags")
    window_seconds: int
    min_nights: int
    days: int
    associations: list[AssociationOut]


@router.get(
    "/vehicles/{plate}/associates",
    summary="Vehicles repeatedly seen with this one, and brief night stops at the same place (leads only)",
    response_model=AssociatesOut,
)
def get_associates(
    plate: Annotated[str, Path(pattern=r"^[A-Za-z0-9 ]{1,16}$")],
    session: SessionDep,
    ctx: ContextDep,
    principal: Officer,
    reason: ReasonQuery,
) -> AssociatesOut:
    plate = "".join(plate.split()).upper()
    cfg = ctx.site.enforcement.associates
    night = ctx.site.rules.frequent
    params = svc.Params(
        window_s=cfg.window_s,
        min_nights=cfg.min_nights,
        days=cfg.days,
        brief_stop_min_s=cfg.brief_stop_min_s,
        brief_stop_max_s=cfg.brief_stop_max_s,
        night_start=parse_hhmm(night.night_start),
        night_end=parse_hhmm(night.night_end),
    )
    found = svc.find(session, plate, ctx.tz, params, datetime.now(UTC))
    audit.record(
        session,
        principal,
        "vehicle.associates",
        "vehicle",
        plate,
        reason=reason,
        details={
            "associations": len(found),
            "sighting_ids": sorted({e.other_sighting for a in found for e in a.evidence}),
        },
    )
    return AssociatesOut(
        plate=plate,
        window_seconds=cfg.window_s,
        min_nights=cfg.min_nights,
        days=cfg.days,
        associations=[
            AssociationOut(
                plate=a.plate,
                pattern=a.pattern,
                nights=len(a.nights),
                explanation=a.explanation(cfg.window_s),
                evidence=[
                    EvidenceOut(
                        night=e.night,
                        camera_id=e.camera_id,
                        this_sighting_id=e.this_sighting,
                        other_sighting_id=e.other_sighting,
                        this_seen=e.this_time,
                        other_seen=e.other_time,
                        gap_seconds=e.gap_s,
                    )
                    for e in a.evidence
                ],
            )
            for a in found
        ],
    )
