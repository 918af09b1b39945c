"""The routine of stored days: the one path the hub, `hearth routine` and the summary share.

Days come from two places: the daily summaries (`day_summaries`: the
features and signs of each day the live hub has finished, kept after the raw
events behind them expire) and the raw events of every day after the last
summary. The results are a pure fold from the first day on (`score_days`),
so a day's result depends on every day before it, and the same stored data
give the same results to whoever asks.

A day's result is final once the day after it has ended: its features need
the next night (its bedtime ends the day's longest still spell; the night
window closes at 14:00 the day after), and its type needs the whole next day
(an evening spent out makes the day before an away day, `day_types.py`).
So the live hub judges, each day, the day before yesterday (`final_day`):
what it tells carers is what `hearth routine` says of that day at any later
time, and what a replay of the same events says.

Raw events are read from `REWIND` before the first day not summarised, for
that day's night and look-back; an outing that began before then is cut at
it (a trip away of more than two days).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.routine.day_signs import day_signs
from hub.routine.days import local_instant
from hub.routine.features import DayFeatures, daily_features, empty_day
from hub.routine.score import RoutineDayResult, score_days
from hub.store.day_summaries import save_days, saved_routine_days
from hub.store.event_table import read_events

REWIND = timedelta(days=3)


@dataclass(frozen=True)
class StoredRoutine:
    days: list[DayFeatures]  # one per local date, oldest first, none missing
    results: list[RoutineDayResult]  # the same dates, in the same order


def final_day(today: date) -> date:
    """The latest day whose result can no longer change on `today` (see the module's doc)."""
    return today - timedelta(days=2)


def stored_routine(
    conn: sqlite3.Connection,
    config: HearthConfig,
    *,
    until: datetime | None = None,
    keep_through: date | None = None,
) -> StoredRoutine:
    """Features and routine results of every local date the stored data cover.

    `until`: the moment the stored events are known to run to (the live hub:
    now; a quiet evening is then still a whole day); without it they end at
    the last event, as a replayed recording's do. `keep_through`: save the
    summaries of the days computed here up to that date (the live hub keeps
    each day once it is final).
    """
    zone = ZoneInfo(config.home.timezone)
    saved = saved_routine_days(conn, zone)
    days = {day.date: day for day, _ in saved}
    signs = {found.date: found for _, found in saved if found is not None}
    # Days summarised before signs were kept are computed again while their events last.
    first_new = max(signs) + timedelta(days=1) if signs else None
    since = None if first_new is None else local_instant(first_new, time(0), zone) - REWIND
    computed = daily_features(
        read_events(conn, since, until), config, until=until, first_date=first_new
    )
    # Read as a stream again rather than held: months of events are a lot of memory.
    computed_signs = day_signs(read_events(conn, since, until), config, computed)
    days.update({day.date: day for day in computed})
    signs.update(computed_signs)
    if keep_through is not None:
        finished = [day for day in computed if day.date <= keep_through]
        save_days(conn, finished, until or datetime.now(UTC), computed_signs)
    ordered = _consecutive(days, zone)
    return StoredRoutine(ordered, score_days(ordered, signs))


def _consecutive(days: dict[date, DayFeatures], zone: ZoneInfo) -> list[DayFeatures]:
    """The days oldest first, a date with nothing stored (the hub was off) as an empty day."""
    if not days:
        return []
    first, last = min(days), max(days)
    out = []
    day = first
    while day <= last:
        out.append(days.get(day) or empty_day(day, zone))
        day += timedelta(days=1)
    return out
