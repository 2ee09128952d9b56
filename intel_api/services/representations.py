"""Representations (issue 12): a keeper's reply or complaint, recorded against a letter and decided.

An upheld representation withdraws the letter, stops the vehicle's ladder, and may put the vehicle on
the exclusion list (resident, carer, delivery, business...) with a justification and an expiry, so the
rules stop raising it. Letters and representations follow the retention schedule (`purge_finished`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import (
    Exclusion,
    ExclusionCategory,
    LadderCase,
    LadderStatus,
    LadderStep,
    Letter,
    LetterStatus,
    Representation,
    RepresentationOutcome,
)
from intel_api.services import audit, ladder
from intel_api.services import letters as letters_svc

FINISHED = (LetterStatus.CANCELLED, LetterStatus.RESPONDED, LetterStatus.WITHDRAWN, LetterStatus.SENT)


class RepresentationError(Exception):
    """A decision the representation's state does not allow."""


@dataclass(frozen=True, slots=True)
class ExclusionRequest:
    category: ExclusionCategory
    justification: str
    expires_at: datetime
    owner: str


def record(
    session: Session,
    letter: Letter,
    actor: Principal,
    received_at: datetime,
    from_whom: str,
    channel: str,
    summary: str,
) -> Representation:
    if letter.status not in (LetterStatus.SENT, LetterStatus.RESPONDED, LetterStatus.APPROVED):
        raise RepresentationError(f"letter {letter.id} is {letter.status.value}; it was never sent")
    rep = Representation(
        letter_id=letter.id,
        received_at=received_at,
        from_whom=from_whom,
        channel=channel,
        summary=summary,
        outcome=RepresentationOutcome.PENDING,
        recorded_by=actor.name,
    )
    session.add(rep)
    session.flush()
    audit.record(
        session,
        actor,
        "representation.record",
        "representation",
        rep.id,
        reason="representation received",
        details={"letter_id": letter.id, "channel": channel},
    )
    return rep


def decide(
    session: Session,
    rep: Representation,
    actor: Principal,
    outcome: RepresentationOutcome,
    reason: str,
    exclusion: ExclusionRequest | None,
    now: datetime | None = None,
) -> Representation:
    now = now or datetime.now(UTC)
    if rep.outcome != RepresentationOutcome.PENDING:
        raise RepresentationError(f"representation {rep.id} was already decided ({rep.outcome.value})")
    if outcome == RepresentationOutcome.PENDING:
        raise RepresentationError("a decision is upheld or not_upheld")
    if exclusion is not None and outcome != RepresentationOutcome.UPHELD:
        raise RepresentationError("an exclusion can only follow an upheld representation")
    if exclusion is not None and exclusion.expires_at <= now:
        raise RepresentationError("the exclusion's expiry must be in the future")
    letter = session.get(Letter, rep.letter_id)
    assert letter is not None
    rep.outcome, rep.outcome_reason, rep.decided_by, rep.decided_at = outcome, reason, actor.name, now
    if outcome == RepresentationOutcome.UPHELD:
        try:
            letters_svc.transition(letter, LetterStatus.WITHDRAWN)
        except letters_svc.InvalidTransition as e:
            raise RepresentationError(str(e)) from e
        audit.record(
            session,
            actor,
            "letter.withdraw",
            "letter",
            letter.id,
            reason=reason,
            details={"representation_id": rep.id},
        )
        ladder.stop(session, letter.plate_text, actor, f"representation {rep.id} upheld: {reason}", now)
        if exclusion is not None:
            exc = Exclusion(
                plate_text=letter.plate_text,
                category=exclusion.category,
                reason=exclusion.justification,
                owner=exclusion.owner,
                expires_at=exclusion.expires_at,
                created_by=actor.name,
            )
            session.add(exc)
            session.flush()
            rep.exclusion_id = exc.id
            audit.record(
                session,
                actor,
                "exclusion.create",
                "exclusion",
                exc.id,
                reason=exclusion.justification,
                details={"category": exclusion.category.value, "representation_id": rep.id},
            )
    audit.record(
        session,
        actor,
        f"representation.{outcome.value}",
        "representation",
        rep.id,
        reason=reason,
        details={"letter_id": letter.id, "exclusion_id": rep.exclusion_id},
    )
    session.flush()
    return rep


def purge_finished(
    session: Session, letters_days: int, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete finished letters (and their representations, PDFs and ladder links) older than the schedule.

    A letter counts from its last change; one whose vehicle has an active ladder is kept, because the
    ladder's next step depends on it.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=letters_days)
    active_plates = sa.select(LadderCase.plate_text).where(LadderCase.status == LadderStatus.ACTIVE)
    stmt = sa.select(Letter).where(
        Letter.status.in_(FINISHED), Letter.updated_at < cutoff, Letter.plate_text.not_in(active_plates)
    )
    doomed = list(session.scalars(stmt))
    ids = [x.id for x in doomed]
    reps = (
        session.scalar(sa.select(sa.func.count(Representation.id)).where(Representation.letter_id.in_(ids)))
        or 0
    )
    if not dry_run and ids:
        from pathlib import Path

        for x in doomed:
            if x.pdf_path:
                Path(x.pdf_path).unlink(missing_ok=True)
        session.execute(sa.update(LadderStep).where(LadderStep.letter_id.in_(ids)).values(letter_id=None))
        session.execute(sa.delete(Representation).where(Representation.letter_id.in_(ids)))
        session.execute(sa.delete(Letter).where(Letter.id.in_(ids)))
    return {"letters": len(ids), "representations": int(reps)}
