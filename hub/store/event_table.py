"""Reading and writing the append-only `events` table.

Times are stored as integer microseconds since the Unix epoch (UTC), so an
exported event compares equal to the one that was stored. Values are stored as
SQLite's own types (a bool becomes 0/1) and turned back by the event's kind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from hub.events import BINARY_KINDS, NUMERIC_KINDS, Event, Kind, Source, Value

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INSERT = "INSERT INTO events (time_us, sensor, kind, value, source) VALUES (?, ?, ?, ?, ?)"


def to_micros(moment: datetime) -> int:
    # timedelta arithmetic is exact; float timestamps would round microseconds.
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


# sqlite3 binds an exact str faster than a StrEnum member (a str subclass).
_PLAIN: dict[Kind | Source, str] = {member: member.value for member in (*Kind, *Source)}


def event_rows(events: Iterable[Event]) -> Iterator[tuple[int, str, str, Value, str]]:
    """Rows for many events; the events of one message share one time object."""
    last_time: datetime | None = None
    last_micros = 0
    plain = _PLAIN
    for event in events:
        if event.time is not last_time:
            last_time, last_micros = event.time, to_micros(event.time)
        yield (last_micros, event.sensor, plain[event.kind], event.value, plain[event.source])


def insert_events(conn: sqlite3.Connection, events: Iterable[Event]) -> None:
    """Insert events inside the caller's transaction."""
    conn.executemany(_INSERT, event_rows(events))


def _value(kind: Kind, raw: Value) -> Value:
    if kind in BINARY_KINDS:
        return bool(raw)
    if kind in NUMERIC_KINDS:
        return float(raw)
    return str(raw)


def read_events(
    conn: sqlite3.Connection,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[Event]:
    """Events with since <= time < until, in time order (insertion order among equal times)."""
    low = to_micros(since) if since else -(2**62)
    high = to_micros(until) if until else 2**62
    cursor = conn.execute(
        "SELECT time_us, sensor, kind, value, source FROM events "
        "WHERE time_us >= ? AND time_us < ? ORDER BY time_us, id",
        (low, high),
    )
    for time_us, sensor, kind_text, raw, source in cursor:
        kind = Kind(kind_text)
        yield Event(from_micros(time_us), sensor, kind, _value(kind, raw), Source(source))


def count_events(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0])
