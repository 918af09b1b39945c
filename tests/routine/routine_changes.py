"""Changes injected into real homes' stored events, so the whole pipeline sees them.

Each function takes the events of an unchanged home (time order) and returns
new events as if the person's routine had changed from local date `onset` on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.events import Event
from hub.routine.score import RoutineDayResult


def without_sensors(
    events: Sequence[Event], sensors: Collection[str], onset: date, zone: ZoneInfo
) -> list[Event]:
    """No event of `sensors` from local date `onset` on (e.g. the kitchen no longer used)."""
    return [e for e in events if e.sensor not in sensors or e.time.astimezone(zone).date() < onset]


def later_mornings(
    events: Sequence[Event], time_up: Mapping[date, datetime], delay: timedelta, onset: date
) -> list[Event]:
    """Nothing happens for `delay` after the true time up on each date from `onset` on.

    The person stays in bed that much longer: every event between the time up
    the unchanged home gave and `delay` later is removed.
    """
    quiet = [(up, up + delay) for day, up in time_up.items() if day >= onset]
    return [e for e in events if not any(start <= e.time < end for start, end in quiet)]


def first_report(
    results: Sequence[RoutineDayResult], behaviour: str, since: date
) -> RoutineDayResult | None:
    """The first day from `since` on whose changes name `behaviour`, or None."""
    return next(
        (
            r
            for r in results
            if r.date >= since and any(c.behaviour == behaviour for c in r.changes)
        ),
        None,
    )
