"""Browser sessions: a random token in an HttpOnly, SameSite=Strict cookie; the database keeps only its
SHA-256, the user and the CSRF token every changing form must echo back."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import Request, Response
from sqlalchemy.orm import Session

from intel_api.db.models import User, WebSession

COOKIE = "pw_session"
LOGIN_CSRF_COOKIE = "pw_login_csrf"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start(session: Session, user: User, address: str) -> tuple[WebSession, str]:
    token = new_token()
    now = datetime.now(UTC)
    row = WebSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        address=address[:64],
    )
    session.add(row)
    session.flush()
    return row, token


def find(session: Session, token: str | None, idle_minutes: int) -> tuple[WebSession | None, bool]:
    """The live session for a cookie, touched; and whether an existing one had just gone idle."""
    if not token:
        return None, False
    row = session.scalar(sa.select(WebSession).where(WebSession.token_hash == _digest(token)))
    if row is None:
        return None, False
    now = datetime.now(UTC)
    if now - row.last_seen_at > timedelta(minutes=idle_minutes) or not row.user.active:
        session.delete(row)
        session.commit()
        return None, True
    row.last_seen_at = now
    return row, False


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(sa.delete(WebSession).where(WebSession.token_hash == _digest(token)))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    # Secure whenever the browser reached us over TLS (directly or through a proxy uvicorn trusts).
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
