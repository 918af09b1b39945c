"""Unplug and replug a device again and again: every report reaches MQTT, every command
reaches the device exactly once.

The 100 cycles issue 7 asks for take about 7 s here (run with -s to see the
timing); HEARTH_BRIDGE_CYCLES changes the count. Each cycle varies what the
unplug interrupts:

- every 4th cycle, a command is given while the device is unplugged: it must
  wait, and go out once the port is back;
- every 3rd cycle, the device runs a command but its ack is lost, and the
  cable is pulled at once: after the replug the bridge resends, and the device
  must ack without running it again.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

from firmware_bridge.bridge import PortBridge
from hub.events import Kind
from hub.local_broker import LocalBroker
from tests.bridge.conftest import (
    Commander,
    PtyPair,
    Watcher,
    bridge_config,
    start_port_bridge,
    wait_for,
)
from tests.bridge.fake_device import FakeDevice

CYCLES = int(os.environ.get("HEARTH_BRIDGE_CYCLES", "100"))
REPORTS_PER_CYCLE = 3


def plug_in(cable: PtyPair, device: FakeDevice, bridge: PortBridge) -> None:
    opens = bridge.opens
    cable.plug()
    assert device.wait_connected(10), "the device did not reopen its end"
    assert wait_for(lambda: bridge.opens > opens), "the bridge did not reopen the port"


def pull_out(cable: PtyPair, device: FakeDevice, bridge: PortBridge) -> None:
    cable.unplug()
    assert wait_for(lambda: not device.connected.is_set())
    assert wait_for(lambda: not bridge.online), "the bridge did not notice the unplug"


def test_unplug_and_replug_loses_nothing_and_runs_each_command_once(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    # Each cycle is shorter than the bridge's "steady" second, so it backs off as
    # for a flapping cable; a short ceiling keeps the 100 cycles quick.
    bridge = start_port_bridge(bridge_config(broker, tmp_path, reconnect_max_s=0.05))
    device = FakeDevice(cable.device).start()
    sent_reports: list[dict[str, object]] = []
    command_ids: list[int] = []
    started = time.monotonic()
    try:
        for cycle in range(CYCLES):
            if cycle % 4 == 1:
                command_ids.append(1000 + cycle)
                commander.send(command_ids[-1])  # while unplugged
            plug_in(cable, device, bridge)
            for sensor in range(REPORTS_PER_CYCLE):
                value = cycle * 10.0 + sensor
                device.report(sensor, Kind.TEMPERATURE, value)
                sent_reports.append({"device": str(sensor), "kind": "temperature", "value": value})
            command_id = 1 + cycle
            lose_ack = cycle % 3 == 2
            if lose_ack:
                device.drop_acks[command_id] = 1
            command_ids.append(command_id)
            commander.send(command_id)
            assert wait_for(lambda: len(watcher.on("/reading")) == len(sent_reports)), cycle
            assert wait_for(lambda: set(device.executed) >= set(command_ids)), cycle
            if not lose_ack:
                done = {"id": command_id, "status": "done"}
                # The lambda is called only within this iteration.
                assert wait_for(lambda: done in watcher.on("/ack")), cycle  # noqa: B023
            pull_out(cable, device, bridge)
        plug_in(cable, device, bridge)  # what is still unacknowledged goes out now
        assert wait_for(lambda: len(watcher.on("/ack")) == len(command_ids))
        elapsed = time.monotonic() - started
    finally:
        bridge.stop()
        device.stop()
    print(f"\n{CYCLES} unplug/replug cycles in {elapsed:.1f} s ({elapsed / CYCLES:.3f} s each)")
    assert watcher.on("/reading") == sent_reports  # every report, once, in order
    assert sorted(device.executed) == sorted(command_ids)  # every command ...
    assert len(set(device.executed)) == len(device.executed)  # ... exactly once
    acks = Counter(ack["id"] for ack in watcher.on("/ack"))
    assert acks == Counter(command_ids)
    assert {ack["status"] for ack in watcher.on("/ack")} == {"done"}
    assert device.starts == CYCLES + 1
    lost_acks = [i for i in range(1, CYCLES + 1) if (i - 1) % 3 == 2]
    assert all(device.received.count(i) >= 2 for i in lost_acks)  # they really were resent
