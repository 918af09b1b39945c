"""Disk space for the database, and whether the clock can be trusted."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hub.doctor.findings import Finding, Level

LOW_FRACTION = 0.15
FULL_FRACTION = 0.05
FULL_BYTES = 200 * 1024 * 1024
EARLIEST_PLAUSIBLE = datetime(
    2025, 1, 1, tzinfo=UTC
)  # a Pi without RTC boots in 1970 or at build time

DiskUsage = Callable[[Path], tuple[int, int]]  # (total bytes, free bytes)
SyncState = Callable[[], bool | None]  # None: cannot tell


def disk_usage(path: Path) -> tuple[int, int]:
    usage = shutil.disk_usage(path)
    return usage.total, usage.free


def check_disk(storage: Path, usage: DiskUsage = disk_usage) -> list[Finding]:
    folder = next((p for p in (storage.parent, *storage.parents) if p.exists()), Path("/"))
    total, free = usage(folder)
    share = free / total if total else 0.0
    said = f"{free / 2**30:.1f} GiB free of {total / 2**30:.1f} GiB ({share:.0%}) at {folder}"
    if free < FULL_BYTES or share < FULL_FRACTION:
        return [
            Finding(
                Level.PROBLEM,
                "disk",
                said,
                "free space now: remove old files or lower storage.raw_retention_days",
            )
        ]
    if share < LOW_FRACTION:
        return [Finding(Level.WARNING, "disk", said, "the disk is filling up; plan to free space")]
    return [Finding(Level.OK, "disk", said)]


def clock_synchronised() -> bool | None:
    """Whether NTP has set the clock: systemd-timesyncd's flag file, else timedatectl."""
    if Path("/run/systemd/timesync/synchronized").exists():
        return True
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
