from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query

from intel_api.db.models import AuditEvent
from intel_api.deps import Admin, SessionDep
from intel_api.schemas.audit import AuditOut
from intel_api.schemas.common import Page, PageQuery, PageSizeQuery, Since
from intel_api.services import audit

# Read-only by construction: this router has no PUT, PATCH or DELETE, and no service updates audit rows.
router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="The audit trail (admins only), newest first", response_model=Page[AuditOut])
def list_audit(
    session: SessionDep,
    principal: Admin,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="Exact action, or a prefix ending in '.'")
    ] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Since = None,
    until: Since = None,
    page: PageQuery = 1,
    page_size: PageSizeQuery = 100,
) -> Page[AuditOut]:
    conds: list[sa.ColumnElement[bool]] = []
    if actor:
        conds.append(AuditEvent.actor == actor)
    if action:
        conds.append(
            AuditEvent.action.startswith(action) if action.endswith(".") else AuditEvent.action == action
        )
    if target_type:
        conds.append(AuditEvent.target_type == target_type)
    if target_id:
        conds.append(AuditEvent.target_id == target_id)
    if since:
        conds.append(AuditEvent.at >= since)
    if until:
        conds.append(AuditEvent.at < until)
    total = session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*conds)) or 0
    stmt = sa.select(AuditEvent).where(*conds).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = list(session.scalars(stmt.offset((page - 1) * page_size).limit(page_size)))
    # The log holds plates and reasons too: reading it is itself logged.
    audit.record(session, principal, "audit.read", "audit_event", None, details={"returned": len(rows)})
    return Page[AuditOut](
        items=[AuditOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
    )
