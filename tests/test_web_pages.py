"""The pages' session, CSRF, caching, roles and forms, over HTTP without a browser (fast checks that
sit beside the browser tests in test_web_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import PASSWORD, World, add_flag, add_sighting, make_world, night
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from intel_api.db import models as m


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    yield from make_world(db_url, session_factory, tmp_path)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, username: str) -> str:
    """Sign in through the form; the session's CSRF token."""
    client.cookies.clear()
    token = _csrf(client.get("/ui/login").text)
    r = client.post("/ui/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 200, r.text
    return _csrf(r.text)


def _actions(w: World, action: str) -> list[m.AuditEvent]:
    with w.sessions() as s:
        return list(s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == action)))


def test_session_cookie_is_httponly_strict_and_pages_are_not_cached(world: World) -> None:
    c = world.client
    token = _csrf(c.get("/ui/login").text)
    r = c.post(
        "/ui/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui/"
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("pw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    page = c.get(f"/ui/flags/{world.ids['f1']}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    image = c.get(f"/ui/evidence/{world.ids['s1']}/plate")
    assert image.status_code == 200 and image.headers["cache-control"] == "no-store"


def test_secure_cookie_over_tls(world: World) -> None:
    c = TestClient(world.client.app, base_url="https://testserver")
    token = _csrf(c.get("/ui/login").text)
    r = c.post(
        "/ui/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(v for v in r.headers.get_list("set-cookie") if v.startswith("pw_session="))
    assert "Secure" in cookie


def test_pages_need_a_session_and_sign_in_needs_its_csrf_token(world: World) -> None:
    c = world.client
    r = c.get("/ui/flags", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?next=%2Fui%2Fflags")
    r = c.post("/ui/login", data={"username": "officer", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403 and "pw_session" not in c.cookies
    # The redirect after sign-in stays on this site.
    token = _csrf(c.get("/ui/login").text)
    r = c.post(
        "/ui/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/ui/"


def test_idle_session_is_signed_out(world: World) -> None:
    sign_in(world.client, "officer")
    with world.sessions() as s:
        s.execute(sa.update(m.WebSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
        s.commit()
    r = world.client.get("/ui/flags", follow_redirects=False)
    assert r.status_code == 303 and "idle=1" in r.headers["location"]
    assert "period without activity" in world.client.get(r.headers["location"]).text
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count(m.WebSession.id))) == 0


def test_sign_out_ends_the_session(world: World) -> None:
    csrf = sign_in(world.client, "officer")
    cookie = world.client.cookies.get("pw_session")
    r = world.client.post("/ui/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    world.client.cookies.set("pw_session", cookie or "")
    assert world.client.get("/ui/", follow_redirects=False).status_code == 303
    assert _actions(world, "auth.logout")


def test_denied_pages_are_audited(world: World) -> None:
    sign_in(world.client, "officer")
    for path in ("/ui/admin/users", "/ui/admin/audit", f"/ui/letters/{world.ids['approved']}/pdf"):
        r = world.client.get(path)
        assert r.status_code == 403, path
    assert {e.target_id for e in _actions(world, "web.denied")} == {
        "/ui/admin/users",
        "/ui/admin/audit",
        f"/ui/letters/{world.ids['approved']}/pdf",
    }


def test_escalated_flag_is_for_supervisors(world: World) -> None:
    csrf = sign_in(world.client, "officer")
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "escalate", "reason": "needs a second view"},
    )
    assert "Flag escalated." in r.text and "escalateed" not in r.text
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "confirm", "reason": "confirming anyway"},
    )
    assert r.status_code == 403 and "only a supervisor" in r.text
    csrf = sign_in(world.client, "supervisor")
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "dismiss", "reason": "two different cars"},
    )
    assert r.status_code == 200 and 'id="flag-status">dismissed' in r.text


def test_blank_reason_and_control_characters_are_refused(world: World) -> None:
    csrf = sign_in(world.client, "officer")
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "dismiss", "reason": "     "},
    )
    assert r.status_code == 200 and 'role="alert"' in r.text
    # Control characters never reach the page: the request guard refuses them before any route.
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "dismiss", "reason": "ok\x00ok fine"},
    )
    assert r.status_code == 422 and "control characters" in r.text
    with world.sessions() as s:
        flag = s.get(m.Flag, world.ids["f1"])
        assert flag is not None and flag.status == m.FlagStatus.OPEN


