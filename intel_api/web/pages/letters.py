"""Letters: the approval queue with the PDF inline beside its evidence; supervisors decide."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from intel_api.db.models import Flag, Letter, LetterStatus, Role, User
from intel_api.deps import ContextDep, SessionDep
from intel_api.routers.views import may_see_keeper
from intel_api.services import audit
from intel_api.services import letters as svc
from intel_api.tiers import officer_floor
from intel_api.web.deps import CsrfChecked, OfficerPage, SupervisorPage, require_role
from intel_api.web.forms import FormError, clean_reason
from intel_api.web.letter_preview import preview_pdf
from intel_api.web.render import PageDenied, page, row_or_404_page

router = APIRouter()
TABS = ("awaiting_approval", "approved", "sent", "responded", "cancelled", "all")


def _letter(session: Session, letter_id: int) -> Letter:
    return row_or_404_page(session, Letter, letter_id, "Letter")


@router.get("/letters", response_class=HTMLResponse)
def letters_list(
    request: Request, session: SessionDep, principal: OfficerPage, status: str = "awaiting_approval"
) -> HTMLResponse:
    tab = status if status in TABS else "awaiting_approval"
    stmt = sa.select(Letter).order_by(Letter.created_at.desc(), Letter.id.desc()).limit(200)
    if tab != "all":
        stmt = stmt.where(Letter.status == LetterStatus(tab))
    rows = list(session.scalars(stmt))
    audit.record(
        session,
        principal,
        "letters.list",
        "letter",
        None,
        details={"status": [tab], "returned": len(rows), "via": "web"},
    )
    session.commit()
    return page(request, "letters.html", letters=rows, tab=tab, tabs=TABS)


@router.get("/letters/{letter_id}", response_class=HTMLResponse)
def letter_page(
    letter_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: OfficerPage,
    error: str = "",
    note: str = "",
) -> HTMLResponse:
    letter = _letter(session, letter_id)
    audit.record(session, principal, "letter.read", "letter", letter.id, details={"via": "web"})
    session.commit()
    flag = session.get(Flag, letter.flag_id) if letter.flag_id else None
    floor = officer_floor(ctx, principal)
    evidence = [
        s
        for s in svc.qualifying_sightings(session, letter.plate_text, letter.policy_window_start)
        if floor is None or s.first_seen >= floor
    ]
    approver = session.get(User, letter.approved_by) if letter.approved_by else None
    return page(
        request,
        "letter.html",
        letter=letter,
        flag=flag,
        evidence=evidence,
        approver=approver.username if approver else None,
        show_keeper=may_see_keeper(principal),
        supervisor=principal.has_role(Role.SUPERVISOR),
        error=error,
        note=note,
        min_passes=ctx.site.letters.min_qualifying_passes,
    )


@router.get("/letters/{letter_id}/pdf")
def letter_pdf(letter_id: int, session: SessionDep, ctx: ContextDep, principal: SupervisorPage) -> Response:
    """The stored PDF of an approved letter, or a preview of one awaiting approval (shown inline)."""
    letter = _letter(session, letter_id)
    if letter.pdf_path and Path(letter.pdf_path).is_file():
        audit.record(session, principal, "letter.pdf", "letter", letter.id, details={"via": "web"})
        session.commit()
        return FileResponse(
            letter.pdf_path,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{Path(letter.pdf_path).name}"'},
        )
    if letter.status != LetterStatus.AWAITING_APPROVAL:
        raise PageDenied(f"Letter {letter_id} has no PDF.", status_code=404)
    data = preview_pdf(session, letter, ctx.site.site.name, ctx.tz)
    if data is None:
        raise PageDenied(f"Letter {letter_id} has no keeper yet, so it cannot be previewed.", status_code=404)
    audit.record(session, principal, "letter.preview", "letter", letter.id, details={"via": "web"})
    session.commit()
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="letter-{letter.id:06d}-preview.pdf"'},
    )


@router.post("/letters/{letter_id}/decide")
def decide(
    letter_id: int,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    decision: Annotated[Literal["approve", "reject"], Form()],
    rationale: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    letter = _letter(session, letter_id)
    target = f"/ui/letters/{letter_id}"
    try:
        why = clean_reason(rationale, "rationale")
        if decision == "approve":
            svc.approve(
                session, letter, principal, why, ctx.keeper, ctx.letters_dir, ctx.site.site.name, ctx.tz
            )
        else:
            svc.cancel(session, letter, principal, why)
    except FormError as e:
        return RedirectResponse(f"{target}?error={quote(str(e), safe='')}#decide", status_code=303)
    except svc.InvalidTransition as e:
        session.rollback()
        message = f"Letter {e.letter_id} is {e.current.value}; it cannot become {e.target.value}."
        return RedirectResponse(f"{target}?error={quote(message, safe='')}#decide", status_code=303)
    except svc.MissingKeeper:
        session.rollback()
        message = "The keeper lookup found no name and address; the letter cannot be approved yet."
        return RedirectResponse(f"{target}?error={quote(message, safe='')}#decide", status_code=303)
    session.commit()
    done = "approved; the PDF is rendered" if decision == "approve" else "rejected (cancelled)"
    return RedirectResponse(f"{target}?note={quote('Letter ' + done + '.', safe='')}", status_code=303)


@router.post("/letters/{letter_id}/sent")
def mark_sent(letter_id: int, request: Request, session: SessionDep, principal: CsrfChecked) -> Response:
    require_role(session, request, principal, Role.SUPERVISOR)
    letter = _letter(session, letter_id)
    try:
        svc.mark_sent(session, letter, principal)
    except svc.InvalidTransition as e:
        session.rollback()
        message = f"Letter {e.letter_id} is {e.current.value}; it cannot become {e.target.value}."
        return RedirectResponse(f"/ui/letters/{letter_id}?error={quote(message, safe='')}", status_code=303)
    session.commit()
    return RedirectResponse(f"/ui/letters/{letter_id}?note=Marked+as+posted.", status_code=303)
