from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from intel_api import messages
from intel_api.auth import issue_token
from intel_api.deps import ContextDep, PrincipalDep, SessionDep
from intel_api.schemas.auth import MeOut, TokenOut
from intel_api.services.login_throttle import sign_in

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    summary="Log in (OAuth2 password flow) and get a bearer token",
    response_model=TokenOut,
    responses={
        429: {"description": "Too many failed sign-ins: wait (Retry-After) or ask an admin to unlock"}
    },
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
) -> TokenOut:
    address = request.client.host if request.client else ""
    outcome = sign_in(session, ctx.hashing, ctx.throttle, form.username, form.password, address, "api")
    session.commit()
    if outcome.refused in ("throttled", "locked"):
        text = messages.LOGIN_LOCKED if outcome.refused == "locked" else messages.LOGIN_THROTTLED
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            text.format(seconds=outcome.retry_after_s),
            headers={"Retry-After": str(outcome.retry_after_s)},
        )
    user = outcome.user
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, messages.BAD_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"}
        )
    minutes = ctx.site.api.token_minutes
    return TokenOut(
        access_token=issue_token(user, ctx.signing_key, minutes), expires_in=minutes * 60, role=user.role
    )


@router.get("/me", summary="Who the credentials belong to", response_model=MeOut)
def me(principal: PrincipalDep) -> MeOut:
    return MeOut(
        name=principal.name,
        kind=principal.kind,
        role=principal.role,
        scope=principal.scope.value if principal.scope else None,
    )