def test_flag_page_withholds_sightings_older_than_the_officer_tier(world: World) -> None:
    with world.sessions() as s:
        old = add_sighting(s, world.evidence_dir, "cam1:0:99", "OL70DER", night(120))
        new = add_sighting(s, world.evidence_dir, "cam1:0:98", "OL70DER", night(1))
        flag = add_flag(s, "OL70DER", [old, new])
        s.commit()
        flag_id, old_id = flag.id, old.id
    sign_in(world.client, "officer")
    page = world.client.get(f"/ui/flags/{flag_id}").text
    assert f'id="sighting-{old_id}"' not in page and "1 older sighting" in page
    assert world.client.get(f"/ui/evidence/{old_id}/plate").status_code == 403
    sign_in(world.client, "supervisor")
    assert f'id="sighting-{old_id}"' in world.client.get(f"/ui/flags/{flag_id}").text


def test_hotlist_add_and_expire_with_justification_and_owner(world: World) -> None:
    csrf = sign_in(world.client, "officer")
    expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    form = {
        "csrf_token": csrf,
        "plate": "zz99 zzz",
        "reason": "Stolen, crime ref 1",
        "owner": "PC 9",
        "expires": expires,
    }
    assert world.client.post("/ui/watchlists/hotlist", data=form).status_code == 403
    csrf = sign_in(world.client, "supervisor")
    r = world.client.post("/ui/watchlists/hotlist", data={**form, "csrf_token": csrf, "owner": ""})
    assert "Name the owner" in r.text
    r = world.client.post("/ui/watchlists/hotlist", data={**form, "csrf_token": csrf})
    assert "added for ZZ99ZZZ" in r.text
    with world.sessions() as s:
        entry = s.scalars(sa.select(m.HotlistEntry).where(m.HotlistEntry.plate_text == "ZZ99ZZZ")).one()
        entry_id = entry.id
    r = world.client.post(
        f"/ui/watchlists/hotlist/{entry_id}/expire", data={"csrf_token": csrf, "reason": "recovered by owner"}
    )
    assert "expired" in r.text
    with world.sessions() as s:
        entry = s.get(m.HotlistEntry, entry_id)
        assert entry is not None and not entry.active
    assert _actions(world, "hotlist.add") and _actions(world, "hotlist.deactivate")


def test_admin_creates_a_bound_camera_key_shown_once_and_revokes_it(world: World) -> None:
    csrf = sign_in(world.client, "admin")
    r = world.client.post(
        "/ui/admin/keys",
        data={"csrf_token": csrf, "action": "add", "name": "cam2-worker", "scope": "camera", "camera": ""},
    )
    assert "must be bound to its camera" in r.text
    r = world.client.post(
        "/ui/admin/keys",
        data={
            "csrf_token": csrf,
            "action": "add",
            "name": "cam2-worker",
            "scope": "camera",
            "camera": "cam2",
        },
    )
    secret = re.search(r'<code id="secret">(pwk_[^<]+)</code>', r.text)
    assert secret is not None
    assert "pwk_" not in world.client.get("/ui/admin/keys").text
    posted = world.client.post(
        "/ingest/sightings",
        headers={"X-API-Key": secret.group(1)},
        json={
            "sightings": [
                {
                    "camera_id": "cam1",
                    "track_key": "cam1:5:5",
                    "vehicle_class": "car",
                    "first_seen": night(1).isoformat(),
                    "last_seen": night(1).isoformat(),
                }
            ]
        },
    )
    assert posted.status_code == 403
    world.client.post(
        "/ui/admin/keys",
        data={"csrf_token": csrf, "action": "revoke", "name": "cam2-worker", "reason": "test"},
    )
    assert world.client.get("/health", headers={"X-API-Key": secret.group(1)}).status_code == 200
    assert (
        world.client.post(
            "/ingest/sightings", headers={"X-API-Key": secret.group(1)}, json={"sightings": []}
        ).status_code
        == 401
    )


def test_admin_unlocks_changes_role_and_resets_password_from_the_users_page(world: World) -> None:
    for i in range(5):
        assert (
            world.client.post("/auth/token", data={"username": "officer", "password": f"g{i}"}).status_code
            == 401
        )
        with world.sessions() as s:  # let the slow-down's wait pass at once
            s.execute(sa.update(m.LoginThrottle).values(next_attempt_at=None))
            s.commit()
    assert (
        world.client.post("/auth/token", data={"username": "officer", "password": PASSWORD}).status_code
        == 429
    )
    csrf = sign_in(world.client, "admin")
    page = world.client.get("/ui/admin/users").text
    assert 'id="unlock-officer"' in page
    r = world.client.post(
        "/ui/admin/users", data={"csrf_token": csrf, "action": "unlock", "username": "officer"}
    )
    assert "officer unlocked" in r.text
    assert (
        world.client.post("/auth/token", data={"username": "officer", "password": PASSWORD}).status_code
        == 200
    )
    r = world.client.post(
        "/ui/admin/users",
        data={"csrf_token": csrf, "action": "role", "username": "officer", "role": "supervisor"},
    )
    assert "officer is now supervisor" in r.text
    r = world.client.post(
        "/ui/admin/users",
        data={"csrf_token": csrf, "action": "reset_password", "username": "officer", "password": "short"},
    )
    assert "at least 12 characters" in r.text
    r = world.client.post(
        "/ui/admin/users",
        data={
            "csrf_token": csrf,
            "action": "reset_password",
            "username": "officer",
            "password": "new long passphrase",
        },
    )
    assert "Password reset for officer" in r.text
    ok = world.client.post("/auth/token", data={"username": "officer", "password": "new long passphrase"})
    assert ok.status_code == 200 and ok.json()["role"] == "supervisor"
    assert {"auth.unlock", "user.role", "user.reset_password"} <= {
        e.action
        for e in _actions(world, "auth.unlock")
        + _actions(world, "user.role")
        + _actions(world, "user.reset_password")
    }


