"""What an attacker and a bad day found (issue 14): each refusal here was a leak, a 500 or a silent accept."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_fixtures import REASON, World, add_flag, add_sighting, make_world, night
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from intel_api.db import models as m
from intel_api.schemas.ingest import MAX_BATCH


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def audit_rows(world: World, action: str) -> list[m.AuditEvent]:
    with world.sessions() as s:
        return list(s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == action)))


def ingest_item(key: str, when: datetime | None = None, **extra: Any) -> dict[str, Any]:
    t = when or night(1)
    return {
        "camera_id": "cam1",
        "track_key": key,
        "vehicle_class": "car",
        "first_seen": t.isoformat(),
        "last_seen": (t + timedelta(seconds=5)).isoformat(),
        **extra,
    }


def sighting_count(world: World) -> int:
    with world.sessions() as s:
        return s.scalar(sa.select(sa.func.count(m.Sighting.id))) or 0


# -- 1: the 90-day tier holds on the flag detail ---------------------------------------------------
def test_flag_detail_withholds_sightings_older_than_the_officer_window(world: World) -> None:
    with world.sessions() as s:
        old = add_sighting(s, world.evidence_dir, "cam1:5:1", "OL12DER", night(120))
        recent = add_sighting(s, world.evidence_dir, "cam1:5:2", "OL12DER", night(4))
        flag = add_flag(s, "OL12DER", [old, recent])
        s.commit()
        old_id, recent_id, flag_id = old.id, recent.id, flag.id
    assert (
        world.client.get(f"/sightings/{old_id}?reason={REASON}", headers=world.as_("officer")).status_code
        == 403
    )
    officer = world.client.get(f"/flags/{flag_id}", headers=world.as_("officer")).json()
    assert [s["id"] for s in officer["sightings"]] == [recent_id]
    assert officer["sightings_withheld"] == 1
    sup = world.client.get(f"/flags/{flag_id}", headers=world.as_("supervisor")).json()
    assert {s["id"] for s in sup["sightings"]} == {old_id, recent_id} and sup["sightings_withheld"] == 0
    officer_read = [r for r in audit_rows(world, "flag.read") if r.actor == "officer"]
    assert officer_read[0].details["sighting_ids"] == [recent_id]


# -- 4: control characters are refused at the boundary ---------------------------------------------
def test_nul_in_login_is_422_unauthenticated(world: World) -> None:
    r = world.client.post("/auth/token", data={"username": "a\x00b", "password": "x"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "username (body)"


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", "/sightings?reason=Op%00Nightjar", None, "reason (query)"),
        ("GET", f"/sightings?reason={REASON}&camera=cam%001", None, "camera (query)"),
        ("GET", "/vehicles/AB%0012/visits", None, "(path)"),
        ("POST", "/flags/{f1}/dismiss", {"reason": "visitor\x00 of no. 4"}, "reason (body)"),
        (
            "POST",
            "/hotlist",
            {
                "plate_text": "AB12CDE",
                "reason": "stolen\x01",
                "owner": "PC 1",
                "expires_at": "2099-01-01T00:00Z",
            },
            "reason (body)",
        ),
        (
            "POST",
            "/ingest/sightings",
            {"sightings": [ingest_item("cam1:\x00:1")]},
            "sightings.0.track_key (body)",
        ),
    ],
)
def test_control_characters_are_422(
    world: World, method: str, url: str, body: dict[str, Any] | None, field: str
) -> None:
    who = "camera" if "ingest" in url else "supervisor"
    before = len(audit_rows(world, "hotlist.add"))
    r = world.client.request(method, url.format(**world.ids), json=body, headers=world.as_(who))
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]
    assert len(audit_rows(world, "hotlist.add")) == before


def test_newlines_in_free_text_stay_allowed(world: World) -> None:
    r = world.client.post(
        f"/flags/{world.ids['f2']}/dismiss",
        json={"reason": "resident's visitor\nconfirmed by phone"},
        headers=world.as_("officer"),
    )
    assert r.status_code == 200, r.text


# -- 5: ids out of range are 404, not 500 ----------------------------------------------------------
@pytest.mark.parametrize("ident", [2**31, 2**31 - 1, 2**63, 2**70, 0, -1])
@pytest.mark.parametrize(
    ("method", "template", "body"),
    [
        ("GET", "/flags/{id}", None),
        ("POST", "/flags/{id}/dismiss", {"reason": "not the same car"}),
        ("GET", f"/sightings/{{id}}?reason={REASON}", None),
        ("GET", "/sightings/{id}/evidence/plate", None),
        ("GET", "/letters/{id}", None),
        ("GET", "/letters/{id}/pdf", None),
        ("POST", "/letters/{id}/sent", None),
        ("POST", "/hotlist/{id}/deactivate", {"reason": "entry has ended"}),
        ("POST", "/exclusions/{id}/deactivate", {"reason": "entry has ended"}),
    ],
)
def test_ids_out_of_range_are_404(
    world: World, ident: int, method: str, template: str, body: dict[str, str] | None
) -> None:
    r = world.client.request(method, template.format(id=ident), json=body, headers=world.as_("supervisor"))
    assert r.status_code == 404, r.text
    assert r.json()["detail"].endswith(f"{ident} was not found.")


# -- 6: ingest times are bounded --------------------------------------------------------------------
@pytest.mark.parametrize(
    "when",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime(2019, 6, 1, tzinfo=UTC),  # before the configured epoch
        datetime.now(UTC) - timedelta(days=400),  # past retention: would be erased at once
        datetime.now(UTC) + timedelta(hours=1),
    ],
)
def test_ingest_refuses_times_outside_the_window(world: World, when: datetime) -> None:
    before = sighting_count(world)
    item = ingest_item("cam1:77:1")
    item["first_seen"] = item["last_seen"] = when.isoformat()
    r = world.client.post("/ingest/sightings", json={"sightings": [item]}, headers=world.as_("camera"))
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"sightings.0.first_seen (body)", "sightings.0.last_seen (body)"} <= fields
    assert sighting_count(world) == before
    visits = world.client.get(f"/vehicles/AB12CDE/visits?reason={REASON}", headers=world.as_("supervisor"))
    assert visits.status_code == 200


def test_ingest_refuses_a_candidate_read_from_another_century(world: World) -> None:
    read = {"raw_text": "AB12CDE", "text": "AB12CDE", "confidence": 0.9, "timestamp": "0001-01-01T00:00:00Z"}
    item = ingest_item("cam1:77:2", candidates=[read])
    r = world.client.post("/ingest/sightings", json={"sightings": [item]}, headers=world.as_("camera"))
    assert (
        r.status_code == 422 and r.json()["errors"][0]["field"] == "sightings.0.candidates.0.timestamp (body)"
    )


# -- 9: body size limit before authentication; batch maximum ---------------------------------------
def test_large_body_refused_before_authentication(world: World) -> None:
    limit = world.site.api.max_body_bytes
    r = world.client.post(
        "/ingest/sightings", content=b"x" * (limit + 1), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and str(limit) in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it arrives
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = world.client.post("/auth/token", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_ingest_batch_maximum(world: World) -> None:
    batch = [ingest_item(f"cam1:78:{i}") for i in range(MAX_BATCH + 1)]
    r = world.client.post("/ingest/sightings", json={"sightings": batch}, headers=world.as_("camera"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sightings (body)"
    ok = world.client.post(
        "/ingest/sightings", json={"sightings": batch[:MAX_BATCH]}, headers=world.as_("camera")
    )
    assert ok.status_code == 200 and ok.json()["inserted"] == MAX_BATCH


# -- 10: ingest stores only evidence paths inside the store ----------------------------------------
def test_ingest_refuses_evidence_paths_outside_the_store(world: World, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (world.evidence_dir / "cam1").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, world.evidence_dir / "cam1" / "link")
    bad = ["/etc/passwd", "../secret.jpg", "cam1/../../secret.jpg", "cam1/link/x.jpg", "~/x.jpg"]
    for i, path in enumerate(bad):
        item = ingest_item(f"cam1:79:{i}", plate_image_path=path)
        r = world.client.post("/ingest/sightings", json={"sightings": [item]}, headers=world.as_("camera"))
        assert r.status_code == 422, (path, r.text)
        assert r.json()["errors"][0]["field"] == "sightings.0.plate_image_path (body)"
    item = ingest_item("cam1:79:9", plate_image_path="cam1/./2026-01-01/a_plate.jpg")
    r = world.client.post("/ingest/sightings", json={"sightings": [item]}, headers=world.as_("camera"))
    assert r.status_code == 200, r.text
    with world.sessions() as s:
        row = s.scalar(sa.select(m.Sighting).where(m.Sighting.track_key == "cam1:79:9"))
        assert row is not None and row.plate_image_path == "cam1/2026-01-01/a_plate.jpg"


# -- 11: reasons are trimmed and must say something ------------------------------------------------
@pytest.mark.parametrize("reason", ["     ", " \t\n  x   ", "ab   "])
def test_blank_reasons_refused(world: World, reason: str) -> None:
    r = world.client.post(
        f"/flags/{world.ids['f2']}/dismiss", json={"reason": reason}, headers=world.as_("officer")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason (body)"
    r = world.client.get("/sightings", params={"reason": reason}, headers=world.as_("officer"))
    assert r.status_code == 422
    assert audit_rows(world, "sightings.search") == []


def test_reasons_are_stored_trimmed(world: World) -> None:
    r = world.client.get("/sightings", params={"reason": f"  {REASON}  "}, headers=world.as_("officer"))
    assert r.status_code == 200
    (row,) = audit_rows(world, "sightings.search")
    assert row.reason == REASON


# -- 14: refusals are audited ------------------------------------------------------------------------
def test_denied_requests_are_audited(world: World) -> None:
    old = (datetime.now(UTC) - timedelta(days=120)).isoformat()
    r = world.client.get("/sightings", params={"since": old, "reason": REASON}, headers=world.as_("officer"))
    assert r.status_code == 403
    assert world.client.get("/audit", headers=world.as_("officer")).status_code == 403
    assert world.client.get("/flags", headers=world.as_("camera")).status_code == 403
    rows = sorted(audit_rows(world, "access.denied"), key=lambda e: e.id)
    assert [(e.actor, e.details["path"]) for e in rows] == [
        ("officer", "/sightings"),
        ("officer", "/audit"),
        ("apikey:camera-worker", "/flags"),
    ]
    assert "90 days" in rows[0].details["detail"] and rows[1].details["method"] == "GET"
    assert audit_rows(world, "sightings.search") == []  # the refused search itself left nothing


def test_visit_history_checks_its_caller_inside_its_one_call(world: World) -> None:
    """The visit route resolves and admits its caller in the same thread-pool call as the read
    (deps.Caller): the same answers and the same audit as the other routes' Officer dependency."""
    path = "/vehicles/AB12CDE/visits"
    # No or bad credentials: 401 before the parameters are looked at (no reason given here).
    assert world.client.get(path).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert world.client.get(path, headers=bad).status_code == 401
    # A key refused, audited with the path; nothing read, nothing audited as a read.
    r = world.client.get(path, params={"reason": REASON}, headers=world.as_("letters"))
    assert r.status_code == 403
    (denied,) = audit_rows(world, "access.denied")
    assert (denied.actor, denied.details["path"]) == ("apikey:letters-worker", path)
    assert audit_rows(world, "vehicle.visits") == []
    # An officer over their history window: refused and audited against the officer.
    old = (datetime.now(UTC) - timedelta(days=120)).isoformat()
    r = world.client.get(path, params={"reason": REASON, "since": old}, headers=world.as_("officer"))
    assert r.status_code == 403
    assert [e.actor for e in audit_rows(world, "access.denied")] == ["apikey:letters-worker", "officer"]
    # Read: the audit row is committed by the time the response arrives.
    r = world.client.get(path, params={"reason": REASON}, headers=world.as_("officer"))
    assert r.status_code == 200 and r.json()["summary"]["passes"] == 2
    (read,) = audit_rows(world, "vehicle.visits")
    assert (read.actor, read.target_id, read.reason) == ("officer", "AB12CDE", REASON)
    # A deactivated officer's unexpired token no longer opens it.
    with world.sessions() as s:
        s.execute(sa.update(m.User).where(m.User.username == "officer").values(active=False))
        s.commit()
    try:
        r = world.client.get(path, params={"reason": REASON}, headers=world.as_("officer"))
        assert r.status_code == 401
        assert len(audit_rows(world, "vehicle.visits")) == 1
    finally:
        with world.sessions() as s:
            s.execute(sa.update(m.User).where(m.User.username == "officer").values(active=True))
            s.commit()


