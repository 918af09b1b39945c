"""Reports made while the broker is down reach it once it is back; memory stays bounded."""

from __future__ import annotations

import time
from pathlib import Path

from firmware_bridge.bridge import MqttSettings, PortBridge
from firmware_bridge.sessions import HearthSession
from hub.events import Kind
from hub.local_broker import BRIDGE, LocalBroker
from tests.bridge.conftest import (
    PtyPair,
    Watcher,
    bridge_config,
    home_id,
    start_port_bridge,
    wait_for,
)
from tests.bridge.fake_device import FakeDevice


def test_reports_during_a_broker_restart_are_published_after_it(
    fresh_broker: LocalBroker, tmp_path: Path, cable: PtyPair
) -> None:
    cable.plug()
    device = FakeDevice(cable.device).start()
    bridge = start_port_bridge(bridge_config(fresh_broker, tmp_path))
    watcher: Watcher | None = None
    try:
        assert device.wait_connected()
        assert wait_for(lambda: bridge.online)
        fresh_broker.stop()
        for n in range(20):
            device.report(0, Kind.POWER, float(n))
        # Let the bridge read and "publish" them while there is no broker.
        session = bridge.session
        assert isinstance(session, HearthSession)
        assert wait_for(lambda: session.reader.accepted >= 20)
        fresh_broker.start()
        # The watcher subscribes before the bridge's reconnect (at least 1 s away).
        watcher = Watcher(fresh_broker, f"hearth/{home_id(tmp_path)}/bridge/#")
        assert wait_for(lambda: len(watcher.on("/reading")) >= 20, timeout=20)
        assert [r["value"] for r in watcher.on("/reading")] == [float(n) for n in range(20)]
    finally:
        bridge.stop()
        device.stop()
        if watcher is not None:
            watcher.close()


def test_a_long_outage_stops_reading_instead_of_piling_up(
    fresh_broker: LocalBroker, tmp_path: Path, cable: PtyPair
) -> None:
    config = bridge_config(fresh_broker, tmp_path)
    cable.plug()
    device = FakeDevice(cable.device).start()
    bridge = PortBridge(
        config.bridge.ports[0],
        config.bridge,
        MqttSettings.from_config(config, BRIDGE.password),
        max_unconfirmed=50,
    )
    bridge.start()
    watcher: Watcher | None = None
    try:
        assert bridge.subscribed.wait(10)
        assert device.wait_connected()
        assert wait_for(lambda: bridge.online)
        fresh_broker.stop()
        # 200 reports: about 3 KB, which the pty's buffers hold while the bridge waits.
        for n in range(200):
            device.report(0, Kind.POWER, float(n))
        assert wait_for(lambda: bridge.most_unconfirmed >= 50)
        time.sleep(0.3)
        # The port thread waits in publish: nothing more is read or queued meanwhile
        # (the +2: status messages, published by paho's thread, never wait).
        assert bridge.most_unconfirmed <= 50 + 2
        fresh_broker.start()
        watcher = Watcher(fresh_broker, f"hearth/{home_id(tmp_path)}/bridge/#")
        assert wait_for(lambda: len(watcher.on("/reading")) >= 200, timeout=20)
        assert [r["value"] for r in watcher.on("/reading")] == [float(n) for n in range(200)]
        assert bridge.most_unconfirmed <= 50 + 2
    finally:
        bridge.stop()
        device.stop()
        if watcher is not None:
            watcher.close()
