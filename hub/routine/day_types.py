"""Days that must not count: what kind of day each local date was, from its features alone.

Only `normal` days are judged and feed the baseline after learning; the others
are shown in the results but raise no change and teach the baseline nothing.
When several apply, the first in this list wins:

- **low-coverage**: the data do not cover the whole day (`partial`), or
  fewer than half of the sensors that report every day reported. A sensor
  reports every day when it did on `DAILY_SHARE` of the previous
  `COVERAGE_WINDOW` full days (once there are `DAILY_HISTORY` of them; until
  then, half as many sensors as reported on the median earlier full day, or
  half the configured sensors on the first). A dead hub or a flat battery is
  not a change in the person, and neither is a quiet day: a person who does
  less still passes the hall and the bed, but leaves the cupboards and
  the toaster alone (when any "fewer than usual" count of sensors judged
  coverage, a drop of 40% in activity made a third of one dataset home's
  days "low-coverage", and no change in them could be seen).
- **away**: out overnight. The day's night found no sleep, nothing moved at
  home between midnight and 06:00, and the person was out at least
  `AWAY_MINUTES_OUT` minutes that day (an outing through the night). The day
  before an away night counts as away too: its evening was spent out. A
  home with no outside-door sensor cannot tell away from an empty log, so
  it never has away days.
- **visitors**: someone else was there. An outside door was opened that day
  and the home saw activity in two places at once (`day_signs.py`) on at
  least `VISITOR_MINUTES` minutes, and far more than usual for this home:
  at least `VISITOR_SPREADS` robust spreads (never less than 1 minute)
  above the median of its previous `COVERAGE_WINDOW` judged days. It needs
  `VISITOR_HISTORY` such days first, so a home's first week has none. Only
  when the day's signs are given (they come from the events, not the
  features); without them no day is a visitors day.
- **learning**: the first `LEARNING_DAYS` local dates of the data.
- **normal**: every other day.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from hub.routine.baseline import LEARNING_DAYS, MAD_TO_SD
from hub.routine.day_signs import DaySigns
from hub.routine.features import DayFeatures

COVERAGE_WINDOW = 28
DAILY_SHARE = 0.8
DAILY_HISTORY = 7
AWAY_MINUTES_OUT = 300.0
NIGHT_HOURS = range(0, 6)
VISITOR_MINUTES = 5
VISITOR_SPREADS = 5.0
VISITOR_HISTORY = 7


class DayType(StrEnum):
    NORMAL = "normal"
    LEARNING = "learning"
    LOW_COVERAGE = "low-coverage"
    AWAY = "away"
    VISITORS = "visitors"


def day_types(
    days: Sequence[DayFeatures],
    signs: Mapping[date, DaySigns] | None = None,
    *,
    learning_days: int = LEARNING_DAYS,
) -> list[DayType]:
    """The type of each day; `days` are consecutive local dates, oldest first."""
    if not days:
        return []
    first = days[0].date
    low = _low_coverage(days)
    away_night = [_spent_night_out(day) for day in days]
    company = _visitors(days, signs or {}, low)
    types = []
    for i, day in enumerate(days):
        if low[i]:
            types.append(DayType.LOW_COVERAGE)
        elif away_night[i] or (i + 1 < len(days) and away_night[i + 1]):
            types.append(DayType.AWAY)
        elif company[i]:
            types.append(DayType.VISITORS)
        elif (day.date - first).days < learning_days:
            types.append(DayType.LEARNING)
        else:
            types.append(DayType.NORMAL)
    return types


def _low_coverage(days: Sequence[DayFeatures]) -> list[bool]:
    flags = []
    full: list[frozenset[str]] = []  # the sensors reporting on each previous full day
    for day in days:
        reporting = frozenset(day.sensors_reporting)
        recent = full[-COVERAGE_WINDOW:]
        if len(recent) >= DAILY_HISTORY:
            times = Counter(sensor for sensors in recent for sensor in sensors)
            daily = {s for s, n in times.items() if n >= DAILY_SHARE * len(recent)}
            few = len(reporting & daily) < len(daily) / 2
        elif recent:
            few = len(reporting) < statistics.median(len(r) for r in recent) / 2
        else:
            few = len(reporting) < (len(reporting) + len(day.sensors_silent)) / 2
        flags.append(day.partial or few)
        if not day.partial and not few:
            full.append(reporting)
    return flags


def _spent_night_out(day: DayFeatures) -> bool:
    if day.partial or day.minutes_out is None or day.time_up is not None:
        return False
    still_at_night = all(day.hourly_activity[hour] == 0 for hour in NIGHT_HOURS)
    return still_at_night and day.minutes_out >= AWAY_MINUTES_OUT


def _visitors(
    days: Sequence[DayFeatures], signs: Mapping[date, DaySigns], low: Sequence[bool]
) -> list[bool]:
    flags = []
    usual: list[int] = []  # together minutes of previous full days without visitors
    for day, poor in zip(days, low, strict=True):
        sign = signs.get(day.date)
        if sign is None or poor:
            flags.append(False)
            continue
        recent = usual[-COVERAGE_WINDOW:]
        visitors = False
        if sign.exit_used and len(recent) >= VISITOR_HISTORY:
            middle = statistics.median(recent)
            spread = max(MAD_TO_SD * statistics.median(abs(m - middle) for m in recent), 1.0)
            threshold = max(VISITOR_MINUTES, middle + VISITOR_SPREADS * spread)
            visitors = sign.together_minutes >= threshold
        flags.append(visitors)
        if not visitors:
            usual.append(sign.together_minutes)
    return flags
