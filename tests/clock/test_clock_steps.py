"""A Pi booting with the wrong time, NTP stepping it, restarts: through ingest into real SQLite.

The live path without a broker: `Ingest` with a `ClockGuard`, a `BatchWriter`
on a real database file, then `read_events` and `daily_features` as the
routine engine and the rules read them. The true events are three ordinary
days; the hub's clock is made wrong by fault injection (`clock_fakes`).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.clock_guard import ClockGuard, Correction
from hub.config import validate_config
from hub.config.models import HearthConfig
from hub.events import Event, Kind, Source
from hub.ingest.ledger import Ledger
from hub.ingest.pipeline import Ingest
from hub.routine import daily_features
from hub.store import database
from hub.store.batch_writer import BatchWriter
from hub.store.database import StoreError, apply_migrations, open_database
from hub.store.event_table import count_unsure, newest_trusted, read_events, to_micros
from tests.clock.clock_fakes import FakeSync, FakeTime
from tests.routine.routine_homes import Recorder, home

ZONE = ZoneInfo("Europe/London")
DAYS = ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05")


def ordinary_days() -> list[Event]:
    """Bed at 22:45, a toilet trip at 02:10, up at 07:05, kitchen, lounge: every day."""
    rec = Recorder()
    for day in DAYS:
        rec.at(f"{day} 02:10", "bed", False)
        rec.move(f"{day} 02:11", "bath_pir")
        rec.at(f"{day} 02:12", "flush", True)
        rec.at(f"{day} 02:13", "flush", False)
        rec.at(f"{day} 02:16", "bed", True)
        rec.at(f"{day} 07:05", "bed", False)
        rec.move(f"{day} 07:07", "bath_pir")
        rec.busy(f"{day} 07:20", f"{day} 07:50", "kitchen_pir")
        rec.at(f"{day} 07:22", "fridge", True)
        rec.at(f"{day} 07:23", "fridge", False)
        rec.at(f"{day} 07:25", "kettle", 2000.0)
        rec.at(f"{day} 07:28", "kettle", 0.0)
        rec.busy(f"{day} 08:00", f"{day} 22:30", "lounge_pir", every_minutes=10)
        rec.move(f"{day} 22:40", "bedroom_pir")
        rec.at(f"{day} 22:45", "bed", True)
    return rec.sorted()


def payload(event: Event) -> bytes:
    if isinstance(event.value, bool):
        return b"ON" if event.value else b"OFF"
    return str(event.value).encode()


def plain(event: Event) -> Event:
    """An UnsureEvent as the Event it is."""
    return Event(event.time, event.sensor, event.kind, event.value, event.source)


def local(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day} {hhmm}").replace(tzinfo=ZONE).astimezone(UTC)


@dataclass
class LiveHub:
    """One hub process: ingest with a clock guard, batched writes to a real SQLite file."""

    path: Path
    config: HearthConfig
    time: FakeTime
    sync: FakeSync
    boot: str
    seen: list[Event] = field(default_factory=list)  # what the live rules saw

    def __post_init__(self) -> None:
        self.db = open_database(self.path)
        ledger = Ledger(log_interval_s=60)
        self.guard = ClockGuard(
            self.sync,
            boot=self.boot,
            monotonic_ns=self.time.monotonic_ns,
            newest_stored=newest_trusted(self.db.conn),
        )
        self.ingest = Ingest(self.config, self.time, ledger, self.guard)
        self.writer = BatchWriter(self.db.conn, ledger, batch_max=40, commit_interval_s=1)

    def receive(self, topic: str, message: bytes) -> list[Event]:
        events = self.ingest.handle(topic, message)
        self.seen.extend(events)
        self.writer.add(events)
        return events

    def play(self, events: list[Event]) -> None:
        """Each true event as its sensor's MQTT message, received at its true time."""
        for event in events:
            self.time.true = event.time
            self.receive(f"test/{event.sensor}", payload(event))

    def stop(self) -> None:
        self.writer.commit_now()
        self.db.conn.close()


def stored(path: Path) -> list[Event]:
    db = open_database(path)
    try:
        return list(read_events(db.conn))
    finally:
        db.conn.close()


def unsure(path: Path) -> int:
    db = open_database(path)
    try:
        return count_unsure(db.conn)
    finally:
        db.conn.close()


def split(events: list[Event], moment: datetime) -> tuple[list[Event], list[Event]]:
    return [e for e in events if e.time < moment], [e for e in events if e.time >= moment]