def test_supervisor_rejects_a_letter_with_a_rationale(world: World) -> None:
    csrf = sign_in(world.client, "supervisor")
    letter = world.ids["awaiting"]
    r = world.client.post(
        f"/ui/letters/{letter}/decide", data={"csrf_token": csrf, "decision": "reject", "rationale": ""}
    )
    assert "rationale of at least" in r.text
    r = world.client.post(
        f"/ui/letters/{letter}/decide",
        data={"csrf_token": csrf, "decision": "reject", "rationale": "Keeper is a delivery firm"},
    )
    assert 'id="letter-status">cancelled' in r.text
    r = world.client.post(
        f"/ui/letters/{letter}/decide",
        data={"csrf_token": csrf, "decision": "approve", "rationale": "changed my mind"},
    )
    assert "cannot become approved" in r.text
    [row] = _actions(world, "letter.cancel")
    assert row.reason == "Keeper is a delivery firm"


def test_unknown_and_out_of_range_ids_are_404_pages(world: World) -> None:
    sign_in(world.client, "supervisor")
    for path in ("/ui/flags/999999", f"/ui/flags/{2**40}", "/ui/letters/424242", "/ui/evidence/999999/plate"):
        r = world.client.get(path)
        assert r.status_code == 404 and 'id="denied-message"' in r.text, path


def test_exclusion_edit_keeps_the_old_values_in_the_audit(world: World) -> None:
    csrf = sign_in(world.client, "supervisor")
    entry = world.ids["exclusion"]
    expires = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    r = world.client.post(
        f"/ui/watchlists/exclusions/{entry}/edit",
        data={"csrf_token": csrf, "reason": "moved to no. 6", "owner": "PCSO 10", "expires": expires},
    )
    assert "updated" in r.text and "moved to no. 6" in r.text
    [row] = _actions(world, "exclusion.edit")
    assert row.details["before"]["reason"] == "lives at no. 4" and row.details["owner"] == "PCSO 10"


def test_admin_binds_an_unbound_camera_key(world: World) -> None:
    csrf = sign_in(world.client, "admin")
    assert 'id="bind-camera-worker"' in world.client.get("/ui/admin/keys").text
    r = world.client.post(
        "/ui/admin/keys",
        data={"csrf_token": csrf, "action": "bind", "name": "camera-worker", "camera": "cam1"},
    )
    assert "bound to camera cam1" in r.text
    r = world.client.post(
        "/ui/admin/keys",
        data={"csrf_token": csrf, "action": "bind", "name": "camera-worker", "camera": "cam2"},
    )
    assert "already bound" in r.text
    batch = {
        "sightings": [
            {
                "camera_id": "cam2",
                "track_key": "cam2:7:7",
                "vehicle_class": "car",
                "first_seen": night(1).isoformat(),
                "last_seen": night(1).isoformat(),
            }
        ]
    }
    assert world.client.post("/ingest/sightings", headers=world.as_("camera"), json=batch).status_code == 403
    assert _actions(world, "apikey.bind")


def test_vehicle_page_shows_the_escalation_ladder(world: World) -> None:
    csrf = sign_in(world.client, "officer")
    before = world.client.get("/ui/vehicles/AB12CDE?reason=Operation+Nightjar")
    assert before.status_code == 200 and 'id="ladder-stage">not on the ladder' in before.text
    r = world.client.post(
        f"/ui/flags/{world.ids['f1']}/review",
        data={"csrf_token": csrf, "action": "confirm", "reason": "same car, two nights, plate clear"},
    )
    assert r.status_code == 200 and "letter drafted" in r.text
    page = world.client.get("/ui/vehicles/AB12CDE?reason=Operation+Nightjar").text
    with world.sessions() as s:
        step = s.scalars(sa.select(m.LadderStep)).one()
    # The drafted step is listed with its stage and status, and the next step names the supervisor.
    assert f"<td>{step.id}</td><td>1 ({step.stage_key})</td><td>drafted</td>" in page
    assert "a supervisor decides stage 1" in page
