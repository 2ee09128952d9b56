"""Sighting search and a vehicle's visit history, in local (UK) time."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.db.models import Sighting, flag_sighting
from intel_api.services.letters import local_night


def plate_like(pattern: str) -> str:
    """`*` matches any run and `?` one character; plates hold only A-Z0-9 so nothing else needs escaping."""
    return "".join(pattern.split()).upper().replace("*", "%").replace("?", "_")


@dataclass(frozen=True, slots=True)
class SightingQuery:
    plate: str | None = None
    camera_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    flagged: bool | None = None


def _linked() -> sa.Exists:
    """Whether a sighting is linked to any flag (an index-only probe of flag_sighting)."""
    return sa.exists().where(flag_sighting.c.sighting_id == Sighting.id)


def _where(q: SightingQuery) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    if q.plate:
        pattern = plate_like(q.plate)
        conds.append(
            Sighting.plate_text.like(pattern)
            if "%" in pattern or "_" in pattern
            else Sighting.plate_text == pattern
        )
    if q.camera_id:
        conds.append(Sighting.camera_id == q.camera_id)
    if q.since:
        conds.append(Sighting.first_seen >= q.since)
    if q.until:
        conds.append(Sighting.first_seen < q.until)
    if q.flagged is not None:
        conds.append(_linked() if q.flagged else ~_linked())
    return conds


# A search counts at most this many matches: a 7-day window at a busy site holds hundreds of
# thousands, and counting them all on every page costs more than fetching the page.
TOTAL_CAP = 1_000


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where a page ends in the newest-first order: the (first_seen, id) of its last row."""

    first_seen: datetime
    id: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    rows: Sequence[sa.Row[Any]]  # VISIT_COLUMNS and `flagged`, as `history_rows` gives them
    total: int  # exact when `total_capped` is False, else "at least TOTAL_CAP"
    total_capped: bool
    next_key: Keyset | None  # None on the last page


def count_stmt(q: SightingQuery, cap: int = TOTAL_CAP) -> sa.Select[int]:
    """Counts matches up to `cap` + 1, so the cost is bounded however wide the window is."""
    capped = sa.select(sa.literal(1)).select_from(Sighting).where(*_where(q)).limit(cap + 1).subquery()
    return sa.select(sa.func.count()).select_from(capped)


def page_stmt(q: SightingQuery, after: Keyset | None, offset: int, limit: int) -> sa.Select[Any]:
    conds = _where(q)
    if after is not None:
        # Row-value order written out: ties on first_seen are broken by id, so none is skipped or
        # repeated. The plain `<=` is implied by the OR; it is there so the index scan starts at the
        # cursor rather than filtering every newer row (page 100 as cheap as page 1).
        conds.append(Sighting.first_seen <= after.first_seen)
        conds.append(
            sa.or_(
                Sighting.first_seen < after.first_seen,
                sa.and_(Sighting.first_seen == after.first_seen, Sighting.id < after.id),
            )
        )
    # The columns a page shows and whether each row is flagged, in one round trip; rows, not ORM
    # objects (a page of 50 ORM sightings, JSON blobs and all, cost more CPU than the query).
    page = (
        sa.select(*VISIT_COLUMNS)
        .where(*conds)
        .order_by(Sighting.first_seen.desc(), Sighting.id.desc())
        .offset(0 if after is not None else offset)
        .limit(limit + 1)
        .subquery("page")
    )
    # The flag test on the page's rows only: written in the same SELECT as the window, PostgreSQL
    # planned it for every row of the window (a hashed scan of all of flag_sighting, ≈ 40 ms a
    # page at 10 M sightings, docs/benchmarks.md) instead of one index probe per row shown.
    flagged = sa.exists().where(flag_sighting.c.sighting_id == page.c.id)
    return sa.select(page, flagged.label("flagged")).order_by(page.c.first_seen.desc(), page.c.id.desc())


