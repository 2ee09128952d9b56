"""Logging in, tokens and keys that must stop working, and escalated flags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fixtures import World, make_world, night
from sqlalchemy.orm import Session, sessionmaker

INGEST = {
    "sightings": [
        {
            "camera_id": "cam1",
            "track_key": "cam1:9:1",
            "vehicle_class": "car",
            "first_seen": night(1).isoformat(),
            "last_seen": night(1).isoformat(),
        }
    ]
}


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def test_officer_refused_on_escalated_flag(world: World) -> None:
    f1 = world.ids["f1"]
    r = world.client.post(
        f"/flags/{f1}/escalate", json={"reason": "unsure of plate"}, headers=world.as_("officer")
    )
    assert r.status_code == 200
    r = world.client.post(f"/flags/{f1}/confirm", json={"reason": "I think so"}, headers=world.as_("officer"))
    assert r.status_code == 403 and "supervisor" in r.json()["detail"]
    r = world.client.post(
        f"/flags/{f1}/confirm", json={"reason": "clear on image 2"}, headers=world.as_("supervisor")
    )
    assert r.status_code == 200


def test_login_flow_and_bad_tokens(world: World) -> None:
    from api_fixtures import PASSWORD

    r = world.client.post("/auth/token", data={"username": "officer", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["access_token"]
    me = world.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "officer", "kind": "user", "role": "officer", "scope": None}
    bad = world.client.post("/auth/token", data={"username": "officer", "password": "wrong"})
    assert bad.status_code == 401 and bad.json()["detail"] == "Incorrect username or password."
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert world.client.get("/auth/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    assert world.client.get("/auth/me", headers={"X-API-Key": "pwk_nope"}).status_code == 401


def test_expired_token_refused(world: World, db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa
    from api_fixtures import settings_for

    from intel_api.auth import issue_token
    from intel_api.db.models import User

    with world.sessions() as s:
        user = s.scalars(sa.select(User).where(User.username == "admin")).one()
        old = issue_token(
            user, settings_for(db_url).signing_key(), 5, now=datetime.now(UTC) - timedelta(hours=1)
        )
    r = world.client.get("/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_deactivated_user_and_revoked_key_refused(world: World) -> None:
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from intel_api.db.models import ApiKey, User

    with world.sessions() as s:
        s.execute(sa.update(User).where(User.username == "officer").values(active=False))
        s.execute(
            sa.update(ApiKey).where(ApiKey.name == "camera-worker").values(revoked_at=datetime.now(UTC))
        )
        s.commit()
    assert world.client.get("/flags", headers=world.as_("officer")).status_code == 401
    assert world.client.post("/ingest/sightings", json=INGEST, headers=world.as_("camera")).status_code == 401
