"""Tiered access (NASPLE): officers see `api.officer_history_days` of sightings; older needs a supervisor.

Every route that returns sightings goes through here, so the window cannot leak through one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from intel_api import messages
from intel_api.auth import Principal
from intel_api.context import AppContext
from intel_api.db.models import Role, Sighting
from intel_api.errors import denied


def officer_floor(ctx: AppContext, principal: Principal) -> datetime | None:
    """The oldest first_seen this caller may see; None when there is no limit."""
    if principal.has_role(Role.SUPERVISOR):
        return None
    return datetime.now(UTC) - timedelta(days=ctx.site.api.officer_history_days)


def history_floor(ctx: AppContext, principal: Principal, since: datetime | None) -> datetime | None:
    """The `since` a search runs with: the officer's floor when absent; refused (403) when older."""
    floor = officer_floor(ctx, principal)
    if floor is None:
        return since
    if since is None:
        return floor
    if since < floor:
        raise denied(principal, messages.HISTORY_TOO_OLD.format(days=ctx.site.api.officer_history_days))
    return since


def check_visible(ctx: AppContext, principal: Principal, sighting: Sighting) -> None:
    """Refuse (403) one sighting outside the caller's window."""
    floor = officer_floor(ctx, principal)
    if floor is not None and sighting.first_seen < floor:
        raise denied(
            principal,
            messages.HISTORY_TOO_OLD.format(days=ctx.site.api.officer_history_days),
            "sighting",
            sighting.id,
        )


def visible(ctx: AppContext, principal: Principal, sightings: Iterable[Sighting]) -> list[Sighting]:
    """The sightings inside the caller's window (the rest are left out, and counted by the caller)."""
    floor = officer_floor(ctx, principal)
    return [s for s in sightings if floor is None or s.first_seen >= floor]
