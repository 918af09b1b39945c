"""Alerts end to end on the live hub: a real Mosquitto, a real webhook server, real espeak-ng.

A help button pressed on Zigbee2MQTT reaches the family's webhook (signature
checked) and the MQTT alert topic; the "I'm OK" button clears it; the MQTT
control topics acknowledge alerts and set the mode; `hearth alerts show`
prints the whole history.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from click.testing import CliRunner
from paho.mqtt.enums import CallbackAPIVersion

from hub.alerts.model import Condition, Severity
from hub.alerts.store import AlertStore
from hub.cli import main
from hub.config.models import HearthConfig
from hub.local_broker import HUB, LocalBroker, free_port
from hub.modes import Mode
from hub.store.database import open_database
from tests.alerts.webhook_receiver import WebhookReceiver
from tests.ingest.helpers import HubThread, Publisher, hub_config_data
from tests.ingest.test_live_ingest import retained

SECRET = b"a-shared-secret-of-some-length-0123456789"


def alert_config(broker: LocalBroker, tmp_path: Path, webhook_url: str) -> dict[str, Any]:
    data = hub_config_data(broker, tmp_path)
    data["sensors"] += [
        {
            "id": "help",
            "match": {"source": "zigbee2mqtt", "device": "Help Button"},
            "kind": "button",
            "room": "hall",
            "role": "help_button",
        },
        {
            "id": "ok",
            "match": {"source": "zigbee2mqtt", "device": "OK Button"},
            "kind": "button",
            "room": "kitchen",
            "role": "ok_button",
        },
    ]
    secret_file = tmp_path / "hook.secret"
    secret_file.write_bytes(SECRET)
    secret_file.chmod(0o600)
    data["alerts"] = {
        "home_label": "Flat 12",
        "recipients": [
            {
                "id": "anna",
                "name": "Anna",
                "role": "family",
                "channels": [
                    {"type": "webhook", "url": webhook_url, "secret_file": str(secret_file)}
                ],
            }
        ],
        # No sound card here: espeak-ng renders each prompt and `true` "plays" it.
        "voice": {"player": ["true"]},
    }
    return data


class Watcher:
    """A subscriber collecting what the hub publishes (the hub's account may read its topics)."""

    def __init__(self, broker: LocalBroker, topic: str) -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"watch-{time.time()}")
        self.client.username_pw_set(HUB.username, HUB.password)
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, bytes(m.payload)))
        self.client.connect(broker.host, broker.port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def next(self, accept: Callable[[str, dict[str, Any]], bool], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                topic, payload = self.messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if payload and accept(topic, json.loads(payload)):
                return json.loads(payload)
        raise AssertionError("expected message not seen")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def wait_until(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def home(
    broker: LocalBroker, tmp_path: Path
) -> Iterator[tuple[HearthConfig, WebhookReceiver, Publisher, Watcher, HubThread]]:
    with WebhookReceiver(SECRET) as hook:
        config = HearthConfig.model_validate(alert_config(broker, tmp_path, hook.url))
        watcher = Watcher(broker, f"{config.topic_prefix}/#")
        devices = Publisher(broker, client_id=f"devices-{tmp_path.name[-20:]}")
        hub = HubThread(config).start()
        try:
            yield config, hook, devices, watcher, hub
        finally:
            hub.stop()
            devices.close()
            watcher.close()


def press(devices: Publisher, device: str) -> None:
    devices.send(f"zigbee2mqtt/{device}", json.dumps({"action": "single", "battery": 90}))
    devices.send(f"zigbee2mqtt/{device}", json.dumps({"action": ""}))


def test_help_button_reaches_the_webhook_and_the_alert_topic_and_i_am_ok_clears_it(
    home: tuple[HearthConfig, WebhookReceiver, Publisher, Watcher, HubThread],
    broker: LocalBroker,
) -> None:
    config, hook, devices, watcher, running = home
    press(devices, "Help Button")
    wait_until(lambda: len(hook.deliveries) == 1)
    raised = hook.deliveries[0].body
    assert raised["rule"] == "help_button"
    assert raised["severity"] == "urgent"
    assert raised["home"] == "Flat 12"
    assert str(raised["ack_url"]).startswith("http://hearth.local:8080/ack/")
    assert hook.refused == 0
    on_topic = watcher.next(lambda t, m: t == f"{config.topic_prefix}/alerts/1")
    assert on_topic["state"] == "open"

    press(devices, "OK Button")
    wait_until(lambda: len(hook.deliveries) == 2)
    assert hook.deliveries[1].body["purpose"] == "resolved"
    resolved = watcher.next(
        lambda t, m: t == f"{config.topic_prefix}/alerts/1" and m["state"] == "resolved"
    )
    assert resolved["purpose"] == "update"
    assert len(set(hook.keys())) == 2

    # A day later the ended alert's retained message is cleared from the broker.
    hub, loop = running.hub, running._loop
    assert hub is not None
    assert loop is not None
    later = hub.clock.now() + timedelta(hours=25)
    cleared = asyncio.run_coroutine_threadsafe(hub.safety.clear_finished(later), loop)
    assert cleared.result(10) == 1
    assert retained(broker, f"{config.topic_prefix}/alerts/1") is None


def test_control_topics_acknowledge_an_alert_and_set_the_mode(
    home: tuple[HearthConfig, WebhookReceiver, Publisher, Watcher, HubThread], tmp_path: Path
) -> None:
    config, hook, devices, watcher, _ = home
    press(devices, "Help Button")
    wait_until(lambda: len(hook.deliveries) == 1)
    prefix = config.topic_prefix
    devices.send(f"{prefix}/control/ack", json.dumps({"alert": 1, "by": "anna"}))
    acked = watcher.next(lambda t, m: t == f"{prefix}/alerts/1" and m["state"] == "acknowledged")
    assert acked["acknowledged_by"] == "Anna"
    until = "2030-01-01T00:00:00+00:00"
    devices.send(
        f"{prefix}/control/mode", json.dumps({"mode": "away", "until": until, "by": "anna"})
    )
    shown = watcher.next(lambda t, m: t == f"{prefix}/mode" and m["mode"] == "away")
    assert shown == {"mode": "away", "until": until, "set_by": "anna"}
    devices.send(f"{prefix}/control/mode", b"not json")  # refused with a log line; nothing breaks

    def mode_stored() -> bool:
        conn = open_database(config.storage.path).conn
        try:
            setting = AlertStore(conn).mode_setting()
        finally:
            conn.close()
        return setting is not None and setting.mode is Mode.AWAY

    wait_until(mode_stored)

    config_file = tmp_path / "home.yaml"
    config_file.write_text(json.dumps(config.model_dump(mode="json")))
    result = CliRunner().invoke(main, ["alerts", "--config", str(config_file), "show", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Alert #1: " + str(hook.deliveries[0].body["summary"])
    assert any("raised" in line for line in lines)
    assert any("notified" in line and "told Anna" in line for line in lines)
    assert any("acknowledged by anna (mqtt)" in line for line in lines)
    assert any("anna channel 1: sent" in line for line in lines)
    listing = CliRunner().invoke(main, ["alerts", "--config", str(config_file)])
    assert listing.output.startswith("Mode: away until 2030-01-01 00:00 (set by anna)")


def test_the_resident_is_asked_first_and_the_ok_button_cancels_before_anyone_is_told(
    home: tuple[HearthConfig, WebhookReceiver, Publisher, Watcher, HubThread],
) -> None:
    config, hook, devices, watcher, running = home
    # Hours of stillness are the rules' tests' business (tests/rules); here a
    # condition that asks the resident is handed to the running hub directly.
    hub, loop = running.hub, running._loop
    assert hub is not None
    assert loop is not None
    still = Condition(
        "no_movement", "home", Severity.URGENT, hub.clock.now(), "No movement since 13:05.", True
    )
    loop.call_soon_threadsafe(hub.safety.alerts.conditions, hub.clock.now(), [still])
    asked = watcher.next(lambda t, m: t == f"{config.topic_prefix}/prompt")
    assert asked["type"] == "are_you_ok"
    assert asked["text"] == "Are you all right? If you are, please press your OK button."
    press(devices, "OK Button")
    cancelled = watcher.next(
        lambda t, m: t == f"{config.topic_prefix}/alerts/1" and m["state"] == "cancelled"
    )
    assert cancelled["rule"] == "no_movement"
    time.sleep(0.3)
    assert hook.deliveries == []  # nobody outside the home was told


def test_the_signed_link_acknowledges_only_when_the_button_is_pressed(
    broker: LocalBroker, tmp_path: Path
) -> None:
    port = free_port()
    with WebhookReceiver(SECRET) as hook:
        data = alert_config(broker, tmp_path, hook.url)
        data["web"] = {"enabled": True, "host": "127.0.0.1", "port": port}
        data["alerts"]["ack_links"] = {"base_url": f"http://127.0.0.1:{port}"}
        config = HearthConfig.model_validate(data)
        devices = Publisher(broker, client_id="devices-link")
        hub = HubThread(config).start()
        try:
            press(devices, "Help Button")
            wait_until(lambda: len(hook.deliveries) == 1)
            link = str(hook.deliveries[0].body["ack_url"])
            assert link.startswith(f"http://127.0.0.1:{port}/ack/")

            page = urllib.request.urlopen(link, timeout=10).read().decode()
            assert "I am taking this on" in page
            assert "Help was asked for" in page
            time.sleep(0.2)
            assert len(hook.deliveries) == 1  # opening the link (a preview) acknowledged nothing

            posted = urllib.request.urlopen(
                urllib.request.Request(link, data=b"", method="POST"), timeout=10
            )
            assert "Thank you, Anna" in posted.read().decode()
            again = urllib.request.urlopen(
                urllib.request.Request(link, data=b"", method="POST"), timeout=10
            )
            assert "Already taken on by Anna" in again.read().decode()

            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(link[:-3] + "xyz", timeout=10)
            assert refused.value.code == 400
        finally:
            hub.stop()
            devices.close()
    conn = open_database(config.storage.path).conn
    try:
        moments = AlertStore(conn).history(1)
    finally:
        conn.close()
    acknowledged = [m for m in moments if m.action.value == "acknowledged"]
    assert [(m.actor, m.via.value) for m in acknowledged] == [("anna", "link")]
