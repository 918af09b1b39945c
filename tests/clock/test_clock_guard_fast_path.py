"""The guard's per-message fast path (`ClockGuard.check` between polls while trusted)
must answer exactly as the full check would, message for message: the same verdicts,
the same steps caught at the same message, the same corrections and announcements.

A guard that always takes the full check is the reference; both see the same random
stream of messages: small and large moves of the wall clock against the monotonic one
(steps just under and just over the threshold included), gaps around the poll
interval, a sync daemon that comes and goes, and clocks near the floor and the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.clock_guard import STEP_THRESHOLD, SYNC_POLL_S, ClockGuard, SyncReport, SyncStatus

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NEWEST_STORED = START + timedelta(minutes=1)  # near the start: the plausibility bound matters
US = timedelta(microseconds=1)
POLL = timedelta(seconds=SYNC_POLL_S)


class FullCheckOnly(ClockGuard):
    """The reference: every message takes the full check."""

    def check(self, wall: datetime) -> bool:
        return self._check(wall, self._monotonic_ns())


class World:
    """The true monotonic clock, the hub's wall clock and the sync daemon's answer."""

    def __init__(self) -> None:
        self.mono = timedelta(seconds=1000)
        self.wall = START
        self.report = SyncReport(SyncStatus.SYNCHRONISED, START - timedelta(minutes=5))

    def monotonic_ns(self) -> int:
        return self.mono // US * 1000

    def sync(self) -> SyncReport:
        return self.report


# One message: how far the monotonic clock moves, how far the wall clock moves beyond
# that (a step, a slew, nothing), and perhaps a change in what the sync daemon says.
GAPS = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 2_000_000).map(lambda us: us * US),  # a burst: microseconds apart
    st.sampled_from([POLL - US, POLL, POLL + US, POLL / 2]),
    st.integers(1, 600).map(lambda s: timedelta(seconds=s)),
)
JUMPS = st.one_of(
    st.just(timedelta(0)),
    st.sampled_from(
        [
            STEP_THRESHOLD,
            STEP_THRESHOLD + US,
            -STEP_THRESHOLD,
            -STEP_THRESHOLD - US,
            STEP_THRESHOLD - POLL,
            -(STEP_THRESHOLD - POLL),
            timedelta(hours=3),
            -timedelta(days=40),
        ]
    ),
    st.integers(-200_000_000, 200_000_000).map(lambda us: us * US),
)
REPORTS = st.one_of(
    st.none(),
    st.sampled_from(["synchronised now", "not synchronised", "unknown"]),
)
MESSAGES = st.lists(st.tuples(GAPS, JUMPS, REPORTS), min_size=1, max_size=60)


@settings(max_examples=400, deadline=None)
@given(MESSAGES)
def test_the_fast_path_answers_as_the_full_check(messages) -> None:
    world = World()
    changes: dict[str, int] = {"fast": 0, "full": 0}

    def guard(kind: type[ClockGuard], name: str) -> ClockGuard:
        def on_change() -> None:
            changes[name] += 1

        return kind(
            world.sync,
            boot="boot",
            monotonic_ns=world.monotonic_ns,
            newest_stored=NEWEST_STORED,
            on_change=on_change,
        )

    fast, full = guard(ClockGuard, "fast"), guard(FullCheckOnly, "full")
    for gap, jump, report in messages:
        world.mono += gap
        world.wall += gap + jump
        if report == "synchronised now":
            world.report = SyncReport(SyncStatus.SYNCHRONISED, world.wall)
        elif report == "not synchronised":
            world.report = SyncReport(SyncStatus.NOT_SYNCHRONISED)
        elif report == "unknown":
            world.report = SyncReport(SyncStatus.UNKNOWN)
        assert fast.check(world.wall) == full.check(world.wall)
        assert fast.steps == full.steps
        assert fast.take_correction() == full.take_correction()
        assert changes["fast"] == changes["full"]
        if not fast.trusted:
            assert fast.mono_us == full.mono_us  # an untrusted message's monotonic time


def test_a_step_is_caught_at_the_first_message_after_it_within_a_burst() -> None:
    """Thousands of messages a second between polls: the step is seen at once, not at
    the next poll."""
    world = World()
    guard = ClockGuard(world.sync, boot="boot", monotonic_ns=world.monotonic_ns)
    for _ in range(1000):
        world.mono += timedelta(microseconds=70)
        world.wall += timedelta(microseconds=70)
        assert guard.check(world.wall)
    world.mono += timedelta(microseconds=70)
    world.wall += timedelta(microseconds=70) + STEP_THRESHOLD + US
    assert not guard.check(world.wall)  # stepped: untrusted until timesyncd syncs again
    assert len(guard.steps) == 1


def test_a_clock_set_back_a_little_below_the_store_is_distrusted_at_once() -> None:
    """No sync daemon: trusted while not before the newest stored event (less a minute);
    set back 90 s (not a step) to before it, the very next message is untrusted, not the
    first after the next poll."""
    world = World()
    world.report = SyncReport(SyncStatus.UNKNOWN)
    guard = ClockGuard(
        world.sync, boot="boot", monotonic_ns=world.monotonic_ns, newest_stored=NEWEST_STORED
    )
    world.wall = NEWEST_STORED
    assert guard.check(world.wall)
    world.mono += timedelta(seconds=1)
    world.wall += timedelta(seconds=1) - timedelta(seconds=90)
    assert not guard.check(world.wall)
    assert guard.steps == []