@pytest.mark.parametrize(
    "error",
    [-timedelta(hours=3), timedelta(days=40)],
    ids=["booted-3h-behind", "booted-40-days-ahead"],
)
def test_ntp_step_corrects_what_was_stored_and_days_come_out_as_if_the_clock_was_right(
    tmp_path: Path, error: timedelta
) -> None:
    config, truth = home(), ordinary_days()
    sync_at = local(DAYS[1], "10:00")  # the router came back mid-morning of the second day
    before, after = split(truth, sync_at)
    time = FakeTime(truth[0].time, boot_at=truth[0].time - timedelta(minutes=5), error=error)
    hub = LiveHub(tmp_path / "h.db", config, time, FakeSync(time=time), "boot-1")
    hub.play(before)
    hub.writer.commit_now()
    # The fault took effect: the live path saw the wrong times, and they were stored flagged.
    assert [e.time for e in hub.seen[:3]] == [e.time + error for e in before[:3]]
    assert unsure(tmp_path / "h.db") == len(before)
    assert stored(tmp_path / "h.db") == []  # nothing a day or baseline could read yet

    time.true = sync_at
    time.error = timedelta(0)  # NTP steps the clock; timesyncd touches its flag file
    hub.sync.synchronised_at(time.now())
    hub.play(after)
    hub.stop()

    assert [s.size for s in hub.guard.steps] == [-error]
    assert unsure(tmp_path / "h.db") == 0
    assert stored(tmp_path / "h.db") == truth  # every event at its true time, to the microsecond
    assert daily_features(stored(tmp_path / "h.db"), config) == daily_features(truth, config)


def test_without_correction_the_same_fault_would_move_getting_up_by_three_hours() -> None:
    # The control for the test above: the fault is large enough to corrupt the days.
    config, truth = home(), ordinary_days()
    sync_at = local(DAYS[1], "10:00")
    shifted = [
        Event(e.time - timedelta(hours=3), e.sensor, e.kind, e.value, e.source)
        if e.time < sync_at
        else e
        for e in truth
    ]
    wrong = {d.date.isoformat(): d.time_up for d in daily_features(shifted, config)}
    right = {d.date.isoformat(): d.time_up for d in daily_features(truth, config)}
    assert wrong[DAYS[1]] != right[DAYS[1]]


def test_a_hub_restarted_before_the_sync_still_gets_its_events_corrected(tmp_path: Path) -> None:
    # Same boot: CLOCK_MONOTONIC went on counting while the hub process restarted.
    config, truth = home(), ordinary_days()
    restart_at, sync_at = local(DAYS[0], "12:00"), local(DAYS[1], "10:00")
    first, rest = split(truth, restart_at)
    middle, last = split(rest, sync_at)
    time = FakeTime(truth[0].time, truth[0].time, error=-timedelta(hours=3))
    sync = FakeSync(time=time)
    hub = LiveHub(tmp_path / "h.db", config, time, sync, "boot-1")
    hub.play(first)
    hub.stop()
    hub = LiveHub(tmp_path / "h.db", config, time, sync, "boot-1")
    hub.play(middle)
    time.true, time.error = sync_at, timedelta(0)
    sync.synchronised_at(time.now())
    hub.play(last)
    hub.stop()
    assert unsure(tmp_path / "h.db") == 0
    assert stored(tmp_path / "h.db") == truth


def test_events_of_a_boot_that_never_synchronised_stay_flagged_and_make_no_day(
    tmp_path: Path,
) -> None:
    config, truth = home(), ordinary_days()
    reboot_at = local(DAYS[1], "12:00")
    lost, kept = split(truth, reboot_at)
    # Boot 1: the saved time was two years ahead, and the router never came back.
    time = FakeTime(truth[0].time, truth[0].time, error=timedelta(days=730))
    hub = LiveHub(tmp_path / "h.db", config, time, FakeSync(), "boot-1")
    hub.play(lost)
    hub.stop()
    # A power cut; boot 2 synchronises at once. Boot 1's monotonic clock is gone with it.
    time = FakeTime(kept[0].time, kept[0].time - timedelta(seconds=30))
    sync = FakeSync(time=time)
    sync.synchronised_at(time.boot_at)
    hub = LiveHub(tmp_path / "h.db", config, time, sync, "boot-2")
    hub.play(kept)
    hub.stop()

    assert unsure(tmp_path / "h.db") == len(lost)
    assert stored(tmp_path / "h.db") == kept
    days = daily_features(stored(tmp_path / "h.db"), config)
    assert days == daily_features(kept, config)
    assert {d.date.isoformat() for d in days} <= set(DAYS)  # no day two years ahead