# -- 15: the published contract is what the server does ---------------------------------------------
def test_openapi_422_and_error_statuses_documented(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["HTTPValidationError"]["properties"]["detail"]["type"] == "string"
    assert "errors" in schemas["HTTPValidationError"]["properties"]
    flag = spec["paths"]["/flags/{flag_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422"} <= set(flag)
    token = spec["paths"]["/auth/token"]["post"]["responses"]
    assert {"400", "401", "422"} <= set(token)
    r = world.client.get("/flags/abc", headers=world.as_("officer"))
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_options_405_carries_allow(world: World) -> None:
    r = world.client.options("/flags")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    r = world.client.options("/hotlist")  # two routes on one path: both methods are allowed
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    r = world.client.delete(f"/flags/{world.ids['f1']}/confirm")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_extreme_times_are_clamped_not_500(world: World, since: str) -> None:
    r = world.client.get(
        "/sightings", params={"since": since, "reason": REASON}, headers=world.as_("supervisor")
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("since", ["0.5", "1700000000", "-3", "1e9"])
def test_since_must_be_a_real_iso_time(world: World, since: str) -> None:
    r = world.client.get(
        "/sightings", params={"since": since, "reason": REASON}, headers=world.as_("supervisor")
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "since (query)"


# -- one unit of work per request --------------------------------------------------------------------
def test_a_request_commits_once(world: World) -> None:
    commits: list[int] = []

    def count(_: Any) -> None:
        commits.append(1)

    # The app's own engine: a database-level COMMIT, savepoints not counted.
    engine = world.client.app.state.context.engine  # type: ignore[attr-defined]
    event.listen(engine, "commit", count)
    try:
        r = world.client.post(
            "/ingest/sightings", json={"sightings": [ingest_item("cam1:80:1")]}, headers=world.as_("camera")
        )
    finally:
        event.remove(engine, "commit", count)
    assert r.status_code == 200 and r.json()["rules_applied"]
    assert len(commits) == 1


def test_a_failed_commit_is_not_answered_200(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from intel_api.services import audit

    real = audit.record

    def conflicting(session: Session, *args: Any, **kwargs: Any) -> m.AuditEvent:
        row = real(session, *args, **kwargs)
        row.actor = None  # type: ignore[assignment]  # NOT NULL: fails only when the request commits
        return row

    monkeypatch.setattr(audit, "record", conflicting)
    r = world.client.post(
        "/hotlist",
        json={
            "plate_text": "ZZ99ZZZ",
            "reason": "stolen car",
            "owner": "PC 9",
            "expires_at": night(-10).isoformat(),
        },
        headers=world.as_("supervisor"),
    )
    assert r.status_code == 409, r.text
    with world.sessions() as s:
        assert s.scalar(sa.select(m.HotlistEntry).where(m.HotlistEntry.plate_text == "ZZ99ZZZ")) is None
