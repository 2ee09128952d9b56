"""Page dependencies: the signed-in user (or a redirect to sign in), role checks that audit a refusal,
and the CSRF check every changing form passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request

from intel_api.auth import Principal
from intel_api.db.models import Role
from intel_api.deps import ContextDep, SessionDep
from intel_api.services import audit
from intel_api.web import sessions
from intel_api.web.render import PageDenied, SignInRequired


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query and request.method == "GET" else "")


def web_user(request: Request, session: SessionDep, ctx: ContextDep) -> Principal:
    row, idle = sessions.find(session, request.cookies.get(sessions.COOKIE), ctx.settings.web_idle_minutes)
    if row is None:
        note = "You were signed out after a period without activity." if idle else ""
        raise SignInRequired(_next_path(request), note)
    user = row.user
    principal = Principal(kind="user", name=user.username, role=user.role, user_id=user.id)
    request.state.web_user = principal
    request.state.csrf = row.csrf_token
    session.commit()
    return principal


WebUserDep = Annotated[Principal, Depends(web_user)]


def deny(session: SessionDep, principal: Principal, request: Request, message: str) -> PageDenied:
    """Audit a refused page (who, which page, why) and return the exception to raise."""
    audit.record(
        session,
        principal,
        "web.denied",
        "page",
        request.url.path[:64],
        details={"method": request.method, "message": message[:200]},
    )
    session.commit()
    return PageDenied(message)


def need(minimum: Role) -> Callable[..., Principal]:
    def check(request: Request, session: SessionDep, principal: WebUserDep) -> Principal:
        if not principal.has_role(minimum):
            raise deny(session, principal, request, f"This page needs the {minimum.value} role or higher.")
        return principal

    return check


def csrf_checked(
    request: Request,
    session: SessionDep,
    principal: WebUserDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Principal:
    if not sessions.csrf_ok(getattr(request.state, "csrf", None), csrf_token):
        audit.record(session, principal, "web.csrf_refused", "page", request.url.path[:64], details={})
        session.commit()
        raise PageDenied(
            "This form is out of date or did not come from PlateWatch; reload the page and try again."
        )
    return principal


OfficerPage = Annotated[Principal, Depends(need(Role.OFFICER))]
SupervisorPage = Annotated[Principal, Depends(need(Role.SUPERVISOR))]
AdminPage = Annotated[Principal, Depends(need(Role.ADMIN))]
CsrfChecked = Annotated[Principal, Depends(csrf_checked)]


def require_role(session: SessionDep, request: Request, principal: Principal, minimum: Role) -> None:
    if not principal.has_role(minimum):
        raise deny(session, principal, request, f"This action needs the {minimum.value} role or higher.")
