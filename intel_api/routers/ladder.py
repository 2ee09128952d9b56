"""The escalation ladder per vehicle: its state and history, and the supervisor's decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Path, status
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from intel_api.context import AppContext
from intel_api.db.models import LadderCase, LadderStatus, LadderStep
from intel_api.deps import ContextDep, Officer, SessionDep, Supervisor
from intel_api.rows import get_or_404
from intel_api.schemas.common import ReasonQuery
from intel_api.schemas.ladder import DecisionIn, LadderOut, RejectIn, SkipIn, StageOut, StepOut, StepResult
from intel_api.services import audit
from intel_api.services import ladder as svc

router = APIRouter(tags=["ladder"])
PlatePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9 ]{1,16}$")]
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The ladder's state does not allow this"}}


def step_out(session: Session, ctx: AppContext, step: LadderStep) -> StepOut:
    stages = ctx.site.enforcement.stages
    name = stages[step.stage - 1].name if step.stage <= len(stages) else step.stage_key
    return StepOut(
        id=step.id,
        stage=step.stage,
        stage_key=step.stage_key,
        stage_name=name,
        action=step.action,
        status=svc.step_status(session, step),
        flag_id=step.flag_id,
        letter_id=step.letter_id,
        template_version=step.template_version,
        drafted_reason=step.drafted_reason,
        reviewed_by=step.reviewed_by,
        review_reason=step.review_reason,
        decided_by=step.decided_by,
        decided_at=step.decided_at,
        decision_reason=step.decision_reason,
        pack_available=step.pdf_path is not None,
        created_at=step.created_at,
    )


def _step(session: Session, step_id: int) -> LadderStep:
    return get_or_404(session, LadderStep, step_id, "Ladder step")


@router.get(
    "/vehicles/{plate}/ladder",
    summary="A vehicle's escalation stage, its history and the next step (audited; needs a reason)",
    response_model=LadderOut,
)
def get_ladder(
    plate: PlatePath, session: SessionDep, ctx: ContextDep, principal: Officer, reason: ReasonQuery
) -> LadderOut:
    plate = "".join(plate.split()).upper()
    cfg = ctx.site.enforcement
    case = svc.current_case(session, plate)
    if case is not None:
        svc.expire_if_quiet(session, case, cfg, datetime.now(UTC))
    cases = session.scalars(
        sa.select(LadderCase).where(LadderCase.plate_text == plate).order_by(LadderCase.id)
    )
    history = [step_out(session, ctx, st) for c in cases for st in c.steps]
    live = case is not None and case.status == LadderStatus.ACTIVE
    stage_no = case.current_stage if case is not None and live else 0
    audit.record(
        session,
        principal,
        "vehicle.ladder",
        "vehicle",
        plate,
        reason=reason,
        details={"case_id": case.id if case else None, "stage": stage_no},
    )
    return LadderOut(
        plate=plate,
        case_id=case.id if case else None,
        status=case.status if case else None,
        current_stage=stage_no,
        current_stage_name=cfg.stages[stage_no - 1].name if stage_no else None,
        next_step=svc.next_step(session, case, cfg),
        stages=[
            StageOut(
                number=i, key=s.key, name=s.name, action=s.action, return_within_days=s.return_within_days
            )
            for i, s in enumerate(cfg.stages, start=1)
        ],
        history=history,
    )


@router.post(
    "/vehicles/{plate}/ladder/skip",
    summary="Pass over stages to draft a later one (supervisor; reason recorded for every skipped stage)",
    response_model=StepResult,
    responses=CONFLICT,
)
def skip_stages(
    plate: PlatePath, body: SkipIn, session: SessionDep, ctx: ContextDep, principal: Supervisor
) -> StepResult:
    plate = "".join(plate.split()).upper()
    outcome = svc.skip_to(session, plate, body.to_stage, body.reason, ctx.site, ctx.keeper, principal)
    return StepResult(
        step=step_out(session, ctx, outcome.step) if outcome.step else None, note=outcome.reason
    )


@router.post(
    "/ladder/steps/{step_id}/approve",
    summary="Approve a drafted step (supervisor): renders the letter, or the referral's evidence pack",
    response_model=StepResult,
    responses=CONFLICT,
)
def approve_step(
    step_id: int, body: DecisionIn, session: SessionDep, ctx: ContextDep, principal: Supervisor
) -> StepResult:
    step = _step(session, step_id)
    svc.approve_step(
        session, step, principal, body.rationale, ctx.site, ctx.tz, ctx.keeper, ctx.site.storage.data_dir
    )
    return StepResult(step=step_out(session, ctx, step), note="approved")


@router.post(
    "/ladder/steps/{step_id}/reject",
    summary="Reject a drafted step (supervisor; reason required)",
    response_model=StepResult,
    responses=CONFLICT,
)
def reject_step(
    step_id: int, body: RejectIn, session: SessionDep, ctx: ContextDep, principal: Supervisor
) -> StepResult:
    step = _step(session, step_id)
    svc.reject_step(session, step, principal, body.reason)
    return StepResult(step=step_out(session, ctx, step), note="rejected")


@router.post(
    "/ladder/steps/{step_id}/referred",
    summary="Record that an approved referral file was handed over (supervisor)",
    response_model=StepResult,
    responses=CONFLICT,
)
def referred(
    step_id: int, body: RejectIn, session: SessionDep, ctx: ContextDep, principal: Supervisor
) -> StepResult:
    step = _step(session, step_id)
    svc.complete_referral(session, step, principal, body.reason)
    return StepResult(step=step_out(session, ctx, step), note="referral file handed over")


@router.get(
    "/ladder/steps/{step_id}/pack",
    summary="The referral file's evidence pack PDF (supervisor)",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_pack(step_id: int, session: SessionDep, principal: Supervisor) -> FileResponse:
    step = _step(session, step_id)
    if step.pdf_path is None or not FsPath(step.pdf_path).is_file():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Ladder step {step_id} has no evidence pack; it is built on approval."
        )
    audit.record(session, principal, "ladder.pack", "ladder_step", step.id)
    return FileResponse(
        step.pdf_path,
        media_type="application/pdf",
        filename=FsPath(step.pdf_path).name,
        headers={"Cache-Control": "no-store"},
    )
