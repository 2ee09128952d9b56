from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from intel_api.schemas.common import ApiModel, Page


class EvidenceLinks(BaseModel):
    plate: str | None = None
    vehicle: str | None = None


class SightingOut(ApiModel):
    id: int
    track_key: str
    camera_id: str
    first_seen: datetime
    last_seen: datetime
    vehicle_class: str
    plate_text: str | None
    plate_raw: str | None
    plate_confidence: float | None
    plate_format: str | None
    plate_valid: bool
    plate_country: str | None = None  # "GB", a foreign ISO code, or None when not known
    plate_foreign: bool = False  # read as another country's plate: no British keeper look-up
    plate_corrected_by: str | None
    speed_kmh: float | None
    min_speed_kmh: float | None
    direction: str | None
    stopped: bool
    stopped_seconds: float
    dwell_seconds: float
    frames_seen: int
    colour: str | None = None
    colour_confidence: float | None = None
    flagged: bool = False
    evidence: EvidenceLinks = EvidenceLinks()


class SightingPage(Page[SightingOut]):
    """A search page. `total` counts at most 1,000 matches: `total_capped` true means "at least".

    Follow `next_cursor` (null on the last page) for the next page: keyset paging, stable while new
    sightings arrive and as fast on the hundredth page as on the first. `page` still works for
    the first few pages (offset paging) and is ignored when a cursor is given.
    """

    total_capped: bool = False
    next_cursor: str | None = None


class NightCount(BaseModel):
    night: date  # the local evening the passes belong to
    passes: int


class SpeedSummary(BaseModel):
    min_kmh: float | None
    median_kmh: float | None
    max_kmh: float | None


class VisitSummaryOut(BaseModel):
    passes: int
    first_seen: datetime | None
    last_seen: datetime | None
    timezone: str
    nights: list[NightCount]
    hour_histogram: list[int]  # passes per local hour 0..23
    cameras: dict[str, int]
    speed: SpeedSummary


class VisitsOut(BaseModel):
    plate: str
    since: datetime | None
    until: datetime | None
    summary: VisitSummaryOut
    visits: list[SightingOut]  # newest first, at most `limit`
