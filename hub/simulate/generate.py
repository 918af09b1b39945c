"""Months of a simulated home's events, day by day, in time order: the library entry point.

`simulate(config, profile, start, days, seed, changes)` yields the canonical
Events of the local dates `start` .. `start + days - 1` in the home's zone,
from local midnight to local midnight (the first day begins in the night, as
a recording would). Each day's plan is made from the person of that day
(`profile_on`), turned into the home's readings (`sensors.py`), thinned by
dropouts and thickened by duplicates (`faults.py`). Plans are held one day at
a time, so a year costs the memory of a day.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.events import Event
from hub.routine.days import local_instant
from hub.simulate.changes import Change, profile_on
from hub.simulate.faults import Silencer, dropouts, with_duplicates
from hub.simulate.plan import DayPlan, plan_day, wake_time
from hub.simulate.profile import Profile
from hub.simulate.sensors import Home, home_of, plan_events

LONGEST_DAYS = 3660  # ten years: a typo such as --days 300000 is refused, not run for hours


class SimulateError(ValueError):
    """A simulation that cannot run: no days, a home without sensors, a bad pet room."""


def plans(  # noqa: PLR0917 - the same order as simulate()
    config: HearthConfig,
    profile: Profile,
    start: date,
    days: int,
    seed: int,
    changes: Sequence[Change] = (),
) -> Iterator[DayPlan]:
    """The day plans behind `simulate`, from the day before `start` (its night runs into it)."""
    zone = ZoneInfo(config.home.timezone)
    for index in range(-1, days):
        day = start + timedelta(days=index)
        person = profile_on(profile, changes, index)
        tomorrow = profile_on(profile, changes, index + 1)
        next_wake = wake_time(day + timedelta(days=1), tomorrow, zone, seed)
        yield plan_day(day, person, next_wake, zone, seed)


def simulate(  # noqa: PLR0917 - the evaluation calls it positionally
    config: HearthConfig,
    profile: Profile,
    start: date,
    days: int,
    seed: int,
    changes: Sequence[Change] = (),
) -> Iterator[Event]:
    """The home's events for `days` local dates from `start`, in time order; deterministic."""
    if not 1 <= days <= LONGEST_DAYS:
        raise SimulateError(f"days must be 1 to {LONGEST_DAYS}, not {days}")
    try:
        home = home_of(config, profile.pet.rooms)
    except ValueError as exc:
        raise SimulateError(str(exc)) from exc
    return _events(config, profile, start=start, days=days, seed=seed, changes=changes, home=home)


def _events(
    config: HearthConfig,
    profile: Profile,
    *,
    start: date,
    days: int,
    seed: int,
    changes: Sequence[Change],
    home: Home,
) -> Iterator[Event]:
    zone = ZoneInfo(config.home.timezone)
    first = local_instant(start, time(0), zone)
    last = local_instant(start + timedelta(days=days), time(0), zone)
    silencer = Silencer(
        dropouts((s.id for s in config.sensors), profile.sensors, first, last, seed)
    )
    pending: list[tuple[datetime, int, Event]] = []
    counter = itertools.count()
    for plan in plans(config, profile, start, days, seed, changes):
        person = profile_on(profile, changes, (plan.date - start).days)
        produced = with_duplicates(
            plan_events(plan, home, seed), person.sensors.duplicates, seed, plan.date
        )
        for event in produced:
            heapq.heappush(pending, (event.time, next(counter), event))
        # Later plans start at the next getting up: what comes before it is final.
        while pending and pending[0][2].time < plan.end:
            event = heapq.heappop(pending)[2]
            if first <= event.time < last and not silencer.silent(event):
                yield event
    while pending:
        event = heapq.heappop(pending)[2]
        if first <= event.time < last and not silencer.silent(event):
            yield event
