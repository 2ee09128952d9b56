"""Keeper letters end to end: drafting on confirmation, policy, dedupe, approval, PDF, state machine."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from api_fixtures import REASON, World, add_flag, add_letter, add_sighting, make_world, night
from sqlalchemy.orm import Session, sessionmaker

from intel_api.auth import Principal
from intel_api.db import models as m
from intel_api.services import letters as svc
from intel_api.services.letter_pdf import LetterContent, load_template, render_pdf

KEEPERS_CSV = 'plate,name,address\nAB12CDE,Jo Bloggs,"2 Mill Lane\nTesttown\nTT2 2TT"\n'


@pytest.fixture
def world(db_url: str, session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[World]:
    keepers = tmp_path / "keepers.csv"
    keepers.write_text(KEEPERS_CSV, encoding="utf-8")
    yield from make_world(db_url, session_factory, tmp_path, keeper_source="file", keeper_file=keepers)


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages: fpdf2 deflates content streams and writes `(text) Tj` operators."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        # A stream whose compressed bytes end in 0x0D loses that byte to the `\r?` above (the
        # checksum's last byte): a decompressor object still returns all of the text.
        try:
            out.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    return " ".join("".join(re.findall(r"\((.*?)\)\s*Tj", s)) for s in out)


def confirm(world: World, flag_id: int, who: str = "officer", **body: str) -> dict[str, object]:
    r = world.client.post(
        f"/flags/{flag_id}/confirm",
        json={"reason": "plate and car match images", **body},
        headers=world.as_(who),
    )
    assert r.status_code == 200, r.text
    result: dict[str, object] = r.json()
    return result


def test_confirm_drafts_letter_supervisor_approves_pdf(world: World) -> None:
    result = confirm(world, world.ids["f1"])
    letter = result["letter"]
    assert isinstance(letter, dict)
    assert letter["status"] == "awaiting_approval" and letter["plate_text"] == "AB12CDE"
    assert letter["keeper_name"] is None, "officers do not see keeper details"
    lid = letter["id"]
    # An officer cannot approve; the system never does.
    r = world.client.post(
        f"/letters/{lid}/approve",
        json={"rationale": "two nights, clear images"},
        headers=world.as_("officer"),
    )
    assert r.status_code == 403
    assert world.client.get(f"/letters/{lid}/pdf", headers=world.as_("supervisor")).status_code == 404
    r = world.client.post(
        f"/letters/{lid}/approve",
        json={"rationale": "two nights, clear images"},
        headers=world.as_("supervisor"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "approved" and body["keeper_name"] == "Jo Bloggs" and body["pdf_available"]
    pdf = world.client.get(f"/letters/{lid}/pdf", headers=world.as_("supervisor"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "AB12CDE" in text and "Jo Bloggs" in text and "2 Mill Lane" in text
    assert "makes no allegation" in text and "51A" in text
    assert "sex life" not in text.lower()
    with world.sessions() as s:
        row = s.get(m.Letter, lid)
        assert row is not None and row.approval_rationale == "two nights, clear images"
        assert row.approved_by is not None and row.approved_at is not None
        actions = set(s.scalars(sa.select(m.AuditEvent.action).where(m.AuditEvent.target_id == str(lid))))
    assert {"letter.draft", "letter.approve", "letter.pdf"} <= actions


def test_second_confirmed_flag_in_window_does_not_create_second_letter(world: World) -> None:
    confirm(world, world.ids["f1"])
    with world.sessions() as s:
        extra = [
            add_sighting(s, world.evidence_dir, f"cam1:1:{i}", "AB12CDE", night(10 + i)) for i in range(2)
        ]
        f3 = add_flag(s, "AB12CDE", extra, dedupe="second")
        s.commit()
        f3_id = f3.id
    result = confirm(world, f3_id)
    # The ladder answers first: stage 1 is still awaiting its decision, so nothing new is drafted.
    assert result["letter"] is None and "no new step" in str(result["letter_note"])
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count(m.Letter.id)).where(m.Letter.plate_text == "AB12CDE")) == 1


def test_policy_needs_distinct_nights(world: World) -> None:
    with world.sessions() as s:
        same_night = [
            add_sighting(s, world.evidence_dir, "cam1:2:1", "ZZ99ZZZ", night(5, 22, 0)),
            add_sighting(
                s, world.evidence_dir, "cam1:2:2", "ZZ99ZZZ", night(4, 1, 30)
            ),  # after midnight, same night
        ]
        flag = add_flag(s, "ZZ99ZZZ", same_night, kind=m.FlagKind.CIRCLING)
        s.commit()
        flag_id = flag.id
    result = confirm(world, flag_id)
    assert result["letter"] is None and "policy not met" in str(result["letter_note"])


def test_excluded_plate_gets_no_letter(world: World) -> None:
    r = world.client.post(
        "/exclusions",
        json={
            "plate_text": "AB12 CDE",
            "category": "resident",
            "reason": "lives on the street",
            "owner": "PCSO 9",
            "expires_at": night(-10).isoformat(),
        },
        headers=world.as_("supervisor"),
    )
    assert r.status_code == 201
    result = confirm(world, world.ids["f1"])
    assert result["letter"] is None and "exclusion" in str(result["letter_note"])


def test_corrected_plate_relinks_sightings(world: World) -> None:
    result = confirm(world, world.ids["f1"], corrected_plate="ab12 cdf")
    flag = result["flag"]
    assert isinstance(flag, dict) and flag["plate_text"] == "AB12CDF"
    with world.sessions() as s:
        rows = [s.get(m.Sighting, world.ids[k]) for k in ("s1", "s2")]
        assert all(
            r is not None and r.plate_text == "AB12CDF" and r.plate_corrected_by == "officer" for r in rows
        )
        assert all(r is not None and r.plate_raw == "AB12CDE" for r in rows), "the machine read is kept"
        ev = s.scalars(sa.select(m.AuditEvent).where(m.AuditEvent.action == "flag.correct_plate")).one()
        assert ev.details["old_plate"] == "AB12CDE" and ev.details["new_plate"] == "AB12CDF"
    # The keeper file knows AB12CDE, not the corrected plate: the draft has no keeper and cannot be approved.
    letter = result["letter"]
    assert isinstance(letter, dict)
    r = world.client.post(
        f"/letters/{letter['id']}/approve",
        json={"rationale": "clear images both nights"},
        headers=world.as_("supervisor"),
    )
    assert r.status_code == 409 and "keeper" in r.json()["detail"]
    # Through the ladder the same refusal is a ladder conflict, worded by the letter service.
    state = world.client.get(f"/vehicles/AB12CDF/ladder?reason={REASON}", headers=world.as_("officer"))
    step = state.json()["history"][-1]
    assert step["letter_id"] == letter["id"]
    r = world.client.post(
        f"/ladder/steps/{step['id']}/approve",
        json={"rationale": "clear images both nights"},
        headers=world.as_("supervisor"),
    )
    assert r.status_code == 409
    assert r.json() == {"detail": f"letter {letter['id']} has no keeper"}


@pytest.mark.parametrize(
    ("start", "action", "body", "who", "expected"),
    [
        ("awaiting", "sent", None, "supervisor", 409),
        ("awaiting", "response", {"response": "called"}, "officer", 409),
        ("approved", "approve", {"rationale": "again, for the record"}, "supervisor", 409),
        ("sent", "cancel", {"reason": "too late now"}, "supervisor", 409),
        ("sent", "sent", None, "letters", 409),
        ("awaiting", "sent", None, "letters", 403),  # the letters service never sees unapproved letters
    ],
)
def test_invalid_transitions(
    world: World, start: str, action: str, body: dict[str, str] | None, who: str, expected: int
) -> None:
    r = world.client.post(f"/letters/{world.ids[start]}/{action}", json=body, headers=world.as_(who))
    assert r.status_code == expected, r.text
    if expected == 409:
        assert "cannot become" in r.json()["detail"]


def test_full_lifecycle_and_finished_states(world: World) -> None:
    lid = world.ids["approved"]
    sup, letters_key = world.as_("supervisor"), world.as_("letters")
    assert world.client.get("/letters", headers=letters_key).json()["total"] == 1  # approved only
    assert world.client.get(f"/letters/{world.ids['awaiting']}", headers=letters_key).status_code == 403
    assert world.client.post(f"/letters/{lid}/sent", headers=letters_key).json()["status"] == "sent"
    r = world.client.post(
        f"/letters/{lid}/response",
        json={"response": "Keeper phoned: works nearby."},
        headers=world.as_("officer"),
    )
    assert r.json()["status"] == "responded" and r.json()["keeper_response"] == "Keeper phoned: works nearby."
    r = world.client.post(f"/letters/{lid}/cancel", json={"reason": "changed mind"}, headers=sup)
    assert r.status_code == 409 and "responded" in r.json()["detail"]
    c = world.client.post(
        f"/letters/{world.ids['awaiting']}/cancel", json={"reason": "keeper is a taxi firm"}, headers=sup
    )
    assert c.json()["status"] == "cancelled" and c.json()["cancelled_reason"] == "keeper is a taxi firm"
    again = world.client.post(
        f"/letters/{world.ids['awaiting']}/approve", json={"rationale": "reopen please"}, headers=sup
    )
    assert again.status_code == 409


def test_state_machine_table() -> None:
    letter = m.Letter(id=1, status=m.LetterStatus.AWAITING_APPROVAL)
    for target in m.LetterStatus:
        allowed = target in svc.ALLOWED[m.LetterStatus.AWAITING_APPROVAL]
        letter.status = m.LetterStatus.AWAITING_APPROVAL
        if allowed:
            svc.transition(letter, target)
            assert letter.status == target
        else:
            with pytest.raises(svc.InvalidTransition):
                svc.transition(letter, target)
    assert all(not svc.ALLOWED[s] for s in (m.LetterStatus.CANCELLED, m.LetterStatus.WITHDRAWN))
    # An upheld representation (issue 12) can still withdraw a letter the keeper has answered.
    assert svc.ALLOWED[m.LetterStatus.RESPONDED] == {m.LetterStatus.WITHDRAWN}


def test_dedupe_ignores_cancelled_and_old_letters(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    from api_fixtures import site_config

    from intel_api.services.keeper import NoKeeperLookup

    site = site_config(tmp_path)
    actor = Principal(kind="user", name="officer", user_id=None)
    with session_factory() as s:
        sightings = [
            add_sighting(s, tmp_path, f"cam1:3:{i}", "AB12CDE", night(2 + i), with_files=False)
            for i in range(2)
        ]
        flag = add_flag(s, "AB12CDE", sightings)
        flag.status = m.FlagStatus.CONFIRMED
        add_letter(s, "AB12CDE", m.LetterStatus.CANCELLED)
        old = add_letter(s, "AB12CDE", m.LetterStatus.SENT)
        old.created_at = datetime(2020, 1, 1, tzinfo=UTC)
        s.flush()
        outcome = svc.draft_for_confirmed_flag(
            s, flag, site.letters, ZoneInfo("Europe/London"), NoKeeperLookup(), actor
        )
        assert outcome.letter is not None and outcome.letter.keeper_address is None


def test_template_renders_every_placeholder() -> None:
    tpl = load_template("v1")
    content = LetterContent(
        reference="PW-L000001",
        plate="AB12CDE",
        keeper_name="Jo Bloggs",
        keeper_address="2 Mill Lane",
        area="Test Street",
        occasions=[night(2)],
        letter_date=night(0).date(),
    )
    data = render_pdf(tpl, content)
    assert data.startswith(b"%PDF") and "Test Street" in pdf_text(data)
    assert b"/Count 1" in data, "a typical letter fits on one page"
    with pytest.raises(Exception, match="no letter template"):
        load_template("v9")


def test_foreign_plate_never_gets_a_keeper_letter(world: World) -> None:
    """A French plate read by a British camera: confirmed flag, policy met, but no keeper look-up."""
    with world.sessions() as s:
        rows = [add_sighting(s, world.evidence_dir, f"cam1:7:{i}", "EJ728LY", night(3 + i)) for i in range(3)]
        for row in rows:
            row.plate_format = "sk+fr+it"
        flag = add_flag(s, "EJ728LY", rows, dedupe="foreign")
        s.commit()
        flag_id = flag.id
    result = confirm(world, flag_id)
    assert result["letter"] is None and "foreign plate" in str(result["letter_note"])
    with world.sessions() as s:
        assert s.scalar(sa.select(sa.func.count(m.Letter.id)).where(m.Letter.plate_text == "EJ728LY")) == 0
