"""Officer review of flags: confirm (optionally correcting the plate), dismiss or escalate.

A flag is only ever a suggestion from the rules; nothing follows from it until a person confirms it
against the images (NASPLE: hits are verified by a human before any action).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import Flag, FlagStatus, Review, ReviewAction, Role, Sighting
from intel_api.services import audit

FLAG_ALLOWED: dict[FlagStatus, set[FlagStatus]] = {
    FlagStatus.OPEN: {FlagStatus.CONFIRMED, FlagStatus.DISMISSED, FlagStatus.ESCALATED},
    FlagStatus.ESCALATED: {FlagStatus.CONFIRMED, FlagStatus.DISMISSED},
    FlagStatus.CONFIRMED: set(),
    FlagStatus.DISMISSED: set(),
}
_TARGET: dict[ReviewAction, FlagStatus] = {
    ReviewAction.CONFIRM: FlagStatus.CONFIRMED,
    ReviewAction.DISMISS: FlagStatus.DISMISSED,
    ReviewAction.ESCALATE: FlagStatus.ESCALATED,
}


class FlagTransitionError(Exception):
    def __init__(self, flag: Flag, action: ReviewAction) -> None:
        self.flag_id, self.status, self.action = flag.id, flag.status, action
        super().__init__(f"flag {flag.id} is {flag.status.value}; cannot {action.value}")


class NeedsSupervisor(Exception):
    def __init__(self, flag: Flag) -> None:
        self.flag_id = flag.id
        super().__init__(f"flag {flag.id} is escalated")


def normalise_plate(text: str) -> str:
    return "".join(text.split()).upper()


def review(
    session: Session,
    flag: Flag,
    actor: Principal,
    action: ReviewAction,
    reason: str,
    corrected_plate: str | None = None,
) -> Review:
    target = _TARGET[action]
    if target not in FLAG_ALLOWED[flag.status]:
        raise FlagTransitionError(flag, action)
    if flag.status == FlagStatus.ESCALATED and not actor.has_role(Role.SUPERVISOR):
        raise NeedsSupervisor(flag)
    assert actor.user_id is not None, "only officers review flags"
    if corrected_plate is not None and action == ReviewAction.CONFIRM:
        _correct_plate(session, flag, actor, normalise_plate(corrected_plate), reason)
    flag.status = target
    row = Review(
        flag_id=flag.id, user_id=actor.user_id, action=action, reason=reason, corrected_plate=corrected_plate
    )
    session.add(row)
    audit.record(
        session,
        actor,
        f"flag.{action.value}",
        "flag",
        flag.id,
        reason=reason,
        details={"kind": flag.kind.value, "status": target.value},
    )
    session.flush()
    return row


def _correct_plate(session: Session, flag: Flag, actor: Principal, plate: str, reason: str) -> None:
    """Re-link the evidence to the plate the officer read from the images."""
    old = flag.plate_text
    changed: list[int] = []
    for sighting in flag.sightings:
        if sighting.plate_text != plate:
            sighting.plate_text = plate
            sighting.plate_corrected_by = actor.name
            changed.append(sighting.id)
    flag.plate_text = plate
    audit.record(
        session,
        actor,
        "flag.correct_plate",
        "flag",
        flag.id,
        reason=reason,
        details={"old_plate": old, "new_plate": plate, "sighting_ids": changed},
    )


def record_read(
    session: Session, actor: Principal, flag: Flag, shown: list[Sighting], via: str | None = None
) -> None:
    """Audit who opened a flag for review, which sightings they were shown and how many were withheld."""
    details: dict[str, object] = {
        "sighting_ids": [s.id for s in shown],
        "withheld": len(flag.sightings) - len(shown),
    }
    if via is not None:
        details["via"] = via
    audit.record(session, actor, "flag.read", "flag", flag.id, reason="flag review", details=details)
