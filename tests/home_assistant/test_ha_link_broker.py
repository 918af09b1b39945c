"""HomeAssistantLink against a real Mosquitto, with Home Assistant played by its own account.

The broker's ACL is the one docs/home_assistant.md recommends: the hub may
also write its discovery topic; Home Assistant may read Hearth's topics and
set the mode, and nothing else of Hearth's.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from hub.alerts.model import AlertState, Severity
from hub.config.home_assistant import HomeAssistant
from hub.events import Event, Kind, Source
from hub.home_assistant import HomeAssistantLink, discovery_message
from hub.home_assistant.discovery import encode
from hub.local_broker import HUB, Account, LocalBroker
from tests.home_assistant.ha_helpers import T0, alert, example_config

HUB_WITH_HA = Account(HUB.username, HUB.password, (*HUB.acl, "topic write homeassistant/device/#"))
HOME_ASSISTANT = Account(
    "homeassistant",
    "ha-secret",
    (
        "topic readwrite homeassistant/#",
        "topic read hearth/#",
        "topic write hearth/+/control/mode",
    ),
)
DISCOVERY = "homeassistant/device/hearth_flat-12/config"
SUMMARY = "hearth/flat-12/alert_summary"


@pytest.fixture(scope="module")
def ha_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    # One broker for the module: each test publishes what it then expects to find.
    workdir = tmp_path_factory.mktemp("mosquitto-ha")
    with LocalBroker(workdir, accounts=(HUB_WITH_HA, HOME_ASSISTANT)) as running:
        yield running


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retained: bool


class Client:
    """An MQTT 5 client of one account, collecting what it receives and the broker's PUBACKs."""

    def __init__(self, broker: LocalBroker, account: Account, *topics: str) -> None:
        self.received: queue.Queue[Received] = queue.Queue()
        self.acks: dict[int, ReasonCode] = {}
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"{account.username}-{time.monotonic_ns()}",
            protocol=paho.MQTTv5,
        )
        self.client.username_pw_set(account.username, account.password)
        self.client.on_message = lambda c, u, m: self.received.put(
            Received(m.topic, bytes(m.payload), bool(m.retain))
        )
        self.client.on_publish = lambda c, u, mid, reason, props: self.acks.__setitem__(mid, reason)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        for topic in topics:
            self.client.subscribe(topic, qos=1)
        time.sleep(0.2)  # let the subscriptions (and any retained messages) arrive

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> ReasonCode:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(10)
        deadline = time.monotonic() + 5
        while info.mid not in self.acks and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.acks[info.mid]

    def next(self, topic: str, timeout: float = 5) -> Received:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.received.get(timeout=0.05)
            except queue.Empty:
                continue
            if message.topic == topic:
                return message
        raise AssertionError(f"nothing on {topic} within {timeout} s")

    def nothing_on(self, topic: str, wait: float = 0.5) -> bool:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if self.received.get(timeout=0.05).topic == topic:
                    return False
            except queue.Empty:
                continue
        return True

    def close(self) -> None:
        self.client.disconnect()  # first, so that the network loop ends at once
        self.client.loop_stop()


class HubSide:
    """The hub's connection as the daemon wires it: subscribe to `link.topics`, hand them over."""

    def __init__(self, broker: LocalBroker, settings: HomeAssistant) -> None:
        self.mqtt = Client(broker, HUB_WITH_HA)
        self.sent: list[int] = []
        self.link = HomeAssistantLink(example_config(), settings, self._publish, version="9.9")
        self.mqtt.client.on_message = lambda c, u, m: self.link.handle(m.topic, bytes(m.payload))
        for topic in self.link.topics:
            self.mqtt.client.subscribe(topic, qos=1)
        time.sleep(0.2)

    def _publish(self, topic: str, payload: bytes, retain: bool) -> None:
        # Like the hub's MqttLink.publish: QoS 1, without waiting (it may run inside
        # paho's own callback, which must not block on the PUBACK).
        self.sent.append(self.mqtt.client.publish(topic, payload, qos=1, retain=retain).mid)

    def all_taken(self) -> None:
        """Every publish was accepted by the broker: an ACL refusal shows here, not as silence."""
        deadline = time.monotonic() + 5
        while not set(self.sent) <= set(self.mqtt.acks) and time.monotonic() < deadline:
            time.sleep(0.01)
        acks = [self.mqtt.acks.get(mid) for mid in self.sent]
        assert None not in acks, "a publish got no PUBACK"
        # "No matching subscribers" is a success code; only 0x80 and above are refusals.
        assert [str(a) for a in acks if a is not None and a.is_failure] == []

    def close(self) -> None:
        self.all_taken()
        self.mqtt.close()


@pytest.fixture
def hub(ha_broker: LocalBroker) -> Iterator[HubSide]:
    side = HubSide(ha_broker, HomeAssistant())
    yield side
    side.close()


def expected_discovery() -> bytes:
    return encode(discovery_message(example_config(), HomeAssistant(), "9.9")[1])


