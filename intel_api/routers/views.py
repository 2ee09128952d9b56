"""ORM rows -> response models, in one place so every route exposes personal data the same way."""

from __future__ import annotations

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


def may_see_keeper(principal: Principal) -> bool:
    return principal.kind == "api_key" or principal.has_role(Role.SUPERVISOR)


def letter_out(letter: Letter, principal: Principal) -> LetterOut:
    out = LetterOut.model_validate(letter)
    out.pdf_available = letter.pdf_path is not None
    if not may_see_keeper(principal):
        out.keeper_name = out.keeper_address = None
    return out
