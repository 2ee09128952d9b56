"""Typed FastAPI dependencies: the request's session, its caller and the caller's rights."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from intel_api import messages
from intel_api.auth import Principal, api_key_from_secret, user_from_token
from intel_api.context import AppContext
from intel_api.db.models import ApiKeyScope, Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_context(request: Request) -> AppContext:
    ctx = request.app.state.context
    assert isinstance(ctx, AppContext)
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    """One session per request; routes commit explicitly, anything uncommitted is rolled back."""
    with ctx.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def get_principal(
    ctx: ContextDep,
    session: SessionDep,
    token: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Principal:
    if token:
        user = user_from_token(session, token, ctx.signing_key)
        if user is None:
            raise _unauthorised(messages.TOKEN_INVALID)
        return Principal(kind="user", name=user.username, role=user.role, user_id=user.id)
    if api_key:
        key = api_key_from_secret(session, api_key)
        if key is None:
            raise _unauthorised(messages.API_KEY_INVALID)
        return Principal(kind="api_key", name=f"apikey:{key.name}", scope=key.scope, camera_id=key.camera_id)
    raise _unauthorised(messages.NOT_AUTHENTICATED)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(minimum: Role | None, *scopes: ApiKeyScope) -> Callable[[Principal], Principal]:
    """A dependency admitting users with at least `minimum` (None: no user) and keys with one of `scopes`."""

    def check(principal: PrincipalDep) -> Principal:
        if principal.kind == "api_key":
            if principal.scope in scopes:
                return principal
            assert principal.scope is not None
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, messages.API_KEY_NOT_ALLOWED.format(scope=principal.scope.value)
            )
        if minimum is None:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, messages.KEY_ONLY.format(scopes=", ".join(s.value for s in scopes))
            )
        if not principal.has_role(minimum):
            raise HTTPException(status.HTTP_403_FORBIDDEN, messages.ROLE_REQUIRED.format(role=minimum.value))
        return principal

    return check


Officer = Annotated[Principal, Depends(require(Role.OFFICER))]
Supervisor = Annotated[Principal, Depends(require(Role.SUPERVISOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
CameraKey = Annotated[Principal, Depends(require(None, ApiKeyScope.CAMERA))]
OfficerOrLettersKey = Annotated[Principal, Depends(require(Role.OFFICER, ApiKeyScope.LETTERS))]
SupervisorOrLettersKey = Annotated[Principal, Depends(require(Role.SUPERVISOR, ApiKeyScope.LETTERS))]
