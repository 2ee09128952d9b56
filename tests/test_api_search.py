"""Searching sightings, visit history, evidence, tiered access, and the audit of every read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import PLATE_BYTES, REASON, VEHICLE_BYTES, World, add_sighting, make_world, night
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intel_api.db import models as m
from intel_api.schemas.sightings import SightingOut
from intel_api.services import sightings as svc


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def audit_rows(world: World, action: str) -> list[m.AuditEvent]:
    return audit_rows_in(world.sessions, action)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("plate=AB12CDE", {"AB12CDE"}),
        ("plate=ab12 cde", {"AB12CDE"}),
        ("plate=AB*", {"AB12CDE"}),
        ("plate=*Z", {"XY70ZZZ"}),
        ("plate=XY7?ZZZ", {"XY70ZZZ"}),
        ("plate=XY7?ZZ", set()),
        ("camera=cam2", {"XY70ZZZ"}),
        ("flagged=true", {"AB12CDE", "XY70ZZZ"}),
        ("flagged=false", {"UNFLAG1"}),
    ],
)
def test_search_filters(world: World, query: str, expected: set[str]) -> None:
    with world.sessions() as s:
        add_sighting(s, world.evidence_dir, "cam1:5:1", "UNFLAG1", night(1, 20), with_files=False)
        s.commit()
    r = world.client.get(f"/sightings?reason={REASON}&{query}", headers=world.as_("officer"))
    assert r.status_code == 200, r.text
    assert {i["plate_text"] for i in r.json()["items"]} == expected


def test_search_pagination_and_time_range(world: World) -> None:
    officer = world.as_("officer")
    r = world.client.get(f"/sightings?reason={REASON}&page_size=2&page=2", headers=officer).json()
    assert r["total"] == 3 and len(r["items"]) == 1 and r["page"] == 2
    since = night(2, 22).isoformat().replace("+00:00", "Z")
    r = world.client.get("/sightings", params={"since": since, "reason": REASON}, headers=officer).json()
    assert r["total"] == 2
    first = r["items"][0]
    assert first["evidence"]["plate"] == f"/sightings/{first['id']}/evidence/plate"


def test_reason_required_and_audited(world: World) -> None:
    r = world.client.get("/sightings?plate=AB*", headers=world.as_("officer"))
    assert r.status_code == 422 and "reason (query)" in r.json()["detail"]
    r = world.client.get("/sightings?plate=AB*&reason=x", headers=world.as_("officer"))
    assert r.status_code == 422 and "reason" in r.json()["errors"][0]["field"]
    world.client.get(f"/sightings?plate=AB*&reason={REASON}", headers=world.as_("officer"))
    (row,) = audit_rows(world, "sightings.search")
    assert row.actor == "officer" and row.reason == REASON and row.details["plate"] == "AB*"
    assert row.details["returned"] == 2 and row.at > datetime.now(UTC) - timedelta(minutes=1)


def test_tiered_access_beyond_officer_window(world: World) -> None:
    with world.sessions() as s:
        add_sighting(s, world.evidence_dir, "cam1:6:1", "AB12CDE", night(200))
        s.commit()
    old = (datetime.now(UTC) - timedelta(days=120)).isoformat()
    r = world.client.get("/sightings", params={"since": old, "reason": REASON}, headers=world.as_("officer"))
    assert r.status_code == 403 and "90 days" in r.json()["detail"]
    r = world.client.get(
        "/vehicles/AB12CDE/visits", params={"since": old, "reason": REASON}, headers=world.as_("officer")
    )
    assert r.status_code == 403
    # Without 'since' an officer silently gets the last 90 days only; a supervisor gets everything kept.
    officer = world.client.get(
        f"/sightings?reason={REASON}&plate=AB12CDE", headers=world.as_("officer")
    ).json()
    sup = world.client.get(
        f"/sightings?reason={REASON}&plate=AB12CDE", headers=world.as_("supervisor")
    ).json()
    assert officer["total"] == 2 and sup["total"] == 3
    r = world.client.get(
        "/sightings", params={"since": old, "reason": REASON}, headers=world.as_("supervisor")
    )
    assert r.status_code == 200


def test_visit_history_summary_in_local_time(world: World) -> None:
    with world.sessions() as s:
        # 00:30 UTC in summer is 01:30 BST: same night as the 23:10 pass the evening before.
        add_sighting(
            s,
            world.evidence_dir,
            "cam2:7:1",
            "AB12CDE",
            night(1, 0, 30) + timedelta(days=0),
            camera="cam2",
            speed=20.0,
        )
        s.commit()
    r = world.client.get(f"/vehicles/ab12cde/visits?reason={REASON}", headers=world.as_("officer"))
    assert r.status_code == 200, r.text
    body = r.json()
    summary = body["summary"]
    assert body["plate"] == "AB12CDE" and summary["passes"] == 3 and len(body["visits"]) == 3
    assert summary["cameras"] == {"cam1": 2, "cam2": 1}
    assert summary["speed"] == {"min_kmh": 8.0, "median_kmh": 8.0, "max_kmh": 20.0}
    assert sum(summary["hour_histogram"]) == 3 and len(summary["hour_histogram"]) == 24
    assert summary["timezone"] == "Europe/London"
    assert sum(n["passes"] for n in summary["nights"]) == 3
    assert summary["first_seen"] < summary["last_seen"]
    (row,) = audit_rows(world, "vehicle.visits")
    assert row.target_id == "AB12CDE" and row.reason == REASON


def test_each_visit_is_the_sighting_as_its_own_route_shows_it(world: World) -> None:
    """The visit list is built from plain rows, the single-sighting route from ORM objects: the
    same sighting must come out the same, flag and evidence links included."""
    with world.sessions() as s:
        add_sighting(s, world.evidence_dir, "cam1:8:1", "AB12CDE", night(1, 21), with_files=False)
        s.commit()
    officer = world.as_("officer")
    r = world.client.get(f"/vehicles/AB12CDE/visits?reason={REASON}", headers=officer)
    assert r.status_code == 200, r.text
    visits = r.json()["visits"]
    assert [v["flagged"] for v in visits] == [False, True, True]  # newest first; s1 and s2 are flagged
    assert visits[0]["evidence"] == {"plate": None, "vehicle": None}
    assert visits[1]["evidence"]["plate"] == f"/sightings/{visits[1]['id']}/evidence/plate"
    for visit in visits:
        alone = world.client.get(f"/sightings/{visit['id']}?reason={REASON}", headers=officer)
        assert alone.status_code == 200 and alone.json() == visit
    shown = set(SightingOut.model_fields) - {"flagged", "evidence"}
    assert shown <= {c.name for c in svc.VISIT_COLUMNS}, "a field of SightingOut the visit query omits"
    r = world.client.get(f"/vehicles/AB12CDE/visits?reason={REASON}&limit=2", headers=officer)
    assert [v["id"] for v in r.json()["visits"]] == [v["id"] for v in visits[:2]]
    assert r.json()["summary"]["passes"] == 3


def test_each_search_item_is_the_sighting_as_its_own_route_shows_it(world: World) -> None:
    """Search pages are built from plain rows too: each item equals the single-sighting route's
    answer, flags and evidence links included, on every page of a cursor walk."""
    with world.sessions() as s:
        add_sighting(s, world.evidence_dir, "cam1:8:2", "AB12CDE", night(1, 21), with_files=False)
        s.commit()
    officer = world.as_("officer")
    seen: list[dict[str, object]] = []
    path = f"/sightings?reason={REASON}&page_size=2"
    while True:
        r = world.client.get(path, headers=officer)
        assert r.status_code == 200, r.text
        body = r.json()
        seen.extend(body["items"])
        if body["next_cursor"] is None:
            break
        path = f"/sightings?reason={REASON}&page_size=2&cursor={body['next_cursor']}"
    assert len(seen) == body["total"] == len({item["id"] for item in seen}) >= 4
    assert {item["flagged"] for item in seen} == {True, False}
    assert any(item["evidence"] == {"plate": None, "vehicle": None} for item in seen)
    for item in seen:
        alone = world.client.get(f"/sightings/{item['id']}?reason={REASON}", headers=officer)
        assert alone.status_code == 200 and alone.json() == item
    flagged_only = world.client.get(f"/sightings?reason={REASON}&flagged=true", headers=officer).json()
    assert {i["id"] for i in flagged_only["items"]} == {i["id"] for i in seen if i["flagged"]}


class _AuditAtResponseStart:
    """Counts the committed `vehicle.visits` audit rows, from another connection, at the moment the
    response starts: what a client could already hold by then."""

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session]) -> None:
        self.app, self.sessions = app, sessions
        self.seen: list[int] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def checking(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append(len(audit_rows_in(self.sessions, "vehicle.visits")))
            await send(message)

        await self.app(scope, receive, checking)


def audit_rows_in(sessions: sessionmaker[Session], action: str) -> list[m.AuditEvent]:
    with sessions() as s:
        return list(s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == action)))


def test_visit_history_audit_row_is_committed_before_the_response_starts(world: World) -> None:
    probe = _AuditAtResponseStart(world.client.app, world.sessions)
    client = TestClient(probe, raise_server_exceptions=False)
    for n in (1, 2):
        r = client.get(f"/vehicles/AB12CDE/visits?reason={REASON}", headers=world.as_("officer"))
        assert r.status_code == 200, r.text
        assert probe.seen[-1] == n, "the response started before its audit row was committed"


def test_visit_history_is_not_answered_when_its_audit_row_cannot_be_written(world: World) -> None:
    with world.sessions() as s:
        s.execute(sa.text("ALTER TABLE audit_event RENAME TO audit_event_away"))
        s.commit()
    try:
        r = world.client.get(f"/vehicles/AB12CDE/visits?reason={REASON}", headers=world.as_("officer"))
    finally:
        with world.sessions() as s:
            s.execute(sa.text("ALTER TABLE audit_event_away RENAME TO audit_event"))
            s.commit()
    assert r.status_code >= 500 and "AB12CDE" not in r.text and "visits" not in r.text
    assert audit_rows(world, "vehicle.visits") == []


def test_evidence_served_and_audited(world: World) -> None:
    sid = world.ids["s1"]
    plate = world.client.get(f"/sightings/{sid}/evidence/plate", headers=world.as_("officer"))
    vehicle = world.client.get(
        f"/sightings/{sid}/evidence/vehicle?reason=flag review 3", headers=world.as_("officer")
    )
    assert plate.content == PLATE_BYTES and vehicle.content == VEHICLE_BYTES
    assert (
        world.client.get(f"/sightings/{sid}/evidence/face", headers=world.as_("officer")).status_code == 422
    )
    rows = audit_rows(world, "evidence.read")
    assert sorted(r.details["kind"] for r in rows) == ["plate", "vehicle"]
    assert {r.target_id for r in rows} == {str(sid)}


def test_evidence_path_cannot_escape_store(world: World, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    with world.sessions() as s:
        row = s.get(m.Sighting, world.ids["s1"])
        assert row is not None
        row.plate_image_path = "../secret.txt"
        row.vehicle_image_path = str(secret)
        s.commit()
    for kind in ("plate", "vehicle"):
        r = world.client.get(f"/sightings/{world.ids['s1']}/evidence/{kind}", headers=world.as_("officer"))
        assert r.status_code == 403 and "outside the evidence store" in r.json()["detail"]


def test_every_personal_data_read_is_audited(world: World) -> None:
    reads = {
        "sightings.search": f"/sightings?reason={REASON}",
        "sighting.read": f"/sightings/{world.ids['s1']}?reason={REASON}",
        "evidence.read": f"/sightings/{world.ids['s1']}/evidence/plate",
        "vehicle.visits": f"/vehicles/AB12CDE/visits?reason={REASON}",
        "flags.list": "/flags",
        "flag.read": f"/flags/{world.ids['f1']}",
        "letters.list": "/letters",
        "letter.read": f"/letters/{world.ids['approved']}",
        "letter.pdf": f"/letters/{world.ids['approved']}/pdf",
        "hotlist.list": "/hotlist",
        "exclusions.list": "/exclusions",
    }
    for action, url in reads.items():
        r = world.client.get(url, headers=world.as_("supervisor"))
        assert r.status_code == 200, (url, r.text)
        rows = audit_rows(world, action)
        assert len(rows) == 1 and rows[0].actor == "supervisor" and rows[0].actor_kind == "user", action


def test_refused_reads_leave_no_data(world: World) -> None:
    r = world.client.get(f"/sightings?reason={REASON}", headers=world.as_("camera"))
    assert r.status_code == 403 and "items" not in r.json()


def test_audit_is_admin_only_and_read_only(world: World) -> None:
    world.client.get(f"/sightings?reason={REASON}&plate=AB*", headers=world.as_("officer"))
    admin = world.as_("admin")
    r = world.client.get("/audit?action=sightings.search&actor=officer", headers=admin).json()
    assert r["total"] == 1 and r["items"][0]["reason"] == REASON
    assert world.client.get("/audit?action=sightings.", headers=admin).json()["total"] == 1
    assert world.client.get("/audit", headers=world.as_("supervisor")).status_code == 403
    event_id = r["items"][0]["id"]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert world.client.request(method, "/audit", headers=admin).status_code == 405, method
        assert world.client.request(method, f"/audit/{event_id}", headers=admin).status_code in (404, 405), (
            method
        )
    assert world.client.get(f"/audit/{event_id}", headers=admin).status_code == 404
    assert len(audit_rows(world, "audit.read")) == 2, "reading the log is itself logged"
    with world.sessions() as s:
        assert s.get(m.AuditEvent, event_id) is not None
