"""The review queue, a flag with its evidence, and the officer's decision; evidence images for pages."""

from __future__ import annotations

from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from intel_api import tiers
from intel_api.db.models import Flag, FlagKind, FlagStatus, ReviewAction, Role, Sighting, User
from intel_api.deps import ContextDep, SessionDep
from intel_api.services import audit, flag_decision, review
from intel_api.services.evidence import resolve_evidence
from intel_api.web.deps import CsrfChecked, OfficerPage, deny
from intel_api.web.forms import FormError, clean_plate, clean_reason
from intel_api.web.render import PageDenied, page, row_or_404_page

router = APIRouter()
PAGE_SIZE = 50


@router.get("/flags", response_class=HTMLResponse)
def queue(
    request: Request,
    session: SessionDep,
    principal: OfficerPage,
    status: FlagStatus | Literal["waiting", "all"] = "waiting",
    kind: FlagKind | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    conds: list[sa.ColumnElement[bool]] = []
    if status == "waiting":
        conds.append(Flag.status.in_([FlagStatus.OPEN, FlagStatus.ESCALATED]))
    elif status != "all":
        conds.append(Flag.status == status)
    if kind is not None:
        conds.append(Flag.kind == kind)
    page_no = max(1, page_no)
    total = session.scalar(sa.select(sa.func.count(Flag.id)).where(*conds)) or 0
    rows = list(
        session.scalars(
            sa.select(Flag)
            .where(*conds)
            .order_by(Flag.created_at, Flag.id)
            .offset((page_no - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    audit.record(
        session,
        principal,
        "flags.list",
        "flag",
        None,
        details={
            "status": str(status),
            "kind": kind.value if kind else None,
            "returned": len(rows),
            "via": "web",
        },
    )
    session.commit()
    return page(
        request,
        "flags.html",
        flags=rows,
        total=total,
        status=str(status),
        kind=kind.value if kind else "",
        kinds=[k.value for k in FlagKind],
        statuses=["waiting", *[s.value for s in FlagStatus], "all"],
        page_no=page_no,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _flag(session: Session, flag_id: int) -> Flag:
    return row_or_404_page(session, Flag, flag_id, "Flag")


@router.get("/flags/{flag_id}", response_class=HTMLResponse)
def flag_page(
    flag_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: OfficerPage,
    error: str = "",
    note: str = "",
) -> HTMLResponse:
    flag = _flag(session, flag_id)
    ordered = sorted(flag.sightings, key=lambda s: s.first_seen)
    visible = tiers.visible(ctx, principal, ordered)
    review.record_read(session, principal, flag, visible, via="web")
    session.commit()
    reviewers = {
        u.id: u.username
        for u in session.scalars(sa.select(User).where(User.id.in_([r.user_id for r in flag.reviews])))
    }
    decidable = flag.status in (FlagStatus.OPEN, FlagStatus.ESCALATED) and (
        flag.status == FlagStatus.OPEN or principal.has_role(Role.SUPERVISOR)
    )
    return page(
        request,
        "flag.html",
        flag=flag,
        sightings=visible,
        withheld=len(ordered) - len(visible),
        history_days=ctx.site.api.officer_history_days,
        reviewers=reviewers,
        decidable=decidable,
        error=error,
        note=note,
        slow_limit=ctx.site.rules.slow.max_speed_kmh,
    )


@router.post("/flags/{flag_id}/review")
def review_flag(
    flag_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    corrected_plate: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    flag = _flag(session, flag_id)
    try:
        chosen = ReviewAction(action)
        why = clean_reason(reason)
        plate = clean_plate(corrected_plate) if corrected_plate.strip() else None
        if plate is not None and chosen != ReviewAction.CONFIRM:
            raise FormError("A corrected plate can only be given when confirming.")
    except ValueError as e:
        message = str(e) if isinstance(e, FormError) else "Choose confirm, dismiss or escalate."
        return RedirectResponse(f"/ui/flags/{flag_id}?error={_q(message)}#decide", status_code=303)
    if plate == flag.plate_text:
        plate = None
    try:
        decision = flag_decision.decide(
            session, flag, principal, chosen, why, plate, ctx.site, ctx.tz, ctx.keeper
        )
    except review.FlagTransitionError as e:
        session.rollback()
        message = f"Flag {e.flag_id} is {e.status.value}; it cannot be {chosen.past_tense}."
        return RedirectResponse(f"/ui/flags/{flag_id}?error={_q(message)}#decide", status_code=303)
    except review.NeedsSupervisor:
        session.rollback()
        raise deny(
            session, principal, request, f"Flag {flag_id} is escalated; only a supervisor can decide it."
        ) from None
    note = f"Flag {chosen.past_tense}."
    if decision.ladder is not None:
        note += f" Letter: {decision.ladder.reason}."
    session.commit()
    return RedirectResponse(f"/ui/flags/{flag_id}?note={_q(note)}", status_code=303)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


@router.get("/evidence/{sighting_id}/{kind}")
def evidence(
    sighting_id: int,
    kind: Literal["plate", "vehicle"],
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: OfficerPage,
) -> Response:
    sighting = row_or_404_page(session, Sighting, sighting_id, "Sighting")
    floor = tiers.officer_floor(ctx, principal)
    if floor is not None and sighting.first_seen < floor:
        raise deny(
            session,
            principal,
            request,
            f"Evidence older than {ctx.site.api.officer_history_days} days needs a supervisor.",
        )
    stored = sighting.plate_image_path if kind == "plate" else sighting.vehicle_image_path
    path = resolve_evidence(ctx.evidence_dir, stored) if stored else None
    if path is None or not path.is_file():
        raise PageDenied(f"Sighting {sighting_id} has no {kind} image.", status_code=404)
    audit.record(
        session,
        principal,
        "evidence.read",
        "sighting",
        sighting.id,
        reason="evidence review",
        details={"kind": kind, "via": "web"},
    )
    session.commit()
    return FileResponse(path, headers={"Cache-Control": "no-store"})
