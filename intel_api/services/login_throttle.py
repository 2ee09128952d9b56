"""Brute-force protection for sign-in, shared by `POST /auth/token` and the web sign-in form.

Failures are counted per account and per client address. After `delay_after` failures each further
attempt must wait (1 s, 2 s, 4 s ... capped), answered 429 with Retry-After without checking the
password, so guessing slows to a crawl; after `max_failures` on an account (or `address_max_failures`
from one address) it is locked for `lockout_minutes`, even for the right password, until the lock
expires or an admin unlocks it. Counters start again after a quiet `window_minutes`. Every failure,
refusal and lock is audited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.auth import PasswordHashing, Principal, authenticate
from intel_api.db.models import LoginThrottle, User
from intel_api.services import audit

Kind = Literal["account", "address"]


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    delay_after: int = 3
    max_delay_s: float = 30.0
    max_failures: int = 5
    address_max_failures: int = 20
    lockout_minutes: int = 15
    window_minutes: int = 15

    def delay_s(self, failures: int) -> float:
        if failures < self.delay_after:
            return 0.0
        return float(min(self.max_delay_s, 2.0 ** (failures - self.delay_after)))


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of one attempt: a user, or why not (and when to try again)."""

    user: User | None
    refused: Literal["bad_credentials", "throttled", "locked"] | None = None
    retry_after_s: int = 0


def _printable(text: str) -> str:
    """Control characters never reach the database (PostgreSQL refuses NUL in text)."""
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text)


def _row(session: Session, kind: Kind, subject: str) -> LoginThrottle | None:
    return session.scalar(
        sa.select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.subject == subject)
    )


def _blocked_for(row: LoginThrottle | None, now: datetime) -> tuple[str | None, float]:
    if row is None:
        return None, 0.0
    if row.locked_until is not None and row.locked_until > now:
        return "locked", (row.locked_until - now).total_seconds()
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return "throttled", (row.next_attempt_at - now).total_seconds()
    return None, 0.0


def _fail(session: Session, policy: ThrottlePolicy, kind: Kind, subject: str, now: datetime) -> LoginThrottle:
    row = _row(session, kind, subject)
    window = timedelta(minutes=policy.window_minutes)
    if row is None:
        row = LoginThrottle(kind=kind, subject=subject, failures=0, first_failure_at=now, last_failure_at=now)
        session.add(row)
    elif now - row.last_failure_at > window and (row.locked_until is None or row.locked_until <= now):
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    row.last_failure_at = now
    limit = policy.max_failures if kind == "account" else policy.address_max_failures
    if row.failures >= limit:
        row.locked_until = now + timedelta(minutes=policy.lockout_minutes)
    delay = policy.delay_s(row.failures)
    row.next_attempt_at = now + timedelta(seconds=delay) if delay else None
    return row


def sign_in(
    session: Session,
    hashing: PasswordHashing,
    policy: ThrottlePolicy,
    username: str,
    password: str,
    address: str,
    channel: Literal["api", "web"],
    now: datetime | None = None,
) -> SignIn:
    """Check throttles, then the password; record the outcome. The caller commits."""
    now = now or datetime.now(UTC)
    # A name with control characters names no account; it is still counted and audited, made printable.
    clean = _printable(username)
    username_key, address_key = clean[:128], _printable(address)[:128] or "unknown"
    details = {"username": clean[:64], "address": address_key, "channel": channel}
    worst: tuple[str | None, float] = (None, 0.0)
    for kind, subject in (("account", username_key), ("address", address_key)):
        state, wait = _blocked_for(_row(session, kind, subject), now)  # type: ignore[arg-type]
        if state is not None and (worst[0] != "locked" or state == "locked") and wait >= worst[1]:
            worst = (state, wait)
    if worst[0] is not None:
        action = "auth.login_locked" if worst[0] == "locked" else "auth.login_throttled"
        audit.record(session, None, action, "user", None, details=details)
        return SignIn(None, worst[0], max(1, math.ceil(worst[1])))  # type: ignore[arg-type]
    user = authenticate(session, hashing, username, password) if clean == username else None
    if user is not None:
        account = _row(session, "account", username_key)
        if account is not None:
            session.delete(account)
        principal = Principal(kind="user", name=user.username, role=user.role, user_id=user.id)
        audit.record(session, principal, "auth.login", "user", user.id, details={"channel": channel})
        return SignIn(user)
    rows = [
        _fail(session, policy, "account", username_key, now),
        _fail(session, policy, "address", address_key, now),
    ]
    audit.record(session, None, "auth.login_failed", "user", None, details=details)
    for row in rows:
        if row.locked_until is not None and row.failures in (
            policy.max_failures if row.kind == "account" else policy.address_max_failures,
        ):
            audit.record(
                session,
                None,
                "auth.lockout",
                row.kind,
                row.subject[:64],
                details={"failures": row.failures, "until": row.locked_until.isoformat()},
            )
    return SignIn(None, "bad_credentials")


def unlock(session: Session, actor: Principal | None, username: str) -> bool:
    """An admin lifts an account's lock (and its delay); audited. False when nothing was held."""
    row = _row(session, "account", username[:128])
    if row is None:
        return False
    session.delete(row)
    audit.record(session, actor, "auth.unlock", "account", username[:64], details={"failures": row.failures})
    return True


def locked_accounts(session: Session, now: datetime | None = None) -> dict[str, datetime]:
    now = now or datetime.now(UTC)
    stmt = sa.select(LoginThrottle).where(
        LoginThrottle.kind == "account", LoginThrottle.locked_until.is_not(None)
    )
    return {
        r.subject: r.locked_until
        for r in session.scalars(stmt)
        if r.locked_until is not None and r.locked_until > now
    }
