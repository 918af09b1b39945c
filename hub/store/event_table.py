"""Reading and writing the append-only `events` table.

Times are stored as integer microseconds since the Unix epoch (UTC), so an
exported event compares equal to the one that was stored. Values are stored as
SQLite's own types (a bool becomes 0/1) and turned back by the event's kind.

Events received while the hub's clock could not be trusted (`hub/clock_guard.py`)
are stored with `clock_ok = 0`, their boot id and their monotonic time, until
`correct_unsure` gives them their true time. `read_events` leaves them out, so
no day, baseline or rule ever sees a time the hub could not vouch for.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.events import BINARY_KINDS, NUMERIC_KINDS, Event, Kind, Source, Value

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INSERT = "INSERT INTO events (time_us, sensor, kind, value, source) VALUES (?, ?, ?, ?, ?)"
_INSERT_FLAGGED = (
    "INSERT INTO events (time_us, sensor, kind, value, source, clock_ok, boot, mono_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


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


@dataclass(frozen=True, slots=True)
class UnsureEvent(Event):
    """An event received while the hub's clock could not be trusted.

    It is an Event like any other for the live rules (its time agrees with the
    clock they read), but it is stored flagged, with what is needed to give it
    its true time later (`correct_unsure`).
    """

    boot: str  # the Linux boot it was received in
    mono_us: int  # its time on that boot's monotonic clock


@dataclass(frozen=True, slots=True)
class BootClock:
    """This boot, and the wall time (on the current clock) of its monotonic zero."""

    boot: str
    anchor_us: int


def insert_events(conn: sqlite3.Connection, events: Iterable[Event]) -> None:
    """Insert events inside the caller's transaction."""
    batch = events if isinstance(events, list) else list(events)
    # The common case (a trusted clock) keeps the narrow, faster statement.
    if not any(type(event) is UnsureEvent for event in batch):
        conn.executemany(_INSERT, event_rows(batch))
        return
    conn.executemany(
        _INSERT_FLAGGED,
        (
            (*row, 0, event.boot, event.mono_us)
            if isinstance(event, UnsureEvent)
            else (*row, 1, None, None)
            for event, row in zip(batch, event_rows(batch), strict=True)
        ),
    )


def correct_unsure(conn: sqlite3.Connection, boot: str, anchor_us: int) -> int:
    """Give the flagged events of `boot` their true time and unflag them; how many.

    `anchor_us` is the true wall time of the boot's monotonic zero, measured
    once the clock is trusted. Inside the caller's transaction. `boot` and
    `mono_us` stay, as the record that the time was corrected.
    """
    cursor = conn.execute(
        "UPDATE events SET time_us = mono_us + ?, clock_ok = 1 WHERE clock_ok = 0 AND boot = ?",
        (anchor_us, boot),
    )
    return cursor.rowcount


def count_unsure(conn: sqlite3.Connection) -> int:
    """Flagged events: received while the clock was not trusted and not corrected (yet)."""
    row = conn.execute("SELECT count(*) FROM events WHERE clock_ok = 0").fetchone()
    return int(row[0])


def newest_trusted(conn: sqlite3.Connection) -> datetime | None:
    """The time of the newest event stored with a trusted time, if any."""
    row = conn.execute("SELECT max(time_us) FROM events WHERE clock_ok = 1").fetchone()
    return None if row[0] is None else from_micros(int(row[0]))


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
    *,
    this_boot: BootClock | None = None,
) -> Iterator[Event]:
    """Events with since <= time < until, in time order (insertion order among equal times).

    Flagged events (clock not trusted when received) are left out. With
    `this_boot`, those of this boot come too, at their time on the current
    clock: what the live rules saw before a restart, on the clock they read
    now, even while it is still unsynchronised.
    """
    low = to_micros(since) if since else -(2**62)
    high = to_micros(until) if until else 2**62
    trusted = conn.execute(
        "SELECT time_us, sensor, kind, value, source, id FROM events "
        "WHERE time_us >= ? AND time_us < ? AND clock_ok = 1 ORDER BY time_us, id",
        (low, high),
    )
    rows: Iterator[tuple[int, str, str, Value, str, int]] = trusted
    if this_boot is not None:
        anchor = this_boot.anchor_us
        flagged = conn.execute(
            "SELECT mono_us + ?, sensor, kind, value, source, id FROM events "
            "WHERE clock_ok = 0 AND boot = ? AND mono_us >= ? AND mono_us < ? "
            "ORDER BY mono_us, id",
            (anchor, this_boot.boot, low - anchor, high - anchor),
        )
        # Both cursors come sorted: merge them as streams, never all in memory.
        rows = heapq.merge(trusted, flagged, key=lambda row: (row[0], row[5]))
    for time_us, sensor, kind_text, raw, source, _ in rows:
        kind = Kind(kind_text)
        yield Event(from_micros(time_us), sensor, kind, _value(kind, raw), Source(source))


def count_events(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM events").fetchone()
    return int(row[0])
