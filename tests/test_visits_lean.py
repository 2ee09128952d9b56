"""The visit history's one-statement path (intel_api.visits_lean) against the full route.

Both answer from the same PostgreSQL database: one app with the lean path (the default) and one
with it off. Every request of a battery, ordinary and not, must get the same status, the same body
and the same audit row from both; the ordinary ones must never reach the route, the others always.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from api_fixtures import REASON, World, make_world, night, settings_for
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from intel_api.db import models as m
from intel_api.main import create_app
from intel_api.routers import vehicles
from intel_api.visits_lean import Connections, Unavailable, VisitsLean


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    if not db_url.startswith("postgresql"):
        pytest.skip("the lean path runs on PostgreSQL only")
    yield from make_world(db_url, session_factory, tmp_path)


@pytest.fixture
def route_only(world: World, db_url: str) -> Iterator[TestClient]:
    app = create_app(settings_for(db_url, visits_lean=False), world.site)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


class RouteSpy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = vehicles._visits

        def counting(*args: Any) -> Any:
            self.calls += 1
            return real(*args)

        monkeypatch.setattr(vehicles, "_visits", counting)


def _audit(world: World) -> list[dict[str, Any]]:
    with world.sessions() as s:
        rows = s.scalars(sa.select(m.AuditEvent).order_by(m.AuditEvent.id)).all()
        return [
            {
                "actor": r.actor,
                "actor_kind": r.actor_kind,
                "action": r.action,
                "target_type": r.target_type,
                "target_id": r.target_id,
                "reason": r.reason,
                "details": r.details,
            }
            for r in rows
        ]


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _without_floor(body: dict[str, Any]) -> dict[str, Any]:
    # An officer's default `since` is "now minus the window", a few ms apart between the two calls.
    return {k: v for k, v in body.items() if k != "since"}


def _floor_free(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "details": {k: v for k, v in r["details"].items() if k != "since"}} for r in rows]


ORDINARY: list[tuple[str, str, dict[str, str]]] = [
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON}),
    ("officer", "/vehicles/ab12 cde/visits", {"reason": f"  {REASON}  "}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "limit": "1"}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "since": _iso(night(2, 20))}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "until": _iso(night(2, 20))}),
    ("officer", "/vehicles/XY70ZZZ/visits", {"reason": REASON, "page": "7"}),  # unknown: ignored
    ("officer", "/vehicles/ZZ99ZZZ/visits", {"reason": REASON}),  # no passes: still audited
    ("supervisor", "/vehicles/AB12CDE/visits", {"reason": REASON}),
    ("supervisor", "/vehicles/AB12CDE/visits", {"reason": REASON, "since": _iso(night(400))}),
    (
        "admin",
        "/vehicles/AB12CDE/visits",
        {"reason": REASON, "since": _iso(night(3, 0)), "until": _iso(night(2, 23, 59))},
    ),
]

UNORDINARY: list[tuple[str, str, dict[str, str]]] = [
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "since": _iso(night(400))}),  # 403
    (
        "officer",
        "/vehicles/AB12CDE/visits",
        {"reason": REASON, "since": _iso(night(1)), "until": _iso(night(2))},
    ),
    ("officer", "/vehicles/AB12CDE/visits", {}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": "why"}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "limit": "0"}),
    ("officer", "/vehicles/AB12CDE/visits", {"reason": REASON, "since": "1700000000"}),
    ("officer", "/vehicles/AB-12/visits", {"reason": REASON}),
    ("anonymous", "/vehicles/AB12CDE/visits", {"reason": REASON}),
    ("letters", "/vehicles/AB12CDE/visits", {"reason": REASON}),  # an API key: 403, audited
]


def _pair(
    world: World, route_only: TestClient, who: str, path: str, params: dict[str, str]
) -> tuple[Any, Any, list[dict[str, Any]], list[dict[str, Any]]]:
    before = len(_audit(world))
    lean = world.client.get(path, params=params, headers=world.as_(who))
    mid = _audit(world)
    full = route_only.get(path, params=params, headers=world.as_(who))
    after = _audit(world)
    return lean, full, mid[before:], after[len(mid) :]


def test_ordinary_lookups_answer_as_the_route_does_without_reaching_it(
    world: World, route_only: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = RouteSpy(monkeypatch)
    for who, path, params in ORDINARY:
        calls = spy.calls
        lean, full, lean_audit, full_audit = _pair(world, route_only, who, path, params)
        assert lean.status_code == full.status_code == 200, (path, params, lean.text)
        assert spy.calls == calls + 1, "the lean path handed an ordinary look-up to the route"
        assert lean.headers["content-type"] == full.headers["content-type"]
        assert len(lean_audit) == len(full_audit) == 1 and lean_audit[0]["action"] == "vehicle.visits"
        if who == "officer" and "since" not in params:
            assert _without_floor(lean.json()) == _without_floor(full.json())
            floor = datetime.fromisoformat(lean.json()["since"])
            assert abs(floor - (datetime.now(UTC) - timedelta(days=world.site.api.officer_history_days))) < (
                timedelta(seconds=30)
            )
            assert _floor_free(lean_audit) == _floor_free(full_audit)
            assert datetime.fromisoformat(lean_audit[0]["details"]["since"]) == floor
        else:
            assert lean.content == full.content, (path, params)
            assert lean_audit == full_audit
    body = world.client.get(
        "/vehicles/AB12CDE/visits", params={"reason": REASON}, headers=world.as_("supervisor")
    ).json()
    assert body["summary"]["passes"] == 2 and [v["flagged"] for v in body["visits"]] == [True, True]


def test_every_other_request_is_the_routes_to_answer(
    world: World, route_only: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = RouteSpy(monkeypatch)
    for who, path, params in UNORDINARY:
        lean, full, lean_audit, full_audit = _pair(world, route_only, who, path, params)
        assert lean.status_code == full.status_code != 200, (path, params, lean.text)
        assert lean.json() == full.json()
        assert lean_audit == full_audit
        assert all(r["action"] != "vehicle.visits" for r in lean_audit)
    assert spy.calls >= 2, "a refused caller is refused (and audited) by the route"
    # A deactivated officer's still-valid token is refused at once (by the route), nothing shown.
    with world.sessions() as s:
        s.execute(sa.update(m.User).where(m.User.username == "officer").values(active=False))
        s.commit()
    before = len(_audit(world))
    r = world.client.get("/vehicles/AB12CDE/visits", params={"reason": REASON}, headers=world.as_("officer"))
    assert r.status_code == 401 and "AB12CDE" not in r.text
    assert len(_audit(world)) == before


def test_a_database_the_lean_path_cannot_reach_leaves_the_answer_to_the_route(
    world: World, route_only: TestClient
) -> None:
    dead = Connections("postgresql://127.0.0.1:1/platewatch", retry_s=60)
    ctx = route_only.app.state.context  # type: ignore[attr-defined]
    lean = TestClient(VisitsLean(route_only.app, ctx, dead), raise_server_exceptions=False)
    params = {"reason": REASON, "since": _iso(night(10))}
    got = lean.get("/vehicles/AB12CDE/visits", params=params, headers=world.as_("officer"))
    want = route_only.get("/vehicles/AB12CDE/visits", params=params, headers=world.as_("officer"))
    assert got.status_code == 200 and got.content == want.content
    visits = [a for a in _audit(world) if a["action"] == "vehicle.visits"]
    assert len(visits) == 2, "one audit row per answer, none from the failed attempt"

    async def second_try() -> float:
        start = time.monotonic()
        with pytest.raises(Unavailable):
            await dead.get()
        return time.monotonic() - start

    assert asyncio.run(second_try()) < 0.05, "after a failed connect the next request does not wait"


def test_a_statement_that_fails_writes_nothing_and_the_route_answers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = RouteSpy(monkeypatch)
    with world.sessions() as s:
        s.execute(sa.text("ALTER TABLE flag_sighting RENAME TO flag_sighting_away"))
        s.commit()
    try:
        r = world.client.get(
            "/vehicles/AB12CDE/visits", params={"reason": REASON}, headers=world.as_("officer")
        )
    finally:
        with world.sessions() as s:
            s.execute(sa.text("ALTER TABLE flag_sighting_away RENAME TO flag_sighting"))
            s.commit()
    assert r.status_code >= 500 and "AB12CDE" not in r.text
    assert spy.calls == 1
    assert [a for a in _audit(world) if a["action"] == "vehicle.visits"] == []
    ok = world.client.get("/vehicles/AB12CDE/visits", params={"reason": REASON}, headers=world.as_("officer"))
    assert ok.status_code == 200 and spy.calls == 1 and json.loads(ok.content)["summary"]["passes"] == 2


def test_sqlite_and_the_setting_leave_the_route_alone(
    db_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    lean = [
        any(
            cast(object, mw.cls) is VisitsLean
            for mw in create_app(settings_for(db_url, visits_lean=on)).user_middleware
        )
        for on in (True, False)
    ]
    assert lean == [db_url.startswith("postgresql"), False]


def test_connections_the_server_dropped_cost_no_answer_and_no_second_audit_row(world: World) -> None:
    """A PostgreSQL restart or an idle timeout ends the pooled connections; the next look-ups still
    get their answer and exactly one audit row each."""

    def get() -> Any:
        return world.client.get(
            "/vehicles/AB12CDE/visits", params={"reason": REASON}, headers=world.as_("supervisor")
        )

    assert get().status_code == 200
    with world.sessions() as s:
        ended = s.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert ended >= 1
    before = len([a for a in _audit(world) if a["action"] == "vehicle.visits"])
    for _ in range(3):
        r = get()
        assert r.status_code == 200 and r.json()["summary"]["passes"] == 2
    assert len([a for a in _audit(world) if a["action"] == "vehicle.visits"]) == before + 3
