"""The `firmware-bridge` command as installed: config file, SIGTERM, and MySensors on a pty."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial
import yaml

from firmware_bridge import frames
from firmware_bridge.frames import Report
from hub.events import Kind
from hub.local_broker import LocalBroker
from tests.bridge.conftest import Commander, PtyPair, Watcher, bridge_config_data, wait_for
from tests.bridge.fake_device import FakeDevice

COMMAND = Path(sys.executable).parent / "firmware-bridge"


def start_bridge(config: Path) -> subprocess.Popen[bytes]:
    if not COMMAND.exists():
        pytest.skip("firmware-bridge is not installed: pip install -e .")
    return subprocess.Popen(
        [str(COMMAND), "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def write_config(broker: LocalBroker, folder: Path, **options: object) -> Path:
    path = folder / "home.yaml"
    path.write_text(yaml.safe_dump(bridge_config_data(broker, folder, **options)))  # type: ignore[arg-type]
    return path


def test_sigterm_publishes_everything_read_before_it(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher
) -> None:
    cable.plug()
    process = start_bridge(write_config(broker, tmp_path))
    try:
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        device = serial.Serial(str(cable.device), 115200)
        # 200 reports (about 3 KB, within the pty's buffer) in one burst, then SIGTERM
        # at once: the bridge is still reading them, so part of the burst is only in
        # the port's buffer when it stops (without the final read, this test fails
        # about three times in four).
        burst = b"".join(frames.encode(Report(1, Kind.POWER, float(n)), n) for n in range(200))
        device.write(burst)
        device.flush()
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0, process.stderr.read() if process.stderr else ""
        device.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    values = [reading["value"] for reading in watcher.on("/reading")]
    assert values == [float(n) for n in range(200)]
    assert wait_for(lambda: watcher.on("/status")[-1] == {"state": "offline"})


def test_mysensors_gateway_on_a_pty(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    cable.plug()
    process = start_bridge(write_config(broker, tmp_path, protocol="mysensors"))
    try:
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        gateway = serial.Serial(str(cable.device), 115200, timeout=5)
        # Lines as a serial gateway prints them (https://www.mysensors.org/download/serial_api_20).
        gateway.write(
            b"0;255;3;0;14;Gateway startup complete.\n"
            b"12;255;3;0;11;Pill box\n"
            b"12;6;1;0;0;21.5\n"
            b"12;2;1;0;16;1\n"
            b"12;255;3;0;0;88\n"
            b"12;255;3;0;22;1\n"
            b"this is not a message\n"
            b"12;255;3;0;1;\n"  # the node asks for the time
        )
        reply = gateway.readline()
        assert reply.startswith(b"12;255;3;0;1;")
        assert abs(int(reply.split(b";")[5]) - time.time()) < 60
        assert wait_for(lambda: len(watcher.on("/reading")) == 3)
        assert watcher.on("/reading") == [
            {"device": "12/6", "kind": "temperature", "value": 21.5},
            {"device": "12/2", "kind": None, "value": True},
            {"device": "12", "kind": "battery", "value": 88.0},
        ]
        # Published on its own topic, so it may land after the readings.
        assert wait_for(lambda: watcher.on("/heartbeat") == [{"device": "12"}])
        # A command to node 12's relay: the gateway passes it on; the node echoes it.
        commander.send_json({"id": 21, "node": 12, "child": 1, "type": 2, "payload": "1"})
        assert gateway.readline() == b"12;1;1;1;2;1\n"
        gateway.write(b"12;1;1;1;2;1\n")
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 21, "status": "done"}])
        gateway.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def test_a_device_on_the_installed_command(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher
) -> None:
    # The port does not exist when the command starts; it appears later.
    process = start_bridge(write_config(broker, tmp_path))
    try:
        assert wait_for(lambda: watcher.on("/status") == [{"state": "offline"}])
        cable.plug()
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        device = FakeDevice(cable.device).start()
        assert device.wait_connected()
        device.report(0, Kind.CONTACT, False)
        assert wait_for(lambda: len(watcher.on("/reading")) == 1)
        device.stop()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_a_refused_login_is_one_clear_line(broker: LocalBroker, tmp_path: Path) -> None:
    config = write_config(broker, tmp_path)
    (tmp_path / "bridge.pass").write_text("not-the-password\n")
    process = start_bridge(config)
    try:
        assert process.wait(30) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None
    last = process.stderr.read().decode().strip().splitlines()[-1]
    assert last.startswith("hearth: the MQTT broker")
    assert "refused the connection" in last


def test_a_command_pending_when_the_bridge_is_killed_is_run_once_after_restart(
    broker: LocalBroker, tmp_path: Path, cable: PtyPair, watcher: Watcher, commander: Commander
) -> None:
    config = write_config(broker, tmp_path, ack_timeout_s=60)
    cable.plug()
    device = FakeDevice(cable.device).start()
    device.ignore_commands = True  # the device is busy: no ack yet
    process = start_bridge(config)
    try:
        assert wait_for(lambda: {"state": "online"} in watcher.on("/status"))
        commander.send(31)
        assert wait_for(lambda: device.received == [31])
        process.kill()  # SIGKILL: no clean stop, the command's MQTT message never acked
        process.wait(10)
        assert wait_for(lambda: watcher.on("/status")[-1] == {"state": "offline"})  # last will
        device.ignore_commands = False
        process = start_bridge(config)  # same client id: the broker kept the session
        assert wait_for(lambda: device.executed == [31])
        assert wait_for(lambda: watcher.on("/ack") == [{"id": 31, "status": "done"}])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        device.stop()
    assert device.executed == [31]
