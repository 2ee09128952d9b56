from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from intel_api import messages
from intel_api.auth import Principal
from intel_api.db.models import Letter, LetterStatus
from intel_api.deps import (
    ContextDep,
    Officer,
    OfficerOrLettersKey,
    SessionDep,
    Supervisor,
    SupervisorOrLettersKey,
)
from intel_api.routers.views import letter_out
from intel_api.schemas.common import Page, PageQuery, PageSizeQuery
from intel_api.schemas.letters import ApproveIn, CancelIn, LetterOut, ResponseIn
from intel_api.services import audit
from intel_api.services import letters as svc

router = APIRouter(prefix="/letters", tags=["letters"])

RELEASED = {LetterStatus.APPROVED, LetterStatus.SENT}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The letter's status does not allow this"}}


def _get(session: Session, letter_id: int, principal: Principal) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, messages.NOT_FOUND.format(what="Letter", id=letter_id))
    # The letters service only ever sees what a supervisor has released to it.
    if principal.kind == "api_key" and letter.status not in RELEASED:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            messages.LETTER_NOT_RELEASED.format(id=letter_id, status=letter.status.value),
        )
    return letter


def _conflict(e: svc.InvalidTransition) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT,
        messages.LETTER_TRANSITION.format(id=e.letter_id, current=e.current.value, target=e.target.value),
    )


@router.get(
    "",
    summary="Letters by status (the letters service sees approved ones only)",
    response_model=Page[LetterOut],
)
def list_letters(
    session: SessionDep,
    principal: OfficerOrLettersKey,
    status_: Annotated[list[LetterStatus] | None, Query(alias="status")] = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 50,
) -> Page[LetterOut]:
    wanted = set(status_ or LetterStatus)
    if principal.kind == "api_key":
        wanted &= {LetterStatus.APPROVED}
    conds = [Letter.status.in_(wanted)]
    total = session.scalar(sa.select(sa.func.count(Letter.id)).where(*conds)) or 0
    stmt = sa.select(Letter).where(*conds).order_by(Letter.created_at.desc(), Letter.id.desc())
    rows = list(session.scalars(stmt.offset((page - 1) * page_size).limit(page_size)))
    audit.record(
        session,
        principal,
        "letters.list",
        "letter",
        None,
        details={"status": sorted(s.value for s in wanted), "returned": len(rows)},
    )
    session.commit()
    return Page[LetterOut](
        items=[letter_out(x, principal) for x in rows], total=total, page=page, page_size=page_size
    )


@router.get(
    "/{letter_id}", summary="One letter (keeper details for supervisors only)", response_model=LetterOut
)
def get_letter(letter_id: int, session: SessionDep, principal: OfficerOrLettersKey) -> LetterOut:
    letter = _get(session, letter_id, principal)
    audit.record(session, principal, "letter.read", "letter", letter.id)
    session.commit()
    return letter_out(letter, principal)


@router.post(
    "/{letter_id}/approve",
    summary="Approve a drafted letter (supervisor; renders the PDF)",
    response_model=LetterOut,
    responses=CONFLICT,
)
def approve_letter(
    letter_id: int, body: ApproveIn, session: SessionDep, ctx: ContextDep, principal: Supervisor
) -> LetterOut:
    letter = _get(session, letter_id, principal)
    try:
        svc.approve(
            session,
            letter,
            principal,
            body.rationale,
            ctx.keeper,
            ctx.letters_dir,
            ctx.site.site.name,
            ctx.tz,
        )
    except svc.InvalidTransition as e:
        raise _conflict(e) from None
    except svc.MissingKeeper:
        raise HTTPException(
            status.HTTP_409_CONFLICT, messages.LETTER_NO_KEEPER.format(id=letter_id)
        ) from None
    except svc.KeeperMismatch as e:
        raise HTTPException(
            status.HTTP_409_CONFLICT, messages.LETTER_KEEPER_MISMATCH.format(id=letter_id, flag=e.flag_id)
        ) from None
    session.commit()
    return letter_out(letter, principal)


@router.get(
    "/{letter_id}/pdf",
    summary="The rendered letter (supervisor or letters service; approved or sent letters)",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_letter_pdf(letter_id: int, session: SessionDep, principal: SupervisorOrLettersKey) -> FileResponse:
    letter = _get(session, letter_id, principal)
    if letter.pdf_path is None or not Path(letter.pdf_path).is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, messages.LETTER_NO_PDF.format(id=letter_id))
    audit.record(session, principal, "letter.pdf", "letter", letter.id)
    session.commit()
    return FileResponse(
        letter.pdf_path,
        media_type="application/pdf",
        filename=Path(letter.pdf_path).name,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/{letter_id}/cancel",
    summary="Cancel a letter (supervisor; reason required)",
    response_model=LetterOut,
    responses=CONFLICT,
)
def cancel_letter(letter_id: int, body: CancelIn, session: SessionDep, principal: Supervisor) -> LetterOut:
    letter = _get(session, letter_id, principal)
    try:
        svc.cancel(session, letter, principal, body.reason)
    except svc.InvalidTransition as e:
        raise _conflict(e) from None
    session.commit()
    return letter_out(letter, principal)


@router.post(
    "/{letter_id}/sent",
    summary="Mark an approved letter as posted (letters service or supervisor)",
    response_model=LetterOut,
    responses=CONFLICT,
)
def mark_letter_sent(letter_id: int, session: SessionDep, principal: SupervisorOrLettersKey) -> LetterOut:
    letter = _get(session, letter_id, principal)
    try:
        svc.mark_sent(session, letter, principal)
    except svc.InvalidTransition as e:
        raise _conflict(e) from None
    session.commit()
    return letter_out(letter, principal)


@router.post(
    "/{letter_id}/response",
    summary="Record the keeper's response to a sent letter",
    response_model=LetterOut,
    responses=CONFLICT,
)
def record_letter_response(
    letter_id: int, body: ResponseIn, session: SessionDep, principal: Officer
) -> LetterOut:
    letter = _get(session, letter_id, principal)
    try:
        svc.record_response(session, letter, principal, body.response)
    except svc.InvalidTransition as e:
        raise _conflict(e) from None
    session.commit()
    return letter_out(letter, principal)
