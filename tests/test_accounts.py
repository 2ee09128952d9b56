"""Managing accounts and keys (issue 14 item 17): `platewatch users|apikeys`, one service shared with
the admin pages; a disabled user or revoked key is refused on its next request; camera keys are bound."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import PASSWORD, World, make_world, night
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from intel_api.auth import Principal
from intel_api.db import models as m
from intel_api.services import accounts
from platewatch.cli.main import app as cli

DEMO = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def _cli(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--database-url", db_url], input=stdin)
    return result.exit_code, result.output


def test_disable_enable_and_reset_password_from_the_cli(world: World, db_url: str) -> None:
    headers = world.as_("officer")
    assert world.client.get("/flags", headers=headers).status_code == 200
    assert _cli(db_url, "users", "disable", "officer", "--reason", "left the team") == (
        0,
        "disabled user officer\n",
    )
    # The token issued before is refused on its very next request.
    assert world.client.get("/flags", headers=headers).status_code == 401
    assert (
        world.client.post("/auth/token", data={"username": "officer", "password": PASSWORD}).status_code
        == 401
    )
    code, out = _cli(db_url, "users", "list")
    assert code == 0 and "officer" in out and "disabled" in out
    assert _cli(db_url, "users", "enable", "officer")[0] == 0
    assert world.client.get("/flags", headers=headers).status_code == 200
    code, _ = _cli(
        db_url, "users", "reset-password", "officer", "--password-stdin", stdin="a brand new passphrase\n"
    )
    assert code == 0
    assert (
        world.client.post("/auth/token", data={"username": "officer", "password": PASSWORD}).status_code
        == 401
    )
    ok = world.client.post("/auth/token", data={"username": "officer", "password": "a brand new passphrase"})
    assert ok.status_code == 200
    with world.sessions() as s:
        actions = set(s.scalars(sa.select(m.AuditEvent.action)))
    assert {"user.disable", "user.enable", "user.reset_password"} <= actions


def test_cli_refuses_clearly(world: World, db_url: str) -> None:
    assert _cli(db_url, "users", "disable", "nobody") == (1, "no user named 'nobody'\n")
    code, out = _cli(db_url, "users", "reset-password", "officer", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 12 characters" in out
    code, out = _cli(db_url, "apikeys", "revoke", "no-such-key")
    assert code == 1 and "no API key named" in out
    code, out = _cli(db_url, "apikeys", "add", "cam9-worker", "--scope", "camera", "--config", str(DEMO))
    assert code == 2 and "--camera" in out
    code, out = _cli(
        db_url,
        "apikeys",
        "add",
        "cam9-worker",
        "--scope",
        "camera",
        "--camera",
        "nope",
        "--config",
        str(DEMO),
    )
    assert code == 1 and "not in the site config" in out


def test_revoked_key_is_refused_on_its_next_request(world: World, db_url: str) -> None:
    headers = world.as_("letters")
    assert world.client.get("/letters", headers=headers).status_code == 200
    code, out = _cli(db_url, "apikeys", "list")
    assert code == 0 and "letters-worker" in out and "active" in out
    assert _cli(db_url, "apikeys", "revoke", "letters-worker", "--reason", "rotated")[0] == 0
    assert world.client.get("/letters", headers=headers).status_code == 401
    code, out = _cli(db_url, "apikeys", "list")
    assert "revoked" in out


def _batch(camera: str) -> dict[str, object]:
    when = night(1)
    return {
        "sightings": [
            {
                "camera_id": camera,
                "track_key": f"{camera}:9:1",
                "vehicle_class": "car",
                "first_seen": when.isoformat(),
                "last_seen": when.isoformat(),
            }
        ]
    }


def test_a_camera_key_posts_only_for_its_own_camera(world: World, db_url: str) -> None:
    with world.sessions() as s:
        _, secret = accounts.add_key(s, None, "cam1-bound", m.ApiKeyScope.CAMERA, "cam1", {"cam1", "cam2"})
        s.commit()
    headers = {"X-API-Key": secret}
    refused = world.client.post("/ingest/sightings", headers=headers, json=_batch("cam2"))
    assert refused.status_code == 403 and "bound to camera 'cam1'" in refused.json()["detail"]
    with world.sessions() as s:
        assert s.scalar(sa.select(m.Sighting.id).where(m.Sighting.track_key == "cam2:9:1")) is None
    accepted = world.client.post("/ingest/sightings", headers=headers, json=_batch("cam1"))
    assert accepted.status_code == 200 and accepted.json()["inserted"] == 1


def test_cli_creates_a_bound_camera_key(db_url: str, engine: sa.Engine) -> None:
    code, out = _cli(
        db_url,
        "apikeys",
        "add",
        "cam-a",
        "--scope",
        "camera",
        "--camera",
        "jamcam_03601_0628",
        "--config",
        str(DEMO),
    )
    assert code == 0 and "pwk_" in out
    with Session(engine) as s:
        key = s.scalars(sa.select(m.ApiKey).where(m.ApiKey.name == "cam-a")).one()
        assert key.camera_id == "jamcam_03601_0628"


def test_service_refuses_to_disable_yourself(world: World) -> None:
    with world.sessions() as s:
        admin = s.scalars(sa.select(m.User).where(m.User.username == "admin")).one()
        me = Principal(kind="user", name="admin", role=m.Role.ADMIN, user_id=admin.id)
        with pytest.raises(accounts.AccountError, match="your own account"):
            accounts.set_active(s, me, "admin", False, "")
        with pytest.raises(accounts.AccountError, match="your own role"):
            accounts.change_role(s, me, "admin", m.Role.OFFICER)


def test_cli_binds_a_legacy_camera_key(world: World, db_url: str) -> None:
    code, out = _cli(db_url, "apikeys", "bind", "camera-worker", "--camera", "nope", "--config", str(DEMO))
    assert code == 1 and "not in the site config" in out
    code, out = _cli(
        db_url, "apikeys", "bind", "letters-worker", "--camera", "jamcam_03601_0628", "--config", str(DEMO)
    )
    assert code == 1 and "only camera keys" in out
    code, out = _cli(
        db_url, "apikeys", "bind", "camera-worker", "--camera", "jamcam_03601_0628", "--config", str(DEMO)
    )
    assert code == 0, out
    code, out = _cli(db_url, "apikeys", "list")
    assert "jamcam_03601_0628" in out
