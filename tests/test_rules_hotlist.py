"""Hotlist matching (exact, fuzzy on OCR-confusable characters, expired, inactive) and exclusions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intel_api.rules.exclusions import ExclusionView, active_exclusion, exempt_by_class
from intel_api.rules.hotlist import HotlistEntryView, confusable_differences, match_hotlist

NOW = datetime(2026, 5, 3, 22, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


def entry(i: int, plate: str, expires: datetime = LATER, active: bool = True) -> HotlistEntryView:
    return HotlistEntryView(i, plate, "stolen vehicle", "PC 1234", expires, active)


@pytest.mark.parametrize(
    ("read", "listed", "max_distance", "matched_by"),
    [
        ("AB12CDE", "AB12CDE", 1, "exact"),
        ("AB 12 cde", "AB12CDE", 0, "exact"),
        ("A812CDE", "AB12CDE", 1, "fuzzy"),  # B/8
        ("AB12CD3", "AB12CDE", 1, None),  # E/3 is not an OCR confusion
        ("AB12CDF", "AB12CDE", 2, None),  # plain typo-like difference: never a fuzzy hit
        ("AB12C0E", "AB12CDE", 1, "fuzzy"),  # D/0
        ("A812C0E", "AB12CDE", 1, None),  # two confusions, one allowed
        ("A812C0E", "AB12CDE", 2, "fuzzy"),
        ("A812CDE", "AB12CDE", 0, None),  # max 0: exact only
        ("AB12CD", "AB12CDE", 2, None),  # different length
        ("5N66XMZ", "SN66XMZ", 1, "fuzzy"),  # S/5
        ("SN66XM2", "SN66XMZ", 1, "fuzzy"),  # Z/2
        ("G526JHD", "6526JHD", 1, "fuzzy"),  # G/6
        ("LR33TEE", "IR33TEE", 1, "fuzzy"),  # L/I
    ],
)
def test_match_hotlist(read: str, listed: str, max_distance: int, matched_by: str | None) -> None:
    got = match_hotlist(read, [entry(7, listed)], max_distance, NOW)
    if matched_by is None:
        assert got == []
    else:
        assert [m.matched_by for m in got] == [matched_by]
        assert got[0].entry.id == 7


def test_expired_and_inactive_entries_never_match() -> None:
    entries = [entry(1, "AB12CDE", expires=NOW - timedelta(seconds=1)), entry(2, "AB12CDE", active=False)]
    assert match_hotlist("AB12CDE", entries, 1, NOW) == []
    assert [m.entry.id for m in match_hotlist("AB12CDE", entries, 1, NOW - timedelta(days=1))] == [1]


def test_exact_matches_sort_before_fuzzy() -> None:
    got = match_hotlist("AB12CDE", [entry(1, "A812CDE"), entry(2, "AB12CDE")], 1, NOW)
    assert [(m.entry.id, m.matched_by) for m in got] == [(2, "exact"), (1, "fuzzy")]


def test_confusable_differences_report_positions() -> None:
    assert confusable_differences("A812C0E", "AB12CDE") == ((2, "8", "B"), (6, "0", "D"))
    assert confusable_differences("AB12CDE", "AB12CDE") == ()


def test_exclusions_are_exact_active_and_unexpired() -> None:
    resident = ExclusionView(1, "AB12 CDE", "resident", "lives at no. 4", LATER)
    expired = ExclusionView(2, "XY70ZZZ", "taxi", "licensed cab", NOW - timedelta(hours=1))
    inactive = ExclusionView(3, "BD51SMR", "bus", "route 12", LATER, active=False)
    rules = [resident, expired, inactive]
    assert active_exclusion("ab12cde", rules, NOW) is resident
    assert active_exclusion("A812CDE", rules, NOW) is None  # exclusions never match fuzzily
    assert active_exclusion("XY70ZZZ", rules, NOW) is None
    assert active_exclusion("BD51SMR", rules, NOW) is None


def test_buses_are_exempt_from_behaviour_rules() -> None:
    assert exempt_by_class("bus")
    assert not exempt_by_class("car") and not exempt_by_class("truck")
