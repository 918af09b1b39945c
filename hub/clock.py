"""The one clock every part of the hub reads.

Live, it is the system clock. In replay and in tests it is a `ManualClock`
advanced to each event's time, so weeks of data run in seconds and give exactly
the results the live hub would give.

The system clock of a Pi without a real-time clock can be wrong by hours until
NTP steps it; whether to believe it is for `hub/clock_guard.py` to say.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
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
        self._now = max(self._now, moment)


class AcceleratedClock:
    """Scenario time running `speed` times faster than the wall clock (the demo)."""

    def __init__(self, scenario_start: datetime, speed: float) -> None:
        if scenario_start.tzinfo is None:
            raise ValueError("AcceleratedClock needs a timezone-aware start time")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._monotonic = time.monotonic
        self._wall_start = time.monotonic()
        self._start = scenario_start.astimezone(UTC)
        self.speed = speed

    def now(self) -> datetime:
        elapsed = (self._monotonic() - self._wall_start) * self.speed
        return self._start + timedelta(seconds=elapsed)

    def wall_seconds_until(self, moment: datetime) -> float:
        """Real seconds to wait until scenario time reaches `moment`."""
        return (moment - self.now()).total_seconds() / self.speed
