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


def prune_raw_events(conn: sqlite3.Connection, before: datetime) -> int:
    """Delete events with time < `before`; return how many went."""
    limit = to_micros(before)
    removed = 0
    while True:
        conn.execute("BEGIN")
        try:
            cursor = conn.execute(
                "DELETE FROM events WHERE id IN "
                "(SELECT id FROM events WHERE time_us < ? ORDER BY time_us LIMIT ?)",
                (limit, CHUNK),
            )
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        removed += cursor.rowcount
        if cursor.rowcount < CHUNK:
            return removed
