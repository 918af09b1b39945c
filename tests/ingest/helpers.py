"""Shared helpers for the live-ingest tests: configs, a publisher, a hub in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from hub.config.models import HearthConfig
from hub.daemon import Hub, RunSummary
from hub.local_broker import DEVICES, HUB, LocalBroker


def hub_config_data(broker: LocalBroker, tmp_path: Path, **storage: Any) -> dict[str, Any]:
    password_file = tmp_path / "mqtt.pass"
    password_file.write_text(HUB.password + "\n")
    password_file.chmod(0o600)
    return {
        "home": {
            "id": f"test-{tmp_path.name[-12:].lower().replace('_', '-')}",
            "timezone": "Europe/London",
        },
        "rooms": [{"id": "bedroom"}, {"id": "kitchen"}, {"id": "hall"}],
        "sensors": [
            {
                "id": "bedroom_motion",
                "match": {"source": "zigbee2mqtt", "device": "Bedroom Motion"},
                "kind": "motion",
                "room": "bedroom",
            },
            {
                "id": "front_door",
                "match": {"source": "zigbee2mqtt", "device": "Front Door"},
                "kind": "contact",
                "room": "hall",
                "role": "front_door",
            },
            {
                "id": "kettle",
                "match": {"source": "zigbee2mqtt", "device": "Kettle Plug"},
                "kind": "power",
                "room": "kitchen",
                "role": "kettle",
            },
            {
                "id": "sequence",
                "match": {"source": "generic", "topic": "test/sequence"},
                "kind": "temperature",
                "room": "kitchen",
            },
        ],
        "broker": {
            "host": broker.host,
            "port": broker.port,
            "username": HUB.username,
            "password_file": str(password_file),
        },
        "storage": {"path": str(tmp_path / "hub.db"), "commit_interval_s": 0.2, **storage},
        # Tests that need the web server give it a port of its own.
        "web": {"enabled": False},
    }


def hub_config(broker: LocalBroker, tmp_path: Path, **storage: Any) -> HearthConfig:
    return HearthConfig.model_validate(hub_config_data(broker, tmp_path, **storage))


class Publisher:
    """A device-side client (the 'devices' account) publishing QoS 1 and waiting for PUBACK."""

    def __init__(self, broker: LocalBroker, client_id: str = "test-devices") -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.username_pw_set(DEVICES.username, DEVICES.password)
        self.client.max_inflight_messages_set(500)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, topic: str, payload: str | bytes, *, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def send_many(self, items: list[tuple[str, str | bytes]]) -> None:
        info = None
        for index, (topic, payload) in enumerate(items):
            info = self.client.publish(topic, payload, qos=1)
            if index % 400 == 399:
                info.wait_for_publish(30)
        if info is not None:
            info.wait_for_publish(30)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class HubThread:
    """Run a Hub in its own thread and event loop, as `hearth run` would."""

    def __init__(self, config: HearthConfig, setup: Callable[[Hub], None] | None = None) -> None:
        self.config = config
        self.summary: RunSummary | None = None
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.hub: Hub | None = None
        self._setup = setup
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        async def go() -> None:
            self._loop = asyncio.get_running_loop()
            self.hub = Hub(self.config)
            if self._setup is not None:
                self._setup(self.hub)
            self.summary = await self.hub.run(on_ready=self._ready.set)

        try:
            asyncio.run(go())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread to re-raise
            self.error = exc
            self._ready.set()

    def start(self) -> HubThread:
        self._thread.start()
        assert self._ready.wait(20), "hub did not become ready"
        if self.error is not None:
            raise self.error
        return self

    def stop(self) -> RunSummary:
        assert self._loop is not None
        assert self.hub is not None
        self._loop.call_soon_threadsafe(self.hub.request_stop)
        self._thread.join(30)
        assert not self._thread.is_alive(), "hub did not stop within 30 s"
        if self.error is not None:
            raise self.error
        assert self.summary is not None
        return self.summary


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def db_rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def event_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        return int(db_rows(path, "SELECT count(*) FROM events")[0][0])
    except sqlite3.OperationalError:
        return 0
