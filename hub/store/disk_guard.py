"""Running out of disk: keep less raw detail before anything stops, and say so.

A Pi's SD card fills up slowly (years of events, a log gone wild). Before
SQLite starts refusing writes, the hub prunes raw events down to
`EMERGENCY_KEEP_DAYS` (what the routine learns from, plus a week) and raises
a maintenance alert, so a person can act while the hub still works.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub.alerts.model import Condition, Severity

LOW_FRACTION = 0.10
LOW_BYTES = 500 * 2**20
EMERGENCY_KEEP_DAYS = 35  # the routine learns from 28 days

DiskUsage = Callable[[Path], tuple[int, int]]  # (total bytes, free bytes)


@dataclass(frozen=True, slots=True)
class DiskState:
    total: int
    free: int

    @property
    def low(self) -> bool:
        return self.free < LOW_BYTES or (self.total > 0 and self.free / self.total < LOW_FRACTION)

    def describe(self) -> str:
        used = 1 - self.free / self.total if self.total else 1.0
        return f"{used:.0%} full, {self.free / 2**30:.1f} GiB free"


def disk_usage(path: Path) -> tuple[int, int]:
    usage = shutil.disk_usage(path)
    return usage.total, usage.free


def storage_state(database: Path, usage: DiskUsage = disk_usage) -> DiskState:
    folder = next((p for p in (database.parent, *database.parents) if p.exists()), Path("/"))
    total, free = usage(folder)
    return DiskState(total, free)


def disk_condition(state: DiskState, since: datetime) -> Condition:
    """The maintenance alert for a disk that is nearly full."""
    summary = (
        f"The hub's storage is {state.describe()}. It now keeps only the last "
        f"{EMERGENCY_KEEP_DAYS} days of raw sensor data; please free space or fit a larger card."
    )
    return Condition("disk_space", "storage", Severity.WARNING, since, summary)
