"""The routine engine's features of simulated days give back the person the profile describes."""

from __future__ import annotations

import itertools
import statistics
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.simulate import Profile, plans, simulate
from tests.simulate.simulate_helpers import START, minutes_of_day, whole_days


def test_time_up_is_the_planned_getting_up_on_almost_every_day(
    home: HearthConfig, steady: Profile
) -> None:
    zone = ZoneInfo(home.home.timezone)
    planned = {plan.date: plan.start for plan in plans(home, steady, START, 42, seed=4)}
    days = whole_days(list(simulate(home, steady, START, 42, seed=4)), home)
    assert len(days) == 40  # the first and last are partial
    close = [
        day
        for day in days
        if day.time_up is not None
        and abs(day.time_up - planned[day.date].astimezone(zone)) <= timedelta(minutes=5)
    ]
    assert len(close) >= 0.95 * len(days)


def test_time_up_and_bedtime_sit_around_the_profiles_clock_times(
    home: HearthConfig, steady: Profile
) -> None:
    days = whole_days(list(simulate(home, steady, START, 56, seed=5)), home)
    ups = [minutes_of_day(day) for day in days]
    beds = [d.bedtime.hour * 60 + d.bedtime.minute for d in days if d.bedtime is not None]
    assert abs(statistics.median(ups) - (8 * 60)) <= 12
    assert 15 <= statistics.stdev(ups) <= 45  # the profile's 30-minute spread, cut at 3 spreads
    assert abs(statistics.median(beds) - (23 * 60 + 15)) <= 12


def test_a_later_person_is_seen_later(home: HearthConfig, steady: Profile) -> None:
    late = steady.model_copy(update={"wake": time(9, 30)})
    early = whole_days(list(simulate(home, steady, START, 28, seed=6)), home)
    later = whole_days(list(simulate(home, late, START, 28, seed=6)), home)
    shift = statistics.median(map(minutes_of_day, later)) - statistics.median(
        map(minutes_of_day, early)
    )
    assert 80 <= shift <= 100


def test_weekends_start_later_by_the_profiles_lie_in(home: HearthConfig, typical: Profile) -> None:
    days = whole_days(list(simulate(home, typical, START, 84, seed=2)), home)
    weekend = [minutes_of_day(d) for d in days if d.date.weekday() >= 5]
    weekday = [minutes_of_day(d) for d in days if d.date.weekday() < 5]
    lie_in = statistics.median(weekend) - statistics.median(weekday)
    assert abs(lie_in - typical.weekend_later_min) <= 15


def test_night_toilet_visits_kitchen_and_outings_follow_the_profile(
    home: HearthConfig, steady: Profile
) -> None:
    busy = steady.model_validate(
        {**steady.model_dump(), "night_toilet": 2.0, "outings": {"per_day": 2.0}}
    )
    days = whole_days(list(simulate(home, busy, START, 84, seed=8)), home)
    toilets = statistics.fmean(d.night_toilet_visits or 0 for d in days)
    outings = statistics.fmean(d.outings or 0 for d in days)
    # Three standard errors of a Poisson mean of 2 over 82 nights are 0.47.
    assert 1.5 <= toilets <= 2.5
    assert 1.5 <= outings <= 2.5
    # Breakfast is in the breakfast window, every day it is eaten.
    assert sum(bool(d.breakfast_kitchen_minutes) for d in days) >= 0.9 * len(days)


def test_the_clock_changes_keep_the_wall_clock_routine(home: HearthConfig, steady: Profile) -> None:
    exact = steady.model_copy(update={"wake_spread_min": 0.0, "bedtime_spread_min": 0.0})
    for start in (date(2026, 3, 25), date(2026, 10, 21)):  # London: 29 March, 25 October
        events = list(simulate(home, exact, start, 8, seed=1))
        assert all(a.time <= b.time for a, b in itertools.pairwise(events))
        days = whole_days(events, home)
        assert sorted({d.hours for d in days}) == [23, 24] if start.month == 3 else [24, 25]
        for day in days:
            assert day.time_up is not None
            assert day.time_up.time().replace(second=0, microsecond=0) == time(8, 0), day.date
            assert day.bedtime is not None
            assert day.bedtime.strftime("%H:%M") == "23:15", day.date
