"""Officer accounts and service API keys: the one place they change, for the CLI and the admin pages.

Every change is audited. Disabling a user or revoking a key needs no cache to expire: the API and the
pages read the account on every request, and a disabled user's browser sessions are deleted here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import PasswordHashing, Principal, create_api_key, create_user
from intel_api.db.models import ApiKey, ApiKeyScope, Role, User, WebSession
from intel_api.services import audit

MIN_PASSWORD = 12
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{2,64}$"


class AccountError(Exception):
    """A request the caller can fix (unknown name, duplicate, weak password); the text says how."""


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no user named {username!r}")
    return user


def _key(session: Session, name: str) -> ApiKey:
    key = session.scalar(sa.select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise AccountError(f"no API key named {name!r}")
    return key


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")


def list_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.username)))


def add_user(
    session: Session,
    hashing: PasswordHashing,
    actor: Principal | None,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
) -> User:
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise AccountError("username must be 2-64 letters, digits, '.', '_' or '-'")
    check_password(password)
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = create_user(session, hashing, username, password, role, full_name)
    audit.record(
        session, actor, "user.add", "user", user.id, details={"username": username, "role": role.value}
    )
    return user


def set_active(session: Session, actor: Principal | None, username: str, active: bool, reason: str) -> User:
    user = _user(session, username)
    if actor is not None and actor.user_id == user.id and not active:
        raise AccountError("you cannot disable your own account")
    user.active = active
    if not active:
        session.execute(sa.delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(
        session,
        actor,
        "user.enable" if active else "user.disable",
        "user",
        user.id,
        reason=reason or None,
        details={"username": username},
    )
    return user


def reset_password(
    session: Session, hashing: PasswordHashing, actor: Principal | None, username: str, password: str
) -> User:
    check_password(password)
    user = _user(session, username)
    user.password_hash = hashing.hash(password)
    # A reset ends every browser session: whoever knew the old password is signed out.
    session.execute(sa.delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "user.reset_password", "user", user.id, details={"username": username})
    return user


def change_role(session: Session, actor: Principal | None, username: str, role: Role) -> User:
    user = _user(session, username)
    if actor is not None and actor.user_id == user.id and role != user.role:
        raise AccountError("you cannot change your own role")
    old = user.role
    user.role = role
    audit.record(
        session,
        actor,
        "user.role",
        "user",
        user.id,
        details={"username": username, "old_role": old.value, "new_role": role.value},
    )
    return user


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(sa.select(ApiKey).order_by(ApiKey.name)))


def add_key(
    session: Session,
    actor: Principal | None,
    name: str,
    scope: ApiKeyScope,
    camera_id: str | None,
    known_cameras: set[str] | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret (shown once). A camera key is bound to the one camera it may post for."""
    if not re.fullmatch(USERNAME_PATTERN, name):
        raise AccountError("key name must be 2-64 letters, digits, '.', '_' or '-'")
    if session.scalar(sa.select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise AccountError(f"API key {name!r} already exists")
    if scope == ApiKeyScope.CAMERA:
        if not camera_id:
            raise AccountError("a camera key must be bound to its camera (--camera ID)")
        if known_cameras is not None and camera_id not in known_cameras:
            raise AccountError(
                f"camera {camera_id!r} is not in the site config (known: {', '.join(sorted(known_cameras))})"
            )
    elif camera_id:
        raise AccountError("only camera keys are bound to a camera")
    key, secret = create_api_key(session, name, scope)
    key.camera_id = camera_id or None
    audit.record(
        session,
        actor,
        "apikey.add",
        "api_key",
        key.id,
        details={"name": name, "scope": scope.value, "camera_id": key.camera_id},
    )
    return key, secret


def revoke_key(session: Session, actor: Principal | None, name: str, reason: str) -> ApiKey:
    key = _key(session, name)
    if key.revoked_at is not None:
        raise AccountError(f"API key {name!r} is already revoked")
    key.revoked_at = datetime.now(UTC)
    audit.record(
        session, actor, "apikey.revoke", "api_key", key.id, reason=reason or None, details={"name": name}
    )
    return key


def bind_key(
    session: Session, actor: Principal | None, name: str, camera_id: str, known_cameras: set[str] | None
) -> ApiKey:
    """Bind a camera key made before binding existed; a bound key is never moved (revoke and re-create)."""
    key = _key(session, name)
    if key.scope != ApiKeyScope.CAMERA:
        raise AccountError("only camera keys are bound to a camera")
    if key.revoked_at is not None:
        raise AccountError(f"API key {name!r} is revoked")
    if key.camera_id is not None:
        raise AccountError(
            f"API key {name!r} is already bound to camera {key.camera_id!r}; revoke it and add a new one"
        )
    if known_cameras is not None and camera_id not in known_cameras:
        raise AccountError(
            f"camera {camera_id!r} is not in the site config (known: {', '.join(sorted(known_cameras))})"
        )
    key.camera_id = camera_id
    audit.record(
        session, actor, "apikey.bind", "api_key", key.id, details={"name": name, "camera_id": camera_id}
    )
    return key
