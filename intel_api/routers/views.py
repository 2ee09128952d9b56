"""ORM rows -> response models, in one place so every route exposes personal data the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from intel_api.auth import Principal
from intel_api.db.models import Letter, Role, Sighting
from intel_api.schemas.letters import LetterOut
from intel_api.schemas.sightings import EvidenceLinks, SightingOut


def sighting_out(s: Sighting, flagged: bool) -> SightingOut:
    out = SightingOut.model_validate(s)
    out.flagged = flagged
    out.evidence = EvidenceLinks(
        plate=f"/sightings/{s.id}/evidence/plate" if s.plate_image_path else None,
        vehicle=f"/sightings/{s.id}/evidence/vehicle" if s.vehicle_image_path else None,
    )
    return out


def visit_fields(row: Row[Any]) -> dict[str, Any]:
    """A `SightingOut` as plain values, from a row of `services.sightings.history_rows`."""
    fields = row._asdict()
    sid = fields["id"]
    fields["evidence"] = {
        "plate": f"/sightings/{sid}/evidence/plate" if fields.pop("plate_image_path") else None,
        "vehicle": f"/sightings/{sid}/evidence/vehicle" if fields.pop("vehicle_image_path") else None,
    }
    return fields


def may_see_keeper(principal: Principal) -> bool:
    return principal.kind == "api_key" or principal.has_role(Role.SUPERVISOR)


def letter_out(letter: Letter, principal: Principal) -> LetterOut:
    out = LetterOut.model_validate(letter)
    out.pdf_available = letter.pdf_path is not None
    if not may_see_keeper(principal):
        out.keeper_name = out.keeper_address = None
    return out