def search(
    session: Session, q: SightingQuery, offset: int, limit: int, after: Keyset | None = None
) -> SearchPage:
    """One page, newest first: after `after` (keyset) when given, else at `offset` (page numbers)."""
    total = session.scalar(count_stmt(q, TOTAL_CAP)) or 0
    rows = session.connection().execute(page_stmt(q, after, offset, limit)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_key = Keyset(rows[-1].first_seen, rows[-1].id) if more and rows else None
    return SearchPage(rows, min(total, TOTAL_CAP), total > TOTAL_CAP, next_key)


def flagged_ids(session: Session, sighting_ids: list[int]) -> set[int]:
    if not sighting_ids:
        return set()
    return set(session.scalars(flagged_ids_stmt(sighting_ids)))


def flagged_ids_stmt(sighting_ids: list[int]) -> sa.Select[int]:
    return sa.select(flag_sighting.c.sighting_id).where(flag_sighting.c.sighting_id.in_(sighting_ids))


@dataclass(slots=True)
class VisitSummary:
    passes: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    nights: list[tuple[date, int]] = field(default_factory=list)
    hour_histogram: list[int] = field(default_factory=lambda: [0] * 24)
    cameras: dict[str, int] = field(default_factory=dict)
    speed_min: float | None = None
    speed_median: float | None = None
    speed_max: float | None = None


class Pass(Protocol):
    """What a summary reads of a pass: an ORM Sighting or a row of `history_rows`."""

    @property
    def first_seen(self) -> datetime: ...
    @property
    def last_seen(self) -> datetime: ...
    @property
    def camera_id(self) -> str: ...
    @property
    def speed_kmh(self) -> float | None: ...


def summarise(sightings: Sequence[Pass], tz: ZoneInfo, turns_at: time) -> VisitSummary:
    out = VisitSummary(passes=len(sightings))
    if not sightings:
        return out
    out.first_seen = min(s.first_seen for s in sightings)
    out.last_seen = max(s.last_seen for s in sightings)
    nights = Counter(local_night(s.first_seen, tz, turns_at) for s in sightings)
    out.nights = sorted(nights.items())
    for s in sightings:
        out.hour_histogram[s.first_seen.astimezone(tz).hour] += 1
    out.cameras = dict(Counter(s.camera_id for s in sightings))
    speeds = [s.speed_kmh for s in sightings if s.speed_kmh is not None]
    if speeds:
        out.speed_min, out.speed_median, out.speed_max = min(speeds), statistics.median(speeds), max(speeds)
    return out


def for_plate(session: Session, plate: str, since: datetime | None, until: datetime | None) -> list[Sighting]:
    """Every pass of one plate in the range, oldest first (the summary needs all of them)."""
    q = SightingQuery(plate="".join(plate.split()).upper(), since=since, until=until)
    stmt = sa.select(Sighting).where(*_where(q)).order_by(Sighting.first_seen, Sighting.id)
    return list(session.scalars(stmt))


# The columns of a pass in a visit history: what `SightingOut` shows and its evidence links need
# (tests/test_api_search.py checks they cover it), without the JSON blobs nothing there reads.
_S = Sighting.__table__.c
VISIT_COLUMNS: tuple[sa.ColumnElement[Any], ...] = (
    _S.id, _S.track_key, _S.camera_id, _S.first_seen, _S.last_seen, _S.vehicle_class,
    _S.plate_text, _S.plate_raw, _S.plate_confidence, _S.plate_format, _S.plate_valid,
    _S.plate_country, _S.plate_foreign, _S.plate_corrected_by, _S.speed_kmh, _S.min_speed_kmh,
    _S.direction, _S.stopped, _S.stopped_seconds, _S.dwell_seconds, _S.frames_seen, _S.colour,
    _S.colour_confidence, _S.plate_image_path, _S.vehicle_image_path,
)  # fmt: skip


@lru_cache(maxsize=4)
def _history_select(bounded_below: bool, bounded_above: bool) -> sa.Select[Any]:
    """The visit-history query with bound parameters, built once per kind of range.

    A visit history is a few rows found by an index in well under a millisecond; building the
    statement and ORM objects for them each time cost more CPU than that.
    """
    conds = [_S.plate_text == sa.bindparam("plate", type_=_S.plate_text.type)]
    if bounded_below:
        conds.append(_S.first_seen >= sa.bindparam("since", type_=_S.first_seen.type))
    if bounded_above:
        conds.append(_S.first_seen < sa.bindparam("until", type_=_S.first_seen.type))
    return sa.select(*VISIT_COLUMNS, _linked().label("flagged")).where(*conds).order_by(_S.first_seen, _S.id)


def history_stmt(plate: str, since: datetime | None, until: datetime | None) -> sa.Select[Any]:
    """The query of `history_rows` with its values bound (for EXPLAIN)."""
    params = {"plate": "".join(plate.split()).upper(), "since": since, "until": until}
    stmt = _history_select(since is not None, until is not None)
    return stmt.params({k: v for k, v in params.items() if v is not None})


def history_rows(
    session: Session, plate: str, since: datetime | None, until: datetime | None
) -> Sequence[sa.Row[Any]]:
    """Every pass of one plate (exactly as given: no wildcards) in the range, oldest first, with
    `flagged` (linked to a flag), in one round trip: rows of VISIT_COLUMNS, no ORM objects."""
    params: dict[str, Any] = {"plate": plate}
    if since is not None:
        params["since"] = since
    if until is not None:
        params["until"] = until
    stmt = _history_select(since is not None, until is not None)
    return session.connection().execute(stmt, params).all()
