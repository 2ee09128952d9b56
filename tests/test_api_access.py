"""Every route x every kind of caller: who is let in and who is refused."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from api_fixtures import REASON, World, add_flag, add_letter, api_routes, empty_database, make_world, night

from intel_api.db import models as m

WHO = ["anonymous", "officer", "supervisor", "admin", "camera", "letters"]
U = {"anonymous": 401, "officer": 200, "supervisor": 200, "admin": 200, "camera": 403, "letters": 403}
SUP = {**U, "officer": 403}
SUP_201 = {**SUP, "supervisor": 201, "admin": 201}
U_201 = {**U, "officer": 201, "supervisor": 201, "admin": 201}
U_OR_LETTERS = {**U, "letters": 200}
SUP_OR_LETTERS = {**SUP, "letters": 200}
ADMIN = {**U, "officer": 403, "supervisor": 403}
CAMERA = {"anonymous": 401, "officer": 403, "supervisor": 403, "admin": 403, "camera": 200, "letters": 403}
ANY = dict.fromkeys(WHO, 200)
AUTHED = {**ANY, "anonymous": 401}

FUTURE = night(-20).isoformat()
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

# (method, path template, json body, expected status per caller)
TABLE: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/health", None, ANY),
    ("GET", "/auth/me", None, AUTHED),
    ("GET", f"/sightings?reason={REASON}", None, U),
    ("GET", f"/sightings/{{s1}}?reason={REASON}", None, U),
    ("GET", "/sightings/{s1}/evidence/{kind}", None, U),
    ("GET", f"/vehicles/AB12CDE/visits?reason={REASON}", None, U),
    ("GET", "/flags", None, U),
    ("GET", "/flags/{f1}", None, U),
    ("POST", "/flags/{f1}/confirm", {"reason": "plate matches the images"}, U),
    ("POST", "/flags/{f2}/dismiss", {"reason": "resident's visitor"}, U),
    ("POST", "/flags/{f2}/escalate", {"reason": "needs a second view"}, U),
    ("GET", "/letters", None, U_OR_LETTERS),
    ("GET", "/letters/{approved}", None, U_OR_LETTERS),
    ("POST", "/letters/{awaiting}/approve", {"rationale": "three confirmed nights, images clear"}, SUP),
    ("GET", "/letters/{approved}/pdf", None, SUP_OR_LETTERS),
    ("POST", "/letters/{awaiting}/cancel", {"reason": "keeper is a resident"}, SUP),
    ("POST", "/letters/{approved}/sent", None, SUP_OR_LETTERS),
    ("POST", "/letters/{sent}/response", {"response": "Phoned; was visiting family."}, U),
    ("GET", "/hotlist", None, U),
    (
        "POST",
        "/hotlist",
        {"plate_text": "AA11AAA", "reason": "stolen vehicle", "owner": "PC 1", "expires_at": FUTURE},
        SUP_201,
    ),
    ("POST", "/hotlist/{hotlist}/deactivate", {"reason": "recovered"}, SUP),
    ("GET", "/exclusions", None, U),
    (
        "POST",
        "/exclusions",
        {
            "plate_text": "BB22BBB",
            "category": "taxi",
            "reason": "licensed taxi rank",
            "owner": "PS 2",
            "expires_at": FUTURE,
        },
        SUP_201,
    ),
    ("POST", "/exclusions/{exclusion}/deactivate", {"reason": "moved away"}, SUP),
    # Issue 12: the escalation ladder and representations.
    ("GET", f"/vehicles/AB12CDE/ladder?reason={REASON}", None, U),
    ("GET", f"/vehicles/AB12CDE/associates?reason={REASON}", None, U),
    ("GET", "/reports/partnership?start=2026-11-02&end=2026-11-15", None, U),
    ("GET", "/reports/partnership.pdf?start=2026-11-02&end=2026-11-15", None, U),
    ("POST", "/vehicles/SK{skipn}AAA/ladder/skip", {"to_stage": 3, "reason": "seen soliciting, log 99"}, SUP),
    ("POST", "/ladder/steps/{step}/approve", {"rationale": "returned after the warning letter"}, SUP),
    ("POST", "/ladder/steps/{step}/reject", {"reason": "evidence too thin"}, SUP),
    ("POST", "/ladder/steps/{approved_step}/referred", {"reason": "handed to the CPN panel"}, SUP),
    ("GET", "/ladder/steps/{pack_step}/pack", None, SUP),
    (
        "POST",
        "/letters/{sent}/representations",
        {
            "received_at": night(1).isoformat(),
            "from_whom": "the keeper",
            "channel": "phone",
            "summary": "I deliver there nightly.",
        },
        U_201,
    ),
    ("GET", "/letters/{sent}/representations", None, U),
    (
        "POST",
        "/representations/{rep}/decide",
        {"outcome": "not_upheld", "reason": "no evidence offered"},
        SUP,
    ),
    ("POST", "/ingest/sightings", INGEST, CAMERA),
    ("GET", "/audit", None, ADMIN),
]
CASES = [
    pytest.param(method, path, body, who, expected[who], id=f"{method} {path.split('?')[0]} as {who}")
    for method, path, body, expected in TABLE
    for who in WHO
]


@pytest.fixture(scope="module")
def shared_world(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One seeded app per backend for the whole table; each case makes the rows it changes."""
    from intel_api.db.session import make_engine, make_session_factory

    empty_database(db_url)
    engine = make_engine(db_url)
    try:
        yield from make_world(db_url, make_session_factory(engine), tmp_path_factory.mktemp("access"))
    finally:
        engine.dispose()
    empty_database(db_url)


