"""Sign-in and sign-out. Sign-in shares the API's throttling and lock-out (services/login_throttle)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intel_api import messages
from intel_api.deps import ContextDep, SessionDep
from intel_api.services import audit
from intel_api.services.login_throttle import sign_in
from intel_api.web import sessions
from intel_api.web.deps import CsrfChecked
from intel_api.web.render import page

router = APIRouter()


def _safe_next(value: str | None) -> str:
    # Only our own pages: never an absolute or protocol-relative URL (open redirect).
    if value and value.startswith("/ui/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"


def _login_page(request: Request, next_path: str, error: str = "", status_code: int = 200) -> Response:
    token = sessions.new_token()
    response = page(
        request,
        "login.html",
        status_code=status_code,
        next_path=next_path,
        error=error,
        login_csrf=token,
        idle=request.query_params.get("idle") == "1",
        user=None,
    )
    sessions.set_cookie(request, response, sessions.LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/ui/",  # noqa: A002
) -> Response:
    next_path = _safe_next(next)
    if not sessions.csrf_ok(request.cookies.get(sessions.LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(
            request, next_path, "The sign-in form had expired; please try again.", status_code=403
        )
    address = request.client.host if request.client else ""
    outcome = sign_in(session, ctx.hashing, ctx.throttle, username, password, address, "web")
    if outcome.user is None:
        session.commit()
        if outcome.refused == "locked":
            error, code = messages.LOGIN_LOCKED.format(seconds=outcome.retry_after_s), 429
        elif outcome.refused == "throttled":
            error, code = messages.LOGIN_THROTTLED.format(seconds=outcome.retry_after_s), 429
        else:
            error, code = messages.BAD_CREDENTIALS, 401
        response = _login_page(request, next_path, error, status_code=code)
        if code == 429:
            response.headers["Retry-After"] = str(outcome.retry_after_s)
        return response
    _, token = sessions.start(session, outcome.user, address)
    session.commit()
    response = RedirectResponse(next_path, status_code=303)
    sessions.set_cookie(request, response, sessions.COOKIE, token, max_age=None)
    response.delete_cookie(sessions.LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: CsrfChecked) -> Response:
    audit.record(session, principal, "auth.logout", "user", principal.user_id, details={"channel": "web"})
    sessions.end(session, request.cookies.get(sessions.COOKIE))
    session.commit()
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response
