"""Hotlist (vehicle-of-interest list) matching: exact, or off by a few OCR-confusable characters.

A fuzzy match allows only confusable substitutions (O/0/D/Q, I/1/L/T/J, Z/2, S/5, B/8, G/6, A/4,
T/7 as `detect.reading.grammar_confusion` defines them from shared/DOMAIN.md) and at most
`rules.hotlist_max_distance` of them; any other difference, or a different length, is no match
(Genetec's default: one OCR-equivalent, no other differences). Every hit records `matched_by` so the
reviewer sees how it was made, and fuzzy hits are never presented as the wanted vehicle: the officer
compares the images with the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from detect.reading.grammar_confusion import is_confusable
from intel_api.rules.exclusions import normalise_plate


@dataclass(frozen=True, slots=True)
class HotlistEntryView:
    id: int
    plate_text: str
    reason: str
    owner: str
    expires_at: datetime
    active: bool = True


@dataclass(frozen=True, slots=True)
class HotlistMatch:
    entry: HotlistEntryView
    matched_by: Literal["exact", "fuzzy"]
    differences: tuple[tuple[int, str, str], ...]  # (1-based position, read, listed)


def confusable_differences(read: str, listed: str) -> tuple[tuple[int, str, str], ...] | None:
    """Positions where `read` differs from `listed`, or None if any difference is not a confusion."""
    if len(read) != len(listed):
        return None
    diffs: list[tuple[int, str, str]] = []
    for i, (a, b) in enumerate(zip(read, listed, strict=True), start=1):
        if a == b:
            continue
        if not is_confusable(a, b):
            return None
        diffs.append((i, a, b))
    return tuple(diffs)


def match_hotlist(
    plate: str, entries: Iterable[HotlistEntryView], max_distance: int, at: datetime
) -> list[HotlistMatch]:
    """Every active entry, unexpired at `at`, that `plate` matches; exact matches first."""
    read = normalise_plate(plate)
    matches: list[HotlistMatch] = []
    for e in entries:
        if not e.active or e.expires_at <= at:
            continue
        diffs = confusable_differences(read, normalise_plate(e.plate_text))
        if diffs is None or len(diffs) > max_distance:
            continue
        matches.append(HotlistMatch(e, "exact" if not diffs else "fuzzy", diffs))
    return sorted(matches, key=lambda m: (len(m.differences), m.entry.id))
