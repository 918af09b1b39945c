"""What a day's features cannot say but its events can: company, and the door at night.

`day_signs(events, config, days)` gives, per local date of `days`:

- **exit_used**: an outside door was opened during the calendar day (someone
  came or went).
- **together_minutes**: minutes in which the home saw activity in two places
  at once. One person cannot be in two rooms at the same time, but a person
  walking between two neighbouring rooms briefly looks like it, so the sign
  is strict: motion in at least two different rooms alternating at least
  `SWITCHES` times within `AT_ONCE` (A, B, A, B). Rooms holding an outside
  door are left out (a hall adjoins every room, and the person letting a
  visitor in is there). A mat occupied while motion is seen elsewhere was
  tried as a second sign and dropped: in one dataset home (one resident) it
  marked 4 of 20 days, while it found 2 of 40 simulated visitor days. The config has no room
  adjacency, so what is usual differs by home (one dataset home with dense
  motion sensors sees 20-40 such minutes every day, others none): the day
  types (`day_types.py`) judge the count against the home's own usual.
- **night_exits**: outside-door openings between the night's bedtime and time
  up (None when the home has no outside-door sensor or the night was not found).
  A rare behaviour ("2 nights a week"): the detector judges it as a rate.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.config.models import HearthConfig
from hub.events import Event, Kind
from hub.routine.days import routine_day
from hub.routine.features import DayFeatures
from hub.routine.layout import EXIT_ROLES, layout_of

AT_ONCE = timedelta(seconds=60)
SWITCHES = 3


@dataclass(frozen=True, slots=True)
class DaySigns:
    date: date
    exit_used: bool
    together_minutes: int
    night_exits: int | None


def day_signs(
    events: Iterable[Event], config: HearthConfig, days: Sequence[DayFeatures]
) -> dict[date, DaySigns]:
    """The signs of each date in `days` (consecutive local dates) from the events (time order)."""
    layout = layout_of(config)
    zone = layout.zone
    doors = {s.id for s in layout.with_role(*EXIT_ROLES)}
    door_rooms = {layout.sensors[d].room for d in doors}
    openings: list[datetime] = []
    moves: list[tuple[datetime, str]] = []
    for event in events:
        info = layout.sensors.get(event.sensor)
        if info is None or event.value is not True or event.kind is not info.kind:
            continue
        if event.sensor in doors:
            openings.append(event.time)
        elif info.kind in (Kind.MOTION, Kind.PRESENCE) and info.room not in door_rooms:
            moves.append((event.time, info.room))
    together = _together_minutes(moves)
    signs: dict[date, DaySigns] = {}
    for day in days:
        window = routine_day(day.date, zone)
        used = _count(openings, window.start, window.end) > 0
        minutes = _count(together, window.start, window.end)
        night: int | None = None
        if doors and day.bedtime is not None and day.time_up is not None:
            night = _count(openings, day.bedtime, day.time_up)
        signs[day.date] = DaySigns(day.date, used, minutes, night)
    return signs


def _together_minutes(moves: list[tuple[datetime, str]]) -> list[datetime]:
    """Start minutes of every stretch of `AT_ONCE` with `SWITCHES` room changes, sorted."""
    found: set[datetime] = set()
    end = 0
    for start, (moment, room) in enumerate(moves):
        end = max(end, start)
        while end + 1 < len(moves) and moves[end + 1][0] - moment <= AT_ONCE:
            end += 1
        switches, previous = 0, room
        for _, other in moves[start + 1 : end + 1]:
            if other != previous:
                switches += 1
                previous = other
        if switches >= SWITCHES:
            found.add(moment.replace(second=0, microsecond=0))
    return sorted(found)


def _count(moments: list[datetime], start: datetime, end: datetime) -> int:
    return bisect.bisect_left(moments, end) - bisect.bisect_left(moments, start)
