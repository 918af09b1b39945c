"""The fault-injection suite: one home, every fault at once, nothing lost and nothing twice.

A real `hearth run`, a real Mosquitto (with persistence, as installed) and a
real webhook server. A device streams numbered readings and, round after
round, presses the help button and then "I'm OK", while the test:

- SIGKILLs the hub and starts it again in every round, while readings stream;
- restarts Mosquitto (a package upgrade) under the hub, twice, with alerts
  pending (the readings are not streamed then: a device re-sending across a
  broker restart may duplicate a QoS 1 message itself, which no hub can undo);
- has the family's webhook refuse 30% of requests (a struggling server).

At the end every reading is stored exactly once, every round made exactly
one alert that ended resolved, and the webhook received exactly the
messages the outbox holds. The counts are printed (run with -s).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import yaml

from hub.local_broker import LocalBroker
from tests.alerts.test_hub_alerts import SECRET, alert_config, press
from tests.alerts.test_kill_alerts import FlakyReceiver, KilledHub, query
from tests.ingest.helpers import Publisher
from tests.ingest.test_shutdown_no_loss import status_is

READINGS = 4000
KILL_ROUNDS = 4
ROUNDS = 6


def wait_until(check: object, what: str, log: Path, timeout: float = 120) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached; hub log:\n{log.read_text()[-3000:]}")


def test_every_fault_at_once_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    broker = LocalBroker(tmp_path / "mosquitto", persistence=True).start()
    try:
        run_suite(broker, tmp_path)
    finally:
        broker.stop()


def run_suite(broker: LocalBroker, tmp_path: Path) -> None:
    with FlakyReceiver(SECRET) as hook:
        hook._random = random.Random(11)
        data = alert_config(broker, tmp_path, hook.url)
        data["alerts"]["delivery"] = {"retry_min_s": 0.2, "retry_max_s": 1.0}
        data["alerts"]["voice"] = {"enabled": False}
        config_file = tmp_path / "home.yaml"
        config_file.write_text(yaml.safe_dump(data))
        db = Path(data["storage"]["path"])
        log = tmp_path / "hub.log"
        hub = KilledHub(config_file, log)  # killed by this test, not its own thread
        wait_until(lambda: status_is(broker, data, "online"), "hub online", log, 30)

        devices = Publisher(broker, client_id="suite-devices")
        # Readings stream while the hub is killed, round after round ...
        stream = threading.Thread(target=send_readings, args=(devices,))
        stream.start()
        for round_number in range(1, KILL_ROUNDS + 1):
            press(devices, "Help Button")
            hub.kill_and_restart()
            one_round(db, log, devices, round_number)
        stream.join(300)
        assert not stream.is_alive(), "the device could not publish its readings"
        wait_until(lambda: stored_readings(db) >= READINGS, "every reading stored", log)
        # ... then the broker is restarted under the hub, with alerts pending.
        restarts = 0
        for round_number in range(KILL_ROUNDS + 1, ROUNDS + 1):
            broker.restart()
            restarts += 1
            wait_until(devices.client.is_connected, "the device back on the broker", log, 30)
            wait_until(lambda: status_is(broker, data, "online"), "hub back", log, 60)
            press(devices, "Help Button")
            hub.kill_and_restart()
            one_round(db, log, devices, round_number)
        wait_until(lambda: unsent(db) == 0, "every message sent", log)
        assert hub.terminate() == 0, log.read_text()[-3000:]
        devices.close()

    rows = query(db, "SELECT value FROM events WHERE sensor = 'sequence'")
    values = [int(float(str(v))) for (v,) in rows]
    assert sorted(values) == list(range(READINGS)), "lost or stored twice"
    assert query(db, "SELECT rule, state FROM alerts") == [("help_button", "resolved")] * ROUNDS
    queued = {
        str(k) for (k,) in query(db, "SELECT idempotency_key FROM outbox WHERE recipient='anna'")
    }
    received = Counter(hook.keys())
    assert set(received) == queued
    repeats = sum(count - 1 for count in received.values())
    print(
        f"\nfault suite: {hub.kills} SIGKILLs, {restarts} broker restarts, "
        f"{hook.failed} webhook requests failed (500) and {len(hook.deliveries)} accepted; "
        f"{len(values)} of {READINGS} readings stored, 0 twice; {ROUNDS} alerts, each once; "
        f"{len(queued)} messages delivered, {repeats} received again after a kill"
    )
    assert repeats <= hub.kills
    assert hook.refused == 0  # every request was signed correctly


def one_round(db: Path, log: Path, devices: Publisher, number: int) -> None:
    """The help alert of round `number` is raised; "I'm OK" ends it."""
    wait_until(lambda: alerts(db) == number, f"alert {number}", log)
    press(devices, "OK Button")
    wait_until(lambda: resolved(db) == number, f"round {number}", log)


def send_readings(devices: Publisher) -> None:
    # About 200 a second, in small bursts, for the length of the suite.
    for start in range(0, READINGS, 100):
        devices.send_many([("test/sequence", str(i)) for i in range(start, start + 100)])
        time.sleep(0.5)


def alerts(db: Path) -> int:
    return _count(db, "SELECT count(*) FROM alerts")


def resolved(db: Path) -> int:
    return _count(db, "SELECT count(*) FROM alerts WHERE state = 'resolved'")


def stored_readings(db: Path) -> int:
    return _count(db, "SELECT count(DISTINCT value) FROM events WHERE sensor = 'sequence'")


def unsent(db: Path) -> int:
    return _count(db, "SELECT count(*) FROM outbox WHERE state != 'sent'", missing=1)


def _count(db: Path, sql: str, missing: int = 0) -> int:
    rows = query(db, sql)
    return int(str(rows[0][0])) if rows else missing
