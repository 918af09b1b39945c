"""The link is ready only once the broker has acknowledged its subscriptions."""

from __future__ import annotations

import asyncio

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from hub.broker_access import BrokerAccess
from hub.ingest.mqtt_link import LinkSettings, MqttLink
from hub.local_broker import OUTSIDER, LocalBroker
from tests.ingest.helpers import Publisher


def settings(
    broker: LocalBroker, user: str, password: str, client_id: str, root: str
) -> LinkSettings:
    return LinkSettings(
        access=BrokerAccess(broker.host, broker.port, user, password),
        client_id=client_id,
        # A topic the account may write: Mosquitto refuses a last will the ACL forbids.
        status_topic=f"{root}/{client_id}/status",
        subscriptions=("zigbee2mqtt/#",),
        receive_maximum=100,
    )


async def test_a_message_published_right_after_ready_is_received(broker: LocalBroker) -> None:
    got: list[str] = []
    link = MqttLink(
        settings(broker, "hearth", "hub-secret", "ready-check", "hearth"),
        lambda topic, payload, token, qos, dup: got.append(topic),
    )
    await link.start()
    try:
        # At once, from another client: the subscription must already stand.
        devices = Publisher(broker, client_id="ready-check-device")
        await asyncio.to_thread(devices.send, "zigbee2mqtt/Right After Ready", b"{}")
        for _ in range(100):
            if got:
                break
            await asyncio.sleep(0.02)
        devices.close()
        assert got == ["zigbee2mqtt/Right After Ready"]
    finally:
        await link.stop()


def test_a_subscription_the_broker_refuses_is_one_clear_line(
    broker: LocalBroker, caplog: pytest.LogCaptureFixture
) -> None:
    # Mosquitto grants every subscription and filters at delivery; other brokers
    # refuse in the SUBACK (0x87). That answer is injected here.
    link = MqttLink(
        settings(broker, OUTSIDER.username, OUTSIDER.password, "refused-check", "outsider"),
        lambda *_: None,
    )
    link._awaiting_suback = 7
    refused = ReasonCode(PacketTypes.SUBACK, "Not authorized")
    link._on_subscribe(link.client, None, 7, [refused], None)
    assert "the broker refused our subscriptions to zigbee2mqtt/# (check its ACL)" in caplog.text
    assert link.connected.is_set()  # the others (none here) still work
