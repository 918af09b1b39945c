"""Stopping the real `hearth run` process mid-stream loses no message the broker handed over."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from hub.local_broker import LocalBroker
from tests.ingest.helpers import Publisher, db_rows, event_count, hub_config_data, wait_for

MESSAGES = 20_000


def start_hub(config_file: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "run", "--config", str(config_file)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def status_is(broker: LocalBroker, config: dict[str, object], state: str) -> bool:
    from tests.ingest.test_live_ingest import retained

    home = config["home"]
    assert isinstance(home, dict)
    payload = retained(broker, f"hearth/{home['id']}/status")
    return payload is not None and json.loads(payload) == {"state": state}


def stop_mid_stream(broker: LocalBroker, tmp_path: Path, sig: signal.Signals) -> list[float]:
    data = hub_config_data(broker, tmp_path, commit_interval_s=0.5, batch_max=500)
    config_file = tmp_path / "home.yaml"
    config_file.write_text(yaml.safe_dump(data))
    db = Path(data["storage"]["path"])
    log = tmp_path / "hub.log"

    hub = start_hub(config_file, log)
    assert wait_for(lambda: status_is(broker, data, "online"), 20), log.read_text()
    publisher = Publisher(broker, client_id=f"seq-{sig.name}")
    sender = threading.Thread(
        target=publisher.send_many,
        args=([("test/sequence", str(i)) for i in range(MESSAGES)],),
    )
    sender.start()
    assert wait_for(lambda: event_count(db) >= 2000, 60), log.read_text()
    hub.send_signal(sig)
    code = hub.wait(30)
    stored_first = event_count(db)
    assert stored_first < MESSAGES, "the stop came too late to test anything"
    sender.join(120)

    if sig is signal.SIGTERM:
        assert code == 0, log.read_text()
        assert wait_for(lambda: status_is(broker, data, "offline"), 10)
    else:
        # The broker publishes our last will when the connection dies uncleanly.
        assert wait_for(lambda: status_is(broker, data, "offline"), 10)

    hub = start_hub(config_file, log)
    finished = wait_for(lambda: len(set(db_rows(db, "SELECT value FROM events"))) >= MESSAGES, 120)
    hub.send_signal(signal.SIGTERM)
    assert hub.wait(30) == 0, log.read_text()
    assert finished, f"only {event_count(db)} of {MESSAGES} arrived; log:\n{log.read_text()}"
    publisher.close()
    return [v for (v,) in db_rows(db, "SELECT value FROM events")]


def test_sigterm_during_ingest_loses_nothing_and_stores_nothing_twice(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    values = stop_mid_stream(fresh_broker, tmp_path, signal.SIGTERM)
    assert sorted(values) == [float(i) for i in range(MESSAGES)]


def test_sigkill_during_ingest_loses_nothing_and_stores_nothing_twice(
    fresh_broker: LocalBroker, tmp_path: Path
) -> None:
    """After a kill -9 the broker redelivers what was not acknowledged, marked DUP; what
    was stored but not yet acknowledged is recognised (hub/store/redelivery.py)."""
    values = stop_mid_stream(fresh_broker, tmp_path, signal.SIGKILL)
    assert sorted(values) == [float(i) for i in range(MESSAGES)]
