"""How active the day was, and where: active minutes, the hourly profile, rooms, stillness.

An *active minute* is a minute (of the UTC clock, which on every real zone is
also a minute of the local clock) in which some activity span was under way.
The hourly profile has 24 values, one per wall-clock hour 00..23: on the day
the clocks go forward, the skipped hour holds 0; on the day they go back, the
repeated hour holds both of its real hours (up to 120 minutes). A fixed shape
keeps days comparable for the baseline and the model. The profile by role
(`hourly_by_role`) has the same 24 slots, one row per role the home has a
sensor for, so a role with no activity that day reads 0 and a role the home
lacks is absent.

Minutes per room follow the person: from each activity, they are taken to be
in its room until an activity elsewhere or an outing; time out is no room's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from hub.config.models import Role
from hub.routine.days import RoutineDay
from hub.routine.outings import Outing
from hub.routine.timeline import Activity, epoch_minute, minutes

_MINUTE = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


Minutes = list[tuple[int, int]]  # sorted, disjoint [low, high) ranges of epoch minutes


def active_minutes(activities: Sequence[Activity], start: datetime, end: datetime) -> Minutes:
    """The minutes in [start, end) during which someone acted, as merged ranges.

    Ranges, not a set of every minute: a day's counts (in all, per role, per
    meal, per hour) then take a step per stretch of activity, not per minute.
    """
    first, stop = epoch_minute(start), epoch_minute(end - timedelta(microseconds=1)) + 1
    ranges = sorted((max(a.start_minute, first), min(a.end_minute + 1, stop)) for a in activities)
    merged: Minutes = []
    for low, high in ranges:
        if high <= low:
            continue  # outside [start, end)
        if merged and low <= merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def count(active: Minutes) -> int:
    """How many minutes the ranges hold."""
    return sum(high - low for low, high in active)


def hourly_profile(active: Minutes, day: RoutineDay) -> tuple[int, ...]:
    """Active minutes in each wall-clock hour 00..23 of the day.

    The local hour is looked up once per quarter hour of the day, not once per
    minute: every real zone's offset is a whole number of quarter hours.
    """
    first = epoch_minute(day.start)
    quarters = _quarter_hours(day)
    profile = [0] * 24
    for low, high in active:
        # Each quarter hour the range touches gets its overlap with the range.
        for quarter in range((low - first) // 15, (high - 1 - first) // 15 + 1):
            q_low = first + 15 * quarter
            profile[quarters[quarter]] += min(high, q_low + 15) - max(low, q_low)
    return tuple(profile)


@functools.lru_cache(maxsize=8)
def _quarter_hours(day: RoutineDay) -> tuple[int, ...]:
    """The local hour of each quarter hour of the day, worked out once per day: the
    day's profile and each role's (`hourly_by_role`) all read it."""
    first = epoch_minute(day.start)
    return tuple(
        day.local(_EPOCH + (first + 15 * i) * _MINUTE).hour
        for i in range(-(-(epoch_minute(day.end) - first) // 15))
    )


def hourly_by_role(
    activities: Sequence[Activity], day: RoutineDay, roles: Iterable[Role]
) -> dict[str, tuple[int, ...]]:
    """Active minutes in each wall-clock hour 00..23, per role in `roles`, keyed by role name."""
    by_role: dict[Role, list[Activity]] = {role: [] for role in roles}
    for activity in activities:
        if activity.role in by_role:
            by_role[activity.role].append(activity)
    return {
        role.value: hourly_profile(active_minutes(found, day.start, day.end), day)
        for role, found in sorted(by_role.items())
    }


def room_minutes(
    activities: Sequence[Activity], outings: Sequence[Outing], start: datetime, end: datetime
) -> dict[str, float]:
    """Minutes spent in each room during [start, end), following the last activity's room.

    `activities` must include the last one before `start`, so the first
    stretch of the day is attributed (asleep in the bedroom since last night).
    """
    changes: list[tuple[datetime, str | None]] = [(a.start, a.room) for a in activities]
    for outing in outings:
        changes.append((outing.start, None))
        changes.append((outing.end, ""))  # back in: the next activity says where
    changes.sort(key=lambda change: change[0])
    totals: dict[str, timedelta] = {}
    place: str | None = None
    previous: datetime | None = None
    for moment, room in [*changes, (end, None)]:
        if previous is not None and place:
            low, high = max(previous, start), min(moment, end)
            if high > low:
                totals[place] = totals.get(place, timedelta(0)) + (high - low)
        if room != "":
            place = room
        previous = moment
    return {room: minutes(total) for room, total in sorted(totals.items())}


def longest_still(
    activities: Sequence[Activity], outings: Sequence[Outing], start: datetime, end: datetime
) -> timedelta:
    """The longest stretch in [start, end) at home with no activity at all."""
    busy = sorted(
        [(a.start, a.end) for a in activities if a.end >= start and a.start < end]
        + [(o.start, o.end) for o in outings if o.end >= start and o.start < end]
    )
    longest = timedelta(0)
    reached = start
    for busy_start, busy_end in busy:
        longest = max(longest, min(busy_start, end) - reached)
        reached = max(reached, busy_end)
    return max(longest, end - reached)
