"""The behaviours the baseline watches: which `DayFeatures` number each one is, and in what unit.

Every behaviour is one number per day, or None when the day cannot tell it.
Times of day are minutes after the day's local midnight on the wall clock, so
07:55 is 475. Bedtime belongs to the day that follows it (see `days.py`) and
usually falls the evening before, so it is counted from the same midnight and
may be negative: 23:50 the evening before is -10 and 00:10 is +10, twenty
minutes apart, not 23 hours. The night window (18:00 to 14:00) keeps every
bedtime within -360..840, so no value ever wraps.

Each behaviour also carries two sizes in its own unit, chosen so that
statistics on a short, quiet history do not make trivia look alarming:

- `scale_floor`: the smallest spread the baseline may assume. A person who
  got up between 07:50 and 08:00 for two weeks has a tiny MAD, and 08:20
  would otherwise be "10 standard deviations" late.
- `smallest_change`: the smallest difference from usual worth telling a
  carer about, whatever the statistics say (getting up 15 minutes later is
  not news).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hub.routine.day_signs import DaySigns
from hub.routine.features import DayFeatures


class Unit(StrEnum):
    CLOCK = "clock"  # minutes after the day's local midnight, shown as HH:MM
    COUNT = "count"  # how many times, shown as a number
    MINUTES = "minutes"  # a duration, shown as "2 h 10 min"
    SCORE = "score"  # the model's calibrated unusualness, a robust z


@dataclass(frozen=True, slots=True)
class DayExtras:
    """What a day's features lack: signs from its events, the model's calibrated score."""

    signs: DaySigns | None = None
    pattern_z: float | None = None


NO_EXTRAS = DayExtras()


@dataclass(frozen=True)
class Behaviour:
    name: str  # the feature's name in JSON output
    unit: Unit
    value: Callable[[DayFeatures], float | None]
    scale_floor: float  # in the behaviour's unit; or, with `relative`, a share of the usual value
    smallest_change: float  # likewise
    relative: bool = False  # floors are shares of the usual value (for amounts that vary by home)
    minimum: float = 10.0  # with `relative`: never less than this, so a usual 0 still has a spread
    # For behaviours the features cannot tell: read from the day's extras instead.
    from_extras: Callable[[DayExtras], float | None] | None = None
    # A count of something that happens on few nights or none (the outside door
    # at night): judged as a rate of events per day, not by spreads around a
    # median of 0 (see `detect.py`, "rare counts").
    rare: bool = False
    # Something the person does on most days (going out): a run of days
    # without it is judged on its own as well, by how rarely the usual days
    # have such runs (see `detect.py`, "days without").
    habit: bool = False

    def measure(self, day: DayFeatures, extras: DayExtras = NO_EXTRAS) -> float | None:
        """The day's value of this behaviour, or None when the day cannot tell it."""
        if self.from_extras is not None:
            return self.from_extras(extras)
        return self.value(day)

    def floor(self, usual: float) -> float:
        """The smallest spread to assume around `usual`."""
        if self.relative:
            return max(self.scale_floor * abs(usual), self.minimum)
        return self.scale_floor

    def meaningful(self, usual: float) -> float:
        """The smallest difference from `usual` worth a sentence."""
        if self.relative:
            return max(self.smallest_change * abs(usual), self.minimum)
        return self.smallest_change


def wall_minutes(moment: datetime | None, day: DayFeatures) -> float | None:
    """Wall-clock minutes from `day`'s local midnight to `moment` (negative: the day before)."""
    if moment is None:
        return None
    days = (moment.date() - day.date).days
    return days * 1440 + moment.hour * 60 + moment.minute + moment.second / 60


def _kitchen_minutes(day: DayFeatures) -> float | None:
    meals = (day.breakfast_kitchen_minutes, day.lunch_kitchen_minutes, day.dinner_kitchen_minutes)
    if any(m is None for m in meals):
        return None
    return float(sum(m for m in meals if m is not None))


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _night_exits(extras: DayExtras) -> float | None:
    return None if extras.signs is None else _number(extras.signs.night_exits)


def _no_feature(day: DayFeatures) -> float | None:
    return None


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("time_up", Unit.CLOCK, lambda d: wall_minutes(d.time_up, d), 20, 30),
    Behaviour("bedtime", Unit.CLOCK, lambda d: wall_minutes(d.bedtime, d), 20, 30),
    Behaviour("night_toilet_visits", Unit.COUNT, lambda d: _number(d.night_toilet_visits), 1, 1),
    Behaviour(
        "first_kitchen_activity",
        Unit.CLOCK,
        lambda d: wall_minutes(d.first_kitchen_activity, d),
        20,
        30,
    ),
    Behaviour("kitchen_minutes", Unit.MINUTES, _kitchen_minutes, 0.15, 0.25, relative=True),
    Behaviour("fridge_uses", Unit.COUNT, lambda d: _number(d.fridge_uses), 1, 2),
    Behaviour("outings", Unit.COUNT, lambda d: _number(d.outings), 1, 1, habit=True),
    Behaviour("minutes_out", Unit.MINUTES, lambda d: _number(d.minutes_out), 0.25, 0.4, True),
    Behaviour("active_minutes", Unit.MINUTES, lambda d: float(d.active_minutes), 0.1, 0.2, True),
    Behaviour(
        "longest_still_minutes",
        Unit.MINUTES,
        lambda d: _number(d.longest_still_minutes),
        0.15,
        0.4,
        relative=True,
    ),
    # Outside-door openings between bedtime and time up, a night at a time:
    # usually none, so a rate (see `detect.py`). A change needs at least one
    # opening more than the nights would usually hold.
    Behaviour(
        "night_exits",
        Unit.COUNT,
        _no_feature,
        1,
        1,
        from_extras=_night_exits,
        rare=True,
    ),
    # The model's calibrated score is already a robust z for this home; its own
    # baseline only re-centres it (a home's score may settle off 0 after learning).
    Behaviour("activity_pattern", Unit.SCORE, _no_feature, 1, 2, from_extras=lambda e: e.pattern_z),
)
BY_NAME = {b.name: b for b in BEHAVIOURS}
