"""Administration: users, API keys and the audit trail (admins only). Changes go through
`services.accounts`, the same code as `platewatch users|apikeys`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from intel_api.context import AppContext
from intel_api.db.models import ApiKeyScope, AuditEvent, Role
from intel_api.deps import ContextDep, SessionDep
from intel_api.services import accounts, audit
from intel_api.services.login_throttle import locked_accounts, unlock
from intel_api.web.deps import AdminPage, CsrfChecked, require_role
from intel_api.web.forms import no_control
from intel_api.web.render import back_to, page

router = APIRouter(prefix="/admin")
AUDIT_PAGE = 100


def _back(where: str, error: str = "", note: str = "") -> Response:
    return back_to(f"/ui/admin/{where}", error, note)


def _refused(session: Session, where: str, e: Exception, bad_choice: str) -> Response:
    """Undo a refused account change and say why: the service's words, or which choice was not valid."""
    session.rollback()
    return _back(where, error=str(e) if isinstance(e, accounts.AccountError) else bad_choice)


def _keys_page(
    request: Request, session: Session, ctx: AppContext, error: str, note: str, secret: str | None
) -> HTMLResponse:
    return page(
        request,
        "admin_keys.html",
        keys=accounts.list_keys(session),
        scopes=[s.value for s in ApiKeyScope],
        cameras=[c.id for c in ctx.site.cameras],
        error=error,
        note=note,
        secret=secret,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request, session: SessionDep, _: AdminPage, error: str = "", note: str = ""
) -> HTMLResponse:
    return page(
        request,
        "admin_users.html",
        users=accounts.list_users(session),
        locks=locked_accounts(session),
        roles=[r.value for r in Role],
        error=error,
        note=note,
    )


@router.post("/users")
def user_action(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    action: Annotated[str, Form(max_length=32)],
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    full_name: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    require_role(session, request, principal, Role.ADMIN)
    try:
        no_control(username + full_name + reason)
        if action == "add":
            accounts.add_user(session, ctx.hashing, principal, username, password, Role(role), full_name)
            note = f"Created {username} ({role})."
        elif action in ("disable", "enable"):
            accounts.set_active(session, principal, username, action == "enable", reason)
            note = f"{username} {action}d."
        elif action == "reset_password":
            accounts.reset_password(session, ctx.hashing, principal, username, password)
            note = f"Password reset for {username}."
        elif action == "role":
            accounts.change_role(session, principal, username, Role(role))
            note = f"{username} is now {role}."
        elif action == "unlock":
            note = (
                f"{username} unlocked."
                if unlock(session, principal, username)
                else f"{username} was not locked."
            )
        else:
            raise accounts.AccountError("unknown action")
    except (accounts.AccountError, ValueError) as e:
        return _refused(session, "users", e, "Choose a role.")
    session.commit()
    return _back("users", note=note)


@router.get("/keys", response_class=HTMLResponse)
def keys_page(
    request: Request, session: SessionDep, ctx: ContextDep, _: AdminPage, error: str = "", note: str = ""
) -> HTMLResponse:
    return _keys_page(request, session, ctx, error, note, secret=None)


@router.post("/keys", response_class=HTMLResponse)
def key_action(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    principal: CsrfChecked,
    action: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=64)] = "",
    scope: Annotated[str, Form(max_length=16)] = "",
    camera: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    require_role(session, request, principal, Role.ADMIN)
    secret = None
    try:
        no_control(name + camera + reason)
        if action == "add":
            _, secret = accounts.add_key(
                session, principal, name, ApiKeyScope(scope), camera or None, {c.id for c in ctx.site.cameras}
            )
            note = f"Created key {name}. Copy the secret now: it is not shown again."
        elif action == "bind":
            accounts.bind_key(session, principal, name, camera, {c.id for c in ctx.site.cameras})
            note = f"Key {name} bound to camera {camera}."
        elif action == "revoke":
            accounts.revoke_key(session, principal, name, reason)
            note = f"Key {name} revoked."
        else:
            raise accounts.AccountError("unknown action")
    except (accounts.AccountError, ValueError) as e:
        return _refused(session, "keys", e, "Choose a scope.")
    session.commit()
    if secret is None:
        return _back("keys", note=note)
    # The secret is shown once, on this response only (never in a URL, never stored).
    return _keys_page(request, session, ctx, "", note, secret)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    principal: AdminPage,
    actor: Annotated[str, Query(max_length=64)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    target: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    conds: list[sa.ColumnElement[bool]] = []
    if actor:
        conds.append(AuditEvent.actor == actor)
    if action:
        conds.append(
            AuditEvent.action.like(action.replace("*", "%")) if "*" in action else AuditEvent.action == action
        )
    if target:
        kind, _, ident = target.partition(":")
        conds.append(AuditEvent.target_type == kind)
        if ident:
            conds.append(AuditEvent.target_id == ident)
    error = ""
    if since:
        try:
            conds.append(
                AuditEvent.at >= datetime.combine(date.fromisoformat(since), datetime.min.time(), UTC)
            )
        except ValueError:
            error = "'Since' must be a date (YYYY-MM-DD)."
    total = session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*conds)) or 0
    rows = list(
        session.scalars(
            sa.select(AuditEvent)
            .where(*conds)
            .order_by(AuditEvent.id.desc())
            .offset((page_no - 1) * AUDIT_PAGE)
            .limit(AUDIT_PAGE)
        )
    )
    audit.record(
        session,
        principal,
        "audit.read",
        "audit_event",
        None,
        details={
            "actor": actor,
            "action": action,
            "target": target,
            "since": since,
            "returned": len(rows),
            "via": "web",
        },
    )
    session.commit()
    return page(
        request,
        "admin_audit.html",
        events=rows,
        total=total,
        actor=actor,
        action=action,
        target=target,
        since=since,
        page_no=page_no,
        pages=max(1, -(-total // AUDIT_PAGE)),
        error=error,
        day_ago=datetime.now(UTC) - timedelta(days=1),
    )
