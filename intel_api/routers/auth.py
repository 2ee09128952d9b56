from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from intel_api import messages
from intel_api.auth import Principal, authenticate, issue_token
from intel_api.deps import ContextDep, PrincipalDep, SessionDep
from intel_api.schemas.auth import MeOut, TokenOut
from intel_api.services import audit

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token", summary="Log in (OAuth2 password flow) and get a bearer token", response_model=TokenOut
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, ctx: ContextDep
) -> TokenOut:
    user = authenticate(session, ctx.hashing, form.username, form.password)
    if user is None:
        audit.record(
            session, None, "auth.login_failed", "user", None, details={"username": form.username[:64]}
        )
        session.commit()
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, messages.BAD_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"}
        )
    minutes = ctx.site.api.token_minutes
    principal = Principal(kind="user", name=user.username, role=user.role, user_id=user.id)
    audit.record(session, principal, "auth.login", "user", user.id)
    session.commit()
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