def test_rules_rebuilt_before_the_sync_see_this_boots_events_on_the_current_clock(
    tmp_path: Path,
) -> None:
    config, truth = home(), ordinary_days()
    first = truth[:50]
    time = FakeTime(truth[0].time, truth[0].time, error=-timedelta(hours=3))
    hub = LiveHub(tmp_path / "h.db", config, time, FakeSync(), "boot-1")
    hub.play(first)
    hub.writer.commit_now()
    now = time.now()
    this_boot = hub.guard.this_boot(now)
    since, until = now - timedelta(hours=36), now + timedelta(seconds=1)  # as Safety reads
    rebuilt = list(read_events(hub.db.conn, since, until, this_boot=this_boot))
    # What the rules saw before the restart, on the clock they read now.
    assert [plain(e) for e in rebuilt] == [plain(e) for e in hub.seen]
    assert rebuilt[0].time == truth[0].time - timedelta(hours=3)
    # A step the sync source has not vouched for yet: still flagged, now on the new clock.
    time.error = -timedelta(hours=1)
    hub.play(truth[50:51])
    hub.writer.commit_now()
    this_boot = hub.guard.this_boot(time.now())
    rebuilt = list(read_events(hub.db.conn, this_boot=this_boot))
    assert [e.time for e in rebuilt] == [e.time - timedelta(hours=1) for e in truth[:51]]
    # Another boot's flagged events are not this boot's.
    other = hub.guard.this_boot(now)
    assert list(read_events(hub.db.conn, this_boot=type(other)("boot-0", other.anchor_us))) == []
    hub.stop()


def shelly_config() -> HearthConfig:
    return validate_config(
        {
            "home": {"id": "flat-1", "timezone": "Europe/London"},
            "rooms": [{"id": "lounge"}],
            "sensors": [
                {
                    "id": "lamp",
                    "match": {"source": "shelly", "device": "shellyplus1-a1:switch:0"},
                    "kind": "switch",
                    "room": "lounge",
                }
            ],
        }
    )


def shelly_status(ts: datetime, output: bool) -> bytes:
    params = {"ts": ts.timestamp(), "switch:0": {"id": 0, "output": output}}
    return (
        b'{"src": "shellyplus1-a1", "method": "NotifyStatus", "params": '
        + str(params).replace("'", '"').replace("True", "true").replace("False", "false").encode()
        + b"}"
    )


def test_device_times_far_from_a_trusted_hub_clock_are_replaced_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time = FakeTime(start, start - timedelta(hours=1))
    sync = FakeSync()
    sync.synchronised_at(time.boot_at)
    hub = LiveHub(tmp_path / "h.db", shelly_config(), time, sync, "boot-1")
    topic = "shellyplus1-a1/events/rpc"
    caplog.set_level(logging.WARNING)

    [near] = hub.receive(topic, shelly_status(start - timedelta(seconds=2), True))
    assert near.time == start - timedelta(seconds=2)  # a good device clock is used
    time.true += timedelta(seconds=1)
    [ahead] = hub.receive(topic, shelly_status(time.true + timedelta(hours=3), False))
    time.true += timedelta(seconds=1)
    [behind] = hub.receive(topic, shelly_status(time.true - timedelta(days=400), True))
    assert (ahead.time, behind.time) == (start + timedelta(seconds=1), start + timedelta(seconds=2))
    assert hub.ingest.stats.device_times_replaced == 2
    hub.stop()

    db = open_database(tmp_path / "h.db")
    assert db.conn.execute("SELECT source, device, count, reason FROM clock_fixes").fetchall() == [
        ("shelly", "shellyplus1-a1:switch:0", 2, "device clock 400 days behind the hub")
    ]
    db.conn.close()
    # One readable line; the second within the log interval is held back.
    lines = [r.getMessage() for r in caplog.records if "device clock" in r.getMessage()]
    assert lines == [
        "shelly shellyplus1-a1:switch:0: device clock 3.0 h ahead of the hub; "
        "using the time it was received"
    ]


