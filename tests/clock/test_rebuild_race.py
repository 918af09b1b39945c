"""An event that arrives while the rules are rebuilt after a clock change reaches the new rules.

The live hub (a real Mosquitto, the Hub in a thread) rebuilds its rules from
the stored events after a clock step. The replay is made slow by fault
injection (a Pi with a busy day and a half to read), and a reading is
published while it runs: the rebuilt rules must know it, and must know the
one before it exactly once.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from hub import safety
from hub.config.models import HearthConfig
from hub.local_broker import LocalBroker
from hub.rules import RuleEngine
from hub.store.event_table import BootClock
from tests.ingest.helpers import HubThread, Publisher, event_count, hub_config_data, wait_for


def test_a_reading_sent_during_the_rebuild_reaches_the_rebuilt_rules(
    broker: LocalBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed, replaying, sent = threading.Event(), threading.Event(), threading.Event()
    replayed: list[float] = []
    original = safety._replay_into

    def slow_replay(
        rules: RuleEngine, db_path: Path, now: datetime, this_boot: BootClock | None
    ) -> int:
        count = original(rules, db_path, now, this_boot)
        if armed.is_set():
            temperature = rules.state.sensors["sequence"].temperature
            replayed.append(-1.0 if temperature is None else temperature)
            replaying.set()
            sent.wait(10)  # the reading arrives while this replay is still going on
        return count

    monkeypatch.setattr(safety, "_replay_into", slow_replay)
    config = HearthConfig.model_validate(hub_config_data(broker, tmp_path))
    db = config.storage.path
    runner = HubThread(config).start()
    devices = Publisher(broker, client_id="rebuild-race")
    try:
        hub = runner.hub
        assert hub is not None
        assert runner._loop is not None
        devices.send("test/sequence", "20.0")
        assert wait_for(lambda: event_count(db) == 1, 10)
        before = hub.safety.rules
        armed.set()
        runner._loop.call_soon_threadsafe(hub._clock_changed)  # as a step would
        assert replaying.wait(15), "the rules were not rebuilt"
        devices.send("test/sequence", "21.5")
        # Long enough for a hub that is reading to take it in (it is stored within 0.2 s).
        wait_for(lambda: event_count(db) == 2, 1)
        sent.set()
        assert wait_for(lambda: hub.safety.rules is not before, 10)
        assert wait_for(lambda: event_count(db) == 2, 10)
        rules = hub.safety.rules
        assert replayed == [20.0]  # what was stored before the rebuild: replayed
        assert wait_for(lambda: rules.state.sensors["sequence"].temperature == 21.5, 5), (
            "the reading sent during the rebuild never reached the rebuilt rules"
        )
    finally:
        sent.set()
        devices.close()
        runner.stop()
