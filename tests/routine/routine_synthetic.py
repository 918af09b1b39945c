"""Synthetic `DayFeatures` for the baseline and detector tests: a steady person, then changes.

`steady_days(n)` gives n consecutive days of a person with a regular routine
and a little day-to-day variation (seeded, so every run is the same). Each
behaviour is set in the unit the baseline uses (times of day as minutes after
local midnight, bedtime negative before midnight) through keyword overrides,
either a number or a function of the day's index.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.routine import DayFeatures
from hub.routine.baseline import LEARNING_DAYS
from hub.routine.behaviours import BY_NAME
from hub.routine.detect import Step, Tracker, judge, learn

ZONE = ZoneInfo("Europe/London")
START = date(2024, 1, 1)  # a Monday
SENSORS = tuple(f"sensor_{n}" for n in range(10))

Setting = float | Callable[[int], float]


def at(day: date, minutes: float) -> datetime:
    """The aware local time `minutes` after `day`'s midnight (negative: the evening before)."""
    return datetime.combine(day, time(0), ZONE) + timedelta(minutes=minutes)


def day_features(
    day: date,
    *,
    time_up: float = 475,
    bedtime: float = -30,
    toilets: float = 2,
    first_kitchen: float = 500,
    kitchen: float = 55,
    fridge: float = 5,
    outings: float = 1,
    minutes_out: float = 120,
    active: float = 300,
    still: float = 90,
    reporting: int = 10,
    partial: bool = False,
    night_activity: bool = True,
) -> DayFeatures:
    hourly = [10] * 24
    if not night_activity:
        hourly[0:6] = [0] * 6
    return DayFeatures(
        date=day,
        hours=24,
        partial=partial,
        bedtime=at(day, bedtime),
        time_up=at(day, time_up),
        sleep_method="bed",
        sleep_period_minutes=time_up - bedtime,
        time_in_bed_minutes=time_up - bedtime - 10,
        night_out_of_bed=int(toilets),
        night_toilet_visits=int(toilets),
        first_kitchen_activity=at(day, first_kitchen),
        breakfast_kitchen_minutes=round(kitchen * 0.3),
        lunch_kitchen_minutes=round(kitchen * 0.3),
        dinner_kitchen_minutes=round(kitchen) - 2 * round(kitchen * 0.3),
        fridge_uses=int(fridge),
        kettle_uses=4,
        outings=int(outings),
        minutes_out=minutes_out,
        active_minutes=int(active),
        active_hours=16,
        hourly_activity=tuple(hourly),
        room_minutes={"lounge": 600.0},
        longest_still_minutes=still,
        sensors_reporting=SENSORS[:reporting],
        sensors_silent=SENSORS[reporting:],
        roles_missing=(),
    )


def steady_days(
    n: int, *, start: date = START, seed: int = 7, **settings: Setting
) -> list[DayFeatures]:
    """n days of a steady routine with small seeded noise; `settings` override any value.

    A setting is a number (every day) or a function of the day's index (0..n-1),
    and replaces the noisy default entirely: `time_up=lambda i: 475 + 5 * i`.
    """
    rng = random.Random(seed)
    days = []
    for i in range(n):
        values: dict[str, float] = {
            "time_up": 475 + rng.uniform(-15, 15),
            "bedtime": -30 + rng.uniform(-20, 20),
            "toilets": rng.choice((1, 2, 2, 3)),
            "first_kitchen": 500 + rng.uniform(-15, 15),
            "kitchen": 55 + rng.uniform(-8, 8),
            "fridge": rng.choice((4, 5, 5, 6)),
            "outings": rng.choice((1, 1, 2)),
            "minutes_out": 120 + rng.uniform(-30, 30),
            "active": 300 + rng.uniform(-25, 25),
            "still": 90 + rng.uniform(-10, 10),
        }
        for name, setting in settings.items():
            values[name] = setting(i) if callable(setting) else setting
        days.append(day_features(start + timedelta(days=i), **values))  # type: ignore[arg-type]
    return days


def with_day(days: list[DayFeatures], index: int, **changes: object) -> list[DayFeatures]:
    """`days` with day `index`'s DayFeatures fields replaced."""
    copy = list(days)
    copy[index] = replace(copy[index], **changes)  # type: ignore[arg-type]
    return copy


def fold(name: str, values: list[float], *, start: date = START) -> tuple[Tracker, list[Step]]:
    """Run one behaviour's detector over daily values: learning days first, then judged ones."""
    tracker = Tracker(BY_NAME[name])
    steps = []
    for i, value in enumerate(values):
        day = start + timedelta(days=i)
        step = (learn if i < LEARNING_DAYS else judge)(tracker, day, value)
        tracker = step.tracker
        steps.append(step)
    return tracker, steps
