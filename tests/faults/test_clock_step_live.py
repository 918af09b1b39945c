"""A clock step through the real `hearth run`: a Pi booting hours behind, or weeks ahead.

The hub process starts with its wall clock wrong (fault injection by
HEARTH_TEST_CLOCK_FAULT, hub/clock_guard.py: an offset file and a stand-in for
timesyncd's /run/systemd/timesync, which says "not synchronised" at first).
A device sends numbered readings; the hub is SIGKILLed and started again
while the clock is still wrong (same boot: its monotonic clock goes on). Then
NTP steps the clock to the truth and timesyncd says so, twice (its first sync,
then its next poll). Every reading must end up stored once, at the time it
was really received, none flagged, and no day summary on a wrong date.

The help button is pressed on the wrong clock while the family's webhook is
down: the retry is scheduled on the wrong clock. After the step back from
40 days ahead it must not wait 40 days (stored future times are put right
after a step, hub/clock_guard.py); the help alert is raised once, and no
other alert but the hub's own. The counts are printed (run with -s).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from hub.clock_guard import CLOCK_FAULT_VARIABLE
from hub.local_broker import LocalBroker
from hub.store.event_table import from_micros
from tests.alerts.test_hub_alerts import SECRET, alert_config, press
from tests.alerts.test_kill_alerts import KilledHub, query
from tests.alerts.webhook_receiver import WebhookReceiver
from tests.faults.test_fault_suite import wait_until
from tests.ingest.helpers import Publisher
from tests.ingest.test_shutdown_no_loss import status_is

CHUNK = 50
# Received within this of being published (the hub stamps its receive time).
LATENCY = timedelta(seconds=10)


class WrongClock:
    """The hub's clock error and its timesyncd flag, as files the hub process reads."""

    def __init__(self, folder: Path, error: timedelta) -> None:
        self.folder = folder
        (folder / "timesync").mkdir(parents=True)
        self.set_error(error)

    def set_error(self, error: timedelta) -> None:
        (self.folder / "offset_s").write_text(f"{error.total_seconds()}\n")

    def synchronised(self) -> None:
        """timesyncd synchronised just now: it touches its flag file."""
        flag = self.folder / "timesync" / "synchronized"
        flag.touch()
        now = time.time()
        os.utime(flag, (now, now))


