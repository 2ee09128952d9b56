"""The escalation ladder through the API, from first sighting to referral file, every human step."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_fixtures import World, add_flag, add_sighting, make_world, night, site_config
from sqlalchemy.orm import Session, sessionmaker
from test_api_letters import pdf_text

from intel_api.db import models as m
from platewatch.config import ConfigError

PLATE = "AB12CDE"
KEEPERS_CSV = (
    "plate,name,address,make,model,colour,vehicle_type\n"
    'AB12CDE,Jo Bloggs,"2 Mill Lane\nTesttown\nTT2 2TT",FORD,FOCUS,BLUE,car\n'
    'MM11MMM,Sam Other,"3 Mill Lane\nTesttown\nTT2 2TT",VOLKSWAGEN,GOLF,WHITE,car\n'
)
REASON = "Operation Nightjar ref 24/1234"


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    keepers = tmp_path / "keepers.csv"
    keepers.write_text(KEEPERS_CSV, encoding="utf-8")
    yield from make_world(db_url, session_factory, tmp_path, keeper_source="file", keeper_file=keepers)


def real_evidence(world: World, uk_dev_dir: Path, key: str) -> tuple[str, str]:
    """A real photo as the wide shot and its plate region as the close-up, so the pack embeds real JPEGs."""
    import cv2

    photo = uk_dev_dir / "images" / "carplate_Cars3.jpg"
    img = cv2.imread(str(photo))
    assert img is not None
    world.evidence_dir.mkdir(parents=True, exist_ok=True)
    wide, close = f"{key}_wide.jpg", f"{key}_plate.jpg"
    shutil.copy(photo, world.evidence_dir / wide)
    h, w = img.shape[:2]
    cv2.imwrite(str(world.evidence_dir / close), img[h // 2 : h * 3 // 4, w // 4 : w * 3 // 4])
    return close, wide


def seen(
    world: World, uk_dev_dir: Path, tag: str, days_ago: list[int], colour: str = "blue", plate: str = PLATE
) -> int:
    """Sightings on the given nights and the rules' flag over them; returns the flag id."""
    with world.sessions() as s:
        rows = []
        for d in days_ago:
            row = add_sighting(s, world.evidence_dir, f"cam1:{tag}:{d}", plate, night(d), with_files=False)
            row.plate_image_path, row.vehicle_image_path = real_evidence(world, uk_dev_dir, f"{tag}{d}")
            row.colour, row.colour_confidence, row.stopped_seconds = colour, 0.8, 6.0
            rows.append(row)
        flag = add_flag(s, plate, rows, dedupe=tag)
        s.commit()
        return flag.id


def posted(world: World, letter_id: int, days_ago: int) -> None:
    """The letters service marks it posted; then the clock moves on (the post date is set back)."""
    r = world.client.post(f"/letters/{letter_id}/sent", headers=world.as_("letters"))
    assert r.status_code == 200, r.text
    with world.sessions() as s:
        letter = s.get(m.Letter, letter_id)
        assert letter is not None and letter.sent_at is not None
        letter.sent_at = datetime.now(UTC) - timedelta(days=days_ago)
        s.commit()


def ladder(world: World, plate: str = PLATE) -> dict[str, object]:
    r = world.client.get(f"/vehicles/{plate}/ladder?reason={REASON}", headers=world.as_("officer"))
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def confirm(world: World, flag_id: int) -> dict[str, object]:
    r = world.client.post(
        f"/flags/{flag_id}/confirm",
        json={"reason": "plate and car match the images"},
        headers=world.as_("officer"),
    )
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def last_step(world: World) -> dict[str, object]:
    history = ladder(world)["history"]
    assert isinstance(history, list) and history
    step: dict[str, object] = history[-1]
    return step


