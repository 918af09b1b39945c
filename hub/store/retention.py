"""Retention: raw events older than `storage.raw_retention_days` are deleted.

Deletion runs in chunks, each its own short transaction, so a first prune of
a long history never holds the write lock for long (live writes wait behind
it on the same writer thread).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from hub.store.event_table import to_micros

CHUNK = 10_000


def retention_cutoff(now: datetime, keep_days: int) -> datetime:
    return now - timedelta(days=keep_days)


def prune_raw_events(
    conn: sqlite3.Connection, before: datetime, keep_boot: str | None = None
) -> int:
    """Delete events with time < `before`; return how many went.

    Events of `keep_boot` still waiting for their clock correction are kept:
    stamped by a clock that read 1970, they would look old enough to delete
    just before the correction gives them their true time.
    """
    limit = to_micros(before)
    removed = 0
    while True:
        conn.execute("BEGIN")
        try:
            cursor = conn.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time_us < ? "
                "AND (clock_ok = 1 OR boot IS NOT ?) ORDER BY time_us LIMIT ?)",
                (limit, keep_boot, CHUNK),
            )
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        removed += cursor.rowcount
        if cursor.rowcount < CHUNK:
            return removed
