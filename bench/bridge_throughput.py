"""Frames per second through the firmware bridge to MQTT, against a raw MQTT baseline.

Not part of the test suite. Each round, with a private Mosquitto:

  raw     a paho client in its own process publishes N reading messages (the
          bridge's JSON, QoS 1) straight to the broker; a raw paho subscriber
          (QoS 1) counts arrivals
  bridge  a writer puts N Hearth report frames on one end of a socat pty pair
          as fast as the pty takes them; `firmware-bridge` (its own process, as
          installed) reads the other end and publishes; the same subscriber
          counts arrivals

Rate = N / (time from the first byte written or message published to the
last arrival). Printed as JSON with every round and the medians.
Run: python -m bench.bridge_throughput [--frames 20000] [--rounds 3]

Note: ptys have no baud rate. A real UART at 115200 baud 8N1 carries 11,520
bytes/s, about 770 of these 15-byte frames per second; 2,000 frames/s needs
a faster link (460800 baud, or a USB CDC device, which ignores the baud rate).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
import serial
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from firmware_bridge import frames
from firmware_bridge.frames import Report
from hub.events import Kind
from hub.local_broker import DEVICES, HUB, LocalBroker

HOME = "bench"
TOPIC = f"hearth/{HOME}/bridge/bench/reading"
BRIDGE = Path(sys.executable).parent / "firmware-bridge"


class Counter:
    """A raw paho subscriber that notes when the n-th message arrived."""

    def __init__(self, broker: LocalBroker, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.done = threading.Event()
        self.last_arrival = 0.0
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"count-{time.time_ns()}")
        self.client.username_pw_set(HUB.username, HUB.password)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(TOPIC, qos=1)
        self.client.loop_start()
        assert subscribed.wait(10)

    def _on_message(self, client: paho.Client, userdata: object, message: paho.MQTTMessage) -> None:
        self.count += 1
        if self.count == self.expected:
            self.last_arrival = time.perf_counter()
            self.done.set()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def raw_round(broker: LocalBroker, n: int) -> float:
    # The publisher runs in a process of its own, as the bridge does, so neither
    # side shares the subscriber's interpreter.
    counter = Counter(broker, n)
    publisher = subprocess.Popen(
        [sys.executable, "-m", "bench.bridge_throughput", "--publish", str(n), str(broker.port)],
        stdout=subprocess.PIPE,
    )
    assert publisher.stdout is not None
    assert publisher.stdout.readline().strip() == b"connected"
    started = time.perf_counter()
    publisher.send_signal(signal.SIGUSR1)  # go
    assert counter.done.wait(300), f"raw: {counter.count} of {n} arrived"
    elapsed = counter.last_arrival - started
    publisher.wait(30)
    counter.close()
    return n / elapsed


def publish(n: int, port: int) -> None:
    """The raw baseline's publisher: N messages, QoS 1, as fast as paho goes."""
    go = threading.Event()
    signal.signal(signal.SIGUSR1, lambda signum, frame: go.set())
    publisher = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{time.time_ns()}")
    publisher.username_pw_set(DEVICES.username, DEVICES.password)
    publisher.max_inflight_messages_set(1000)
    publisher.connect("127.0.0.1", port)
    publisher.loop_start()
    print("connected", flush=True)
    go.wait(30)
    info = None
    for i in range(n):
        payload = json.dumps({"device": "1", "kind": "power", "value": float(i)})
        info = publisher.publish(TOPIC, payload, qos=1)
        if i % 5000 == 4999:
            # paho's message ids are 16 bits: never have 65,536 in flight.
            info.wait_for_publish(300)
    if info is not None:
        info.wait_for_publish(300)
    publisher.loop_stop()
    publisher.disconnect()


def bridge_round(broker: LocalBroker, folder: Path, n: int) -> float:
    dev, device = folder / "dev", folder / "device"
    socat = subprocess.Popen(
        ["socat", f"pty,raw,echo=0,link={dev}", f"pty,raw,echo=0,link={device}"],
        stderr=subprocess.DEVNULL,
    )
    while not (dev.exists() and device.exists()):
        time.sleep(0.01)
    password = folder / "mqtt.pass"
    password.write_text(HUB.password)
    password.chmod(0o600)
    config = folder / "home.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "home": {"id": HOME},
                "broker": {
                    "host": broker.host,
                    "port": broker.port,
                    "username": HUB.username,
                    "password_file": str(password),
                    "client_id": f"bench-{time.time_ns()}",
                },
                "bridge": {"ports": [{"id": "bench", "path": str(dev)}]},
            }
        )
    )
    counter = Counter(broker, n)
    status = threading.Event()
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"status-{time.time_ns()}")
    watcher.username_pw_set(HUB.username, HUB.password)
    watcher.on_message = lambda c, u, m: status.set() if b"online" in m.payload else None
    watcher.connect(broker.host, broker.port)
    watcher.subscribe(f"hearth/{HOME}/bridge/bench/status", qos=1)
    watcher.loop_start()
    bridge = subprocess.Popen([str(BRIDGE), "--config", str(config)], stderr=subprocess.DEVNULL)
    try:
        assert status.wait(20), "the bridge did not come online"
        wire = b"".join(
            frames.encode(Report(1, Kind.POWER, float(i % 100000)), i & 0xFFFF) for i in range(n)
        )
        port = serial.Serial(str(device), 115200)
        started = time.perf_counter()
        port.write(wire)  # blocks while the pty is full: paced by the bridge's reading
        assert counter.done.wait(300), f"bridge: {counter.count} of {n} arrived"
        elapsed = counter.last_arrival - started
        port.close()
    finally:
        bridge.send_signal(signal.SIGTERM)
        bridge.wait(30)
        socat.terminate()
        socat.wait()
        watcher.loop_stop()
        watcher.disconnect()
        counter.close()
    return n / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--publish", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish:
        publish(*args.publish)
        return 0
    raw: list[float] = []
    bridged: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        for round_number in range(args.rounds):
            raw.append(raw_round(broker, args.frames))
            folder = Path(tmp) / f"round{round_number}"
            folder.mkdir()
            bridged.append(bridge_round(broker, folder, args.frames))
    result = {
        "frames_per_round": args.frames,
        "raw_messages_per_s": [round(r) for r in raw],
        "bridge_frames_per_s": [round(r) for r in bridged],
        "median_raw": round(statistics.median(raw)),
        "median_bridge": round(statistics.median(bridged)),
        "bridge_over_raw": round(statistics.median(bridged) / statistics.median(raw), 3),
        "target_frames_per_s": 2000,
    }
    print(json.dumps(result, indent=2))
    return 0 if result["median_bridge"] >= 2000 else 1


if __name__ == "__main__":
    sys.exit(main())
