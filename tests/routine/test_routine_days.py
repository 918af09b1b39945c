"""The routine day's windows, across both clock changes in two zones."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.routine import routine_day, routine_days


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, date, hours, then in UTC: local midnight, 18:00 the evening before, 14:00 on the day)
WINDOWS = [
    # London: GMT (+0) to BST (+1) on 31 March 2024, back on 27 October.
    ("Europe/London", "2024-03-31", 23, "03-31 00:00", "03-30 18:00", "03-31 13:00"),
    ("Europe/London", "2024-10-27", 25, "10-26 23:00", "10-26 17:00", "10-27 14:00"),
    ("Europe/London", "2024-07-01", 24, "06-30 23:00", "06-30 17:00", "07-01 13:00"),
    # Los Angeles: PST (-8) to PDT (-7) on 10 March 2024, back on 3 November.
    ("America/Los_Angeles", "2024-03-10", 23, "03-10 08:00", "03-10 02:00", "03-10 21:00"),
    ("America/Los_Angeles", "2024-11-03", 25, "11-03 07:00", "11-03 01:00", "11-03 22:00"),
]


@pytest.mark.parametrize("case", WINDOWS, ids=[f"{c[0]}-{c[1]}" for c in WINDOWS])
def test_day_and_night_windows(case: tuple[str, str, int, str, str, str]) -> None:
    zone, day, hours, midnight, night_start, night_end = case
    routine = routine_day(date.fromisoformat(day), ZoneInfo(zone))
    assert routine.hours == hours
    assert routine.end - routine.start == timedelta(hours=hours)
    assert routine.start == utc(f"2024-{midnight}")
    assert routine.night_start == utc(f"2024-{night_start}")
    assert routine.night_end == utc(f"2024-{night_end}")
    # The night window is 20 hours on the wall clock, one less or more across a change.
    assert routine.night_end - routine.night_start == timedelta(hours=20 + hours - 24)


def test_consecutive_days_tile_time_without_gap_or_overlap() -> None:
    zone = ZoneInfo("Europe/London")
    days = routine_days(utc("2024-03-29 12:00"), utc("2024-11-01 12:00"), zone)
    assert days[0].date == date(2024, 3, 29)
    assert days[-1].date == date(2024, 11, 1)
    for earlier, later in itertools.pairwise(days):
        assert earlier.end == later.start
        assert later.night_start < earlier.end  # the evening before belongs to the next day
    assert sorted({d.hours for d in days}) == [23, 24, 25]


def test_a_day_whose_midnight_is_skipped_starts_when_it_really_begins() -> None:
    # Santiago, Chile moved its clocks from 00:00 to 01:00 on 8 September 2024.
    routine = routine_day(date(2024, 9, 8), ZoneInfo("America/Santiago"))
    assert routine.local(routine.start).date() == date(2024, 9, 8)
    assert routine.local(routine.start - timedelta(microseconds=1)).date() == date(2024, 9, 7)
    assert routine.hours == 23
