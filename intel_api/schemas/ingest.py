"""What a remote camera worker posts: batches of `detect.contract.SightingV1` (every record field)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from detect.contract import ContractModel, PlateReadV1, SightingV1, ZoneDwellV1

# The most sightings one ingest request may carry (a worker sends batches of 25 by default).
MAX_BATCH = 500


# The one sighting schema (strict, versioned) lives with the records; the API accepts exactly it.
IngestModel = ContractModel
PlateReadIn = PlateReadV1
ZoneDwellIn = ZoneDwellV1
SightingIn = SightingV1


class IngestIn(IngestModel):
    sightings: list[SightingIn] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"At most {MAX_BATCH} sightings per request, within the body size limit",
    )


class IngestOut(BaseModel):
    inserted: int
    duplicates: int
    ids: list[int]
    rules_applied: bool
    flags_created: int | None = None