def test_walk_from_first_sighting_to_referral_file(world: World, uk_dev_dir: Path) -> None:
    sup, officer = world.as_("supervisor"), world.as_("officer")
    assert ladder(world)["current_stage"] == 0
    # Stage 1: confirmed repeat presence on two nights; the officer's confirmation drafts the advisory letter.
    f1 = seen(world, uk_dev_dir, "a", [60, 59])
    result = confirm(world, f1)
    assert "stage 1 (advisory) letter drafted" in str(result["letter_note"])
    step1 = last_step(world)
    assert step1["status"] == "drafted" and step1["reviewed_by"] == "officer" and step1["stage"] == 1
    assert ladder(world)["next_step"].startswith("a supervisor decides stage 1")  # type: ignore[union-attr]
    # The officer cannot decide; the supervisor approves with a rationale, the letter is rendered (v1).
    approve = {"rationale": "two confirmed night passes, images checked, no exclusion"}
    assert (
        world.client.post(f"/ladder/steps/{step1['id']}/approve", json=approve, headers=officer).status_code
        == 403
    )
    r = world.client.post(f"/ladder/steps/{step1['id']}/approve", json=approve, headers=sup)
    assert r.status_code == 200, r.text
    letter1 = step1["letter_id"]
    pdf1 = world.client.get(f"/letters/{letter1}/pdf", headers=sup)
    assert pdf1.status_code == 200 and "makes no allegation" in pdf_text(pdf1.content)
    posted(world, int(str(letter1)), 50)
    assert "stage 2" in str(ladder(world)["next_step"])
    # Stage 2: seen again after the letter; confirmed; the warning letter (template cpw1) is drafted.
    f2 = seen(world, uk_dev_dir, "b", [30])
    assert "stage 2 (warning) letter drafted" in str(confirm(world, f2)["letter_note"])
    step2 = last_step(world)
    assert step2["template_version"] == "cpw1" and step2["status"] == "drafted"
    r = world.client.post(f"/ladder/steps/{step2['id']}/approve", json=approve, headers=sup)
    assert r.status_code == 200, r.text
    text = pdf_text(world.client.get(f"/letters/{step2['letter_id']}/pdf", headers=sup).content)
    assert "COMMUNITY PROTECTION WARNING" in text and "section 43" in text
    posted(world, int(str(step2["letter_id"])), 20)
    # Stage 3: a further confirmed return drafts the referral file; approval builds its evidence pack.
    f3 = seen(world, uk_dev_dir, "c", [10])
    assert "stage 3 (referral) referral file drafted" in str(confirm(world, f3)["letter_note"])
    step3 = last_step(world)
    assert step3["action"] == "referral" and step3["letter_id"] is None
    assert world.client.get(f"/ladder/steps/{step3['id']}/pack", headers=sup).status_code == 404
    r = world.client.post(
        f"/ladder/steps/{step3['id']}/approve",
        json={"rationale": "returned after the warning; refer for a CPN"},
        headers=sup,
    )
    assert r.status_code == 200, r.text
    pack = world.client.get(f"/ladder/steps/{step3['id']}/pack", headers=sup)
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/pdf"
    assert pack.content.count(b"/Subtype /Image") >= 8  # plate close-up and wide shot of every sighting
    body = pdf_text(pack.content)
    for needle in (
        "Timeline of confirmed sightings",
        "camera cam1",
        "officer confirm",
        "PW-L",
        "Keeper-record check",
        "consistent",
        "returned after the warning",
    ):
        assert needle in body, needle
    r = world.client.post(
        f"/ladder/steps/{step3['id']}/referred", json={"reason": "handed to the CPN panel"}, headers=sup
    )
    assert r.status_code == 200 and r.json()["step"]["status"] == "done"
    state = ladder(world)
    assert state["current_stage"] == 3 and "handed over" in str(state["next_step"])
    assert [h["status"] for h in state["history"]] == ["done", "done", "done"]  # type: ignore[union-attr,index]
    # Every human step and every system draft is in the audit trail, with who and why.
    with world.sessions() as s:
        rows = list(s.scalars(sa.select(m.AuditEvent).order_by(m.AuditEvent.id)))
    actions = [(e.actor, e.action) for e in rows]
    assert actions.count(("officer", "flag.confirm")) == 3
    assert actions.count(("officer", "ladder.draft")) == 3
    assert actions.count(("supervisor", "ladder.approve")) == 3
    assert ("supervisor", "ladder.evidence_pack") in actions and ("supervisor", "ladder.referred") in actions
    assert [e.reason for e in rows if e.action == "ladder.approve"][
        -1
    ] == "returned after the warning; refer for a CPN"
    assert sum(1 for e in rows if e.action == "vehicle.ladder" and e.reason == REASON) >= 5


