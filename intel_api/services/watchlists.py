"""Hotlist (vehicles of interest) and exclusion (residents, buses, taxis...) entries.

Both need a reason, an owner and an expiry (NASPLE: VOI lists need owner, reason, review or expiry;
Code of Practice principle 12: reference data must be accurate and up to date). Entries are
deactivated, never deleted, so the audit trail can always say what was matched against.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import Exclusion, ExclusionCategory, HotlistEntry
from intel_api.services import audit


def list_hotlist(session: Session, include_inactive: bool) -> list[HotlistEntry]:
    stmt = sa.select(HotlistEntry).order_by(HotlistEntry.id)
    if not include_inactive:
        stmt = stmt.where(HotlistEntry.active.is_(True), HotlistEntry.expires_at > datetime.now(UTC))
    return list(session.scalars(stmt))


def add_hotlist(
    session: Session, actor: Principal, plate: str, reason: str, owner: str, expires_at: datetime
) -> HotlistEntry:
    entry = HotlistEntry(
        plate_text=plate, reason=reason, owner=owner, expires_at=expires_at, created_by=actor.name
    )
    session.add(entry)
    session.flush()
    audit.record(
        session, actor, "hotlist.add", "hotlist_entry", entry.id, reason=reason, details={"owner": owner}
    )
    return entry


def deactivate_hotlist(session: Session, actor: Principal, entry: HotlistEntry, reason: str) -> HotlistEntry:
    entry.active = False
    audit.record(session, actor, "hotlist.deactivate", "hotlist_entry", entry.id, reason=reason)
    return entry


def list_exclusions(session: Session, include_inactive: bool) -> list[Exclusion]:
    stmt = sa.select(Exclusion).order_by(Exclusion.id)
    if not include_inactive:
        stmt = stmt.where(Exclusion.active.is_(True), Exclusion.expires_at > datetime.now(UTC))
    return list(session.scalars(stmt))


def add_exclusion(
    session: Session,
    actor: Principal,
    plate: str,
    category: ExclusionCategory,
    reason: str,
    owner: str,
    expires_at: datetime,
) -> Exclusion:
    entry = Exclusion(
        plate_text=plate,
        category=category,
        reason=reason,
        owner=owner,
        expires_at=expires_at,
        created_by=actor.name,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        "exclusion.add",
        "exclusion",
        entry.id,
        reason=reason,
        details={"owner": owner, "category": category.value},
    )
    return entry


def deactivate_exclusion(session: Session, actor: Principal, entry: Exclusion, reason: str) -> Exclusion:
    entry.active = False
    audit.record(session, actor, "exclusion.deactivate", "exclusion", entry.id, reason=reason)
    return entry


def edit_entry(
    session: Session,
    actor: Principal,
    entry: HotlistEntry | Exclusion,
    reason: str,
    owner: str,
    expires_at: datetime,
) -> HotlistEntry | Exclusion:
    """Change an entry's justification, owner or expiry; the old values stay in the audit trail."""
    kind = "hotlist_entry" if isinstance(entry, HotlistEntry) else "exclusion"
    before = {"reason": entry.reason, "owner": entry.owner, "expires_at": entry.expires_at.isoformat()}
    entry.reason, entry.owner, entry.expires_at = reason, owner, expires_at
    audit.record(
        session,
        actor,
        "hotlist.edit" if kind == "hotlist_entry" else "exclusion.edit",
        kind,
        entry.id,
        reason=reason,
        details={"before": before, "owner": owner, "expires_at": expires_at.isoformat()},
    )
    return entry
