"""Keeper letters: when one may be drafted, and the only place its status may change.

The system drafts a letter (status `awaiting_approval`) when a confirmed flag meets the policy; it
never approves or sends one. A supervisor approves with a rationale (DPA 2018 s.50A-50D: no solely
automated significant decision), which renders the PDF from the versioned template.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from detect.reading.country import country_of_format, is_foreign_format
from intel_api.auth import Principal
from intel_api.db.models import (
    Exclusion,
    Flag,
    FlagStatus,
    Letter,
    LetterStatus,
    Sighting,
    flag_sighting,
)
from intel_api.rules.nights import occasion_of
from intel_api.services import audit
from intel_api.services.keeper import KeeperLookup, KeeperLookupError
from intel_api.services.letter_pdf import LetterContent, load_template, render_pdf, write_pdf
from platewatch.config import LetterPolicy

log = logging.getLogger(__name__)

ALLOWED: dict[LetterStatus, set[LetterStatus]] = {
    LetterStatus.AWAITING_APPROVAL: {LetterStatus.APPROVED, LetterStatus.CANCELLED, LetterStatus.WITHDRAWN},
    LetterStatus.APPROVED: {LetterStatus.SENT, LetterStatus.CANCELLED, LetterStatus.WITHDRAWN},
    LetterStatus.SENT: {LetterStatus.RESPONDED, LetterStatus.WITHDRAWN},
    LetterStatus.CANCELLED: set(),
    LetterStatus.RESPONDED: {LetterStatus.WITHDRAWN},
    LetterStatus.WITHDRAWN: set(),
}
# Occasions turn over in the morning, matching the rules' default night end (19:00-07:00).
DAY_TURNS_AT = time(7, 0)


class InvalidTransition(Exception):
    def __init__(self, letter_id: int, current: LetterStatus, target: LetterStatus) -> None:
        self.letter_id, self.current, self.target = letter_id, current, target
        super().__init__(f"letter {letter_id}: {current.value} -> {target.value} is not allowed")


class KeeperMismatch(Exception):
    """The keeper-record check found the record at odds with the images (issue 12): possible misread
    or cloned plate. The letter stays blocked until an officer dismisses the mismatch flag."""

    def __init__(self, letter_id: int, flag_id: int | None) -> None:
        self.letter_id, self.flag_id = letter_id, flag_id
        super().__init__(f"letter {letter_id} is blocked by keeper mismatch flag {flag_id}")


class MissingKeeper(Exception):
    def __init__(self, letter_id: int) -> None:
        self.letter_id = letter_id
        super().__init__(f"letter {letter_id} has no keeper")


def transition(letter: Letter, target: LetterStatus) -> None:
    if target not in ALLOWED[letter.status]:
        raise InvalidTransition(letter.id, letter.status, target)
    letter.status = target


def local_night(ts: datetime, tz: ZoneInfo, turns_at: time = DAY_TURNS_AT) -> date:
    """The occasion (local night) of a pass: 23:30 and 00:30 belong to the same evening."""
    return occasion_of(ts, tz, turns_at)


def qualifying_sightings(session: Session, plate: str, since: datetime) -> list[Sighting]:
    """Sightings of `plate` that an officer has confirmed as part of a flag, newest window only."""
    confirmed = sa.select(flag_sighting.c.sighting_id).join(Flag, Flag.id == flag_sighting.c.flag_id)
    confirmed = confirmed.where(Flag.status == FlagStatus.CONFIRMED, Flag.plate_text == plate)
    stmt = (
        sa.select(Sighting)
        .where(Sighting.id.in_(confirmed), Sighting.plate_text == plate, Sighting.first_seen >= since)
        .order_by(Sighting.first_seen)
    )
    return list(session.scalars(stmt))


def policy_met(sightings: list[Sighting], policy: LetterPolicy, tz: ZoneInfo, turns_at: time) -> bool:
    if policy.distinct_occasions:
        nights = {local_night(s.first_seen, tz, turns_at) for s in sightings}
        return len(nights) >= policy.min_qualifying_passes
    return len(sightings) >= policy.min_qualifying_passes


@dataclass(frozen=True, slots=True)
class DraftOutcome:
    letter: Letter | None
    reason: str  # why a letter was or was not drafted, for the audit log and the API answer


def _active_exclusion(session: Session, plate: str, now: datetime) -> Exclusion | None:
    stmt = sa.select(Exclusion).where(
        Exclusion.plate_text == plate, Exclusion.active.is_(True), Exclusion.expires_at > now
    )
    return session.scalars(stmt).first()


def _letter_in_window(session: Session, plate: str, since: datetime) -> Letter | None:
    stmt = sa.select(Letter).where(
        Letter.plate_text == plate,
        Letter.created_at >= since,
        Letter.status != LetterStatus.CANCELLED,
    )
    return session.scalars(stmt).first()


def _read_as_foreign(sighting: Sighting) -> bool:
    """The machine read this sighting's plate as another country's (stored mark, or its format for
    rows written before the mark existed); an officer's correction from the images overrides it."""
    if sighting.plate_corrected_by is not None:
        return False
    return sighting.plate_foreign or is_foreign_format(sighting.plate_format)


