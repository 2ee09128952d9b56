"""The append-only audit log (DPA 2018 s.62): who did what to which record, when and why.

Rows are only ever added here; nothing in the API updates or deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
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


_AUDIT_TABLE: sa.Table = AuditEvent.__table__  # type: ignore[assignment]
_READ_INSERT = sa.insert(_AUDIT_TABLE)


def record_read(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str,
    target_id: str | int | None = None,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """The audit row of a read, written at once in the caller's transaction (it commits with the
    request, before the response). A plain INSERT: no ORM object to track and flush, no id read
    back; reads are most of the API's traffic and each one writes a row.
    """
    # A statement built once and the row as parameters: building an INSERT with its values each
    # time cost more CPU than the INSERT does in PostgreSQL. Through the session's connection, so
    # the row is in the request's transaction and is written before the response is sent.
    session.connection().execute(
        _READ_INSERT,
        {
            "at": datetime.now(UTC),
            "actor": actor.name,
            "actor_kind": actor.kind,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "reason": reason,
            "details": dict(details or {}),
        },
    )
