"""Each documented change moves the feature it names by about its size, from its onset."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from hub.config.models import HearthConfig
from hub.routine import DayFeatures
from hub.simulate import (
    EXAMPLE_SIZES,
    Change,
    ChangeError,
    ChangeKind,
    Profile,
    parse_change,
    profile_on,
    simulate,
)
from tests.simulate.simulate_helpers import START, minutes_of_day, whole_days

ONSET = 28
DAYS = 56


def _kitchen(day: DayFeatures) -> float:
    return float(
        (day.breakfast_kitchen_minutes or 0)
        + (day.lunch_kitchen_minutes or 0)
        + (day.dinner_kitchen_minutes or 0)
    )


def _before_after(
    home: HearthConfig, person: Profile, change: Change, feature: Callable[[DayFeatures], float]
) -> tuple[float, float]:
    days = whole_days(list(simulate(home, person, START, DAYS, 11, [change])), home)
    onset = START.toordinal() + ONSET
    before = [feature(d) for d in days if d.date.toordinal() < onset]
    after = [feature(d) for d in days if d.date.toordinal() >= onset]
    return statistics.fmean(before), statistics.fmean(after)


def test_time_up_90_minutes_later(home: HearthConfig, steady: Profile) -> None:
    change = Change(ChangeKind.TIME_UP, 90, ONSET)
    before, after = _before_after(home, steady, change, minutes_of_day)
    assert 75 <= after - before <= 105


def test_night_toilet_visits_two_and_a_half_times(home: HearthConfig, steady: Profile) -> None:
    person = steady.model_copy(update={"night_toilet": 1.2})
    change = Change(ChangeKind.NIGHT_TOILET, 2.5, ONSET)
    before, after = _before_after(home, person, change, lambda d: float(d.night_toilet_visits or 0))
    assert 1.8 <= after / before <= 3.3


def test_kitchen_activity_halved(home: HearthConfig, steady: Profile) -> None:
    before, after = _before_after(home, steady, Change(ChangeKind.KITCHEN, 0.5, ONSET), _kitchen)
    assert 0.4 <= after / before <= 0.62


def test_outings_stop(home: HearthConfig, steady: Profile) -> None:
    before, after = _before_after(
        home, steady, Change(ChangeKind.OUTINGS, 0, ONSET), lambda d: float(d.outings or 0)
    )
    assert before >= 0.6
    assert after == 0


def test_total_activity_down_40_percent(home: HearthConfig, steady: Profile) -> None:
    before, after = _before_after(
        home,
        steady,
        Change(ChangeKind.ACTIVITY, 0.6, ONSET),
        lambda d: float(d.active_minutes),
    )
    assert 0.5 <= after / before <= 0.72


def test_front_door_opened_at_night_on_two_nights_a_week(
    home: HearthConfig, steady: Profile
) -> None:
    zone = ZoneInfo(home.home.timezone)
    change = Change(ChangeKind.NIGHT_DOOR, 2, ONSET)
    events = list(simulate(home, steady, START, DAYS, 11, [change]))
    night_openings = {
        e.time.astimezone(zone).date()
        for e in events
        if e.sensor == "front_door" and e.value is True and e.time.astimezone(zone).time() < time(5)
    }
    onset = START.toordinal() + ONSET
    assert not [d for d in night_openings if d.toordinal() < onset]
    nights = len(night_openings)  # 4 weeks at 2 a week: 8 expected
    assert 4 <= nights <= 13


def test_a_gradual_change_grows_over_its_ramp(home: HearthConfig, steady: Profile) -> None:
    exact = steady.model_copy(update={"wake_spread_min": 0.0})
    change = Change(ChangeKind.TIME_UP, 90, onset=10, ramp_days=14)
    events = list(simulate(home, exact, START, 30, 3, [change]))
    days = {d.date: minutes_of_day(d) for d in whole_days(events, home)}
    by_index = {(day - START).days: up for day, up in days.items()}
    assert by_index[9] == pytest.approx(8 * 60, abs=1)
    assert by_index[16] == pytest.approx(8 * 60 + 90 * 7 / 14, abs=1)
    assert by_index[23] == pytest.approx(8 * 60 + 90, abs=1)
    assert by_index[28] == pytest.approx(8 * 60 + 90, abs=1)


def test_the_person_of_a_day_is_a_pure_function_of_its_index(steady: Profile) -> None:
    changes = [Change(kind, size, onset=5) for kind, size in EXAMPLE_SIZES.items()]
    assert profile_on(steady, changes, 4) == steady
    changed = profile_on(steady, changes, 5)
    assert changed == profile_on(steady, changes, 5)
    assert changed.wake == time(9, 30)
    assert changed.night_toilet == pytest.approx(steady.night_toilet * 2.5)
    assert changed.kitchen == pytest.approx(0.5)
    assert changed.outings.per_day == 0
    assert changed.activity == pytest.approx(0.6)
    assert changed.night_door_per_week == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time_up:90", "write kind:size:onset"),
        ("sleepier:2:3", "unknown kind 'sleepier'"),
        ("kitchen:half:3", "size is a number"),
        ("kitchen:-1:3", "a factor cannot be negative"),
        ("night_door:9:3", "not a number of nights a week"),
        ("time_up:90:-2", "onset and ramp_days must be 0 or more"),
    ],
)
def test_a_bad_change_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ChangeError, match=message):
        parse_change(text)


def test_a_change_is_read_from_its_text() -> None:
    assert parse_change("kitchen:0.5:30:14") == Change(ChangeKind.KITCHEN, 0.5, 30, 14)
