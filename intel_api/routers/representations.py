"""Representations against letters: recorded by officers, decided by supervisors."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, status

from intel_api.db.models import Letter, Representation
from intel_api.deps import Officer, SessionDep, Supervisor
from intel_api.rows import get_or_404
from intel_api.schemas.representations import DecideIn, RepresentationIn, RepresentationOut
from intel_api.services import audit
from intel_api.services import representations as svc

router = APIRouter(tags=["representations"])


def _letter(session: SessionDep, letter_id: int) -> Letter:
    return get_or_404(session, Letter, letter_id, "Letter")


@router.post(
    "/letters/{letter_id}/representations",
    summary="Record a keeper's reply or complaint against a letter",
    response_model=RepresentationOut,
    status_code=status.HTTP_201_CREATED,
)
def record_representation(
    letter_id: int, body: RepresentationIn, session: SessionDep, principal: Officer
) -> RepresentationOut:
    letter = _letter(session, letter_id)
    rep = svc.record(session, letter, principal, body.received_at, body.from_whom, body.channel, body.summary)
    return RepresentationOut.model_validate(rep)


@router.get(
    "/letters/{letter_id}/representations",
    summary="The representations made about a letter (audited)",
    response_model=list[RepresentationOut],
)
def list_representations(letter_id: int, session: SessionDep, principal: Officer) -> list[RepresentationOut]:
    _letter(session, letter_id)
    rows = session.scalars(
        sa.select(Representation).where(Representation.letter_id == letter_id).order_by(Representation.id)
    )
    out = [RepresentationOut.model_validate(r) for r in rows]
    audit.record(
        session, principal, "representations.list", "letter", letter_id, details={"returned": len(out)}
    )
    return out


@router.post(
    "/representations/{representation_id}/decide",
    summary="Decide a representation (supervisor); upheld withdraws the letter and stops the ladder",
    response_model=RepresentationOut,
    responses={409: {"description": "Already decided, or the letter cannot be withdrawn"}},
)
def decide_representation(
    representation_id: int, body: DecideIn, session: SessionDep, principal: Supervisor
) -> RepresentationOut:
    rep = get_or_404(session, Representation, representation_id, "Representation")
    exclusion = (
        svc.ExclusionRequest(
            body.exclusion.category,
            body.exclusion.justification,
            body.exclusion.expires_at,
            body.exclusion.owner,
        )
        if body.exclusion
        else None
    )
    svc.decide(session, rep, principal, body.outcome, body.reason, exclusion)
    return RepresentationOut.model_validate(rep)
