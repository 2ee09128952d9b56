"""The escalation ladder per vehicle (issue 12): advisory letter, warning letter, referral file.

The system only ever drafts a step, and only after an officer has confirmed the evidence (the flag
confirmation is the officer's review, recorded on the step); a supervisor decides every step.
A stage is never passed over without a supervisor's recorded reason, a case expires after the
configured quiet period, and an upheld representation stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import (
    Flag,
    FlagStatus,
    LadderCase,
    LadderStatus,
    LadderStep,
    Letter,
    LetterStatus,
    Sighting,
    StepStatus,
    flag_sighting,
)
from intel_api.services import audit, keeper_check
from intel_api.services import letters as letters_svc
from intel_api.services.keeper import KeeperLookup
from platewatch.config import Enforcement, LadderStage, SiteConfig

# A step whose letter is in one of these states is finished for the purpose of escalating.
LETTER_DONE = {LetterStatus.SENT, LetterStatus.RESPONDED}
_LETTER_TO_STEP = {
    LetterStatus.AWAITING_APPROVAL: StepStatus.DRAFTED,
    LetterStatus.APPROVED: StepStatus.APPROVED,
    LetterStatus.SENT: StepStatus.DONE,
    LetterStatus.RESPONDED: StepStatus.DONE,
    LetterStatus.CANCELLED: StepStatus.REJECTED,
    LetterStatus.WITHDRAWN: StepStatus.WITHDRAWN,
}


class LadderError(Exception):
    """A ladder action that the current state does not allow; the message says why."""


@dataclass(frozen=True, slots=True)
class Outcome:
    letter: Letter | None
    step: LadderStep | None
    reason: str  # what was or was not drafted, and why


def step_status(session: Session, step: LadderStep) -> StepStatus:
    """A letter step follows its letter, so the two can never disagree."""
    if step.letter_id is not None and step.status not in (StepStatus.SKIPPED,):
        letter = session.get(Letter, step.letter_id)
        if letter is not None:
            return _LETTER_TO_STEP[letter.status]
    return step.status


def step_finished_at(session: Session, step: LadderStep) -> datetime | None:
    """When the step took effect (letter posted, referral handed over, or skip decided)."""
    if step.status == StepStatus.SKIPPED:
        return step.decided_at
    if step.letter_id is not None:
        letter = session.get(Letter, step.letter_id)
        if letter is not None and letter.status in LETTER_DONE:
            return letter.sent_at or letter.updated_at
        return None
    return step.done_at if step.status == StepStatus.DONE else None


def current_case(session: Session, plate: str) -> LadderCase | None:
    stmt = sa.select(LadderCase).where(LadderCase.plate_text == plate).order_by(LadderCase.id.desc())
    return session.scalars(stmt.limit(1)).first()


def _last_confirmed_sighting(session: Session, plate: str) -> datetime | None:
    confirmed = sa.select(flag_sighting.c.sighting_id).join(Flag, Flag.id == flag_sighting.c.flag_id)
    confirmed = confirmed.where(Flag.status == FlagStatus.CONFIRMED, Flag.plate_text == plate)
    stmt = sa.select(sa.func.max(Sighting.first_seen)).where(
        Sighting.id.in_(confirmed), Sighting.plate_text == plate
    )
    return session.scalar(stmt)


def expire_if_quiet(session: Session, case: LadderCase, cfg: Enforcement, now: datetime) -> bool:
    """Close an active case whose last step took effect more than the quiet period ago, with no
    confirmed return since; a step still awaiting a decision keeps the case open."""
    if case.status != LadderStatus.ACTIVE or not case.steps:
        return False
    last = case.steps[-1]
    finished = step_finished_at(session, last)
    if finished is None:
        return False
    latest = max(finished, _last_confirmed_sighting(session, case.plate_text) or finished)
    if now - latest <= timedelta(days=cfg.quiet_period_days):
        return False
    case.status, case.ended_at = LadderStatus.EXPIRED, now
    case.ended_reason = (
        f"no confirmed return for {cfg.quiet_period_days} days after stage {case.current_stage}"
    )
    audit.record(
        session,
        None,
        "ladder.expire",
        "ladder_case",
        case.id,
        reason=case.ended_reason,
        details={"stage": case.current_stage},
    )
    return True


def _active_case(session: Session, plate: str, cfg: Enforcement, now: datetime) -> LadderCase | None:
    case = current_case(session, plate)
    if case is None or case.status == LadderStatus.EXPIRED:
        return None
    if expire_if_quiet(session, case, cfg, now):
        return None
    return case


def _confirmed_since(flag: Flag, since: datetime) -> list[Sighting]:
    return sorted((s for s in flag.sightings if s.first_seen > since), key=lambda s: s.first_seen)


def on_flag_confirmed(
    session: Session,
    flag: Flag,
    site: SiteConfig,
    tz: ZoneInfo,
    keeper: KeeperLookup,
    actor: Principal,
    turns_at: time,
    reason: str,
    now: datetime | None = None,
) -> Outcome:
    """Draft the next ladder step (if any is due) for a flag an officer has just confirmed."""
    now = now or datetime.now(UTC)
    cfg = site.enforcement
    case = _active_case(session, flag.plate_text, cfg, now)
    if case is not None and case.status == LadderStatus.STOPPED:
        return Outcome(None, None, f"ladder stopped for this vehicle: {case.ended_reason}")
    if case is None:
        drafted = letters_svc.draft_for_confirmed_flag(
            session, flag, site.letters, tz, keeper, actor, turns_at=turns_at, now=now
        )
        if drafted.letter is None:
            return Outcome(None, None, drafted.reason)
        case = LadderCase(plate_text=flag.plate_text, status=LadderStatus.ACTIVE, current_stage=0)
        session.add(case)
        session.flush()
        audit.record(
            session, actor, "ladder.open", "ladder_case", case.id, reason=f"flag {flag.id} confirmed"
        )
        step = _add_step(session, case, 1, cfg.stages[0], flag, actor, reason, drafted.letter, drafted.reason)
        _check_keeper(session, drafted.letter, site, keeper, actor)
        return Outcome(drafted.letter, step, _note(step, drafted.letter))
    last = case.steps[-1]
    finished = step_finished_at(session, last)
    if finished is None:
        state = step_status(session, last).value
        return Outcome(
            None, None, f"stage {last.stage} ({last.stage_key}) is {state}; no new step until it is done"
        )
    if case.current_stage >= len(cfg.stages):
        return Outcome(
            None, None, "the ladder is at its last stage; the referral file is with the decision-makers"
        )
    nxt = cfg.stages[case.current_stage]
    assert nxt.return_within_days is not None  # validated at load for every stage after the first
    returns = _confirmed_since(flag, finished)
    if not returns:
        return Outcome(None, None, f"no confirmed sighting after stage {last.stage} took effect")
    if returns[0].first_seen - finished > timedelta(days=nxt.return_within_days):
        return Outcome(
            None,
            None,
            f"returned more than {nxt.return_within_days} days after stage {last.stage}: no escalation",
        )
    why = (
        f"flag {flag.id} confirmed: seen again on {returns[0].first_seen.astimezone(tz):%d %B %Y %H:%M} "
        f"after stage {last.stage} ({last.stage_key}) took effect"
    )
    return _draft_stage(session, case, case.current_stage + 1, flag, site, keeper, actor, reason, why)


def _note(step: LadderStep, letter: Letter | None) -> str:
    if letter is not None and letter.keeper_check and letter.keeper_check.get("status") == "mismatch":
        return "letter drafted but blocked: the keeper record disagrees with what the cameras saw"
    what = "letter" if step.action == "letter" else "referral file"
    return f"stage {step.stage} ({step.stage_key}) {what} drafted; awaiting supervisor approval"


def _add_step(
    session: Session,
    case: LadderCase,
    stage_no: int,
    stage: LadderStage,
    flag: Flag | None,
    actor: Principal,
    review_reason: str | None,
    letter: Letter | None,
    why: str,
) -> LadderStep:
    if letter is not None:
        letter.stage = stage_no
        letter.template_version = stage.template_version or letter.template_version
    step = LadderStep(
        case_id=case.id,
        stage=stage_no,
        stage_key=stage.key,
        action=stage.action,
        status=StepStatus.DRAFTED,
        flag_id=flag.id if flag else None,
        letter_id=letter.id if letter else None,
        template_version=stage.template_version,
        drafted_reason=why,
        reviewed_by=actor.name if flag is not None else None,
        review_reason=review_reason,
    )
    session.add(step)
    case.current_stage = stage_no
    case.steps.append(step)
    session.flush()
    audit.record(
        session,
        actor,
        "ladder.draft",
        "ladder_step",
        step.id,
        reason=why,
        details={"case_id": case.id, "stage": stage_no, "stage_key": stage.key, "letter_id": step.letter_id},
    )
    return step


def _draft_stage(
    session: Session,
    case: LadderCase,
    stage_no: int,
    flag: Flag | None,
    site: SiteConfig,
    keeper: KeeperLookup,
    actor: Principal,
    review_reason: str | None,
    why: str,
) -> Outcome:
    stage = site.enforcement.stages[stage_no - 1]
    letter: Letter | None = None
    if stage.action == "letter":
        assert stage.template_version is not None
        letter = Letter(
            flag_id=flag.id if flag else None,
            plate_text=case.plate_text,
            status=LetterStatus.AWAITING_APPROVAL,
            policy_window_start=case.created_at,
            template_version=stage.template_version,
            stage=stage_no,
        )
        letters_svc.fill_keeper(letter, keeper)
        session.add(letter)
        session.flush()
        audit.record(
            session,
            actor,
            "letter.draft",
            "letter",
            letter.id,
            reason=why,
            details={"stage": stage_no, "flag_id": flag.id if flag else None},
        )
    step = _add_step(session, case, stage_no, stage, flag, actor, review_reason, letter, why)
    if letter is not None:
        _check_keeper(session, letter, site, keeper, actor)
    return Outcome(letter, step, _note(step, letter))


def _check_keeper(
    session: Session,
    letter: Letter,
    site: SiteConfig,
    keeper: KeeperLookup,
    actor: Principal,
) -> None:
    if site.enforcement.keeper_check:
        keeper_check.run(session, letter, keeper, actor)


def skip_to(
    session: Session,
    plate: str,
    to_stage: int,
    reason: str,
    site: SiteConfig,
    keeper: KeeperLookup,
    actor: Principal,
    now: datetime | None = None,
) -> Outcome:
    """A supervisor passes over the stages before `to_stage`, each recorded as skipped with the reason,
    and the system drafts `to_stage` for the usual decision."""
    now = now or datetime.now(UTC)
    cfg = site.enforcement
    if not 1 <= to_stage <= len(cfg.stages):
        raise LadderError(f"stage {to_stage} does not exist; the ladder has stages 1-{len(cfg.stages)}")
    case = _active_case(session, plate, cfg, now)
    if case is not None and case.status == LadderStatus.STOPPED:
        raise LadderError(f"the ladder for {plate} is stopped: {case.ended_reason}")
    if case is not None and case.steps and step_finished_at(session, case.steps[-1]) is None:
        raise LadderError(f"stage {case.steps[-1].stage} is still awaiting a decision; decide it first")
    reached = case.current_stage if case else 0
    if to_stage <= reached + 1:
        raise LadderError(f"stage {to_stage} is not a skip: the vehicle is at stage {reached}")
    flag = _latest_confirmed_flag(session, plate)
    if flag is None:
        raise LadderError(f"{plate} has no confirmed flag; a step needs confirmed evidence")
    if case is None:
        case = LadderCase(plate_text=plate, status=LadderStatus.ACTIVE, current_stage=0)
        session.add(case)
        session.flush()
        audit.record(session, actor, "ladder.open", "ladder_case", case.id, reason=reason)
    for n in range(reached + 1, to_stage):
        stage = cfg.stages[n - 1]
        step = _add_step(session, case, n, stage, None, actor, None, None, f"skipped: {reason}")
        step.status, step.decided_by, step.decided_at, step.decision_reason = (
            StepStatus.SKIPPED,
            actor.name,
            now,
            reason,
        )
        audit.record(
            session, actor, "ladder.skip", "ladder_step", step.id, reason=reason, details={"stage": n}
        )
    why = f"supervisor {actor.name} moved the vehicle to stage {to_stage}: {reason}"
    return _draft_stage(session, case, to_stage, flag, site, keeper, actor, None, why)


def _latest_confirmed_flag(session: Session, plate: str) -> Flag | None:
    stmt = sa.select(Flag).where(Flag.plate_text == plate, Flag.status == FlagStatus.CONFIRMED)
    return session.scalars(stmt.order_by(Flag.id.desc()).limit(1)).first()


def approve_step(
    session: Session,
    step: LadderStep,
    actor: Principal,
    rationale: str,
    site: SiteConfig,
    tz: ZoneInfo,
    keeper: KeeperLookup,
    out_dir: Path,
    now: datetime | None = None,
) -> LadderStep:
    """A supervisor's decision to go ahead: a letter is rendered; a referral file gets its evidence pack."""
    now = now or datetime.now(UTC)
    state = step_status(session, step)
    if state != StepStatus.DRAFTED:
        raise LadderError(f"step {step.id} is {state.value}; only a drafted step can be approved")
    if step.case.status != LadderStatus.ACTIVE:
        raise LadderError(f"the ladder for {step.case.plate_text} is {step.case.status.value}")
    # Recorded first so the evidence pack shows the decision it was built under.
    step.decided_by, step.decided_at, step.decision_reason = actor.name, now, rationale
    if step.letter_id is not None:
        letter = session.get(Letter, step.letter_id)
        assert letter is not None
        try:
            letters_svc.approve(
                session, letter, actor, rationale, keeper, out_dir / "letters", site.site.name, tz, now
            )
        except (letters_svc.InvalidTransition, letters_svc.MissingKeeper) as e:
            # A ladder conflict in the letter service's words; a keeper mismatch keeps its own message,
            # which names the flag an officer has to dismiss first.
            raise LadderError(str(e)) from e
    else:
        from intel_api.services import evidence_pack  # the PDF builder is only needed here

        path = evidence_pack.build(session, step, site, tz, out_dir / "referrals", actor, now)
        step.pdf_path = str(path)
        step.status = StepStatus.APPROVED
    audit.record(
        session,
        actor,
        "ladder.approve",
        "ladder_step",
        step.id,
        reason=rationale,
        details={"stage": step.stage, "stage_key": step.stage_key},
    )
    return step


