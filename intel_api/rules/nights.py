"""Local nights: which evening a UTC time belongs to, in the site's timezone (Europe/London, DST-correct).

A night runs from `night_start` to `night_end` local time and is named by the date of its evening, so a
sighting at 01:30 on 4 May belongs to the night of 3 May. Conversions go UTC -> local with zoneinfo, so
the clock changes on the last Sundays of March and October need no special case: 01:30 GMT and 01:30 BST
are both "01:30" locally and both belong to the previous evening.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
        return time(hours, minutes)
    except ValueError as e:
        raise ValueError(f"expected a local time HH:MM, got {text!r}") from e


def night_of(ts: datetime, tz: ZoneInfo, night_start: time, night_end: time) -> date | None:
    """The evening date of the night containing `ts`, or None when `ts` is outside night hours."""
    if ts.tzinfo is None:
        raise ValueError("night_of needs a timezone-aware time")
    local = ts.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    d = local.date()
    if night_start > night_end:  # crosses midnight, e.g. 19:00-07:00
        if t >= night_start:
            return d
        if t < night_end:
            return d - timedelta(days=1)
        return None
    if night_start == night_end:  # every hour counts; the "night" turns over at night_start
        return d if t >= night_start else d - timedelta(days=1)
    if not night_start <= t < night_end:
        return None
    # A window wholly after midnight (e.g. 00:00-05:00) belongs to the evening before.
    return d - timedelta(days=1) if night_start < time(12, 0) else d


def occasion_of(ts: datetime, tz: ZoneInfo, day_turns_at: time) -> date:
    """The local date of `ts` where each day starts at `day_turns_at` (the night end), never mid-night."""
    local = ts.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    return local.date() - timedelta(days=1) if t < day_turns_at else local.date()


def local_time(ts: datetime, tz: ZoneInfo) -> datetime:
    return ts.astimezone(tz)
