"""Brute-force protection (issue 14 item 8): slow-down, lock-out per account and per address, audited,
admin unlock; one implementation behind both POST /auth/token and the web sign-in form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import PASSWORD, World, make_world
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from intel_api.db import models as m
from platewatch.cli.main import app as cli


def _world(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path, **settings: object
) -> Iterator[World]:
    yield from make_world(db_url, sessions, tmp_path, **settings)


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from _world(db_url, session_factory, tmp_path)


@pytest.fixture
def lock_world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    # No slow-down, so the lock-out itself can be reached at once.
    yield from _world(
        db_url, session_factory, tmp_path, login_delay_after=1000, login_address_max_failures=1000
    )


def _token(w: World, user: str, password: str) -> tuple[int, dict[str, str]]:
    r = w.client.post("/auth/token", data={"username": user, "password": password})
    return r.status_code, dict(r.headers)


def _actions(w: World) -> list[str]:
    with w.sessions() as s:
        return list(s.scalars(sa.select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def test_repeated_failures_are_slowed_down(world: World) -> None:
    for _ in range(3):
        assert _token(world, "officer", "wrong password")[0] == 401
    code, headers = _token(world, "officer", PASSWORD)
    assert code == 429
    assert int(headers["retry-after"]) >= 1
    assert "auth.login_throttled" in _actions(world)


def test_lockout_refuses_even_the_right_password_until_an_admin_unlocks(
    lock_world: World, db_url: str
) -> None:
    codes = [_token(lock_world, "officer", f"guess {i}")[0] for i in range(25)]
    assert codes[:5] == [401] * 5
    assert set(codes[5:]) == {429}
    code, headers = _token(lock_world, "officer", PASSWORD)
    assert code == 429 and int(headers["retry-after"]) > 60
    actions = _actions(lock_world)
    assert actions.count("auth.login_failed") == 5
    assert "auth.lockout" in actions and "auth.login_locked" in actions
    # Another account is not affected by this account's lock.
    assert _token(lock_world, "supervisor", PASSWORD)[0] == 200
    listed = CliRunner().invoke(cli, ["users", "list", "--database-url", db_url])
    assert listed.exit_code == 0 and re.search(r"officer\s+officer\s+active\s+locked until", listed.output)
    result = CliRunner().invoke(cli, ["users", "unlock", "officer", "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert _token(lock_world, "officer", PASSWORD)[0] == 200
    assert "auth.unlock" in _actions(lock_world)


def test_one_address_trying_many_accounts_is_locked(
    db_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    for w in _world(db_url, session_factory, tmp_path, login_delay_after=1000, login_address_max_failures=4):
        for i in range(4):
            assert _token(w, f"nobody{i}", "x")[0] == 401
        # The address is locked: the right password for a real account is refused from it too.
        assert _token(w, "admin", PASSWORD)[0] == 429


def test_web_form_and_api_share_the_counter(lock_world: World) -> None:
    c = lock_world.client
    for i in range(4):
        form = c.get("/ui/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        r = c.post(
            "/ui/login", data={"username": "officer", "password": f"g{i}", "csrf_token": csrf.group(1)}
        )
        assert r.status_code == 401 and "Incorrect username or password" in r.text
    assert _token(lock_world, "officer", "fifth guess")[0] == 401
    assert _token(lock_world, "officer", PASSWORD)[0] == 429
    form = c.get("/ui/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    r = c.post("/ui/login", data={"username": "officer", "password": PASSWORD, "csrf_token": csrf.group(1)})
    assert r.status_code == 429 and "locked" in r.text


def test_a_name_with_a_nul_byte_is_refused_at_the_boundary_not_a_server_error(world: World) -> None:
    # The request guard refuses control characters before any credential check (422, never a 500
    # from PostgreSQL); nothing reaches the throttle, and the real account still signs in.
    assert _token(world, "offi\x00cer", PASSWORD)[0] == 422
    with world.sessions() as s:
        failed = s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "auth.login_failed")).all()
    assert failed == []
    assert _token(world, "officer", PASSWORD)[0] == 200
