"""ORM rows -> response models, in one place so every route exposes personal data the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from intel_api.auth import Principal
from intel_api.context import AppContext
from intel_api.db.models import Letter, Role, Sighting
from intel_api.schemas.letters import LetterOut
from intel_api.schemas.sightings import EvidenceLinks, SightingOut, VisitsOut
from intel_api.services.sightings import Pass, summarise


def sighting_out(s: Sighting, flagged: bool) -> SightingOut:
    out = SightingOut.model_validate(s)
    out.flagged = flagged
    out.evidence = EvidenceLinks(
        plate=f"/sightings/{s.id}/evidence/plate" if s.plate_image_path else None,
        vehicle=f"/sightings/{s.id}/evidence/vehicle" if s.vehicle_image_path else None,
    )
    return out


class VisitRow(Pass, Protocol):
    """A row of VISIT_COLUMNS and `flagged`: from SQLAlchemy (`history_rows`) or the lean path."""

    def _asdict(self) -> dict[str, Any]: ...


def visit_fields(row: VisitRow) -> dict[str, Any]:
    """A `SightingOut` as plain values, from a row of `services.sightings.history_rows`."""
    fields = row._asdict()
    sid = fields["id"]
    fields["evidence"] = {
        "plate": f"/sightings/{sid}/evidence/plate" if fields.pop("plate_image_path") else None,
        "vehicle": f"/sightings/{sid}/evidence/vehicle" if fields.pop("vehicle_image_path") else None,
    }
    return fields


def visits_audit_details(since: datetime | None, passes: int) -> dict[str, Any]:
    """The details of a visit history's audit row (the lean path builds the same in SQL)."""
    return {"since": since.isoformat() if since else None, "passes": passes}


def visits_json(
    ctx: AppContext,
    plate: str,
    since: datetime | None,
    until: datetime | None,
    found: Sequence[VisitRow],
    limit: int,
) -> bytes:
    """The body of `GET /vehicles/{plate}/visits`, from every pass in the range, oldest first.

    Validated once, here, from plain values, and serialised as FastAPI would (response_model, by
    alias): returning the model made FastAPI validate it again, in another thread-pool hop. Both
    the route and its lean path (`intel_api.visits_lean`) answer with these bytes.
    """
    summary = summarise(found, ctx.tz, ctx.site.rules.frequent.night_end_time)
    out = VisitsOut.model_validate(
        {
            "plate": plate,
            "since": since,
            "until": until,
            "summary": {
                "passes": summary.passes,
                "first_seen": summary.first_seen,
                "last_seen": summary.last_seen,
                "timezone": ctx.site.site.timezone,
                "nights": [{"night": n, "passes": c} for n, c in summary.nights],
                "hour_histogram": summary.hour_histogram,
                "cameras": summary.cameras,
                "speed": {
                    "min_kmh": summary.speed_min,
                    "median_kmh": summary.speed_median,
                    "max_kmh": summary.speed_max,
                },
            },
            "visits": [visit_fields(row) for row in reversed(found[-limit:])],
        }
    )
    return out.model_dump_json(by_alias=True).encode()


def may_see_keeper(principal: Principal) -> bool:
    return principal.kind == "api_key" or principal.has_role(Role.SUPERVISOR)


def letter_out(letter: Letter, principal: Principal) -> LetterOut:
    out = LetterOut.model_validate(letter)
    out.pdf_available = letter.pdf_path is not None
    if not may_see_keeper(principal):
        out.keeper_name = out.keeper_address = None
    return out
