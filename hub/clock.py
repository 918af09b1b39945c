"""The one clock every part of the hub reads.

Live, it is the system clock. In replay and in tests it is a `ManualClock`
advanced to each event's time, so weeks of data run in seconds and give exactly
the results the live hub would give.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to; it never runs backwards."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance_to(self, moment: datetime) -> None:
        """Move to `moment`; an earlier moment (an out-of-order row) leaves the clock alone."""
        if moment > self._now:
            self._now = moment