def test_a_clock_step_under_the_live_hub_leaves_every_event_at_its_true_time_once(
    fresh_broker: LocalBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookReceiver(SECRET) as hook:
        counts = [
            run_one(fresh_broker, tmp_path / name, monkeypatch, error, hook)
            for name, error in (("behind", -timedelta(hours=3)), ("ahead", timedelta(days=40)))
        ]
    print(
        "\nclock steps: "
        + "; ".join(
            f"booted {label}: {flagged} readings stored flagged, {kills} SIGKILL, step of "
            f"{step}, {stored} of {sent} at their true time, 0 twice, 0 flagged left, "
            f"the help alert delivered {late:.0f} s after the step"
            for label, flagged, kills, step, stored, sent, late in counts
        )
    )


def run_one(
    broker: LocalBroker,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: timedelta,
    hook: WebhookReceiver,
) -> tuple[str, int, int, str, int, int, float]:
    folder.mkdir()
    clock = WrongClock(folder / "clock", error)
    monkeypatch.setenv(CLOCK_FAULT_VARIABLE, str(clock.folder))
    data = alert_config(broker, folder, hook.url)
    data["alerts"]["delivery"] = {"retry_min_s": 0.2, "retry_max_s": 1.0}
    data["alerts"]["voice"] = {"enabled": False}
    config_file = folder / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    db = Path(data["storage"]["path"])
    log = folder / "hub.log"
    hub = KilledHub(config_file, log)
    devices = Publisher(broker, client_id=f"clock-devices-{folder.name}")
    sent: list[tuple[datetime, datetime]] = []  # per reading: published between these

    def send(chunks: int = 1) -> None:
        for _ in range(chunks):
            before = datetime.now(UTC)
            devices.send_many([("test/sequence", str(len(sent) + i)) for i in range(CHUNK)])
            after = datetime.now(UTC)
            sent.extend([(before, after)] * CHUNK)
            time.sleep(0.2)

    try:
        wait_until(lambda: status_is(broker, data, "online"), "hub online", log, 30)
        send(2)
        hub.kill_and_restart()  # same boot, clock still wrong
        wait_until(lambda: status_is(broker, data, "online"), "hub back", log, 30)
        send(2)
        wait_until(lambda: count(db) == len(sent), "readings stored flagged", log, 30)
        flagged = count(db, 0)
        # The fault took effect: all stored flagged, at the wrong time for now.
        assert flagged == len(sent), f"{flagged} of {len(sent)} flagged"
        hook.status = 500  # the family's server is down ...
        press(devices, "Help Button")  # ... when help is asked for, on the wrong clock
        wait_until(lambda: failed_attempts(db) >= 2, "a delivery retried", log, 30)
        clock.set_error(timedelta(0))  # NTP steps the clock ...
        stepped = time.time()
        accepted = len(hook.deliveries)
        hook.status = 200  # (the server is back: only the retry's time can hold it now)
        send(2)
        clock.synchronised()  # ... and timesyncd says so
        for _ in range(4):  # its next polls (the guard looks every 5 s)
            time.sleep(3)
            send()
            clock.synchronised()
        wait_until(lambda: count(db, 1) == len(sent), "every reading corrected", log, 60)
        wait_until(lambda: unsent(db) == 0, "the help alert delivered", log, 60)
        late = hook.deliveries[accepted].arrived - stepped  # the first accepted after the step
        assert hub.terminate() == 0, log.read_text()[-3000:]
    finally:
        devices.close()
        if hub._process.poll() is None:
            hub._process.kill()
            hub._process.wait(10)

    rows = query(db, "SELECT value, time_us, clock_ok FROM events WHERE sensor = 'sequence'")
    values = sorted(int(float(str(v))) for v, _, _ in rows)
    assert values == list(range(len(sent))), "lost or stored twice"
    wrong = [
        (int(float(str(v))), from_micros(int(str(t))))
        for v, t, _ in rows
        if not sent[int(float(str(v)))][0] - timedelta(seconds=1)
        <= from_micros(int(str(t)))
        <= sent[int(float(str(v)))][1] + LATENCY
    ]
    assert wrong == [], f"{len(wrong)} readings at a wrong time, e.g. {wrong[:3]}"
    assert all(ok == 1 for _, _, ok in rows)
    today = {datetime.now(UTC).date().isoformat(), (datetime.now(UTC) - LATENCY).date().isoformat()}
    summaries = {str(d) for (d,) in query(db, "SELECT date FROM day_summaries")}
    yesterday_or_today = today | {
        (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
        (datetime.now(UTC) + timedelta(days=1)).date().isoformat(),  # the home's zone
    }
    assert summaries <= yesterday_or_today, f"day summaries on wrong dates: {summaries}"
    rules = [str(r) for (r,) in query(db, "SELECT rule FROM alerts WHERE rule != 'disk_space'")]
    assert rules == ["help_button"], f"alerts: {rules}"
    text = log.read_text()
    assert "clock: stepped" in text
    assert "rules: rebuilt" in text
    label = "3 h behind" if error < timedelta(0) else "40 days ahead"
    step = "+3 h" if error < timedelta(0) else "-40 days"
    return label, flagged, hub.kills, step, len(values), len(sent), late


def count(db: Path, clock_ok: int | None = None) -> int:
    """Stored readings; only those stored flagged (0) or with a trusted time (1), if given."""
    rows = query(
        db,
        "SELECT count(*) FROM events "
        "WHERE sensor = 'sequence' AND coalesce(?, clock_ok) = clock_ok",
        (clock_ok,),
    )
    return int(str(rows[0][0])) if rows else 0


def failed_attempts(db: Path) -> int:
    rows = query(db, "SELECT count(*) FROM delivery_attempts WHERE ok = 0")
    return int(str(rows[0][0])) if rows else 0


def unsent(db: Path) -> int:
    rows = query(db, "SELECT count(*) FROM outbox WHERE state != 'sent'")
    return int(str(rows[0][0])) if rows else 1