def test_skip_needs_a_supervisor_and_a_reason(world: World, uk_dev_dir: Path) -> None:
    f1 = seen(world, uk_dev_dir, "a", [20, 19])
    confirm(world, f1)
    step1 = last_step(world)
    skip = {"to_stage": 3, "reason": "seen soliciting by officers on patrol, log 123"}
    # A step awaiting a decision cannot be jumped over; nor by an officer; nor without a reason.
    assert (
        world.client.post(
            f"/vehicles/{PLATE}/ladder/skip", json=skip, headers=world.as_("officer")
        ).status_code
        == 403
    )
    r = world.client.post(
        f"/vehicles/{PLATE}/ladder/skip", json={"to_stage": 3}, headers=world.as_("supervisor")
    )
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    r = world.client.post(f"/vehicles/{PLATE}/ladder/skip", json=skip, headers=world.as_("supervisor"))
    assert r.status_code == 409 and "awaiting a decision" in r.json()["detail"]
    sup = world.as_("supervisor")
    r = world.client.post(
        f"/ladder/steps/{step1['id']}/approve", json={"rationale": "clear images, two nights"}, headers=sup
    )
    assert r.status_code == 200
    posted(world, int(str(step1["letter_id"])), 5)
    r = world.client.post(f"/vehicles/{PLATE}/ladder/skip", json=skip, headers=sup)
    assert r.status_code == 200, r.text
    history = ladder(world)["history"]
    assert [(h["stage"], h["status"]) for h in history] == [(1, "done"), (2, "skipped"), (3, "drafted")]  # type: ignore[union-attr,index]
    assert history[1]["decision_reason"] == skip["reason"] and history[1]["decided_by"] == "supervisor"  # type: ignore[index]
    with world.sessions() as s:
        skips = list(s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "ladder.skip")))
    assert len(skips) == 1 and skips[0].reason == skip["reason"] and skips[0].actor == "supervisor"


def test_quiet_period_expires_the_ladder(world: World, uk_dev_dir: Path) -> None:
    f1 = seen(world, uk_dev_dir, "a", [20, 19])
    confirm(world, f1)
    step1 = last_step(world)
    sup = world.as_("supervisor")
    world.client.post(
        f"/ladder/steps/{step1['id']}/approve", json={"rationale": "clear images, two nights"}, headers=sup
    )
    posted(world, int(str(step1["letter_id"])), 400)  # default quiet period: 365 days
    with world.sessions() as s:  # the sightings behind it are as old as the letter
        for row in s.scalars(sa.select(m.Sighting).where(m.Sighting.plate_text == PLATE)):
            row.first_seen = row.first_seen - timedelta(days=400)
        s.commit()
    state = ladder(world)
    assert state["status"] == "expired" and state["current_stage"] == 0
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).where(m.AuditEvent.action == "ladder.expire")) == 1


def test_returning_while_a_step_is_pending_drafts_nothing(world: World, uk_dev_dir: Path) -> None:
    confirm(world, seen(world, uk_dev_dir, "a", [20, 19]))
    note = confirm(world, seen(world, uk_dev_dir, "b", [5]))["letter_note"]
    assert "stage 1 (advisory) is drafted; no new step" in str(note)
    assert len(ladder(world)["history"]) == 1  # type: ignore[arg-type]


