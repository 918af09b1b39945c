"""Fixtures for the firmware bridge: socat pty pairs, a bridge on them, an MQTT watcher."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from firmware_bridge.bridge import MqttSettings, PortBridge
from hub.config.loader import validate_config
from hub.config.models import HearthConfig
from hub.local_broker import BRIDGE, DEVICES, HUB, LocalBroker


class PtyPair:
    """A serial cable: `dev` is the bridge's end, `device` the device's end.

    `unplug` ends socat, which removes both links: to the bridge, the device
    node vanishes as it does when a USB adapter is pulled out.
    """

    def __init__(self, folder: Path) -> None:
        if shutil.which("socat") is None:
            pytest.skip("socat is not installed (setup.sh installs it)")
        self.dev = folder / "dev"
        self.device = folder / "device"
        self._process: subprocess.Popen[bytes] | None = None

    def plug(self) -> None:
        self._process = subprocess.Popen(
            [
                "socat",
                f"pty,raw,echo=0,link={self.dev}",
                f"pty,raw,echo=0,link={self.device}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while not (self.dev.exists() and self.device.exists()):
            assert time.monotonic() < deadline, "socat made no pty pair within 5 s"
            time.sleep(0.005)

    def unplug(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(5)
            self._process = None
        # socat removes its links on SIGTERM; make sure, as a pulled cable would.
        self.dev.unlink(missing_ok=True)
        self.device.unlink(missing_ok=True)


class Watcher:
    """Everything published under a topic filter, as (topic, JSON) pairs."""

    def __init__(self, broker: LocalBroker, topic_filter: str) -> None:
        self.messages: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"watch-{time.time_ns()}")
        self.client.username_pw_set(HUB.username, HUB.password)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(topic_filter, qos=1)
        self.client.loop_start()
        assert self._subscribed.wait(10), "watcher not subscribed"

    def _on_message(self, client: paho.Client, userdata: object, message: paho.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, json.loads(message.payload)))

    def on(self, suffix: str) -> list[Any]:
        with self._lock:
            return [data for topic, data in self.messages if topic.endswith(suffix)]

    def close(self) -> None:
        # Disconnect first: the network thread then ends at once instead of
        # finishing its one-second wait.
        self.client.disconnect()
        self.client.loop_stop()


class Commander:
    """Sends commands the way a hub component (or a carer's app) would: QoS 1."""

    def __init__(self, broker: LocalBroker, topic: str) -> None:
        self.topic = topic
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"cmd-{time.time_ns()}")
        self.client.username_pw_set(DEVICES.username, DEVICES.password)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, command_id: int, action: str = "led_on", argument: int = 0) -> None:
        self.send_json({"id": command_id, "action": action, "argument": argument})

    def send_json(self, command: dict[str, object]) -> None:
        self.client.publish(self.topic, json.dumps(command), qos=1).wait_for_publish(10)

    def close(self) -> None:
        # Disconnect first: the network thread then ends at once instead of
        # finishing its one-second wait.
        self.client.disconnect()
        self.client.loop_stop()


def home_id(folder: Path) -> str:
    """A home id of the test's own: retained status messages of other tests stay apart."""
    return folder.name.lower()[:60]


def bridge_config_data(
    broker: LocalBroker, folder: Path, protocol: str = "hearth", **bridge: Any
) -> dict[str, Any]:
    password_file = folder / "mqtt.pass"
    password_file.write_text(HUB.password + "\n")
    password_file.chmod(0o600)
    bridge_password = folder / "bridge.pass"
    bridge_password.write_text(BRIDGE.password + "\n")
    bridge_password.chmod(0o600)
    return {
        "home": {"id": home_id(folder)},
        "broker": {
            "host": broker.host,
            "port": broker.port,
            "username": HUB.username,
            "password_file": str(password_file),
            "client_id": f"hearth-{time.time_ns()}",
        },
        "bridge": {
            "ports": [{"id": "pillbox", "path": str(folder / "dev"), "protocol": protocol}],
            "ack_timeout_s": 0.3,
            "command_retries": 5,
            "reconnect_min_s": 0.02,
            "reconnect_max_s": 0.2,
            # The bridge's own account: the ACL lets it use <prefix>/bridge/# only.
            "username": BRIDGE.username,
            "password_file": str(bridge_password),
            **bridge,
        },
    }


def bridge_config(broker: LocalBroker, folder: Path, **options: Any) -> HearthConfig:
    return validate_config(bridge_config_data(broker, folder, **options))


def start_port_bridge(config: HearthConfig) -> PortBridge:
    port = PortBridge(
        config.bridge.ports[0], config.bridge, MqttSettings.from_config(config, BRIDGE.password)
    )
    port.start()
    assert port.subscribed.wait(10), "the bridge did not subscribe to its command topic"
    return port


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def cable(tmp_path: Path) -> Iterator[PtyPair]:
    pair = PtyPair(tmp_path)
    yield pair
    pair.unplug()


@pytest.fixture
def watcher(broker: LocalBroker, tmp_path: Path) -> Iterator[Watcher]:
    watching = Watcher(broker, f"hearth/{home_id(tmp_path)}/bridge/#")
    yield watching
    watching.close()


@pytest.fixture
def commander(broker: LocalBroker, tmp_path: Path) -> Iterator[Commander]:
    sender = Commander(broker, f"hearth/{home_id(tmp_path)}/bridge/pillbox/command")
    yield sender
    sender.close()
