"""Whether the hub's clock can be believed, and what to do with events while it cannot.

A Raspberry Pi has no real-time clock. It boots with the time it last saved
(fake-hwclock, systemd-timesyncd's clock file) or with 1970, and NTP steps it
to the truth later, possibly by hours or days, possibly never while the
router is down. Most producers send no time of their own, so an event's time
is the hub's receive time: a wrong clock would put a morning's events into
the wrong day and teach the baseline nonsense.

`ClockGuard.check` is asked once per message (O(1), no I/O except a cached
look at the sync source every few seconds). It answers whether the clock is
trustworthy now:

- the sync source says synchronised (systemd-timesyncd touches
  /run/systemd/timesync/synchronized on each sync) and, after a step, has
  synchronised again since we saw the step; or the source cannot tell (no
  timesyncd) and the time is plausible: not before this software existed,
  nor before the newest event already stored;
- a *step* is a jump of the wall clock against the monotonic clock
  (CLOCK_MONOTONIC counts from boot, is never stepped, and is shared by every
  process of one boot) of more than `STEP_THRESHOLD`; timesyncd's own small
  corrections (it steps from 0.4 s) are not steps.

While the clock is not trustworthy, events are stored *flagged* as
`UnsureEvent`s (`hub/store/event_table.py`) carrying the boot id and their
monotonic time. Once the clock is trustworthy, the monotonic time gives each
one its true time exactly (`true = monotonic + (wall - monotonic now)`),
whatever steps happened in between and even if the hub restarted meanwhile:
only a reboot before the clock was synchronised leaves events that cannot be
corrected, and those stay flagged and out of every day and baseline
(`read_events` skips them).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path

from hub.clock import Clock, SystemClock
from hub.modes import ModeSetting
from hub.store.event_table import BootClock, from_micros, newest_trusted, to_micros

log = logging.getLogger(__name__)

# No event this software records can be older than the software itself.
BUILD_FLOOR = datetime(2025, 1, 1, tzinfo=UTC)
# More than timesyncd ever slews, less than any correction that would move an
# event into another hour of the routine. Drift between messages (50 ppm of a
# quiet night) is seconds.
STEP_THRESHOLD = timedelta(minutes=2)
SYNC_POLL_S = 5.0  # how often the sync source is looked at (a stat of a tmpfs file)
# A device's own time further ahead of the (trusted) hub clock than this is wrong;
# Shelly's latency is milliseconds, a few minutes covers a lagging device clock.
DEVICE_AHEAD = timedelta(minutes=5)
# ... or further behind than this: no producer we read buffers events for a day.
DEVICE_BEHIND = timedelta(days=1)


class SyncStatus(Enum):
    SYNCHRONISED = "synchronised"
    NOT_SYNCHRONISED = "not synchronised"
    UNKNOWN = "unknown"  # no time daemon we can ask (a container, chrony, a laptop)


@dataclass(frozen=True, slots=True)
class SyncReport:
    status: SyncStatus
    last_sync: datetime | None = None  # when the daemon last synchronised, if it says


SyncSource = Callable[[], SyncReport]


class TimesyncdSource:
    """systemd-timesyncd's view, from the file it touches on every successful sync.

    The file lives on /run (cleared at boot), so its presence means "synchronised
    during this boot". No directory at all means timesyncd is not running here,
    and we cannot tell.
    """

    def __init__(self, runtime_dir: Path = Path("/run/systemd/timesync")) -> None:
        self.runtime_dir = runtime_dir

    def __call__(self) -> SyncReport:
        try:
            stat = (self.runtime_dir / "synchronized").stat()
        except FileNotFoundError:
            if self.runtime_dir.is_dir():
                return SyncReport(SyncStatus.NOT_SYNCHRONISED)
            return SyncReport(SyncStatus.UNKNOWN)
        except OSError:
            return SyncReport(SyncStatus.UNKNOWN)
        return SyncReport(SyncStatus.SYNCHRONISED, datetime.fromtimestamp(stat.st_mtime, UTC))


BOOT_ID_VARIABLE = "HEARTH_BOOT_ID"


def read_boot_id(
    path: Path = Path("/proc/sys/kernel/random/boot_id"),
    environ: Mapping[str, str] = os.environ,
) -> str:
    """This boot's id: monotonic times are comparable only within one boot.

    The unit is to pass it as `Environment=HEARTH_BOOT_ID=%b` (systemd's boot
    id specifier), since its `ProcSubset=pid` hides /proc/sys. Without either
    (not Linux, or not told), the monotonic clock is not known to be shared
    with the next process, so a per-process id keeps corrections to this one.
    """
    told = environ.get(BOOT_ID_VARIABLE, "").strip()
    if told:
        return told
    try:
        return path.read_text().strip()
    except OSError:
        log.info(
            "clock: no boot id (%s unreadable, %s unset): events received before the "
            "clock is trusted can be corrected only by this process",
            path,
            BOOT_ID_VARIABLE,
        )
        return f"process-{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class Correction:
    """Flagged events of `boot` get time = mono_us + anchor_us and are unflagged."""

    boot: str
    anchor_us: int  # the true wall time of the monotonic clock's zero


@dataclass(frozen=True, slots=True)
class Step:
    """The wall clock jumped by `size` against the monotonic clock.

    `old_boot_start` and `old_now`: this boot's start and the moment of the
    step, both as the clock before the step read them. A time this boot
    stored between the two was read from that clock.
    """

    size: timedelta
    trusted_before: bool
    old_boot_start: datetime | None = None
    old_now: datetime | None = None

    def read_before(self, moment: datetime) -> bool:
        """Whether `moment`, stored by this boot, was read from the clock before the step."""
        if self.old_boot_start is None or self.old_now is None:
            return False
        return self.old_boot_start <= moment <= self.old_now


# Stored future times after a step ------------------------------------------------
#
# The guard corrects event times; times *ahead* that were computed from the
# old clock (a retry at, an "are you OK?" window's end, a mode's end) are put
# right here, each by the rule that errs on the safe side for it. Pure: the
# store edge (AlertStore.retime_after_step) applies them.


def retry_after_step(next_attempt: datetime, now: datetime, longest: timedelta) -> datetime:
    """A pending delivery's next attempt: never later than the longest backoff from now.

    Clamped, not shifted: a retry only has to come within the backoff, and one
    sent early costs a request the idempotency key makes harmless; left alone
    after a step back of weeks it would wait weeks. A step forward leaves it
    due at once, which is also right.
    """
    return min(next_attempt, now + longest)


def ask_until_after_step(
    asks_until: datetime, step: Step, now: datetime, window: timedelta
) -> datetime:
    """The end of an "are you OK?" window, which began on the old clock: moved with it.

    Capped at a whole window from now, in case it was computed on the new
    clock in the seconds before the guard saw the step (it then ends early at
    worst: carers hear sooner, never later).
    """
    return min(asks_until + step.size, now + window)


def mode_after_step(setting: ModeSetting, step: Step) -> ModeSetting:
    """A mode set during this boot on the old clock, as the corrected clock reads it."""
    if not step.read_before(setting.since):
        return setting  # set before this boot, on a clock that was then right
    return setting.after_clock_step(step.size)


def device_time_fault(device_time: datetime, received: datetime) -> str | None:
    """Why a device's own time cannot be the event's time, or None if it can.

    Only meaningful while the hub's clock is trusted: it is the yardstick.
    """
    if device_time > received + DEVICE_AHEAD:
        return f"device clock {_size(device_time - received)} ahead of the hub"
    if device_time < received - DEVICE_BEHIND:
        return f"device clock {_size(received - device_time)} behind the hub"
    return None


def _size(delta: timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


class ClockGuard:
    """Judges the hub clock per message; see the module docstring.

    `newest_stored` is the newest trusted event already in the database: a
    clock before it, with no sync daemon to ask, has gone backwards.
    """

    def __init__(
        self,
        sync: SyncSource,
        *,
        boot: str,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
        newest_stored: datetime | None = None,
        floor: datetime = BUILD_FLOOR,
        step_threshold: timedelta = STEP_THRESHOLD,
        poll_every_s: float = SYNC_POLL_S,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._sync = sync
        # Called (in check, on the caller's thread) after a step, or when the clock
        # becomes trusted again: times held in memory (the rules' state) may have moved.
        self.on_change = on_change
        self.boot = boot
        self._monotonic_ns = monotonic_ns
        self._floor_us = to_micros(floor)
        # Unknown sync: also not before what is already stored (a minute of slack
        # for a clock slewed back a little since).
        plausible = floor if newest_stored is None else max(floor, newest_stored)
        self._plausible_us = to_micros(plausible) - 60_000_000
        self._threshold_us = int(step_threshold / timedelta(microseconds=1))
        self._poll_us = int(poll_every_s * 1_000_000)
        self._anchor_us: int | None = None  # wall - monotonic at the last full check
        # Monotonic time of the last full check: every untrusted verdict comes from
        # one, and only an untrusted message's events need it (`UnsureEvent`).
        self.mono_us = 0
        self._polled_at_us: int | None = None
        # The fast path (see `check`): while the last verdict was "trusted", until
        # the next poll, a message whose wall time moved by between `poll_every_s -
        # step_threshold` and `step_threshold` since the previous message's (the
        # monotonic clock moved by 0 to poll_every_s meanwhile) cannot have seen a
        # step, and one not before `_trusted_from` cannot have lost the trust.
        self._fast = False
        self._fast_until_ns = 0
        self._trusted_from = from_micros(max(self._floor_us, self._plausible_us))
        self._no_step_low = timedelta(seconds=poll_every_s) - step_threshold
        self._no_step_high = step_threshold
        self._last_wall = from_micros(0)  # the previous check's wall and monotonic times
        self._last_mono_ns = 0
        self._report = SyncReport(SyncStatus.UNKNOWN)
        self._last_sync_us: int | None = None
        self._awaiting_sync = False  # a step came: only a newer sync vouches for the clock
        self._sync_seen_at_step: int | None = None  # that sync's time, as then polled
        self.trusted: bool | None = None  # the last verdict; None before the first
        self._correction: Correction | None = None
        self.steps: list[Step] = []

    @property
    def status(self) -> SyncStatus:
        return self._report.status

    def check(self, wall: datetime) -> bool:
        """Whether `wall`, the hub clock read just now, can be stored as the truth."""
        mono_ns = self._monotonic_ns()
        # Fast path, for every message between polls while trusted (this runs per
        # message). Its conditions imply what the full
        # check would find: no step (the wall clock's move since the previous
        # message is within the threshold of any monotonic move the window
        # allows), no poll due, the clock not before the floor or the store. Any
        # doubt, and the full check decides.
        if (
            self._fast
            and mono_ns < self._fast_until_ns
            and wall >= self._trusted_from
            and self._no_step_low <= wall - self._last_wall <= self._no_step_high
        ):
            self._last_wall, self._last_mono_ns = wall, mono_ns
            return True
        return self._check(wall, mono_ns)

    def _check(self, wall: datetime, mono_ns: int) -> bool:
        mono_us = mono_ns // 1000
        wall_us = to_micros(wall)
        anchor_us = wall_us - mono_us
        poll = self._polled_at_us is None or mono_us - self._polled_at_us >= self._poll_us
        if self._anchor_us is not None:
            # The previous message's anchor, exactly (the fast path kept its times only).
            self._anchor_us = to_micros(self._last_wall) - self._last_mono_ns // 1000
        stepped = (
            self._anchor_us is not None and abs(anchor_us - self._anchor_us) > self._threshold_us
        )
        if stepped:
            self._stepped(anchor_us, mono_us)
            poll = True  # timesyncd steps and reports together: ask at once
        self._anchor_us, self.mono_us = anchor_us, mono_us
        if poll:
            self._poll(mono_us)
        if stepped:
            # A sync time is a plain number on whichever clock wrote it: one seen now
            # may predate the step (on the old clock) as easily as follow it. Only a
            # sync that appears after this moment surely vouches for the new time.
            self._sync_seen_at_step = self._last_sync_us
        trusted = self._judge(wall_us)
        if trusted and self.trusted is not True:
            # Also on the first check of a process: a hub restarted before the
            # clock was synchronised left flagged events of this boot behind.
            self._correction = Correction(self.boot, anchor_us)
            if self.trusted is False:
                log.info("clock: trusted again (%s)", self.status.value)
        elif not trusted and self.trusted is not False:
            log.warning(
                "clock: not trusted (%s, now %s); events are stored flagged until it is",
                self.status.value,
                wall.isoformat(timespec="seconds"),
            )
        changed = stepped or (trusted and self.trusted is False)
        self.trusted = trusted
        self._last_wall, self._last_mono_ns = wall, mono_ns
        self._fast = trusted
        assert self._polled_at_us is not None  # polled above on the first check
        self._fast_until_ns = (self._polled_at_us + self._poll_us) * 1000
        if changed and self.on_change is not None:
            self.on_change()
        return trusted

    def this_boot(self, wall: datetime) -> BootClock:
        """This boot and its monotonic zero on the clock that read `wall` just now.

        For `read_events(..., this_boot=...)`: the rules rebuilt after a restart
        see this boot's flagged events on the clock they read, trusted or not.
        """
        return BootClock(self.boot, to_micros(wall) - self._monotonic_ns() // 1000)

    def take_correction(self) -> Correction | None:
        """The correction due since the clock became trustworthy, once."""
        correction, self._correction = self._correction, None
        return correction

    def _poll(self, mono_us: int) -> None:
        self._polled_at_us = mono_us
        self._report = self._sync()
        last = self._report.last_sync
        self._last_sync_us = None if last is None else to_micros(last)

    def _stepped(self, anchor_us: int, mono_us: int) -> None:
        assert self._anchor_us is not None
        step = Step(
            timedelta(microseconds=anchor_us - self._anchor_us),
            self.trusted is True,
            old_boot_start=from_micros(self._anchor_us),
            old_now=from_micros(self._anchor_us + mono_us),
        )
        self.steps.append(step)
        self._awaiting_sync = True
        log.warning(
            "clock: stepped %s%s",
            "forward " if step.size > timedelta(0) else "back ",
            _size(step.size),
        )

    def _judge(self, wall_us: int) -> bool:
        if wall_us < self._floor_us:
            return False
        status = self._report.status
        if status is SyncStatus.NOT_SYNCHRONISED:
            return False
        if status is SyncStatus.SYNCHRONISED:
            if self._awaiting_sync:
                # Wait for timesyncd's next sync (32 s to 34 min): a step it made
                # itself, or one nobody vouched for (`date -s`), alike.
                if self._last_sync_us in (None, self._sync_seen_at_step):
                    return False
                self._awaiting_sync = False
            return True
        # Nobody to ask: believe a plausible clock, steps included (they came from somewhere).
        return wall_us >= self._plausible_us


# Tests only (tests/faults/test_clock_step_live.py): a folder whose `offset_s` file
# makes the hub's wall clock wrong by that many seconds (the test rewrites it to
# step the clock) and whose `timesync/` folder stands in for timesyncd's
# /run/systemd/timesync. A hub process cannot be given a fake clock any other
# way, and moving the machine's own clock would disturb everything else on it.
CLOCK_FAULT_VARIABLE = "HEARTH_TEST_CLOCK_FAULT"


class FaultedClock:
    """The system clock, wrong by the seconds in a file (fault injection, tests only).

    The file is read again only when its modification time changes, so a test
    steps the clock by rewriting it.
    """

    def __init__(self, offset_file: Path) -> None:
        self._file = offset_file
        self._seen: int | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        try:
            changed = self._file.stat().st_mtime_ns
            if changed != self._seen:
                self._offset = timedelta(seconds=float(self._file.read_text()))
                self._seen = changed
        except (OSError, ValueError) as exc:
            log.warning("clock fault file %s unreadable, clock unchanged: %s", self._file, exc)
        return datetime.now(UTC) + self._offset


def clock_fault_folder(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The folder named by HEARTH_TEST_CLOCK_FAULT, or None (always, outside tests)."""
    told = environ.get(CLOCK_FAULT_VARIABLE, "").strip()
    return Path(told) if told else None


def system_clock(environ: Mapping[str, str] = os.environ) -> Clock:
    """The live hub's clock: the system clock, unless a test injects a wrong one."""
    folder = clock_fault_folder(environ)
    if folder is None:
        return SystemClock()
    log.warning("clock: %s is set: the wall clock is a test's fake", CLOCK_FAULT_VARIABLE)
    return FaultedClock(folder / "offset_s")


def system_clock_guard(
    conn: sqlite3.Connection, on_change: Callable[[], None] | None = None
) -> ClockGuard:
    """The guard of the live hub on the system clock: timesyncd, this boot, the store."""
    folder = clock_fault_folder()
    return ClockGuard(
        TimesyncdSource() if folder is None else TimesyncdSource(folder / "timesync"),
        boot=read_boot_id(),
        newest_stored=newest_trusted(conn),
        on_change=on_change,
    )