def test_keeper_mismatch_blocks_the_letter_and_raises_a_flag(world: World, uk_dev_dir: Path) -> None:
    # The keeper record says a white car; the cameras measured red on both nights.
    f1 = seen(world, uk_dev_dir, "a", [20, 19], colour="red", plate="MM11MMM")
    result = confirm(world, f1)
    assert "blocked" in str(result["letter_note"])
    letter_id = result["letter"]["id"]  # type: ignore[index]
    sup = world.as_("supervisor")
    r = world.client.post(
        f"/letters/{letter_id}/approve", json={"rationale": "images are clear enough"}, headers=sup
    )
    assert r.status_code == 409 and "possible misread or cloned plate" in r.json()["detail"]
    flags = world.client.get("/flags?kind=keeper_mismatch", headers=world.as_("officer")).json()["items"]
    assert len(flags) == 1 and "Possible misread or cloned plate MM11MMM" in flags[0]["explanation"]
    detail = world.client.get(f"/flags/{flags[0]['id']}", headers=world.as_("officer")).json()["details"]
    assert detail["keeper_record"]["colour"] == "WHITE" and detail["seen"]["colours"] == {"red": 2}
    # Confirming the mismatch drafts nothing; dismissing it (the officer sees the registered car) unblocks.
    r = world.client.post(
        f"/flags/{flags[0]['id']}/dismiss",
        json={"reason": "car is white in daylight images"},
        headers=world.as_("officer"),
    )
    assert r.status_code == 200
    r = world.client.post(
        f"/letters/{letter_id}/approve", json={"rationale": "images are clear enough"}, headers=sup
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("stages", "problem"),
    [
        ([{"key": "a", "name": "A", "action": "referral"}], "must be a letter"),
        ([{"key": "a", "name": "A", "action": "letter", "template_version": "nosuch"}], "no letter template"),
        (
            [
                {"key": "a", "name": "A", "action": "letter", "template_version": "v1"},
                {"key": "b", "name": "B", "action": "letter", "template_version": "v1"},
            ],
            "needs return_within_days",
        ),
        (
            [
                {"key": "a", "name": "A", "action": "letter", "template_version": "v1"},
                {
                    "key": "a",
                    "name": "B",
                    "action": "letter",
                    "template_version": "v1",
                    "return_within_days": 9,
                },
            ],
            "unique",
        ),
    ],
)
def test_ladder_config_is_validated_at_load(
    tmp_path: Path, stages: list[dict[str, object]], problem: str
) -> None:
    with pytest.raises(ConfigError) as e:
        site_config(tmp_path, enforcement={"stages": stages})
    assert any(p.startswith("enforcement") and problem in p for p in e.value.problems), e.value.problems


