from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.context import AppContext
from intel_api.db.models import Flag, FlagKind, FlagStatus, ReviewAction, Sighting
from intel_api.deps import ContextDep, Officer, SessionDep
from intel_api.routers.views import letter_out, sighting_out
from intel_api.rows import get_or_404
from intel_api.schemas.common import Page, PageQuery, PageSizeQuery
from intel_api.schemas.flags import ConfirmIn, FlagDetail, FlagOut, ReasonIn, ReviewOut, ReviewResult
from intel_api.services import audit, flag_decision, review
from intel_api.tiers import visible

router = APIRouter(prefix="/flags", tags=["flags"])

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The flag is not in a state that allows this"}
}


def queue_stmts(
    status_: list[FlagStatus] | None, kind: list[FlagKind] | None
) -> tuple[sa.Select[int], sa.Select[Flag]]:
    """The review queue's count and its rows, newest first (bench/api_load.py explains both)."""
    conds: list[sa.ColumnElement[bool]] = []
    if status_:
        conds.append(Flag.status.in_(status_))
    if kind:
        conds.append(Flag.kind.in_(kind))
    count = sa.select(sa.func.count(Flag.id)).where(*conds)
    return count, sa.select(Flag).where(*conds).order_by(Flag.created_at.desc(), Flag.id.desc())


@router.get("", summary="The review queue, filtered by status and kind", response_model=Page[FlagOut])
def list_flags(
    session: SessionDep,
    principal: Officer,
    status_: Annotated[list[FlagStatus] | None, Query(alias="status")] = None,
    kind: Annotated[list[FlagKind] | None, Query()] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[FlagOut]:
    count, stmt = queue_stmts(status_, kind)
    total = session.scalar(count) or 0
    rows = list(session.scalars(stmt.offset((page - 1) * page_size).limit(page_size)))
    audit.record_read(
        session,
        principal,
        "flags.list",
        "flag",
        None,
        details={
            "status": [s.value for s in status_ or []],
            "kind": [k.value for k in kind or []],
            "returned": len(rows),
        },
    )
    return Page[FlagOut](
        items=[FlagOut.model_validate(f) for f in rows], total=total, page=page, page_size=page_size
    )


def _get(session: Session, flag_id: int) -> Flag:
    return get_or_404(session, Flag, flag_id, "Flag")


def _detail(flag: Flag, shown: list[Sighting]) -> FlagDetail:
    base = FlagOut.model_validate(flag).model_dump()
    return FlagDetail(
        **base,
        details=flag.details,
        sightings=[sighting_out(s, True) for s in sorted(shown, key=lambda s: s.first_seen)],
        sightings_withheld=len(flag.sightings) - len(shown),
        reviews=[ReviewOut.model_validate(r) for r in flag.reviews],
    )


@router.get(
    "/{flag_id}", summary="A flag with its sightings and evidence links (audited)", response_model=FlagDetail
)
def get_flag(flag_id: int, session: SessionDep, ctx: ContextDep, principal: Officer) -> FlagDetail:
    flag = _get(session, flag_id)
    # The 90-day tier holds here as in every search: older linked sightings are withheld.
    shown = visible(ctx, principal, flag.sightings)
    review.record_read(session, principal, flag, shown)
    return _detail(flag, shown)


def _apply(
    session: Session,
    ctx: AppContext,
    principal: Principal,
    flag_id: int,
    action: ReviewAction,
    reason: str,
    corrected_plate: str | None = None,
) -> ReviewResult:
    flag = _get(session, flag_id)
    decision = flag_decision.decide(
        session, flag, principal, action, reason, corrected_plate, ctx.site, ctx.tz, ctx.keeper
    )
    result = ReviewResult(flag=FlagOut.model_validate(flag))
    if decision.ladder is not None:
        outcome = decision.ladder
        result.letter = letter_out(outcome.letter, principal) if outcome.letter else None
        result.letter_note = outcome.reason
    session.flush()
    result.flag = FlagOut.model_validate(flag)
    return result


@router.post(
    "/{flag_id}/confirm",
    summary="Confirm a flag after checking the images; may correct the plate and draft a letter",
    response_model=ReviewResult,
    responses=CONFLICT,
)
def confirm_flag(
    flag_id: int, body: ConfirmIn, session: SessionDep, ctx: ContextDep, principal: Officer
) -> ReviewResult:
    return _apply(session, ctx, principal, flag_id, ReviewAction.CONFIRM, body.reason, body.corrected_plate)


@router.post(
    "/{flag_id}/dismiss",
    summary="Dismiss a flag (reason required)",
    response_model=ReviewResult,
    responses=CONFLICT,
)
def dismiss_flag(
    flag_id: int, body: ReasonIn, session: SessionDep, ctx: ContextDep, principal: Officer
) -> ReviewResult:
    return _apply(session, ctx, principal, flag_id, ReviewAction.DISMISS, body.reason)


@router.post(
    "/{flag_id}/escalate",
    summary="Escalate a flag to a supervisor",
    response_model=ReviewResult,
    responses=CONFLICT,
)
def escalate_flag(
    flag_id: int, body: ReasonIn, session: SessionDep, ctx: ContextDep, principal: Officer
) -> ReviewResult:
    return _apply(session, ctx, principal, flag_id, ReviewAction.ESCALATE, body.reason)
