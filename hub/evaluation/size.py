"""How big an injected change is for this person: its step in their own day-to-day spread.

Ninety minutes later is a lot for a person who gets up within half an hour
of 07:50 every day, and little for one who gets up anywhere from 07:00 to
11:30. The report groups the cases by this size, so that a miss can be read
against what the person's own days allowed: for the mean of the four days a
3-day deadline leaves to stand `detect.FOUND` (3.6) standard errors from
usual, each day must be near two spreads out.

The size of a case: over the behaviours the change moves (`MOVES`, those a
day's value measures: not the model's score, not rare counts such as the
door at night, which are judged as rates), the largest |mean difference|
between the changed and the unchanged stream on the same dates, at full
strength and on the unchanged stream's normal days, divided by the spread
of the unchanged normal days before the onset (as the baseline measures
spread: `baseline.spread_of`). None when no such behaviour has values.

`ideal_detection` turns a size into a yardstick: the share of such changes a
detector far better informed than any real one would find by the abrupt
deadline, at the same false-alert budget (see its docstring). Read beside the
full system's figure, it says how much of a miss the person's own variation
explains.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from statistics import NormalDist

from hub.evaluation.metrics import ABRUPT_WITHIN
from hub.evaluation.pipeline import Days
from hub.routine.baseline import MIN_VALUES, spread_of
from hub.routine.behaviours import BEHAVIOURS, BY_NAME, Behaviour, DayExtras

BANDS = (("under 1", 0.0, 1.0), ("1 to 2", 1.0, 2.0), ("2 or more", 2.0, float("inf")))
ABRUPT_DAYS = ABRUPT_WITHIN + 1  # the onset day and those up to the abrupt deadline
FALSE_ALERTS_PER_30_DAYS = 1.0  # issue 3's false-alert target


def change_size(
    moves: Iterable[str],
    before: Days,
    after: Days,
    *,
    onset: date,
    ramp_days: int,
    normal: Collection[date],
) -> float | None:
    """The change's size in spreads a day (see the module's docstring)."""
    full_from = onset + timedelta(days=max(ramp_days - 1, 0))
    sizes = []
    for name in sorted(moves):
        behaviour = BY_NAME[name]
        if behaviour.rare or behaviour.from_extras is not None:
            continue
        unchanged = _by_date(behaviour, before)
        changed = _by_date(behaviour, after)
        usual = [v for d, v in unchanged.items() if d < onset and d in normal]
        gaps = [
            v - unchanged[d]
            for d, v in changed.items()
            if d >= full_from and d in normal and d in unchanged
        ]
        if len(usual) < MIN_VALUES or not gaps:
            continue
        sizes.append(abs(statistics.fmean(gaps)) / spread_of(usual, behaviour.floor))
    return max(sizes) if sizes else None


def ideal_detection(
    size: float, *, days: int = ABRUPT_DAYS, behaviours: int = len(BEHAVIOURS)
) -> float:
    """The chance that an ideal detector finds a change of `size` spreads a day within `days`.

    Ideal: it is told which behaviour changes, which way and on which day, and
    the person's days vary around their usual value as a normal distribution
    of exactly the spread the size was measured in, each day independent of
    the others. It looks once, at the mean of the `days` days from the onset,
    and raises an alert when that mean stands further out than chance takes
    it once in 30 days across every behaviour and both directions (the issue's
    false-alert target shared out, as a detector that does not know which
    behaviour will change must share it). A real detector knows none of this,
    so the figure is a yardstick, not a bound: one change moving several
    behaviours, or days more regular than a normal curve, could be found
    more often.
    """
    standard = NormalDist()
    chance = FALSE_ALERTS_PER_30_DAYS / (30 * 2 * behaviours)
    threshold = standard.inv_cdf(1 - chance)
    return standard.cdf(size * math.sqrt(days) - threshold)


def band_of(size: float) -> str:
    return next(name for name, low, high in BANDS if low <= size < high)


def _by_date(behaviour: Behaviour, days: Days) -> dict[date, float]:
    """The behaviour's value on each day that has one."""
    out = {}
    for day in days.days:
        value = behaviour.measure(day, DayExtras(days.signs.get(day.date)))
        if value is not None:
            out[day.date] = value
    return out