def fresh_targets(world: World) -> dict[str, int]:
    """New rows for the case to act on, so a case never sees what an earlier case changed."""
    with world.sessions() as s:
        s1 = s.get(m.Sighting, world.ids["s1"])
        s2 = s.get(m.Sighting, world.ids["s2"])
        s3 = s.get(m.Sighting, world.ids["s3"])
        assert s1 and s2 and s3
        tag = uuid.uuid4().hex[:8]
        f1 = add_flag(s, "AB12CDE", [s1, s2], dedupe=tag)
        f2 = add_flag(s, "XY70ZZZ", [s3], kind=m.FlagKind.SLOW, dedupe=tag)
        awaiting = add_letter(s, "LM55NOP", m.LetterStatus.AWAITING_APPROVAL)
        approved = add_letter(s, "CD34EFG", m.LetterStatus.APPROVED)
        approved.pdf_path = str(world.site.storage.data_dir / "letters" / "approved.pdf")
        sent = add_letter(s, "GH56IJK", m.LetterStatus.SENT)
        hot = m.HotlistEntry(
            plate_text="QR12STU",
            reason="stolen",
            owner="PC 1",
            expires_at=night(-30),
            created_by="supervisor",
        )
        exc = m.Exclusion(
            plate_text="RS34TUV",
            category=m.ExclusionCategory.RESIDENT,
            reason="resident",
            owner="PCSO 9",
            expires_at=night(-30),
            created_by="supervisor",
        )
        s.add_all([hot, exc])
        confirmed = add_flag(s, f"SK{int(tag, 16)}AAA", [s1], dedupe=tag + "c")
        confirmed.status = m.FlagStatus.CONFIRMED
        case = m.LadderCase(plate_text=f"LD{tag}", status=m.LadderStatus.ACTIVE, current_stage=3)
        s.add(case)
        s.flush()
        steps = {}
        for name, st in (
            ("step", m.StepStatus.DRAFTED),
            ("approved_step", m.StepStatus.APPROVED),
            ("pack_step", m.StepStatus.APPROVED),
        ):
            row = m.LadderStep(case_id=case.id, stage=3, stage_key="referral", action="referral", status=st)
            s.add(row)
            s.flush()
            steps[name] = row.id
        pack = world.site.storage.data_dir / "referrals" / f"pack-{tag}.pdf"
        pack.parent.mkdir(parents=True, exist_ok=True)
        pack.write_bytes(b"%PDF-1.3\n% test pack\n%%EOF\n")
        s.get(m.LadderStep, steps["pack_step"]).pdf_path = str(pack)  # type: ignore[union-attr]
        rep = m.Representation(
            letter_id=sent.id,
            received_at=night(1),
            from_whom="keeper",
            channel="phone",
            summary="was lost",
            recorded_by="officer",
        )
        s.add(rep)
        s.commit()
        return {
            **steps,
            "rep": rep.id,
            "skipn": int(tag, 16),
            **world.ids,
            "f1": f1.id,
            "f2": f2.id,
            "awaiting": awaiting.id,
            "approved": approved.id,
            "sent": sent.id,
            "hotlist": hot.id,
            "exclusion": exc.id,
        }


@pytest.mark.parametrize(("method", "path", "body", "who", "expected"), CASES)
def test_role_table(
    shared_world: World, method: str, path: str, body: dict[str, Any] | None, who: str, expected: int
) -> None:
    ids = fresh_targets(shared_world) if method == "POST" or "{pack_step}" in path else shared_world.ids
    if path == "/ingest/sightings":
        body = copy.deepcopy(body)
        assert body is not None
        body["sightings"][0]["track_key"] = f"cam1:9:{uuid.uuid4().int % 10**9}"
    url = path.format(kind="plate", **ids)
    resp = shared_world.client.request(method, url, json=body, headers=shared_world.as_(who))
    assert resp.status_code == expected, resp.text
    if expected in (401, 403):
        assert resp.json()["detail"]


def test_table_covers_every_route(shared_world: World) -> None:
    public = {("POST", "/auth/token")}
    renames = {
        "{s1}": "{sighting_id}",
        "{f1}": "{flag_id}",
        "{f2}": "{flag_id}",
        "{approved}": "{letter_id}",
        "{awaiting}": "{letter_id}",
        "{sent}": "{letter_id}",
        "{hotlist}": "{entry_id}",
        "{exclusion}": "{entry_id}",
        "AB12CDE": "{plate}",
        "SK{skipn}AAA": "{plate}",
        "{step}": "{step_id}",
        "{approved_step}": "{step_id}",
        "{pack_step}": "{step_id}",
        "{rep}": "{representation_id}",
    }
    covered = set()
    for method, path, _, _ in TABLE:
        path = path.split("?")[0]
        for old, new in renames.items():
            path = path.replace(old, new)
        covered.add((method, path))
    assert api_routes(shared_world.client) - public == covered