def reject_step(
    session: Session, step: LadderStep, actor: Principal, reason: str, now: datetime | None = None
) -> LadderStep:
    now = now or datetime.now(UTC)
    state = step_status(session, step)
    if state not in (StepStatus.DRAFTED, StepStatus.APPROVED):
        raise LadderError(f"step {step.id} is {state.value}; it cannot be rejected")
    if step.letter_id is not None:
        letter = session.get(Letter, step.letter_id)
        assert letter is not None
        try:
            letters_svc.cancel(session, letter, actor, reason)
        except letters_svc.InvalidTransition as e:
            raise LadderError(str(e)) from e
    step.status = StepStatus.REJECTED
    step.decided_by, step.decided_at, step.decision_reason = actor.name, now, reason
    # A rejected step leaves the vehicle at the stage before it, so a later return can draft it again.
    step.case.current_stage = step.stage - 1
    audit.record(
        session, actor, "ladder.reject", "ladder_step", step.id, reason=reason, details={"stage": step.stage}
    )
    return step


def complete_referral(
    session: Session, step: LadderStep, actor: Principal, note: str, now: datetime | None = None
) -> LadderStep:
    """Record that an approved referral file was handed to the decision-makers."""
    now = now or datetime.now(UTC)
    if step.action != "referral" or step.status != StepStatus.APPROVED:
        raise LadderError(f"step {step.id} is not an approved referral")
    step.status, step.done_at = StepStatus.DONE, now
    audit.record(session, actor, "ladder.referred", "ladder_step", step.id, reason=note)
    return step


