"""The MQTT channel against the real Mosquitto: retained JSON per alert, PUBACK awaited."""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.mqtt import MqttChannel, PahoPublisher, alert_payload
from hub.alerts.model import Purpose
from hub.broker_access import BrokerAccess
from hub.ingest.mqtt_link import LinkSettings, MqttLink
from hub.local_broker import HUB, OUTSIDER, LocalBroker
from tests.alerts.channels.conftest import sample_message

PREFIX = "hearth/channel-test"


def link_for(
    broker: LocalBroker, client_id: str, username: str, password: str, status_root: str = PREFIX
) -> MqttLink:
    settings = LinkSettings(
        access=BrokerAccess(broker.host, broker.port, username, password),
        client_id=client_id,
        status_topic=f"{status_root}/status-{client_id}",
        subscriptions=(),
        receive_maximum=100,
    )
    return MqttLink(settings, lambda *_: None)


@contextmanager
def late_subscriber(broker: LocalBroker, *filters: str) -> Iterator[queue.Queue[paho.MQTTMessage]]:
    """A dashboard that connects after the fact and subscribes to `filters` in order."""
    received: queue.Queue[paho.MQTTMessage] = queue.Queue()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="late-dashboard")
    client.username_pw_set(HUB.username, HUB.password)
    client.on_message = lambda _c, _u, msg: received.put(msg)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        for topic_filter in filters:
            client.subscribe(topic_filter, qos=1)
        yield received
    finally:
        client.loop_stop()
        client.disconnect()


def test_an_alert_is_published_retained_and_a_late_dashboard_sees_its_latest_state(
    broker: LocalBroker,
) -> None:
    raised = sample_message(alert_id=101)
    resolved = sample_message(alert_id=101, purpose=Purpose.RESOLVED, ack_url=None)

    async def scenario() -> None:
        link = link_for(broker, "hub-mqtt-channel-1", HUB.username, HUB.password)
        await link.start(timeout_s=10)
        try:
            channel = MqttChannel(PahoPublisher(link.client), PREFIX)
            assert channel.name == f"mqtt {PREFIX}/alerts"
            await channel.send(raised)
            await channel.send(resolved)
        finally:
            await link.stop()

    asyncio.run(scenario())
    with late_subscriber(broker, f"{PREFIX}/alerts/101") as received:
        got = received.get(timeout=10)
    assert got.topic == f"{PREFIX}/alerts/101"
    assert got.retain
    assert json.loads(got.payload) == resolved.to_json()
    assert got.payload == alert_payload(resolved)
    assert b'", "' not in got.payload  # compact separators
    assert b'": ' not in got.payload


def test_clear_removes_the_retained_alert(broker: LocalBroker) -> None:
    async def scenario() -> None:
        link = link_for(broker, "hub-mqtt-channel-2", HUB.username, HUB.password)
        await link.start(timeout_s=10)
        try:
            channel = MqttChannel(PahoPublisher(link.client), PREFIX)
            await channel.send(sample_message(alert_id=102))
            await channel.send(sample_message(alert_id=103))  # a marker that stays
            await channel.clear(102)
        finally:
            await link.stop()

    asyncio.run(scenario())
    # Mosquitto answers the subscriptions in order, so once the marker's retained
    # message is here, one for alert 102 would have come first.
    with late_subscriber(broker, f"{PREFIX}/alerts/102", f"{PREFIX}/alerts/103") as received:
        first = received.get(timeout=10)
    assert first.topic == f"{PREFIX}/alerts/103"


def test_a_publish_the_acl_refuses_is_a_permanent_error(broker: LocalBroker) -> None:
    async def scenario() -> DeliveryError:
        # The outsider may write only under outsider/, so its status goes there.
        link = link_for(
            broker, "outsider-mqtt-channel", OUTSIDER.username, OUTSIDER.password, "outsider"
        )
        await link.start(timeout_s=10)
        try:
            channel = MqttChannel(PahoPublisher(link.client, timeout_s=10), PREFIX)
            with pytest.raises(DeliveryError) as caught:
                await channel.send(sample_message(alert_id=104))
            return caught.value
        finally:
            await link.stop()

    error = asyncio.run(scenario())
    assert error.permanent
    assert "Not authorized" in str(error)


def test_a_disconnected_client_fails_at_once_and_transiently() -> None:
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="never-connected")

    async def scenario() -> DeliveryError:
        with pytest.raises(DeliveryError) as caught:
            await MqttChannel(PahoPublisher(client), PREFIX).send(sample_message())
        return caught.value

    error = asyncio.run(scenario())
    assert not error.permanent
    assert "not connected" in str(error)


def test_a_broker_that_never_acknowledges_times_out_transiently() -> None:
    # Fault injection: a server that accepts the MQTT 5 connection (CONNACK)
    # and then ignores everything, as a wedged broker would.
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    peers: list[socket.socket] = []

    def serve() -> None:
        peer, _ = server.accept()
        peers.append(peer)
        peer.recv(1024)  # CONNECT
        peer.sendall(bytes([0x20, 0x03, 0x00, 0x00, 0x00]))  # CONNACK, success, no properties

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    connected = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5, client_id="silent")
    client.on_connect = lambda *_: connected.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert connected.wait(10)

        async def scenario() -> DeliveryError:
            channel = MqttChannel(PahoPublisher(client, timeout_s=0.3), PREFIX)
            with pytest.raises(DeliveryError) as caught:
                await channel.send(sample_message())
            return caught.value

        error = asyncio.run(scenario())
        assert not error.permanent
        assert "did not acknowledge" in str(error)
    finally:
        client.disconnect()  # wakes paho's thread, which would otherwise sit out its keepalive
        for peer in peers:
            peer.close()
        client.loop_stop()
        server.close()


def test_a_client_run_by_paho_s_own_thread_works_too(broker: LocalBroker) -> None:
    # The firmware bridge and tools run paho with loop_start: the PUBACK then
    # arrives on paho's thread and must still complete the send on the loop.
    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5, client_id="threaded")
    client.username_pw_set(HUB.username, HUB.password)
    earlier: list[int] = []
    client.on_publish = lambda _c, _u, mid, _r, _p: earlier.append(mid)
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        assert connected.wait(10)
        channel = MqttChannel(PahoPublisher(client), PREFIX)
        for alert_id in (105, 106, 107):
            asyncio.run(channel.send(sample_message(alert_id=alert_id)))
        assert len(earlier) == 3  # the client's own callback still runs
    finally:
        client.disconnect()
        client.loop_stop()
    with late_subscriber(broker, f"{PREFIX}/alerts/107") as received:
        assert json.loads(received.get(timeout=10).payload)["alert"] == 107
