"""The bridge against real ptys (socat), a test device on the far end, and real Mosquitto."""

from __future__ import annotations

from pathlib import Path

from firmware_bridge import frames
from firmware_bridge.frames import Report
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


def test_reports_reach_mqtt_and_commands_reach_the_device(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    cable.plug()
    device = FakeDevice(cable.device).start()
    bridge = start_port_bridge(bridge_config(broker, tmp_path))
    try:
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        # Its first hello most likely went out before the bridge opened the port
        # (and was flushed with the port's input); say hello again.
        device.hello()
        device.report(0, Kind.CONTACT, True)
        device.report(1, Kind.TEMPERATURE, 21.5)
        device.report(2, Kind.MEDICATION, "taken")
        device.heartbeat(60)
        assert wait_for(lambda: len(watcher.on("/reading")) == 3)
        assert watcher.on("/reading") == [
            {"device": "0", "kind": "contact", "value": True},
            {"device": "1", "kind": "temperature", "value": 21.5},
            {"device": "2", "kind": "medication", "value": "taken"},
        ]
        assert wait_for(lambda: watcher.on("/heartbeat") == [{"device": "", "uptime_s": 60}])
        hello = {"device": "", "device_type": "pillbox", "firmware": "1.2.0"}
        # One hello, or two if the bridge had the port open before the device started.
        assert watcher.on("/info") in ([hello], [hello, hello])

        commander.send(7, "buzzer_on", 30)
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 7, "status": "done"}])
        assert device.executed == [7]
    finally:
        bridge.stop()
        device.stop()
    assert watcher.on("/status")[-1] == {"state": "offline"}


def test_lost_acks_are_resent_and_the_device_runs_the_command_once(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    cable.plug()
    device = FakeDevice(cable.device).start()
    device.drop_acks[11] = 2  # the first two acks are lost on the way back
    bridge = start_port_bridge(bridge_config(broker, tmp_path))
    try:
        assert device.wait_connected()
        commander.send(11)
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 11, "status": "done"}])
        assert device.received == [11, 11, 11]  # sent three times ...
        assert device.executed == [11]  # ... run once
        commander.send(11)  # the same command again (MQTT is at least once)
        commander.send(12)
        assert wait_for(lambda: device.executed == [11, 12])
        assert wait_for(lambda: len(watcher.on("/ack")) == 2)
        assert device.received == [11, 11, 11, 12]
    finally:
        bridge.stop()
        device.stop()


def test_a_device_that_never_acks_is_given_up_on(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    cable.plug()
    device = FakeDevice(cable.device).start()
    device.ignore_commands = True
    bridge = start_port_bridge(bridge_config(broker, tmp_path, command_retries=3))
    try:
        assert device.wait_connected()
        commander.send(5)
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 5, "status": "failed"}])
        assert device.received == [5, 5, 5]
    finally:
        bridge.stop()
        device.stop()


def test_port_missing_at_start_then_plugged_in(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    bridge = start_port_bridge(bridge_config(broker, tmp_path))
    try:
        assert wait_for(lambda: watcher.on("/status") == [{"state": "offline"}])
        commander.send(3)  # given while nothing is plugged in: it waits
        cable.plug()
        device = FakeDevice(cable.device).start()
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        device.report(4, Kind.MOTION, True)
        assert wait_for(lambda: len(watcher.on("/reading")) == 1)
        assert wait_for(lambda: device.executed == [3])
        device.stop()
    finally:
        bridge.stop()


def test_garbage_at_start_up_is_skipped(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher
) -> None:
    cable.plug()
    # The device starts after the bridge has the port open, so the bridge sees
    # its boot noise: a boot loader's text, then half a frame cut by a reset.
    half_frame = frames.encode(Report(3, Kind.POWER, 2000.0), 1)[:6]
    boot_noise = b"\r\nets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\xff\xfe" + half_frame
    device = FakeDevice(cable.device, garbage=boot_noise)
    bridge = start_port_bridge(bridge_config(broker, tmp_path))
    try:
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        device.start()
        assert device.wait_connected()
        device.report(0, Kind.PRESSURE, True)
        assert wait_for(lambda: len(watcher.on("/reading")) == 1)
        assert wait_for(lambda: len(watcher.on("/info")) == 1)  # the hello after the noise
        assert sum(bridge.session.rejected.values()) == 1  # the noise, as one frame
    finally:
        bridge.stop()
        device.stop()


def test_a_device_reboot_gets_unacknowledged_commands_at_once(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    cable.plug()
    device = FakeDevice(cable.device).start()
    device.ignore_commands = True  # the command arrives while the device is hanging
    bridge = start_port_bridge(bridge_config(broker, tmp_path, ack_timeout_s=30))
    try:
        assert device.wait_connected()
        commander.send(9)
        assert wait_for(lambda: device.received == [9])
        device.ignore_commands = False
        device.hello()  # its watchdog rebooted it
        # Without the hello the resend would wait for the 30 s ack timeout.
        assert wait_for(lambda: device.executed == [9], timeout=5)
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 9, "status": "done"}])
    finally:
        bridge.stop()
        device.stop()
