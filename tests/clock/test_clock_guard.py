"""ClockGuard alone: when the hub clock is trusted, what a step is, timesyncd's flag file."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.clock_guard import (
    ClockGuard,
    Correction,
    SyncStatus,
    TimesyncdSource,
    device_time_fault,
    read_boot_id,
    system_clock_guard,
)
from hub.events import Event, Kind, Source
from hub.store.database import open_database
from hub.store.event_table import UnsureEvent, insert_events, newest_trusted, to_micros
from tests.clock.clock_fakes import FakeSync, FakeTime

TRUE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BOOT = TRUE - timedelta(minutes=1)


def guard(time: FakeTime, sync: FakeSync, **kwargs: object) -> ClockGuard:
    return ClockGuard(sync, boot="boot-1", monotonic_ns=time.monotonic_ns, **kwargs)  # type: ignore[arg-type]


def test_synchronised_clock_is_trusted_and_asks_once_for_leftovers_of_this_boot() -> None:
    time, sync = FakeTime(TRUE, BOOT), FakeSync()
    sync.synchronised_at(BOOT)
    g = guard(time, sync)
    assert g.check(time.now())
    # The first verdict of a process corrects what an earlier process of this boot left.
    assert g.take_correction() == Correction("boot-1", to_micros(BOOT))
    time.true += timedelta(seconds=10)
    assert g.check(time.now())
    assert g.take_correction() is None


def test_not_synchronised_is_not_trusted_until_it_is() -> None:
    time, sync = FakeTime(TRUE, BOOT, error=-timedelta(hours=3)), FakeSync()
    g = guard(time, sync)
    assert not g.check(time.now())
    assert g.take_correction() is None
    time.true += timedelta(minutes=1)
    time.error = timedelta(0)  # NTP steps the clock and timesyncd says so
    sync.synchronised_at(time.now())
    # That sync's time may as well be on the old clock: wait for the next one.
    assert not g.check(time.now())
    assert [s.size for s in g.steps] == [timedelta(hours=3)]
    time.true += timedelta(seconds=32)
    sync.synchronised_at(time.now())  # timesyncd's next poll
    time.true += timedelta(seconds=5)
    assert g.check(time.now())
    assert g.take_correction() == Correction("boot-1", to_micros(BOOT))


def test_a_step_of_a_few_seconds_is_not_a_step() -> None:
    time, sync = FakeTime(TRUE, BOOT), FakeSync()
    sync.synchronised_at(BOOT)
    g = guard(time, sync)
    assert g.check(time.now())
    g.take_correction()
    for error_s in (0.5, 3, 45, 20, 100):  # timesyncd steps from 0.4 s; each jump under 2 min
        time.true += timedelta(seconds=7)
        time.error = timedelta(seconds=error_s)
        assert g.check(time.now())
    assert g.steps == []
    assert g.take_correction() is None
    # ... while a jump of three minutes is one.
    time.error += timedelta(minutes=3)
    g.check(time.now())
    assert [s.size for s in g.steps] == [timedelta(minutes=3)]


def test_a_step_nobody_vouched_for_is_not_trusted_until_the_next_sync() -> None:
    time, sync = FakeTime(TRUE, BOOT), FakeSync()
    sync.synchronised_at(BOOT)
    g = guard(time, sync)
    assert g.check(time.now())
    g.take_correction()
    time.true += timedelta(seconds=30)
    time.error = timedelta(hours=5)  # someone ran `date -s`; timesyncd's file is older
    assert not g.check(time.now())
    assert g.steps[0].trusted_before
    time.true += timedelta(minutes=10)
    assert not g.check(time.now())  # still no sync since
    time.error = timedelta(0)  # timesyncd's next poll steps it back, and touches its file
    sync.synchronised_at(time.now())
    assert not g.check(time.now())
    time.true += timedelta(seconds=32)
    sync.synchronised_at(time.now())
    time.true += timedelta(seconds=5)
    assert g.check(time.now())
    assert g.take_correction() == Correction("boot-1", to_micros(BOOT))


def test_the_sync_flag_is_polled_every_few_seconds_and_at_once_after_a_step() -> None:
    time, sync = FakeTime(TRUE, BOOT, error=-timedelta(hours=2)), FakeSync()
    g = guard(time, sync)
    for _ in range(20):  # 20 messages in 2 seconds: one look at the flag
        g.check(time.now())
        time.true += timedelta(milliseconds=100)
    assert len(sync.asked) == 1
    time.error = timedelta(0)
    sync.synchronised_at(time.now())
    g.check(time.now())  # the step makes it ask again straight away
    assert len(sync.asked) == 2


def test_timesyncd_reporting_just_after_its_step_is_caught_by_the_next_poll() -> None:
    time, sync = FakeTime(TRUE, BOOT, error=-timedelta(hours=3)), FakeSync()
    g = guard(time, sync)
    assert not g.check(time.now())
    time.true += timedelta(seconds=2)
    time.error = timedelta(0)  # stepped, but the message came before the flag file
    assert not g.check(time.now())
    sync.synchronised_at(time.now())
    time.true += timedelta(seconds=6)
    assert g.check(time.now())
    assert g.take_correction() == Correction("boot-1", to_micros(BOOT))


@pytest.mark.parametrize(
    ("wall", "trusted"),
    [
        (datetime(1970, 1, 1, 0, 2, tzinfo=UTC), False),  # a Pi with no saved time
        (datetime(2024, 6, 1, tzinfo=UTC), False),  # before this software existed
        (TRUE - timedelta(hours=1), False),  # before the newest stored event
        (TRUE + timedelta(hours=1), True),
    ],
)
def test_without_a_sync_daemon_the_clock_must_be_plausible(wall: datetime, trusted: bool) -> None:
    time, sync = FakeTime(wall, wall - timedelta(minutes=1)), FakeSync(SyncStatus.UNKNOWN)
    g = guard(time, sync, newest_stored=TRUE)
    assert g.check(time.now()) is trusted


def test_even_a_synchronised_clock_before_the_build_floor_is_not_trusted() -> None:
    time = FakeTime(datetime(1970, 1, 1, 0, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC))
    sync = FakeSync()
    sync.synchronised_at(time.now())
    assert not guard(time, sync).check(time.now())


def test_device_times_far_from_the_hub_are_faults() -> None:
    now = TRUE
    assert device_time_fault(now + timedelta(minutes=4), now) is None
    assert device_time_fault(now - timedelta(hours=23), now) is None
    assert device_time_fault(now + timedelta(hours=3), now) == (
        "device clock 3.0 h ahead of the hub"
    )
    assert device_time_fault(now - timedelta(days=400), now) == (
        "device clock 400 days behind the hub"
    )


def test_timesyncd_source_reads_its_flag_file(tmp_path: Path) -> None:
    runtime = tmp_path / "timesync"
    assert TimesyncdSource(runtime)().status is SyncStatus.UNKNOWN  # no timesyncd here
    runtime.mkdir()
    assert TimesyncdSource(runtime)().status is SyncStatus.NOT_SYNCHRONISED
    flag = runtime / "synchronized"
    flag.touch()
    os.utime(flag, (TRUE.timestamp(), TRUE.timestamp()))
    report = TimesyncdSource(runtime)()
    assert report.status is SyncStatus.SYNCHRONISED
    assert report.last_sync == TRUE


def test_boot_id_from_the_unit_then_the_kernel_then_one_per_process(tmp_path: Path) -> None:
    boot_id = tmp_path / "boot_id"
    boot_id.write_text("4f2c\n")
    # systemd's %b, for a unit whose ProcSubset=pid hides /proc/sys.
    assert read_boot_id(boot_id, {"HEARTH_BOOT_ID": "9a1e"}) == "9a1e"
    assert read_boot_id(boot_id, {}) == "4f2c"
    missing = read_boot_id(tmp_path / "missing", {})
    assert missing.startswith("process-")
    assert missing != read_boot_id(tmp_path / "missing", {})


def test_a_step_or_trust_regained_is_announced_once() -> None:
    time, sync = FakeTime(TRUE, BOOT, error=-timedelta(hours=3)), FakeSync()
    changes: list[bool | None] = []
    g = guard(time, sync)
    g.on_change = lambda: changes.append(g.trusted)
    g.check(time.now())
    time.true += timedelta(seconds=20)
    g.check(time.now())
    assert changes == []  # untrusted from the start: nothing held has moved
    time.true += timedelta(seconds=20)
    time.error = timedelta(0)
    sync.synchronised_at(time.now())
    g.check(time.now())
    assert changes == [False]  # the step
    time.true += timedelta(seconds=32)
    sync.synchronised_at(time.now())
    time.true += timedelta(seconds=5)
    g.check(time.now())
    time.true += timedelta(seconds=20)
    g.check(time.now())
    assert changes == [False, True]  # ... and trust regained, once


def test_a_sync_just_before_a_step_back_does_not_vouch_for_it() -> None:
    # Found by the property test: the sync's time, on the old clock, is after the
    # moment of the step on the new one, so comparing times would have trusted it.
    time, sync = FakeTime(TRUE, BOOT), FakeSync()
    g = guard(time, sync)
    g.check(time.now())
    time.true += timedelta(seconds=1)
    sync.synchronised_at(time.now())  # between two looks at the flag file
    time.true += timedelta(seconds=1)
    time.error = -timedelta(minutes=3)  # `date -s`
    assert not g.check(time.now())


def test_without_a_sync_daemon_a_step_is_believed() -> None:
    time, sync = FakeTime(TRUE, BOOT), FakeSync(SyncStatus.UNKNOWN)
    g = guard(time, sync)
    assert g.check(time.now())
    time.error = timedelta(hours=2)
    assert g.check(time.now())
    assert [(s.size, s.trusted_before) for s in g.steps] == [(timedelta(hours=2), True)]


def test_newest_trusted_ignores_flagged_events(tmp_path: Path) -> None:
    db = open_database(tmp_path / "h.db")
    assert newest_trusted(db.conn) is None
    moment = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    ahead = moment + timedelta(days=700)  # stored by a boot whose clock was far ahead
    insert_events(
        db.conn,
        [
            Event(moment, "bed", Kind.PRESSURE, True, Source.GENERIC),
            UnsureEvent(ahead, "bed", Kind.PRESSURE, False, Source.GENERIC, "boot-0", 5),
        ],
    )
    assert newest_trusted(db.conn) == moment
    assert system_clock_guard(db.conn).boot  # this machine's boot, whatever its clock
    db.conn.close()
