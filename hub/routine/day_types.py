"""Days that must not count: what kind of day each local date was, from its features alone.

Only `normal` days are judged and feed the baseline after learning; the others
are shown in the results but raise no change and teach the baseline nothing.
When several apply, the first in this list wins:

- **low-coverage**: the data do not cover the whole day (`partial`), or fewer
  than half as many sensors reported as usually do (the median of the
  previous `COVERAGE_WINDOW` full days; before any, half the configured
  sensors). A dead hub or a flat battery is not a change in the person.
- **away**: out overnight. The day's night found no sleep, nothing moved at
  home between midnight and 06:00, and the person was out at least
  `AWAY_MINUTES_OUT` minutes that day (an outing through the night). The day
  before an away night counts as away too: its evening was spent out. A
  home with no outside-door sensor cannot tell away from an empty log, so
  it never has away days.
- **learning**: the first `LEARNING_DAYS` local dates of the data.
- **normal**: every other day.

Visitors (issue 3, item 5) are not recognised yet: doing it honestly needs
the events (activity in two distant rooms within a minute) and which rooms
are distant, and neither is in `DayFeatures`. Days with visitors are judged
as normal days for now.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from enum import StrEnum

from hub.routine.baseline import LEARNING_DAYS
from hub.routine.features import DayFeatures

COVERAGE_WINDOW = 28
AWAY_MINUTES_OUT = 300.0
NIGHT_HOURS = range(0, 6)


class DayType(StrEnum):
    NORMAL = "normal"
    LEARNING = "learning"
    LOW_COVERAGE = "low-coverage"
    AWAY = "away"


def day_types(days: Sequence[DayFeatures], *, learning_days: int = LEARNING_DAYS) -> list[DayType]:
    """The type of each day; `days` are consecutive local dates, oldest first."""
    if not days:
        return []
    first = days[0].date
    low = _low_coverage(days)
    away_night = [_spent_night_out(day) for day in days]
    types = []
    for i, day in enumerate(days):
        if low[i]:
            types.append(DayType.LOW_COVERAGE)
        elif away_night[i] or (i + 1 < len(days) and away_night[i + 1]):
            types.append(DayType.AWAY)
        elif (day.date - first).days < learning_days:
            types.append(DayType.LEARNING)
        else:
            types.append(DayType.NORMAL)
    return types


def _low_coverage(days: Sequence[DayFeatures]) -> list[bool]:
    flags = []
    full_counts: list[int] = []  # sensors reporting on previous full days
    for day in days:
        reporting = len(day.sensors_reporting)
        if full_counts:
            usual = statistics.median(full_counts[-COVERAGE_WINDOW:])
        else:
            usual = len(day.sensors_reporting) + len(day.sensors_silent)
        few = reporting < usual / 2
        flags.append(day.partial or few)
        if not day.partial and not few:
            full_counts.append(reporting)
    return flags


def _spent_night_out(day: DayFeatures) -> bool:
    if day.partial or day.minutes_out is None or day.time_up is not None:
        return False
    still_at_night = all(day.hourly_activity[hour] == 0 for hour in NIGHT_HOURS)
    return still_at_night and day.minutes_out >= AWAY_MINUTES_OUT