def test_upheld_representation_withdraws_stops_and_excludes(world: World, uk_dev_dir: Path) -> None:
    confirm(world, seen(world, uk_dev_dir, "a", [20, 19]))
    step1 = last_step(world)
    sup, officer = world.as_("supervisor"), world.as_("officer")
    world.client.post(
        f"/ladder/steps/{step1['id']}/approve", json={"rationale": "clear images, two nights"}, headers=sup
    )
    letter_id = int(str(step1["letter_id"]))
    posted(world, letter_id, 10)
    rep_in = {
        "received_at": night(3).isoformat(),
        "from_whom": "Jo Bloggs (keeper)",
        "channel": "letter",
        "summary": "I care for my mother at 14 Hessle Street every night; rota enclosed.",
    }
    r = world.client.post(f"/letters/{letter_id}/representations", json=rep_in, headers=officer)
    assert r.status_code == 201, r.text
    rep = r.json()
    assert rep["outcome"] == "pending" and rep["recorded_by"] == "officer"
    second = world.client.post(f"/letters/{letter_id}/representations", json=rep_in, headers=officer).json()
    decide = {
        "outcome": "upheld",
        "reason": "carer's rota checked with the care agency",
        "exclusion": {
            "category": "carer",
            "justification": "night carer at 14 Hessle Street, agency confirmed",
            "owner": "PS 2",
            "expires_at": night(-180).isoformat(),
        },
    }
    assert (
        world.client.post(f"/representations/{rep['id']}/decide", json=decide, headers=officer).status_code
        == 403
    )
    r = world.client.post(f"/representations/{rep['id']}/decide", json=decide, headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "upheld" and r.json()["exclusion_id"] is not None
    again = world.client.post(f"/representations/{rep['id']}/decide", json=decide, headers=sup)
    assert again.status_code == 409
    assert again.json() == {"detail": f"representation {rep['id']} was already decided (upheld)"}
    # The letter is withdrawn now: upholding the second representation cannot withdraw it again.
    upheld = {"outcome": "upheld", "reason": "same carer, same rota"}
    r = world.client.post(f"/representations/{second['id']}/decide", json=upheld, headers=sup)
    assert r.status_code == 409
    assert r.json() == {"detail": f"letter {letter_id}: withdrawn -> withdrawn is not allowed"}
    letter = world.client.get(f"/letters/{letter_id}", headers=officer).json()
    assert letter["status"] == "withdrawn"
    state = ladder(world)
    assert state["status"] == "stopped" and "none: the ladder was stopped" in str(state["next_step"])
    # A later confirmed return drafts nothing: the ladder is stopped and the vehicle excluded.
    note = confirm(world, seen(world, uk_dev_dir, "b", [2]))["letter_note"]
    assert "stopped" in str(note)
    listed = world.client.get(f"/letters/{letter_id}/representations", headers=officer).json()
    assert [x["id"] for x in listed] == [rep["id"], second["id"]]
    exclusions = world.client.get("/exclusions", headers=officer).json()
    assert any(e["plate_text"] == PLATE and e["category"] == "carer" for e in exclusions)
    with world.sessions() as s:
        actions = {e.action for e in s.scalars(sa.select(m.AuditEvent))}
    assert {
        "representation.record",
        "representation.upheld",
        "letter.withdraw",
        "ladder.stop",
        "exclusion.create",
    } <= actions


def test_letters_follow_the_retention_schedule(world: World, uk_dev_dir: Path) -> None:
    from intel_api.services import retention

    with world.sessions() as s:
        old = s.get(m.Letter, world.ids["sent"])
        assert old is not None
        s.add(
            m.Representation(
                letter_id=old.id,
                received_at=night(900),
                from_whom="keeper",
                channel="phone",
                summary="was lost",
                recorded_by="officer",
            )
        )
        old.updated_at = datetime.now(UTC) - timedelta(days=800)
        s.commit()
        report = retention.run(s, 365, world.evidence_dir, False, letters_days=730)
        s.commit()
        assert report.letters == 1 and report.representations == 1
        assert s.get(m.Letter, world.ids["sent"]) is None
        assert s.get(m.Letter, world.ids["approved"]) is not None  # not finished: kept


def test_associates_are_explained_leads_never_flags(world: World) -> None:
    with world.sessions() as s:
        before = s.scalar(sa.select(sa.func.count(m.Flag.id)))
        for d in (9, 8, 7, 6):
            a = add_sighting(s, world.evidence_dir, f"cam1:as:{d}", "PP11PPP", night(d), with_files=False)
            a.stopped_seconds = 20.0
            # A companion car 25 s behind on four nights; a drop-off car stopping briefly on three.
            add_sighting(
                s,
                world.evidence_dir,
                f"cam1:co:{d}",
                "CC22CCC",
                night(d) + timedelta(seconds=25),
                with_files=False,
            )
            if d != 6:
                b = add_sighting(
                    s, world.evidence_dir, f"cam1:dr:{d}", "DD33DDD", night(d, minute=40), with_files=False
                )
                b.stopped_seconds = 40.0
        # Seen together only twice: below k=3, not an association.
        for d in (9, 8):
            add_sighting(
                s,
                world.evidence_dir,
                f"cam1:tw:{d}",
                "TT44TTT",
                night(d) - timedelta(seconds=30),
                with_files=False,
            )
        s.commit()
    r = world.client.get("/vehicles/PP11PPP/associates", headers=world.as_("officer"))
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    assert (
        world.client.get(
            f"/vehicles/PP11PPP/associates?reason={REASON}", headers=world.as_("letters")
        ).status_code
        == 403
    )
    r = world.client.get(f"/vehicles/PP11PPP/associates?reason={REASON}", headers=world.as_("officer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lead_only"] is True
    found = {(a["plate"], a["pattern"]): a for a in body["associations"]}
    assert set(found) == {("CC22CCC", "seen_together"), ("DD33DDD", "brief_stops")}
    together = found[("CC22CCC", "seen_together")]
    assert together["nights"] == 4 and len(together["evidence"]) == 4
    assert all(e["gap_seconds"] == 25 and e["camera_id"] == "cam1" for e in together["evidence"])
    assert "within 60 s" in together["explanation"] and "not evidence" in together["explanation"]
    assert found[("DD33DDD", "brief_stops")]["nights"] == 3
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count(m.Flag.id))) == before  # leads, never flags
        event = s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "vehicle.associates")).one()
        assert event.actor == "officer" and event.reason == REASON and event.details["associations"] == 2