def test_while_the_hub_clock_is_not_trusted_device_times_are_not_judged(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time = FakeTime(start, start - timedelta(minutes=1), error=-timedelta(hours=3))
    hub = LiveHub(tmp_path / "h.db", shelly_config(), time, FakeSync(time=time), "boot-1")
    # The device is right and the hub is wrong: not the device's fault, and not counted.
    [event] = hub.receive("shellyplus1-a1/events/rpc", shelly_status(start, True))
    assert event.time == time.now()
    assert hub.ingest.stats.device_times_replaced == 0
    time.true += timedelta(minutes=1)
    time.error = timedelta(0)
    hub.sync.synchronised_at(time.now())
    hub.receive("shellyplus1-a1/events/rpc", shelly_status(time.true, False))
    time.true += timedelta(minutes=1)  # timesyncd has synchronised again since
    hub.receive("shellyplus1-a1/events/rpc", shelly_status(time.true, True))
    hub.stop()
    assert [e.time for e in stored(tmp_path / "h.db")] == [
        start,
        start + timedelta(minutes=1),
        start + timedelta(minutes=2),
    ]


def test_events_stored_before_the_migration_are_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = tuple(m for m in database.MIGRATIONS if m.name < "0005")
    monkeypatch.setattr(database, "MIGRATIONS", older)
    db = open_database(tmp_path / "h.db")
    db.conn.execute(
        "INSERT INTO events (time_us, sensor, kind, value, source) VALUES (?, ?, ?, ?, ?)",
        (to_micros(datetime(2026, 1, 5, tzinfo=UTC)), "bed", "pressure", 1, "generic"),
    )
    monkeypatch.undo()
    assert apply_migrations(db)[0] == "0005_clock_sanity"
    assert [e.sensor for e in read_events(db.conn)] == ["bed"]
    assert count_unsure(db.conn) == 0
    db.conn.close()


def test_the_correction_survives_a_commit_refused_by_a_full_disk(tmp_path: Path) -> None:
    config, truth = home(), ordinary_days()
    before, after = truth[:100], truth[100:]
    time = FakeTime(truth[0].time, truth[0].time, error=-timedelta(hours=3))
    hub = LiveHub(tmp_path / "h.db", config, time, FakeSync(time=time), "boot-1")
    hub.writer.batch_max = 10_000  # one batch after the sync, written when told
    hub.play(before)
    hub.writer.commit_now()
    conn = hub.db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite says the disk is full
    time.true, time.error = after[0].time, timedelta(0)
    hub.sync.synchronised_at(time.now())
    hub.play(after)
    with pytest.raises(StoreError):
        hub.writer.commit_now()
    assert count_unsure(conn) == len(before)  # rolled back with the batch
    conn.execute("PRAGMA max_page_count = 1073741823")
    hub.stop()
    assert stored(tmp_path / "h.db") == truth


def test_a_correction_that_could_not_be_written_is_kept_for_the_next_batch() -> None:
    ledger = Ledger()
    ledger.correct(Correction("boot-1", 5))
    snapshot = ledger.take()
    assert not ledger.dirty
    ledger.give_back(snapshot)  # the commit failed: the disk was full
    assert ledger.take().correction == Correction("boot-1", 5)
    ledger.correct(Correction("boot-1", 5))
    snapshot = ledger.take()
    ledger.correct(Correction("boot-1", 7))  # a later sync measured it again
    ledger.give_back(snapshot)
    assert ledger.correction == Correction("boot-1", 7)


# Each message: seconds since the last one, then what happened to the clock just before it.
_SECONDS = st.integers(min_value=1, max_value=4 * 3600)
_CHANGE = st.sampled_from(["none", "none", "none", "step", "sync"])
_STEP = st.integers(min_value=3, max_value=60 * 24 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(
    start_error=st.sampled_from([timedelta(0), -timedelta(hours=3), timedelta(days=40)]),
    messages=st.lists(st.tuples(_SECONDS, _CHANGE, _STEP, st.booleans()), min_size=1, max_size=60),
)
def test_any_steps_and_syncs_end_with_every_event_at_its_true_time(
    start_error: timedelta, messages: list[tuple[int, str, timedelta, bool]]
) -> None:
    """Steps of 3 minutes to 60 days either way, syncs at random, then a final sync."""
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    time = FakeTime(start, start - timedelta(minutes=2), error=start_error)
    sync = FakeSync(time=time)
    with tempfile.TemporaryDirectory() as folder:
        hub = LiveHub(Path(folder) / "h.db", home(), time, sync, "boot-1")
        truth: list[Event] = []
        for seconds, change, step, forward in messages:
            time.true += timedelta(seconds=seconds)
            if change == "step":  # someone, or something, set the clock wrong
                time.error += step if forward else -step
            elif change == "sync":  # NTP: the truth, and timesyncd says so
                time.error = timedelta(0)
                sync.synchronised_at(time.now())
            value = len(truth) % 2 == 0
            truth.append(Event(time.true, "lounge_pir", Kind.MOTION, value, Source.GENERIC))
            hub.receive("test/lounge_pir", b"ON" if value else b"OFF")
        time.true += timedelta(seconds=10)
        time.error = timedelta(0)
        sync.synchronised_at(time.now())
        for _ in range(2):  # NTP, then timesyncd's next poll
            hub.receive("test/lounge_pir", b"ON")
            truth.append(Event(time.true, "lounge_pir", Kind.MOTION, True, Source.GENERIC))
            time.true += timedelta(seconds=40)
        hub.stop()
        assert unsure(Path(folder) / "h.db") == 0
        assert stored(Path(folder) / "h.db") == truth
