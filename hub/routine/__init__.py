"""Routine: daily behaviour features from events (issue 3, part 1).

Pure functions over typed values: `daily_features(events, config)` gives one
`DayFeatures` per local date; nothing here reads or writes files or databases.
"""

from hub.routine.days import RoutineDay, routine_day, routine_days
from hub.routine.features import DayFeatures, daily_features

__all__ = ["DayFeatures", "RoutineDay", "daily_features", "routine_day", "routine_days"]
