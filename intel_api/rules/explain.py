"""Plain-English explanations stored on each flag: the facts an officer checks, then the rule applied.

Times are local site time (what an officer on the street would say), each text says which facts came
from camera reads and ends with the rule and a reminder that it is an assessment (DPA 2018 s.38(2)).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from intel_api.rules.exclusions import ExclusionView
from intel_api.rules.facts import SightingFacts
from intel_api.rules.hotlist import HotlistMatch
from intel_api.rules.motion import SlowVerdict
from intel_api.rules.repeat import Pass
from platewatch.config import CirclingRule, FrequentRule, SlowRule

ASSESSMENT_NOTE = (
    "This is an automated assessment of camera reads for officer review, not evidence of an offence: "
    "check the plate and overview images of every sighting before any action."
)


def day_text(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def clock(ts: datetime, tz: ZoneInfo) -> str:
    return ts.astimezone(tz).strftime("%H:%M")


def when(ts: datetime, tz: ZoneInfo) -> str:
    local = ts.astimezone(tz)
    return f"{local.strftime('%H:%M')} on {day_text(local.date())}"


def _cameras(sightings: Sequence[SightingFacts]) -> str:
    cams = list(dict.fromkeys(s.camera_id for s in sightings))
    return ("camera " if len(cams) == 1 else "cameras ") + ", ".join(cams)


def _speeds(sightings: Sequence[SightingFacts]) -> str:
    known = [s.speed_kmh for s in sightings if s.speed_kmh is not None]
    if not known:
        return "speed not measured (camera not calibrated)"
    lo, hi = min(known), max(known)
    return f"speed {lo:.0f} km/h" if round(lo) == round(hi) else f"speeds {lo:.0f}–{hi:.0f} km/h"


def _period(sightings: Sequence[SightingFacts], tz: ZoneInfo) -> str:
    start = min(s.first_seen for s in sightings)
    end = max(s.last_seen for s in sightings)
    d0, d1 = start.astimezone(tz).date(), end.astimezone(tz).date()
    if d0 == d1:
        return f"between {clock(start, tz)} and {clock(end, tz)} on {day_text(d0)}"
    return f"between {when(start, tz)} and {when(end, tz)}"


def explain_slow(f: SightingFacts, v: SlowVerdict, rule: SlowRule, tz: ZoneInfo) -> str:
    where = (
        f"in watch zone {', '.join(v.zones)}" if v.zones else "in view (the camera watches its whole view)"
    )
    speed = "speed not measured (camera not calibrated)"
    if f.speed_kmh is not None:
        speed = f"median speed {f.speed_kmh:.0f} km/h, slowest {_fmt_speed(f.min_speed_kmh)}"
    stops = f", stationary for {f.stopped_seconds:.0f} s in all" if f.stopped_seconds > 0 else ""
    return (
        f"Plate {f.plate} read at camera {f.camera_id} at {when(f.first_seen, tz)}: in view for "
        f"{f.dwell_seconds:.0f} s, {speed}{stops}; slow or stopped for {v.slow_seconds:.0f} s {where}. "
        f"Rule: below {rule.max_speed_kmh:g} km/h, or stopping, for at least {rule.min_duration_s:g} s in a "
        f"watched area; stationary {rule.parked_after_s:g} s or longer counts as parked and is not flagged. "
        + ASSESSMENT_NOTE
    )


def explain_circling(plate: str, passes: Sequence[Pass], rule: CirclingRule, tz: ZoneInfo) -> str:
    sightings = [s for p in passes for s in p.sightings]
    times = ", ".join(clock(p.start, tz) for p in passes)
    return (
        f"Plate {plate} seen on {len(passes)} separate passes {_period(sightings, tz)} at "
        f"{_cameras(sightings)} (passes at {times}); {_speeds(sightings)}. "
        f"Rule: {rule.passes} or more passes within {rule.window_minutes:g} minutes; sightings less than a "
        "minute apart count as one pass. " + ASSESSMENT_NOTE
    )


def explain_frequent(
    plate: str, nights: dict[date, list[SightingFacts]], rule: FrequentRule, tz_name: str, tz: ZoneInfo
) -> str:
    ordered = sorted(nights)
    sightings = [s for n in ordered for s in nights[n]]
    per_night = "; ".join(
        f"night of {day_text(n)}: {', '.join(clock(s.first_seen, tz) for s in nights[n])}" for n in ordered
    )
    return (
        f"Plate {plate} seen at night on {len(ordered)} different nights between {day_text(ordered[0])} and "
        f"{day_text(ordered[-1])}, {len(sightings)} sightings at {_cameras(sightings)} ({per_night}). "
        f"Rule: {rule.nights} or more nights within {rule.days} days; a night runs {rule.night_start}–"
        f"{rule.night_end} {tz_name} time and is named by its evening. " + ASSESSMENT_NOTE
    )


def explain_hotlist(f: SightingFacts, m: HotlistMatch, tz: ZoneInfo, excluded: ExclusionView | None) -> str:
    if m.matched_by == "exact":
        how = "exactly"
    else:
        diffs = ", ".join(f"position {i} read {a} where the entry has {b}" for i, a, b in m.differences)
        how = f"with {len(m.differences)} OCR-confusable difference(s) ({diffs}); it may be a misread"
    clash = (
        f" The plate is also on the exclusion list ({excluded.category}: {excluded.reason}); the two lists "
        "disagree and need checking."
        if excluded
        else ""
    )
    return (
        f"Plate {f.plate} read at camera {f.camera_id} at {when(f.first_seen, tz)} matches hotlist entry "
        f"#{m.entry.id} ({m.entry.plate_text}) {how}. Entry reason: {m.entry.reason} (owner {m.entry.owner}, "
        f"expires {day_text(m.entry.expires_at.astimezone(tz).date())}).{clash} " + ASSESSMENT_NOTE
    )


def _fmt_speed(v: float | None) -> str:
    return "not measured" if v is None else f"{v:.0f} km/h"
