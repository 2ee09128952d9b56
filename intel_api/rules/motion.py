"""Moving, slow, stopped or parked: the motion call behind the slow-moving / kerb-crawling rule.

`detect.kinematics` measures a track (median/min speed, total stopped time, zone dwell); from those
figures `classify_motion` makes the call, and `slow_verdict` adds the watch-zone and duration conditions
that decide whether the pass is evidence of kerb-crawling.

Stop-and-go along the kerb is covered without counting stops: time spent stopped counts as slow time,
so repeated short stops add up towards `min_duration_s` even when the vehicle moves briskly in between.
A vehicle stationary for `parked_after_s` or longer is *parked*: residents arriving home are not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from intel_api.rules.facts import SightingFacts
from platewatch.config import SlowRule

MotionLabel = Literal["moving", "slow", "stopped", "parked"]
MOTION_LABELS: tuple[MotionLabel, ...] = ("moving", "slow", "stopped", "parked")

# Shorter standstills are tracker jitter or a vehicle braking, not a stop.
MIN_STOP_S = 1.0


@dataclass(frozen=True, slots=True)
class MotionSummary:
    dwell_seconds: float
    speed_kmh: float | None  # median; None when unknown (no calibration)
    min_speed_kmh: float | None
    stopped_seconds: float

    @classmethod
    def from_facts(cls, f: SightingFacts) -> MotionSummary:
        stopped_s = f.stopped_seconds
        if f.stopped and stopped_s <= 0.0:
            # The pipeline said "stopped" without a duration: count it as one minimal stop.
            stopped_s = MIN_STOP_S
        return cls(f.dwell_seconds, f.speed_kmh, f.min_speed_kmh, stopped_s)


@dataclass(frozen=True, slots=True)
class MotionCall:
    label: MotionLabel
    reason: str


def classify_motion(m: MotionSummary, rule: SlowRule, min_stop_s: float = MIN_STOP_S) -> MotionCall:
    """parked > stopped > slow > moving: the most telling state of the pass wins."""
    if m.stopped_seconds >= rule.parked_after_s:
        return MotionCall(
            "parked",
            f"stationary for {_dur(m.stopped_seconds)}, at least the {_dur(rule.parked_after_s)} "
            "after which a vehicle counts as parked",
        )
    if m.stopped_seconds >= min_stop_s:
        speed = "" if m.speed_kmh is None else f"; median speed {m.speed_kmh:.0f} km/h"
        return MotionCall("stopped", f"stopped for {_dur(m.stopped_seconds)} in all{speed}")
    if m.speed_kmh is None:
        return MotionCall("moving", "no calibrated speed for this camera and no stop seen")
    if m.speed_kmh < rule.max_speed_kmh:
        return MotionCall(
            "slow", f"median speed {m.speed_kmh:.0f} km/h, below the {rule.max_speed_kmh:g} km/h slow limit"
        )
    return MotionCall("moving", f"median speed {m.speed_kmh:.0f} km/h")


@dataclass(frozen=True, slots=True)
class SlowVerdict:
    flag: bool
    call: MotionCall
    watch_seconds: float  # time inside watch zones (the whole pass when the camera has none)
    slow_seconds: float  # time slow or stopped inside watch zones
    zones: tuple[str, ...]  # watch zones visited
    reason: str


def slow_verdict(f: SightingFacts, rule: SlowRule, watch_zones: frozenset[str]) -> SlowVerdict:
    """Is this pass evidence of kerb-crawling? `watch_zones` empty means the camera watches its whole view."""
    call = classify_motion(MotionSummary.from_facts(f), rule)
    if watch_zones:
        visits = [z for z in f.zone_dwell if z.zone in watch_zones and z.seconds > 0]
        zones = tuple(sorted({z.zone for z in visits}))
        watch_s = min(sum(z.seconds for z in visits), f.dwell_seconds)
    else:
        zones = ()
        watch_s = f.dwell_seconds
    if call.label in ("moving", "parked"):
        return SlowVerdict(False, call, watch_s, 0.0, zones, f"{call.label}: {call.reason}")
    if watch_zones and not zones:
        return SlowVerdict(False, call, 0.0, 0.0, zones, "never entered a watch zone")
    slow_whole_pass = f.speed_kmh is not None and f.speed_kmh < rule.max_speed_kmh
    stopped_s = MotionSummary.from_facts(f).stopped_seconds
    slow_s = watch_s if slow_whole_pass else min(stopped_s, watch_s)
    if slow_s < rule.min_duration_s:
        return SlowVerdict(
            False,
            call,
            watch_s,
            slow_s,
            zones,
            f"slow or stopped for {_dur(slow_s)} in the watched area, "
            f"under the {_dur(rule.min_duration_s)} needed",
        )
    return SlowVerdict(True, call, watch_s, slow_s, zones, call.reason)


def _dur(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
