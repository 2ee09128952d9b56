"""The append-only audit log (DPA 2018 s.62): who did what to which record, when and why.

Rows are only ever added here; nothing in the API updates or deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import AuditEvent

SYSTEM_ACTOR = "platewatch"


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: str | int | None = None,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row in the caller's transaction, so it commits (or not) with the change it logs."""
    event = AuditEvent(
        actor=actor.name if actor else SYSTEM_ACTOR,
        actor_kind=actor.kind if actor else "system",
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        reason=reason,
        details=dict(details or {}),
    )
    session.add(event)
    return event
