"""Typed FastAPI dependencies: the request's session, its caller and the caller's rights."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

import anyio
from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session

from intel_api import messages
from intel_api.auth import Principal, api_key_from_secret, token_subject, user_principal
from intel_api.context import AppContext
from intel_api.db.models import ApiKeyScope, Role
from intel_api.error_map import to_api_error
from intel_api.errors import denied
from intel_api.services import audit

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its thread
# pool, and every hop to a worker thread and back cost CPU on each request (bench/api_load.py).
async def get_context(request: Request) -> AppContext:
    ctx = request.app.state.context
    assert isinstance(ctx, AppContext)
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_session(ctx: ContextDep, request: Request) -> AsyncGenerator[Session, None]:
    """The request's unit of work: routes only add and change; it commits once when the route returns.

    Scoped to the route function, so the commit happens before the response is sent: a commit that
    fails answers 503/409/500 instead of a 200 for a change that was lost. Anything that fails rolls
    the whole request back; a refusal (403) of a known caller is then audited on its own.
    """
    # Making a Session does no I/O (it connects at its first statement), so only its end, the commit
    # or rollback and the return of the connection, goes to the thread pool: one hop per request
    # where a plain generator took two.
    session = ctx.sessions()
    try:
        yield session
    except Exception as exc:
        await run_in_threadpool(_end_session, session, request, exc)
        raise
    except BaseException:
        # Cancelled: the rollback and the connection's return still happen, off the event loop.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(session.close)
        raise
    if session.in_transaction():
        await run_in_threadpool(_end_session, session, request, None)
    else:
        # The route committed in its own thread-pool call (or never touched the database): closing
        # sends nothing, so it needs no hop of its own.
        session.close()


def _end_session(session: Session, request: Request, exc: Exception | None) -> None:
    try:
        if exc is None:
            session.commit()
            return
        session.rollback()
        err = to_api_error(exc)
        principal = getattr(request.state, "principal", None)
        if err is not None and err.status == status.HTTP_403_FORBIDDEN and principal is not None:
            _audit_refusal(session, request, principal, exc, err.detail)
    finally:
        session.close()


def _audit_refusal(
    session: Session, request: Request, principal: Principal, exc: Exception, why: str
) -> None:
    target_type = getattr(exc, "target_type", "request")
    target_id = getattr(exc, "target_id", None)
    audit.record(
        session,
        principal,
        "access.denied",
        target_type,
        target_id,
        details={"method": request.method, "path": request.url.path, "detail": why},
    )
    session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


class Credentials(NamedTuple):
    """What the caller presented, checked as far as it can be without the database: a token's
    signature and expiry (its user is read later), or an API key (looked up later)."""

    username: str | None
    api_key: str | None


async def get_credentials(
    ctx: ContextDep,
    token: Annotated[str | None, Security(oauth2_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Credentials:
    # Refused here, before the route's parameters are validated: a caller with no valid
    # credentials learns nothing about the request but 401.
    if token:
        username = token_subject(token, ctx.signing_key)
        if username is None:
            raise _unauthorised(messages.TOKEN_INVALID)
        return Credentials(username, None)
    if api_key:
        return Credentials(None, api_key)
    raise _unauthorised(messages.NOT_AUTHENTICATED)


CredentialsDep = Annotated[Credentials, Depends(get_credentials)]


def resolve_principal(request: Request, session: Session, credentials: Credentials) -> Principal:
    """The caller the credentials name, read from the database (blocking: run it off the event loop)."""
    if credentials.username is not None:
        found = user_principal(session, credentials.username)
        if found is None:
            raise _unauthorised(messages.TOKEN_INVALID)
        principal = found
    else:
        assert credentials.api_key is not None
        key = api_key_from_secret(session, credentials.api_key)
        if key is None:
            raise _unauthorised(messages.API_KEY_INVALID)
        principal = Principal(
            kind="api_key", name=f"apikey:{key.name}", scope=key.scope, camera_id=key.camera_id
        )
    # Refusals further on are audited against whoever this is (see get_session).
    request.state.principal = principal
    return principal


def get_principal(request: Request, session: SessionDep, credentials: CredentialsDep) -> Principal:
    return resolve_principal(request, session, credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def admit(principal: Principal, minimum: Role | None, scopes: tuple[ApiKeyScope, ...]) -> Principal:
    """`principal` when its role (at least `minimum`; None: no user) or key scope (one of `scopes`)
    allows the request; refused (403, audited) otherwise."""
    if principal.kind == "api_key":
        if principal.scope in scopes:
            return principal
        assert principal.scope is not None
        raise denied(principal, messages.API_KEY_NOT_ALLOWED.format(scope=principal.scope.value))
    if minimum is None:
        raise denied(principal, messages.KEY_ONLY.format(scopes=", ".join(s.value for s in scopes)))
    if not principal.has_role(minimum):
        raise denied(principal, messages.ROLE_REQUIRED.format(role=minimum.value))
    return principal


def require(
    minimum: Role | None, *scopes: ApiKeyScope
) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting users with at least `minimum` (None: no user) and keys with one of `scopes`."""

    async def check(principal: PrincipalDep) -> Principal:
        return admit(principal, minimum, scopes)

    return check


@dataclass(frozen=True, slots=True)
class Caller:
    """A caller to be resolved and admitted inside the route's own thread-pool call.

    The usual `Officer` dependency reads the caller in one thread-pool hop and the route runs in
    another; a route on the hot path (a visit history) that takes a `Caller` and calls `principal()`
    in its one blocking call does both in one hop. The checks are the same: the role and the active
    flag read from the database, refusals audited.
    """

    request: Request
    session: Session
    credentials: Credentials
    minimum: Role

    def principal(self) -> Principal:
        found = resolve_principal(self.request, self.session, self.credentials)
        return admit(found, self.minimum, ())


def caller(minimum: Role) -> Callable[..., Coroutine[Any, Any, Caller]]:
    async def make(request: Request, session: SessionDep, credentials: CredentialsDep) -> Caller:
        return Caller(request, session, credentials, minimum)

    return make


OfficerCaller = Annotated[Caller, Depends(caller(Role.OFFICER))]
Officer = Annotated[Principal, Depends(require(Role.OFFICER))]
Supervisor = Annotated[Principal, Depends(require(Role.SUPERVISOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
CameraKey = Annotated[Principal, Depends(require(None, ApiKeyScope.CAMERA))]
OfficerOrLettersKey = Annotated[Principal, Depends(require(Role.OFFICER, ApiKeyScope.LETTERS))]
SupervisorOrLettersKey = Annotated[Principal, Depends(require(Role.SUPERVISOR, ApiKeyScope.LETTERS))]
