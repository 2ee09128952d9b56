"""Errors are JSON with a clear message: bad input is a 422 naming the field, a dead database a 503."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from api_fixtures import REASON, World, make_world, settings_for, site_config
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from intel_api.deps import get_session
from intel_api.main import create_app
from intel_api.settings import ApiSettings


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", f"/sightings?reason={REASON}&since=yesterday", None, "since (query)"),
        ("GET", f"/sightings?reason={REASON}&page=0", None, "page (query)"),
        ("GET", f"/sightings?reason={REASON}&plate=AB%2512", None, "plate (query)"),
        ("GET", "/flags?status=maybe", None, "status.0 (query)"),
        ("GET", "/sightings/abc/evidence/plate", None, "sighting_id (path)"),
        ("POST", "/flags/{f1}/dismiss", {}, "reason (body)"),
        (
            "POST",
            "/flags/{f1}/confirm",
            {"reason": "looks right", "corrected_plate": "AB12-CD"},
            "corrected_plate (body)",
        ),
        ("POST", "/letters/{awaiting}/approve", {"rationale": "ok"}, "rationale (body)"),
    ],
)
def test_422_names_the_field(
    world: World, method: str, url: str, body: dict[str, str] | None, field: str
) -> None:
    r = world.client.request(method, url.format(**world.ids), json=body, headers=world.as_("supervisor"))
    assert r.status_code == 422, r.text
    payload = r.json()
    assert payload["errors"][0]["field"] == field and field in payload["detail"]


def test_not_found_is_json(world: World) -> None:
    r = world.client.get("/flags/424242", headers=world.as_("officer"))
    assert r.status_code == 404 and r.json() == {"detail": "Flag 424242 was not found."}


def test_database_down_is_503_json(tmp_path: Path) -> None:
    from intel_api.auth import issue_token
    from intel_api.db.models import Role, User

    settings = settings_for("postgresql+psycopg://postgres@127.0.0.1:1/none")
    token = issue_token(User(username="admin", role=Role.ADMIN), settings.signing_key(), 5)
    with TestClient(create_app(settings, site_config(tmp_path)), raise_server_exceptions=False) as client:
        for url in ("/health", "/flags", f"/sightings?reason={REASON}"):
            r = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 503, r.text
            assert r.json() == {"detail": "The database is unavailable; try again shortly."}
            assert "Traceback" not in r.text


def test_unexpected_error_is_json_500_without_trace(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from intel_api.services import sightings

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(sightings, "search", boom)
    r = world.client.get(f"/sightings?reason={REASON}", headers=world.as_("officer"))
    assert r.status_code == 500 and r.json() == {"detail": "Internal error; it has been logged."}
    assert "secret internals" not in r.text


@pytest.mark.parametrize(
    "key", [None, "changeme", "short-key", "a" * 40, "my-secret-key-for-platewatch-0123456789"]
)
def test_weak_or_missing_secret_refused(key: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATEWATCH_SECRET_KEY", raising=False)
    monkeypatch.delenv("PLATEWATCH_DEV_MODE", raising=False)
    with pytest.raises(ValidationError, match="PLATEWATCH_SECRET_KEY"):
        ApiSettings(secret_key=SecretStr(key) if key else None)
    dev = ApiSettings(secret_key=SecretStr(key) if key else None, dev_mode=True)
    assert len(dev.signing_key()) >= 32 and dev.signing_key() != key


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEWATCH_SECRET_KEY", "Zq3-9vK_aL0pW7xN2cR5tY8uB1mH4jD6")
    settings = ApiSettings()
    assert settings.signing_key() == "Zq3-9vK_aL0pW7xN2cR5tY8uB1mH4jD6"
    assert "Zq3" not in repr(settings)


def test_openapi_documents_tags_and_models(world: World) -> None:
    doc = world.client.get("/openapi.json").json()
    assert {t["name"] for t in doc["tags"]} >= {"sightings", "flags", "letters", "audit"}
    op = doc["paths"]["/sightings"]["get"]
    assert op["summary"] and op["tags"] == ["sightings"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/SightingPage")
    page = doc["components"]["schemas"]["SightingPage"]["properties"]
    assert {"items", "total", "total_capped", "next_cursor"} <= set(page)
    assert any(p["name"] == "cursor" for p in op["parameters"])
    reason = next(p for p in op["parameters"] if p["name"] == "reason")
    assert reason["required"] is True


def test_serve_refuses_to_start_without_a_strong_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml
    from typer.testing import CliRunner

    from platewatch.cli.main import app

    cfg = tmp_path / "site.yaml"
    cfg.write_text(yaml.safe_dump({"site": {"name": "T"}, "cameras": [{"id": "cam1", "source": "x.mp4"}]}))
    monkeypatch.delenv("PLATEWATCH_DEV_MODE", raising=False)
    result = CliRunner().invoke(
        app, ["serve", "--config", str(cfg)], env={"PLATEWATCH_SECRET_KEY": "changeme"}
    )
    assert result.exit_code == 2
    assert "PLATEWATCH_SECRET_KEY is missing or weak" in result.output


class _RecordingSession:
    def __init__(self, open_transaction: bool) -> None:
        self.calls: list[str] = []
        self.open_transaction = open_transaction

    def in_transaction(self) -> bool:
        return self.open_transaction

    def commit(self) -> None:
        self.calls.append("commit")

    def rollback(self) -> None:
        self.calls.append("rollback")

    def close(self) -> None:
        self.calls.append("close")


@pytest.mark.parametrize(
    ("thrown", "open_transaction", "expected"),
    [
        (None, True, ["commit", "close"]),
        # The route committed itself (the visit history): nothing left to commit, closed at once.
        (None, False, ["close"]),
        (ValueError("route failed"), True, ["rollback", "close"]),
        (asyncio.CancelledError(), True, ["close"]),
    ],
)
def test_request_session_ends_once_on_every_path(
    thrown: BaseException | None, open_transaction: bool, expected: list[str]
) -> None:
    """The unit of work commits only when the route returned, and is closed however it ended."""
    session = _RecordingSession(open_transaction)
    ctx = SimpleNamespace(sessions=lambda: session)
    request = SimpleNamespace(state=SimpleNamespace())

    async def run() -> None:
        gen = get_session(ctx, request)  # type: ignore[arg-type]
        assert cast(object, await gen.__anext__()) is session
        if thrown is None:
            with pytest.raises(StopAsyncIteration):
                await gen.__anext__()
        else:
            with pytest.raises(type(thrown)):
                await gen.athrow(thrown)

    asyncio.run(run())
    assert session.calls == expected
