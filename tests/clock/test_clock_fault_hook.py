"""HEARTH_TEST_CLOCK_FAULT: how a test makes a hub *process* read a wrong clock.

Outside tests the variable is unset and the hub reads the system clock and
systemd-timesyncd's own folder.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.clock import SystemClock
from hub.clock_guard import (
    CLOCK_FAULT_VARIABLE,
    FaultedClock,
    SyncStatus,
    system_clock,
    system_clock_guard,
)
from hub.store.database import open_database


def test_without_the_variable_the_hub_reads_the_system_clock() -> None:
    assert isinstance(system_clock({}), SystemClock)
    assert isinstance(system_clock({CLOCK_FAULT_VARIABLE: " "}), SystemClock)


def test_the_faulted_clock_is_wrong_by_the_file_and_steps_when_it_is_rewritten(
    tmp_path: Path,
) -> None:
    offset = tmp_path / "offset_s"
    offset.write_text("-10800\n")
    clock = system_clock({CLOCK_FAULT_VARIABLE: str(tmp_path)})
    assert isinstance(clock, FaultedClock)
    error = clock.now() - datetime.now(UTC)
    assert abs(error + timedelta(hours=3)) < timedelta(minutes=1)
    offset.write_text("3456000\n")  # 40 days ahead
    os.utime(offset, ns=(0, offset.stat().st_mtime_ns + 1))  # a rewrite within one tick
    error = clock.now() - datetime.now(UTC)
    assert abs(error - timedelta(days=40)) < timedelta(minutes=1)


def test_an_unreadable_offset_leaves_the_clock_as_it_was_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    offset = tmp_path / "offset_s"
    offset.write_text("7200")
    clock = FaultedClock(offset)
    clock.now()
    offset.write_text("two hours")
    os.utime(offset, ns=(0, offset.stat().st_mtime_ns + 1))
    error = clock.now() - datetime.now(UTC)
    assert abs(error - timedelta(hours=2)) < timedelta(minutes=1)
    assert any("clock fault file" in r.getMessage() for r in caplog.records)


def test_the_guard_asks_the_tests_timesyncd_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "timesync").mkdir()
    monkeypatch.setenv(CLOCK_FAULT_VARIABLE, str(tmp_path))
    db = open_database(tmp_path / "hub.db")
    guard = system_clock_guard(db.conn)
    assert not guard.check(datetime.now(UTC))
    assert guard.status is SyncStatus.NOT_SYNCHRONISED
    db.conn.close()
