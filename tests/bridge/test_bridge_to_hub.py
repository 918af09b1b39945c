"""End to end: a device on a pty, the bridge, Mosquitto, the hub, SQLite."""

from __future__ import annotations

from pathlib import Path

from firmware_bridge.bridge import MqttSettings, PortBridge
from hub.config.loader import validate_config
from hub.events import Kind
from hub.local_broker import BRIDGE, LocalBroker
from tests.bridge.conftest import PtyPair, wait_for
from tests.bridge.fake_device import FakeDevice
from tests.ingest.helpers import HubThread, db_rows, hub_config_data


def test_a_pill_box_lid_reaches_the_hubs_database(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair
) -> None:
    data = hub_config_data(broker, tmp_path)
    bridge_password = tmp_path / "bridge.pass"
    bridge_password.write_text(BRIDGE.password)
    bridge_password.chmod(0o600)
    data["sensors"].append(
        {
            "id": "pillbox_lid",
            "match": {"source": "bridge", "device": "pillbox/0"},
            "kind": "contact",
            "room": "kitchen",
            "role": "pillbox",
        }
    )
    data["bridge"] = {
        "ports": [{"id": "pillbox", "path": str(cable.dev)}],
        "reconnect_min_s": 0.02,
        "reconnect_max_s": 0.2,
        "username": BRIDGE.username,
        "password_file": str(bridge_password),
    }
    config = validate_config(data)  # one config file for the hub and the bridge
    hub = HubThread(config).start()
    cable.plug()
    device = FakeDevice(cable.device).start()
    bridge = PortBridge(
        config.bridge.ports[0], config.bridge, MqttSettings.from_config(config, BRIDGE.password)
    )
    bridge.start()
    db = config.storage.path
    try:
        assert wait_for(lambda: bridge.online)
        device.report(0, Kind.CONTACT, True)
        device.report(1, Kind.TEMPERATURE, 19.5)  # not mapped: listed by `hearth devices`
        query = "SELECT sensor, kind, source FROM events WHERE sensor = 'pillbox_lid'"
        assert wait_for(lambda: db_rows(db, query) == [("pillbox_lid", "contact", "bridge")])
        seen = "SELECT device FROM devices_seen WHERE source = 'bridge' ORDER BY device"
        assert wait_for(lambda: ("pillbox/1",) in db_rows(db, seen))
    finally:
        bridge.stop()
        device.stop()
        hub.stop()