def test_partnership_report_is_aggregate_only(world: World, uk_dev_dir: Path) -> None:
    # One vehicle written to that did not come back; one confirmed but not written to that did.
    confirm(world, seen(world, uk_dev_dir, "a", [20, 19], colour="white", plate="MM11MMM"))
    step1 = ladder(world, "MM11MMM")["history"][-1]  # type: ignore[index]
    sup = world.as_("supervisor")
    world.client.post(
        f"/ladder/steps/{step1['id']}/approve", json={"rationale": "clear images, two nights"}, headers=sup
    )
    posted(world, int(str(step1["letter_id"])), 15)
    fz = seen(world, uk_dev_dir, "z", [12], plate="ZZ99ZZZ")
    confirm(world, fz)  # one night: below the letter policy, no letter
    with world.sessions() as s:  # it was confirmed ten days ago, and the vehicle came back since
        s.execute(sa.update(m.Flag).where(m.Flag.id == fz).values(updated_at=night(10)))
        add_sighting(s, world.evidence_dir, "cam1:z:back", "ZZ99ZZZ", night(2), with_files=False)
        s.commit()
    today = datetime.now(UTC).date()
    period = f"start={(today - timedelta(days=27)).isoformat()}&end={today.isoformat()}"
    r = world.client.get(f"/reports/partnership?{period}", headers=world.as_("officer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["with_letter"]["vehicles"] == 1 and body["with_letter"]["returned"] == 0
    assert body["without_letter"]["vehicles"] == 1 and body["without_letter"]["returned"] == 1
    assert body["letters_by_stage"] == {
        "stage 1": 4
    }  # ours and the three the world seeds and body["flags_by_kind"]["frequent"] == 3
    assert body["sightings"] == sum(body["sightings_per_day"].values()) >= 4
    pdf = world.client.get(f"/reports/partnership.pdf?{period}", headers=world.as_("officer"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Aggregate figures only" in text and "Sent a letter" in text
    with world.sessions() as s:
        plates = {p for p in s.scalars(sa.select(m.Sighting.plate_text)) if p}
        addresses = {a for a in s.scalars(sa.select(m.Letter.keeper_address)) if a}
    for secret in plates | {line for a in addresses for line in a.splitlines()}:
        assert secret not in r.text and secret not in text, secret
    bad = world.client.get(
        "/reports/partnership?start=2026-01-01&end=2026-06-01", headers=world.as_("officer")
    )
    assert bad.status_code == 422 and "at most" in bad.json()["detail"]
    assert world.client.get(f"/reports/partnership?{period}", headers=world.as_("letters")).status_code == 403
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count()).where(m.AuditEvent.action == "report.partnership")) == 2
