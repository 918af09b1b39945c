"""The routine of the days stored in a database: the path `hearth routine` and the summary share.

All stored days are read, oldest first: the baseline is learned from the
first day on, so a week's results depend on every day before it. Callers pick
the dates they show from the results.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from hub.config.models import HearthConfig
from hub.routine.day_signs import day_signs
from hub.routine.features import DayFeatures, daily_features
from hub.routine.score import RoutineDayResult, score_days
from hub.store.event_table import read_events


@dataclass(frozen=True)
class StoredRoutine:
    days: list[DayFeatures]  # one per local date, oldest first
    results: list[RoutineDayResult]  # the same dates, in the same order


def stored_routine(conn: sqlite3.Connection, config: HearthConfig) -> StoredRoutine:
    """Features and routine results of every local date the stored events cover."""
    days = daily_features(read_events(conn), config)
    # Read as a stream again rather than held: a year of events is a lot of memory.
    signs = day_signs(read_events(conn), config, days)
    return StoredRoutine(days, score_days(days, signs))