def stop(
    session: Session, plate: str, actor: Principal, reason: str, now: datetime | None = None
) -> LadderCase | None:
    """End the vehicle's ladder (an upheld representation); pending steps are withdrawn."""
    now = now or datetime.now(UTC)
    case = current_case(session, plate)
    if case is None or case.status != LadderStatus.ACTIVE:
        return case
    for step in case.steps:
        if step.letter_id is None and step.status in (StepStatus.DRAFTED, StepStatus.APPROVED):
            step.status = StepStatus.WITHDRAWN
    case.status, case.ended_at, case.ended_reason = LadderStatus.STOPPED, now, reason
    audit.record(session, actor, "ladder.stop", "ladder_case", case.id, reason=reason)
    return case


def next_step(session: Session, case: LadderCase | None, cfg: Enforcement) -> str:
    """What happens next for this vehicle, in words an officer can act on."""
    if case is None or case.status == LadderStatus.EXPIRED:
        first = cfg.stages[0]
        return f"none open; a confirmed repeat presence drafts stage 1 ({first.name})"
    if case.status == LadderStatus.STOPPED:
        return f"none: the ladder was stopped ({case.ended_reason})"
    last = case.steps[-1] if case.steps else None
    if last is not None:
        state = step_status(session, last)
        if state == StepStatus.DRAFTED:
            return f"a supervisor decides stage {last.stage} ({last.stage_key}), step {last.id}"
        if state == StepStatus.APPROVED:
            what = "post the letter" if last.action == "letter" else "hand the referral file over"
            return f"{what} (stage {last.stage}, step {last.id})"
    if case.current_stage >= len(cfg.stages):
        return "none: the referral file has been handed over"
    nxt = cfg.stages[case.current_stage]
    return (
        f"if the vehicle is confirmed in the area again within {nxt.return_within_days} days, "
        f"stage {case.current_stage + 1} ({nxt.name}) is drafted; the case expires after "
        f"{cfg.quiet_period_days} quiet days"
    )
