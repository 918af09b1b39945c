"""Fault injection for clock tests: a hub clock that is wrong, a monotonic clock, a sync flag.

`FakeTime` holds the true time; the hub's wall clock reads it plus an error
that a test sets (a Pi booting 3 hours behind) and steps (NTP correcting it),
and the monotonic clock counts from boot, as CLOCK_MONOTONIC does, untouched
by steps. Nothing sleeps: the test moves the true time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.clock_guard import SyncReport, SyncStatus


@dataclass
class FakeTime:
    true: datetime
    boot_at: datetime  # the true time the machine booted: monotonic zero
    error: timedelta = timedelta(0)  # how wrong the hub's wall clock is

    def now(self) -> datetime:
        """The hub's wall clock (the `Clock` protocol)."""
        return self.true + self.error

    def monotonic_ns(self) -> int:
        return (self.true - self.boot_at) // timedelta(microseconds=1) * 1000


@dataclass
class FakeSync:
    """systemd-timesyncd as a test wants it: not yet, or synchronised at a time.

    Given the `time`, it goes on synchronising every `every` (timesyncd's
    shortest poll interval) while the hub clock is right, as the real one does,
    touching its file each time.
    """

    status: SyncStatus = SyncStatus.NOT_SYNCHRONISED
    last_sync: datetime | None = None
    time: FakeTime | None = None
    every: timedelta = timedelta(seconds=32)
    asked: list[SyncStatus] = field(default_factory=list)

    def __call__(self) -> SyncReport:
        self.asked.append(self.status)
        time, last = self.time, self.last_sync
        if self.status is SyncStatus.SYNCHRONISED and time and last and not time.error:
            self.last_sync = last + (time.now() - last) // self.every * self.every
        return SyncReport(self.status, self.last_sync)

    def synchronised_at(self, moment: datetime) -> None:
        self.status, self.last_sync = SyncStatus.SYNCHRONISED, moment
