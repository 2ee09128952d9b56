"""Who is calling: officers log in with a password (argon2id) and get a signed, expiring JWT;
services present an API key whose SHA-256 is stored, never the key itself."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from intel_api.db.models import ApiKey, ApiKeyScope, Role, User

JWT_ALGORITHM = "HS256"
API_KEY_PREFIX = "pwk_"
ROLE_RANK: dict[Role, int] = {Role.OFFICER: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}

# Verifying against a dummy hash when the user does not exist keeps response times the same,
# so a timing probe cannot tell which usernames exist.
_DUMMY_PASSWORD = "not-a-real-password"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: an officer account or a service API key."""

    kind: Literal["user", "api_key"]
    name: str
    role: Role | None = None
    scope: ApiKeyScope | None = None
    user_id: int | None = None
    camera_id: str | None = None  # the one camera a bound camera key may post for

    def has_role(self, minimum: Role) -> bool:
        return self.role is not None and ROLE_RANK[self.role] >= ROLE_RANK[minimum]


class PasswordHashing:
    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._dummy = self._hasher.hash(_DUMMY_PASSWORD)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def authenticate(session: Session, hashing: PasswordHashing, username: str, password: str) -> User | None:
    user = session.scalar(sa.select(User).where(User.username == username))
    ok = hashing.verify(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def issue_token(user: User, key: str, minutes: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {
        "sub": user.username,
        "role": user.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)


# Built once: the look-up runs on every authenticated request, and a statement built per call costs
# more CPU than PostgreSQL spends answering it. Only the columns a Principal needs, no ORM object.
_USER_BY_NAME = sa.select(User.id, User.username, User.role, User.active).where(
    User.username == sa.bindparam("username")
)


def token_subject(token: str, key: str) -> str | None:
    """The username a valid, unexpired token names; None for any other token (no I/O: an HMAC check)."""
    try:
        claims = jwt.decode(token, key, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None


def user_principal(session: Session, username: str) -> Principal | None:
    """The active user of that name, as a Principal.

    The role and the active flag are read from the database on every request (never from the
    token or a cache), so a demotion or a deactivation applies to the next request, in every worker.
    """
    row = session.connection().execute(_USER_BY_NAME, {"username": username}).first()
    if row is None or not row.active:
        return None
    return Principal(kind="user", name=row.username, role=row.role, user_id=row.id)


def hash_api_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key_secret() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_from_secret(session: Session, secret: str) -> ApiKey | None:
    key = session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == hash_api_key(secret)))
    return key if key is not None and key.revoked_at is None else None


def create_user(
    session: Session, hashing: PasswordHashing, username: str, password: str, role: Role, full_name: str = ""
) -> User:
    user = User(username=username, password_hash=hashing.hash(password), role=role, full_name=full_name)
    session.add(user)
    session.flush()
    return user


def create_api_key(session: Session, name: str, scope: ApiKeyScope) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is returned once and only its hash is stored."""
    secret = new_api_key_secret()
    key = ApiKey(name=name, key_hash=hash_api_key(secret), scope=scope)
    session.add(key)
    session.flush()
    return key, secret
