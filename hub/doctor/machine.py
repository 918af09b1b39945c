"""Disk space for the database, and whether the clock can be trusted."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hub.clock_guard import SyncStatus, TimesyncdSource
from hub.doctor.findings import Finding, Level
from hub.store.disk_guard import DiskUsage, disk_usage, storage_state

# Below this share of free space, warn: the hub itself acts only once the
# disk is low in `disk_guard`'s sense (then it keeps less raw detail).
FILLING_FRACTION = 0.15
EARLIEST_PLAUSIBLE = datetime(2025, 1, 1, tzinfo=UTC)  # a Pi without RTC boots in 1970

SyncState = Callable[[], bool | None]  # None: cannot tell


def check_disk(storage: Path, usage: DiskUsage = disk_usage) -> list[Finding]:
    state = storage_state(storage, usage)
    said = f"{state.describe()} of {state.total / 2**30:.1f} GiB, for {storage}"
    if state.low:
        fix = "free space now: the hub keeps only 35 days of raw events until you do"
        return [Finding(Level.PROBLEM, "disk", said, fix)]
    if state.total and state.free / state.total < FILLING_FRACTION:
        return [Finding(Level.WARNING, "disk", said, "the disk is filling up; plan to free space")]
    return [Finding(Level.OK, "disk", said)]


def clock_synchronised() -> bool | None:
    """Whether NTP has set the clock: systemd-timesyncd (as the hub's clock guard asks
    it), else timedatectl, which also knows chrony."""
    status = TimesyncdSource()().status
    if status is not SyncStatus.UNKNOWN:
        return status is SyncStatus.SYNCHRONISED
    timedatectl = shutil.which("timedatectl")
    if timedatectl is None:
        return None
    try:
        answer = subprocess.run(
            [timedatectl, "show", "-p", "NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = answer.stdout.strip()
    return {"yes": True, "no": False}.get(value)


def check_clock(
    now: datetime, newest_event: datetime | None, synchronised: SyncState = clock_synchronised
) -> list[Finding]:
    findings: list[Finding] = []
    if now < EARLIEST_PLAUSIBLE:
        said = f"the clock says {now:%Y-%m-%d %H:%M} UTC"
        fix = "the clock has not been set: check the network and NTP"
        findings.append(Finding(Level.PROBLEM, "clock", said, fix))
    if newest_event is not None and newest_event > now:
        findings.append(
            Finding(
                Level.PROBLEM,
                "clock",
                f"the newest stored event ({newest_event:%Y-%m-%d %H:%M} UTC) is later than now",
                "the clock went back or was wrong: check NTP before trusting new days",
            )
        )
    state = synchronised()
    if state is False:
        findings.append(
            Finding(
                Level.WARNING,
                "clock",
                "not synchronised with NTP",
                "check the network and `timedatectl timesync-status`",
            )
        )
    elif state is None and os.name == "posix":
        findings.append(
            Finding(
                Level.WARNING,
                "clock",
                "cannot tell whether NTP set the clock",
                "install systemd-timesyncd or chrony",
            )
        )
    if not findings:
        findings.append(Finding(Level.OK, "clock", f"synchronised; {now:%Y-%m-%d %H:%M} UTC"))
    return findings
