"""The PDF a supervisor is asked to approve, rendered on the fly from the same template and content
that approval will use; nothing is stored until the letter is approved."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from intel_api.db.models import Letter
from intel_api.services.letter_pdf import LetterContent, load_template, render_pdf
from intel_api.services.letters import qualifying_sightings


def preview_pdf(session: Session, letter: Letter, area: str, tz: ZoneInfo) -> bytes | None:
    """None while the keeper is unknown (approval would refuse the letter too)."""
    if letter.keeper_name is None or letter.keeper_address is None:
        return None
    sightings = qualifying_sightings(session, letter.plate_text, letter.policy_window_start)
    content = LetterContent(
        reference=f"PW-L{letter.id:06d}",
        plate=letter.plate_text,
        keeper_name=letter.keeper_name,
        keeper_address=letter.keeper_address,
        area=area,
        occasions=[s.first_seen.astimezone(tz) for s in sightings],
        letter_date=datetime.now(UTC).astimezone(tz).date(),
    )
    return render_pdf(load_template(letter.template_version), content)
