"""Circling and frequent-night rules, and DST-correct night attribution, on constructed sightings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from intel_api.rules.facts import SightingFacts
from intel_api.rules.nights import night_of, occasion_of, parse_hhmm
from intel_api.rules.repeat import circling_passes, frequent_nights, group_passes

LONDON = ZoneInfo("Europe/London")
START, END = time(19, 0), time(7, 0)
_n = 0


def sighting(at: datetime, camera: str = "elm_st_north", seconds: float = 20.0) -> SightingFacts:
    global _n
    _n += 1
    return SightingFacts(
        id=_n,
        track_key=f"{camera}:0:{_n}",
        camera_id=camera,
        first_seen=at,
        last_seen=at + timedelta(seconds=seconds),
        vehicle_class="car",
        plate_text="AB12CDE",
        plate_confidence=0.95,
    )


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def test_sightings_of_one_trip_merge_into_one_pass() -> None:
    t = utc("2026-05-03T21:10:00")
    s = [
        sighting(t, "elm_st_north"),
        sighting(t + timedelta(seconds=30), "elm_st_south"),  # same trip seen by the next camera
        sighting(t + timedelta(seconds=70), "elm_st_south"),  # broken track of the same trip (20 s gap)
        sighting(t + timedelta(minutes=5), "elm_st_north"),  # a new pass
    ]
    passes = group_passes(reversed(s))
    assert [len(p.sightings) for p in passes] == [3, 1]
    assert passes[0].cameras == ("elm_st_north", "elm_st_south")


@pytest.mark.parametrize(
    ("minutes", "needed", "met"),
    [
        ((0, 30, 55), 3, True),
        ((0, 30, 60), 3, True),  # exactly the window: just met
        ((0, 30, 61), 3, False),  # one minute over: not met
        ((0, 30), 3, False),  # two passes are never enough for three
        ((0, 20, 40, 90), 4, False),
        ((0, 20, 40, 50), 4, True),
    ],
)
def test_circling_threshold(minutes: tuple[int, ...], needed: int, met: bool) -> None:
    t = utc("2026-05-03T21:10:00")
    passes = group_passes(sighting(t + timedelta(minutes=m)) for m in minutes)
    assert len(passes) == len(minutes)
    got = circling_passes(passes, passes[-1], needed, timedelta(minutes=60))
    assert (got is not None) == met
    if got is not None:
        assert len(got) >= needed and got[-1] is passes[-1]


def test_circling_only_counts_passes_up_to_the_one_judged() -> None:
    t = utc("2026-05-03T21:10:00")
    passes = group_passes(sighting(t + timedelta(minutes=m)) for m in (0, 10, 20))
    assert circling_passes(passes, passes[1], 3, timedelta(minutes=60)) is None
    assert circling_passes(passes, passes[2], 3, timedelta(minutes=60)) is not None


@pytest.mark.parametrize(
    ("utc_time", "night"),
    [
        ("2026-05-03T21:10:00", date(2026, 5, 3)),
        ("2026-05-03T23:59:00", date(2026, 5, 3)),  # 00:59 BST on 4 May: still the night of 3 May
        ("2026-05-04T05:59:00", date(2026, 5, 3)),  # 06:59 BST
        ("2026-05-04T06:00:00", None),  # 07:00 BST: day
        ("2026-05-04T17:30:00", None),  # 18:30 BST: not yet night (18:30 UTC would be, wrongly)
        ("2026-05-04T18:00:00", date(2026, 5, 4)),  # 19:00 BST
        # clocks go forward at 01:00 GMT on Sunday 29 March 2026
        ("2026-03-28T19:00:00", date(2026, 3, 28)),  # 19:00 GMT
        ("2026-03-29T00:30:00", date(2026, 3, 28)),  # 00:30 GMT
        ("2026-03-29T01:30:00", date(2026, 3, 28)),  # 02:30 BST, just after the jump
        ("2026-03-29T05:59:00", date(2026, 3, 28)),  # 06:59 BST
        ("2026-03-29T06:30:00", None),  # 07:30 BST: day, though 06:30 UTC looks like night
        ("2026-03-29T18:30:00", date(2026, 3, 29)),  # 19:30 BST, though 18:30 UTC looks like day
        # clocks go back at 02:00 BST on Sunday 25 October 2026: 01:30 happens twice
        ("2026-10-25T00:30:00", date(2026, 10, 24)),  # 01:30 BST
        ("2026-10-25T01:30:00", date(2026, 10, 24)),  # 01:30 GMT
        ("2026-10-25T06:30:00", date(2026, 10, 24)),  # 06:30 GMT
        ("2026-10-25T07:00:00", None),  # 07:00 GMT
        ("2026-10-25T18:30:00", None),  # 18:30 GMT
        ("2026-10-25T19:00:00", date(2026, 10, 25)),  # 19:00 GMT
    ],
)
def test_night_of_is_local_and_dst_correct(utc_time: str, night: date | None) -> None:
    assert night_of(utc(utc_time), LONDON, START, END) == night


def test_night_windows_not_crossing_midnight() -> None:
    small_hours = (time(0, 0), time(5, 0))
    assert night_of(utc("2026-01-10T02:00:00"), LONDON, *small_hours) == date(2026, 1, 9)
    assert night_of(utc("2026-01-10T06:00:00"), LONDON, *small_hours) is None
    evening = (time(18, 0), time(23, 0))
    assert night_of(utc("2026-01-10T20:00:00"), LONDON, *evening) == date(2026, 1, 10)
    assert night_of(utc("2026-01-10T12:00:00"), LONDON, time(7, 0), time(7, 0)) == date(2026, 1, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        night_of(datetime(2026, 1, 10, 2, 0), LONDON, *small_hours)


def test_occasion_turns_over_at_night_end_not_midnight() -> None:
    assert occasion_of(utc("2026-05-04T01:00:00"), LONDON, END) == date(2026, 5, 3)
    assert occasion_of(utc("2026-05-04T06:30:00"), LONDON, END) == date(2026, 5, 4)


def test_parse_hhmm() -> None:
    assert parse_hhmm("19:05") == time(19, 5)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm("7pm")


def test_frequent_nights_across_both_clock_changes() -> None:
    # one sighting a night around each DST change; a naive UTC night would split or merge them
    spring = ["2026-03-28T23:30:00", "2026-03-29T01:30:00", "2026-03-30T18:30:00"]
    nights = [night_of(utc(t), LONDON, START, END) for t in spring]
    assert nights == [date(2026, 3, 28), date(2026, 3, 28), date(2026, 3, 30)]
    distinct = [n for n in nights if n is not None]
    assert frequent_nights(distinct, date(2026, 3, 30), 3, 30) is None  # two nights only
    autumn = ["2026-10-24T18:30:00", "2026-10-25T01:30:00", "2026-10-25T19:30:00", "2026-10-26T05:00:00"]
    nights = [night_of(utc(t), LONDON, START, END) for t in autumn]
    assert nights == [date(2026, 10, 24), date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 25)]


@pytest.mark.parametrize(
    ("days_seen", "at", "not_before", "expected"),
    [
        ((1, 8, 20), 20, None, (1, 8, 20)),
        ((1, 8, 31), 31, None, None),  # 1 May is 31 days before 31 May: outside a 30-day span
        ((1, 2, 30), 30, None, (1, 2, 30)),  # 1..30 May is exactly 30 days
        ((1, 8, 20, 25), 25, 21, None),  # nights before 21 May belong to an earlier window
        ((1, 8, 20, 21, 22, 25), 25, 21, (21, 22, 25)),
    ],
)
def test_frequent_nights_window(
    days_seen: tuple[int, ...], at: int, not_before: int | None, expected: tuple[int, ...] | None
) -> None:
    nights = [date(2026, 5, d) for d in days_seen]
    nb = date(2026, 5, not_before) if not_before else None
    got = frequent_nights(nights, date(2026, 5, at), 3, 30, nb)
    assert got == (None if expected is None else [date(2026, 5, d) for d in expected])
