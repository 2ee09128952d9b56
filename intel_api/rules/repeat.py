"""Repeat vehicles: circling (several passes within minutes) and frequent visits (several nights within days).

A *pass* is one trip past the cameras: sightings of the same plate that start within `PASS_MERGE_GAP_S` of
the previous one's end are merged, so two cameras seeing the same trip, or a track that broke and
restarted, never count as two passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from intel_api.rules.facts import SightingFacts

PASS_MERGE_GAP_S = 60.0


@dataclass(frozen=True, slots=True)
class Pass:
    sightings: tuple[SightingFacts, ...]

    @property
    def start(self) -> datetime:
        return self.sightings[0].first_seen

    @property
    def end(self) -> datetime:
        return max(s.last_seen for s in self.sightings)

    @property
    def cameras(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.camera_id for s in self.sightings))


def group_passes(sightings: Iterable[SightingFacts], gap_s: float = PASS_MERGE_GAP_S) -> list[Pass]:
    """Merge time-adjacent sightings (any camera) into passes, in time order."""
    ordered = sorted(sightings, key=lambda s: (s.first_seen, s.track_key))
    passes: list[list[SightingFacts]] = []
    end: datetime | None = None
    for s in ordered:
        if end is not None and passes and (s.first_seen - end).total_seconds() <= gap_s:
            passes[-1].append(s)
            end = max(end, s.last_seen)
        else:
            passes.append([s])
            end = s.last_seen
    return [Pass(tuple(p)) for p in passes]


def circling_passes(
    passes: Sequence[Pass], at: Pass, passes_needed: int, window: timedelta
) -> list[Pass] | None:
    """The passes starting within `window` up to and including `at`, if there are at least `passes_needed`.

    Only passes up to `at` are looked at, so a batch run over a whole night and an incremental run that
    sees the passes one by one qualify at the same pass with the same evidence.
    """
    inside = [p for p in passes if at.start - window <= p.start <= at.start]
    return inside if len(inside) >= passes_needed else None


def frequent_nights(
    nights: Iterable[date], at: date, nights_needed: int, days: int, not_before: date | None = None
) -> list[date] | None:
    """Distinct nights in the `days`-day span ending on night `at`, if there are at least `nights_needed`.

    `not_before` excludes nights already claimed by an earlier frequent flag's window, so consecutive
    windows never share evidence and each window raises at most one flag.
    """
    lo = at - timedelta(days=days - 1)
    if not_before is not None:
        lo = max(lo, not_before)
    inside = sorted({n for n in nights if lo <= n <= at})
    return inside if len(inside) >= nights_needed else None
