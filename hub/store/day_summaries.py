"""Each finished day's features and signs, kept after the raw events behind them expire.

Raw events are pruned after `storage.raw_retention_days` (or sooner on a
nearly full disk); the daily features and signs are the summary that
outlives them: the routine is judged from them (`hub/routine/stored.py`), for
the live hub, `hearth routine` and the weekly summaries, and they are there
for looking back years later. Written by the live hub once a day
(`hub/safety.py`, when it learns), as JSON
(`hub.routine.features.feature_record`, `sign_record`); a day written again
(recomputed with the same events) is replaced.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo

from hub.routine.day_signs import DaySigns
from hub.routine.features import DayFeatures, day_from_record, feature_record
from hub.store.event_table import to_micros


def save_days(
    conn: sqlite3.Connection,
    days: Sequence[DayFeatures],
    now: datetime,
    signs: Mapping[date, DaySigns] | None = None,
) -> int:
    """Keep `days`, with their signs where known.

    Partial days are kept too, marked so (the first day of the data, a day
    the hub was off for part of): they are never judged, but the dates they
    hold keep the routine's calendar, and its learning fortnight, where a
    replay of the same events puts them.
    """
    known = signs or {}
    rows = [
        (
            day.date.isoformat(),
            json.dumps(feature_record(day)),
            to_micros(now),
            None if day.date not in known else json.dumps(sign_record(known[day.date])),
        )
        for day in days
    ]
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO day_summaries (date, features, saved_us, signs)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def sign_record(signs: DaySigns) -> dict[str, object]:
    return {
        "exit_used": signs.exit_used,
        "together_minutes": signs.together_minutes,
        "night_exits": signs.night_exits,
    }


def saved_routine_days(
    conn: sqlite3.Connection, zone: tzinfo
) -> list[tuple[DayFeatures, DaySigns | None]]:
    """Every kept day with its signs (None for a day kept before signs were), oldest first."""
    rows = conn.execute("SELECT features, signs FROM day_summaries ORDER BY date").fetchall()
    out: list[tuple[DayFeatures, DaySigns | None]] = []
    for features, signs in rows:
        day = day_from_record(json.loads(features), zone)
        found = None
        if signs is not None:
            record = json.loads(signs)
            found = DaySigns(
                day.date, record["exit_used"], record["together_minutes"], record["night_exits"]
            )
        out.append((day, found))
    return out


def saved_days(
    conn: sqlite3.Connection, since: date | None = None, until: date | None = None
) -> list[dict[str, object]]:
    """The kept days from `since` to `until` (both included), oldest first."""
    low = since.isoformat() if since else "0000-00-00"
    high = until.isoformat() if until else "9999-99-99"
    rows = conn.execute(
        "SELECT features FROM day_summaries WHERE date >= ? AND date <= ? ORDER BY date",
        (low, high),
    ).fetchall()
    days = [json.loads(features) for (features,) in rows]
    for day in days:
        # Rows saved before the profile by role existed read as "no role known".
        day.setdefault("hourly_by_role", {})
    return days
