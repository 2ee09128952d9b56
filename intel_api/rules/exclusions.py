"""Exclusions: vehicles with a documented reason to be in the area (residents, buses, taxis, emergency).

An active, unexpired exclusion on the exact plate suppresses every behavioural flag (slow, circling,
frequent). It does not hide an *exact* hotlist hit: a plate that is both excluded and wanted is a
conflict between two lists that an officer must see (a resident's plate may have been cloned). Fuzzy
hotlist matches on an excluded plate are suppressed: the excluded vehicle is almost certainly itself.

Independently of the list, sightings classed as a bus never count for slow, circling or frequent
rules: buses stop at stops, run loops and pass nightly by timetable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

BEHAVIOUR_EXEMPT_CLASSES = frozenset({"bus"})


@dataclass(frozen=True, slots=True)
class ExclusionView:
    id: int
    plate_text: str
    category: str
    reason: str
    expires_at: datetime
    active: bool = True


def normalise_plate(text: str) -> str:
    return "".join(text.split()).upper()


def active_exclusion(plate: str, exclusions: Iterable[ExclusionView], at: datetime) -> ExclusionView | None:
    """The exclusion that covers `plate` at time `at` (exact plate, active, not expired), if any."""
    p = normalise_plate(plate)
    for e in exclusions:
        if e.active and e.expires_at > at and normalise_plate(e.plate_text) == p:
            return e
    return None


def exempt_by_class(vehicle_class: str) -> bool:
    return vehicle_class in BEHAVIOUR_EXEMPT_CLASSES
