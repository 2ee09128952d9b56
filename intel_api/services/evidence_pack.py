"""The stage-3 evidence pack (issue 12): one PDF a supervisor hands to the CPN / prosecution decision.

It holds the timeline of confirmed sightings (time, camera, speed, stops, plate close-up and wide
shot), the flags and reviews with who decided what and why, the letters sent, the ladder steps and the
keeper-record check. It is built when a supervisor approves the referral step, and its sha256 audited.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fpdf import FPDF
from sqlalchemy.orm import Session

from intel_api.auth import Principal
from intel_api.db.models import Flag, LadderStep, Letter, Review, Sighting, User, flag_sighting
from intel_api.services import audit
from intel_api.services.evidence import resolve_evidence
from intel_api.services.letter_pdf import write_pdf
from platewatch.config import SiteConfig


def _t(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)


def _line(pdf: FPDF, text: str) -> None:
    """One entry of a section, wrapped to the page width."""
    pdf.multi_cell(0, 4, _t(text), new_x="LMARGIN", new_y="NEXT")


def _image(pdf: FPDF, path: Path | None, w: float, h: float) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    try:
        if path is None:
            raise FileNotFoundError
        pdf.image(str(path), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
    except Exception:  # noqa: BLE001 - a missing or unreadable image is said so in the pack, not fatal
        pdf.rect(x, y, w, h)
        pdf.set_xy(x + 2, y + h / 2 - 2)
        pdf.cell(w - 4, 4, "image not available", align="C")
    pdf.set_xy(x + w + 3, y)


def build(
    session: Session,
    step: LadderStep,
    site: SiteConfig,
    tz: ZoneInfo,
    out_dir: Path,
    actor: Principal,
    now: datetime,
) -> Path:
    plate = step.case.plate_text
    flags = list(session.scalars(sa.select(Flag).where(Flag.plate_text == plate).order_by(Flag.id)))
    flag_ids = [f.id for f in flags]
    sighting_ids = sa.select(flag_sighting.c.sighting_id).where(flag_sighting.c.flag_id.in_(flag_ids))
    sightings = list(
        session.scalars(
            sa.select(Sighting).where(Sighting.id.in_(sighting_ids)).order_by(Sighting.first_seen)
        )
    )
    letters = list(session.scalars(sa.select(Letter).where(Letter.plate_text == plate).order_by(Letter.id)))
    users = {u.id: u.username for u in session.scalars(sa.select(User))}
    evidence_dir = site.storage.evidence_path()

    pdf = FPDF(format="A4")
    ref = f"PW-R{step.id:06d}"
    pdf.set_title(f"Referral file {ref}")
    pdf.set_creator("PlateWatch evidence pack")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _t(f"Referral file {ref}: vehicle {plate}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0,
        4.5,
        _t(
            f"{site.site.name}. Prepared {now.astimezone(tz):%d %B %Y %H:%M} by {actor.name} for a Community "
            "Protection Notice or prosecution decision. Camera reads are assessments; every sighting "
            "below was "
            "confirmed by an officer against its images. Times are local."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    _section(pdf, "1. Timeline of confirmed sightings")
    for s in sightings:
        if pdf.get_y() > 250:
            pdf.add_page()
        speed = f"{s.speed_kmh:.0f} km/h" if s.speed_kmh is not None else "speed n/a"
        line = (
            f"{s.first_seen.astimezone(tz):%a %d %b %Y %H:%M:%S}  camera {s.camera_id}  {speed}  "
            f"stopped {s.stopped_seconds:.0f} s  dwell {s.dwell_seconds:.0f} s  read {s.plate_text} "
            f"({(s.plate_confidence or 0):.2f})  type {s.vehicle_class}  colour {s.colour or 'n/a'}  "
            f"[sighting {s.id}]"
        )
        _line(pdf, line)
        plate_img = resolve_evidence(evidence_dir, s.plate_image_path) if s.plate_image_path else None
        wide_img = resolve_evidence(evidence_dir, s.vehicle_image_path) if s.vehicle_image_path else None
        _image(pdf, plate_img, 45, 15)
        _image(pdf, wide_img, 60, 34)
        pdf.set_xy(pdf.l_margin, pdf.get_y() + 36)
    _section(pdf, "2. Flags and reviews (who decided what, and why)")
    for f in flags:
        _line(pdf, f"Flag {f.id} ({f.kind.value}, {f.status.value}): {f.explanation}")
        for r in session.scalars(sa.select(Review).where(Review.flag_id == f.id).order_by(Review.id)):
            _line(
                pdf,
                f"    {r.created_at.astimezone(tz):%d %b %Y %H:%M} {users.get(r.user_id, '?')} "
                f"{r.action.value}: {r.reason}",
            )
    _section(pdf, "3. Letters")
    for letter in letters:
        sent = f"sent {letter.sent_at.astimezone(tz):%d %b %Y}" if letter.sent_at else "not sent"
        by = users.get(letter.approved_by, "-") if letter.approved_by else "-"
        _line(
            pdf,
            f"PW-L{letter.id:06d} stage {letter.stage or 1} template {letter.template_version}: "
            f"{letter.status.value}, {sent}; approved by {by}: {letter.approval_rationale or '-'}",
        )
    _section(pdf, "4. Escalation steps")
    for st in step.case.steps:
        _line(
            pdf,
            f"Stage {st.stage} ({st.stage_key}) step {st.id}: drafted because {st.drafted_reason}; "
            f"evidence confirmed by {st.reviewed_by or '-'}; decided by {st.decided_by or '-'}: "
            f"{st.decision_reason or 'pending'}",
        )
    _section(pdf, "5. Keeper-record check")
    for letter in letters:
        check = letter.keeper_check or {"status": "not run"}
        summary = {k: check.get(k) for k in ("status", "reasons", "keeper_record", "seen") if k in check}
        _line(pdf, f"PW-L{letter.id:06d}: {json.dumps(summary, default=str)}")
    data = bytes(pdf.output())
    path, digest = write_pdf(data, out_dir, f"referral-{step.id:06d}.pdf")
    audit.record(
        session,
        actor,
        "ladder.evidence_pack",
        "ladder_step",
        step.id,
        details={"pdf_sha256": digest, "sighting_ids": [s.id for s in sightings]},
    )
    return path
