"""An officer's decision on a flag and what follows from it, for the API and the web page alike.

The decision (confirm, possibly correcting the plate; dismiss; escalate) is recorded and audited by
`review`. A confirmed flag then goes to the escalation ladder, which drafts its next step (stage 1 is
the keeper letter policy). A keeper-mismatch flag is itself the ladder's check on a letter, so
confirming one starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import Flag, FlagKind, Review, ReviewAction
from intel_api.services import ladder, review
from intel_api.services.keeper import KeeperLookup
from platewatch.config import SiteConfig


@dataclass(frozen=True, slots=True)
class Decision:
    review: Review
    ladder: ladder.Outcome | None  # None: the decision asks nothing of the ladder


def decide(
    session: Session,
    flag: Flag,
    actor: Principal,
    action: ReviewAction,
    reason: str,
    corrected_plate: str | None,
    site: SiteConfig,
    tz: ZoneInfo,
    keeper: KeeperLookup,
) -> Decision:
    """Record the decision and its ladder step; a refused decision (`review.FlagTransitionError`,
    `review.NeedsSupervisor`) is raised before anything changes."""
    row = review.review(session, flag, actor, action, reason, corrected_plate)
    if action != ReviewAction.CONFIRM or flag.kind == FlagKind.KEEPER_MISMATCH:
        return Decision(row, None)
    outcome = ladder.on_flag_confirmed(
        session,
        flag,
        site,
        tz,
        keeper,
        actor,
        turns_at=site.rules.frequent.night_end_time,
        reason=reason,
    )
    return Decision(row, outcome)
