"""Each finished day's features, kept after the raw events behind them expire.

Raw events are pruned after `storage.raw_retention_days` (or sooner on a
nearly full disk); the daily features are the summary that outlives them, for
the weekly summaries and for looking back years later. Written by the live
hub once a day (`hub/safety.py`, when it learns), as JSON
(`hub.routine.features.feature_record`); a day written again (recomputed with
the same events) is replaced.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from hub.routine.features import DayFeatures, feature_record
from hub.store.event_table import to_micros


def save_days(conn: sqlite3.Connection, days: Sequence[DayFeatures], now: datetime) -> int:
    """Keep the whole days among `days` (a partial day would be a wrong summary)."""
    rows = [
        (day.date.isoformat(), json.dumps(feature_record(day)), to_micros(now))
        for day in days
        if not day.partial
    ]
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO day_summaries (date, features, saved_us) VALUES (?, ?, ?)",
            rows,
        )
    return len(rows)


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