def test_discovery_is_retained_for_a_home_assistant_that_starts_later(
    ha_broker: LocalBroker, hub: HubSide
) -> None:
    hub.link.on_connected()
    hub.all_taken()  # stored by the broker before Home Assistant "starts"
    home_assistant = Client(ha_broker, HOME_ASSISTANT, "homeassistant/device/+/config")
    try:
        message = home_assistant.next(DISCOVERY)
        assert message.retained
        assert message.payload == expected_discovery()
    finally:
        home_assistant.close()


def test_home_assistant_coming_online_gets_discovery_again(
    ha_broker: LocalBroker, hub: HubSide
) -> None:
    assert hub.link.topics == ["homeassistant/status"]
    hub.link.on_connected()
    hub.all_taken()
    home_assistant = Client(ha_broker, HOME_ASSISTANT, DISCOVERY)
    try:
        home_assistant.next(DISCOVERY)  # the retained copy
        # Its last will says it went away: nothing to do.
        home_assistant.publish("homeassistant/status", b"offline")
        assert home_assistant.nothing_on(DISCOVERY)
        # Its birth message: it has restarted and wants the configuration again.
        home_assistant.publish("homeassistant/status", b"online")
        again = home_assistant.next(DISCOVERY)
        assert again.payload == expected_discovery()
        assert hub.link.announced == 2
    finally:
        home_assistant.close()


def test_the_summary_is_retained_and_sent_only_when_it_changes(
    ha_broker: LocalBroker, hub: HubSide
) -> None:
    watcher = Client(ha_broker, HOME_ASSISTANT, SUMMARY)
    try:
        urgent = alert(4, AlertState.OPEN, Severity.URGENT, summary="No movement for 3 h.")
        hub.link.publish_summary([urgent])
        assert watcher.next(SUMMARY).payload == (
            b'{"open": 1, "urgent": 1, "latest": "No movement for 3 h."}'
        )
        hub.link.publish_summary([urgent])  # nothing changed: nothing sent
        assert watcher.nothing_on(SUMMARY)
        hub.link.publish_summary([])
        assert watcher.next(SUMMARY).payload == b'{"open": 0, "urgent": 0, "latest": ""}'
    finally:
        watcher.close()
    late = Client(ha_broker, HOME_ASSISTANT, SUMMARY)
    try:
        message = late.next(SUMMARY)
        assert message.retained
        assert message.payload == b'{"open": 0, "urgent": 0, "latest": ""}'
    finally:
        late.close()


def test_switching_it_off_removes_the_device_from_the_broker(ha_broker: LocalBroker) -> None:
    enabled = HubSide(ha_broker, HomeAssistant())
    enabled.link.on_connected()
    enabled.close()
    disabled = HubSide(ha_broker, HomeAssistant(enabled=False))
    try:
        assert disabled.link.topics == []
        disabled.link.on_connected()
        disabled.all_taken()
        home_assistant = Client(ha_broker, HOME_ASSISTANT, "homeassistant/#")
        try:
            assert home_assistant.nothing_on(DISCOVERY)  # no retained copy is left
            home_assistant.publish("homeassistant/status", b"online")
            disabled.link.handle("homeassistant/status", b"online")
            assert home_assistant.nothing_on(DISCOVERY)
        finally:
            home_assistant.close()
    finally:
        disabled.close()


def test_home_assistant_may_set_the_mode_and_nothing_else(ha_broker: LocalBroker) -> None:
    """The recommended ACL: the select's topic is open to Home Assistant, acknowledging is not."""
    home_assistant = Client(ha_broker, HOME_ASSISTANT)
    try:
        mode = b'{"mode": "home", "by": "home-assistant"}'
        assert not home_assistant.publish("hearth/flat-12/control/mode", mode).is_failure
        refused = home_assistant.publish("hearth/flat-12/control/ack", b'{"alert": 1}')
        assert refused.is_failure
        assert refused.getName() == "Not authorized"
    finally:
        home_assistant.close()


def test_battery_levels_only_when_sensors_are_exposed() -> None:
    def battery(value: float) -> Event:
        return Event(T0, "front_door", Kind.BATTERY, value, Source.ZIGBEE2MQTT)

    sent: list[tuple[str, bytes, bool]] = []
    config = example_config()
    private = HomeAssistantLink(config, HomeAssistant(), lambda *m: sent.append(m))
    private.observe(battery(87.0))
    assert sent == []
    exposed = HomeAssistantLink(
        config, HomeAssistant(expose_sensors=True), lambda *m: sent.append(m)
    )
    exposed.observe(battery(87.0))
    exposed.observe(battery(87.0))  # unchanged: not sent again
    exposed.observe(Event(T0, "front_door", Kind.CONTACT, True, Source.ZIGBEE2MQTT))
    exposed.observe(battery(86.5))
    assert sent == [
        ("hearth/flat-12/sensors/front_door/battery", b"87", True),
        ("hearth/flat-12/sensors/front_door/battery", b"86.5", True),
    ]