def draft_for_confirmed_flag(
    session: Session,
    flag: Flag,
    policy: LetterPolicy,
    tz: ZoneInfo,
    keeper: KeeperLookup,
    actor: Principal,
    turns_at: time = DAY_TURNS_AT,
    now: datetime | None = None,
) -> DraftOutcome:
    """Draft a letter for a just-confirmed flag if the policy is met and none exists in the window."""
    now = now or datetime.now(UTC)
    window_start = now - timedelta(days=policy.window_days)
    plate = flag.plate_text
    exclusion = _active_exclusion(session, plate, now)
    if exclusion is not None:
        return DraftOutcome(None, f"plate is on exclusion {exclusion.id} ({exclusion.category.value})")
    existing = _letter_in_window(session, plate, window_start)
    if existing is not None:
        return DraftOutcome(None, f"letter {existing.id} already exists within {policy.window_days} days")
    sightings = qualifying_sightings(session, plate, window_start)
    foreign = [x for x in sightings if _read_as_foreign(x)]
    if foreign:
        # The keeper look-up is British: a foreign plate's "keeper" would be a stranger whose British
        # registration merely looks like the read. No look-up, no letter.
        country = foreign[0].plate_country or country_of_format(foreign[0].plate_format) or "unknown country"
        return DraftOutcome(
            None, f"plate read as a foreign plate ({foreign[0].plate_format}, {country}); no keeper letter"
        )
    if not policy_met(sightings, policy, tz, turns_at):
        unit = "nights" if policy.distinct_occasions else "passes"
        return DraftOutcome(None, f"policy not met: needs {policy.min_qualifying_passes} confirmed {unit}")
    letter = Letter(
        flag_id=flag.id,
        plate_text=plate,
        status=LetterStatus.AWAITING_APPROVAL,
        policy_window_start=window_start,
        template_version=policy.template_version,
    )
    lookup_error = _fill_keeper(letter, keeper)
    session.add(letter)
    session.flush()
    audit.record(
        session,
        actor,
        "letter.draft",
        "letter",
        letter.id,
        reason=f"flag {flag.id} confirmed; letter policy met",
        details={
            "flag_id": flag.id,
            "sighting_ids": [s.id for s in sightings],
            "keeper_found": letter.keeper_address is not None,
            "keeper_error": lookup_error,
        },
    )
    return DraftOutcome(letter, "letter drafted; awaiting supervisor approval")


def _fill_keeper(letter: Letter, keeper: KeeperLookup) -> str | None:
    try:
        record = keeper.lookup(letter.plate_text)
    except KeeperLookupError as e:
        log.warning("keeper lookup failed for letter %s: %s", letter.id, e)
        return str(e)
    if record is not None:
        letter.keeper_name, letter.keeper_address = record.name, record.address
        letter.keeper_lookup_source = record.source
    return None


fill_keeper = _fill_keeper


def approve(
    session: Session,
    letter: Letter,
    actor: Principal,
    rationale: str,
    keeper: KeeperLookup,
    letters_dir: Path,
    area: str,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> Letter:
    """A supervisor's approval: the letter is rendered to PDF now, from its template version."""
    now = now or datetime.now(UTC)
    if LetterStatus.APPROVED not in ALLOWED[letter.status]:
        raise InvalidTransition(letter.id, letter.status, LetterStatus.APPROVED)
    if letter.keeper_address is None:
        _fill_keeper(letter, keeper)
    if letter.keeper_address is None or letter.keeper_name is None:
        raise MissingKeeper(letter.id)
    from intel_api.services import keeper_check  # imports this module; resolved at call time

    blocking = keeper_check.blocking_flag(session, letter)
    if blocking is not None:
        raise KeeperMismatch(letter.id, blocking)
    sightings = qualifying_sightings(session, letter.plate_text, letter.policy_window_start)
    content = LetterContent(
        reference=f"PW-L{letter.id:06d}",
        plate=letter.plate_text,
        keeper_name=letter.keeper_name,
        keeper_address=letter.keeper_address,
        area=area,
        occasions=[s.first_seen.astimezone(tz) for s in sightings],
        letter_date=now.astimezone(tz).date(),
    )
    data = render_pdf(load_template(letter.template_version), content)
    path, digest = write_pdf(data, letters_dir, f"letter-{letter.id:06d}-{letter.template_version}.pdf")
    transition(letter, LetterStatus.APPROVED)
    letter.pdf_path = str(path)
    letter.approved_by = actor.user_id
    letter.approved_at = now
    letter.approval_rationale = rationale
    audit.record(
        session,
        actor,
        "letter.approve",
        "letter",
        letter.id,
        reason=rationale,
        details={"pdf_sha256": digest, "template_version": letter.template_version},
    )
    return letter


def cancel(session: Session, letter: Letter, actor: Principal, reason: str) -> Letter:
    transition(letter, LetterStatus.CANCELLED)
    letter.cancelled_reason = reason
    audit.record(session, actor, "letter.cancel", "letter", letter.id, reason=reason)
    return letter


def mark_sent(session: Session, letter: Letter, actor: Principal) -> Letter:
    transition(letter, LetterStatus.SENT)
    letter.sent_at = datetime.now(UTC)
    audit.record(session, actor, "letter.sent", "letter", letter.id)
    return letter


def record_response(session: Session, letter: Letter, actor: Principal, response: str) -> Letter:
    transition(letter, LetterStatus.RESPONDED)
    letter.keeper_response = response
    audit.record(session, actor, "letter.response", "letter", letter.id, reason="keeper response recorded")
    return letter
