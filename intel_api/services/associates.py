"""Associated vehicles (issue 12): leads for an officer, never flags.

Two patterns, each explained by the sightings behind it:
- *seen together*: another vehicle passes the same camera within `window_s` seconds of this one, on
  at least `min_nights` different nights;
- *brief night stops*: vehicles that repeatedly stop briefly (drop-off / pick-up) at a camera where
  this vehicle also stops briefly at night, on at least `min_nights` nights each.
Nothing here creates a flag or touches the ladder: the team's aim is to find who controls the women,
and an association is a reason for an officer to look, not evidence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intel_api.db.models import Sighting
from intel_api.rules.nights import night_of


@dataclass(frozen=True, slots=True)
class Evidence:
    night: date
    camera_id: str
    this_sighting: int
    other_sighting: int
    this_time: datetime
    other_time: datetime
    gap_s: float


@dataclass(slots=True)
class Association:
    plate: str
    pattern: str  # seen_together | brief_stops
    nights: set[date] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)

    def explanation(self, window_s: int) -> str:
        cams = sorted({e.camera_id for e in self.evidence})
        nights = ", ".join(str(n) for n in sorted(self.nights))
        if self.pattern == "seen_together":
            return (
                f"{self.plate} passed camera(s) {', '.join(cams)} within {window_s} s of this vehicle on "
                f"{len(self.nights)} different nights ({', '.join(str(n) for n in sorted(self.nights))}). "
                "A lead for an officer to look at, not evidence of anything."
            )
        return (
            f"{self.plate} stopped briefly at night at camera(s) {', '.join(cams)}, where this vehicle also "
            f"stops briefly, on {len(self.nights)} nights ({nights}). "
            "A possible drop-off or pick-up pattern; a lead, not evidence."
        )


@dataclass(frozen=True, slots=True)
class Params:
    window_s: int
    min_nights: int
    days: int
    brief_stop_min_s: float
    brief_stop_max_s: float
    night_start: time
    night_end: time


def _night(s: Sighting, tz: ZoneInfo, p: Params) -> date | None:
    return night_of(s.first_seen, tz, p.night_start, p.night_end)


def _brief(s: Sighting, p: Params) -> bool:
    return p.brief_stop_min_s <= (s.stopped_seconds or 0.0) <= p.brief_stop_max_s


def find(session: Session, plate: str, tz: ZoneInfo, p: Params, now: datetime) -> list[Association]:
    since = now - timedelta(days=p.days)
    mine = list(
        session.scalars(
            sa.select(Sighting)
            .where(Sighting.plate_text == plate, Sighting.first_seen >= since)
            .order_by(Sighting.first_seen)
        )
    )
    found: dict[tuple[str, str], Association] = {}
    window = timedelta(seconds=p.window_s)
    for s in mine:
        n = _night(s, tz, p)
        if n is None:
            continue
        near = session.scalars(
            sa.select(Sighting).where(
                Sighting.camera_id == s.camera_id,
                Sighting.first_seen >= s.first_seen - window,
                Sighting.first_seen <= s.first_seen + window,
                Sighting.plate_text.is_not(None),
                Sighting.plate_text != plate,
            )
        )
        for o in near:
            assert o.plate_text is not None
            a = found.setdefault((o.plate_text, "seen_together"), Association(o.plate_text, "seen_together"))
            a.nights.add(n)
            a.evidence.append(
                Evidence(
                    n,
                    s.camera_id,
                    s.id,
                    o.id,
                    s.first_seen,
                    o.first_seen,
                    abs((o.first_seen - s.first_seen).total_seconds()),
                )
            )
    my_stop_cams: dict[str, list[Sighting]] = defaultdict(list)
    for s in mine:
        if _brief(s, p) and _night(s, tz, p) is not None:
            my_stop_cams[s.camera_id].append(s)
    if my_stop_cams:
        others = session.scalars(
            sa.select(Sighting).where(
                Sighting.camera_id.in_(list(my_stop_cams)),
                Sighting.first_seen >= since,
                Sighting.plate_text.is_not(None),
                Sighting.plate_text != plate,
                Sighting.stopped_seconds >= p.brief_stop_min_s,
                Sighting.stopped_seconds <= p.brief_stop_max_s,
            )
        )
        for o in others:
            n = _night(o, tz, p)
            if n is None:
                continue
            assert o.plate_text is not None
            mine_there = my_stop_cams[o.camera_id]
            ref = min(mine_there, key=lambda x: abs((x.first_seen - o.first_seen).total_seconds()))
            a = found.setdefault((o.plate_text, "brief_stops"), Association(o.plate_text, "brief_stops"))
            a.nights.add(n)
            a.evidence.append(
                Evidence(
                    n,
                    o.camera_id,
                    ref.id,
                    o.id,
                    ref.first_seen,
                    o.first_seen,
                    abs((o.first_seen - ref.first_seen).total_seconds()),
                )
            )
    keep = [a for a in found.values() if len(a.nights) >= p.min_nights]
    return sorted(keep, key=lambda a: (-len(a.nights), a.pattern, a.plate))
