"""The hub's paho client (hub/ingest/paho_client.py): paho's private methods it replaces are
still there, and through a real Mosquitto every message arrives whole, once and in order
however packets fall across its 64 KiB reads, with reading paused and resumed meanwhile."""

from __future__ import annotations

import asyncio
import inspect
import random
import uuid

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.broker_access import BrokerAccess
from hub.ingest.mqtt_link import LinkSettings, MqttLink
from hub.ingest.paho_client import READ_CHUNK, IngestClient
from hub.local_broker import HUB, LocalBroker
from tests.ingest.helpers import Publisher


def test_the_paho_internals_it_replaces_are_still_there() -> None:
    """A paho release that renames these would silently bypass the client's reader."""
    assert list(inspect.signature(paho.Client._sock_recv).parameters) == ["self", "bufsize"]
    assert list(inspect.signature(paho.Client._handle_on_message).parameters) == [
        "self",
        "message",
    ]
    reader = inspect.getsource(paho.Client._packet_read)
    assert "self._sock_recv(1)" in reader  # packet type and length, a byte at a time
    assert "self._sock_recv(self._in_packet['to_process'])" in reader
    assert "self._handle_on_message(message)" in inspect.getsource(paho.Client._handle_publish)
    client = IngestClient(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    assert hasattr(client, "_in_callback_mutex")
    assert hasattr(client, "_userdata")
    with pytest.raises(NotImplementedError):
        client.message_callback_add("a/#", lambda *_: None)


def payloads(count: int, seed: int) -> list[bytes]:
    """Mostly sensor-sized, some with 2- and 3-byte MQTT lengths, a few past one read."""
    rng = random.Random(seed)
    sizes = [rng.choice([1, 40, 100, 127, 128, 300, 16_383, 16_384, 70_000]) for _ in range(count)]
    sizes[count // 2] = 3 * READ_CHUNK + 17  # one message across four reads
    return [f"{i:06d}".encode() + rng.randbytes(size) for i, size in enumerate(sizes)]


def test_every_message_arrives_whole_once_and_in_order(broker: LocalBroker) -> None:
    sent = payloads(400, seed=7)
    topic = f"hearth/test-{uuid.uuid4().hex[:8]}/chunks"
    got: list[bytes] = []

    async def scenario() -> None:
        settings = LinkSettings(
            access=BrokerAccess(broker.host, broker.port, HUB.username, HUB.password),
            client_id=f"chunk-test-{uuid.uuid4().hex[:8]}",
            status_topic=f"{topic}/status",
            subscriptions=(topic,),
            receive_maximum=1000,
        )
        link: MqttLink

        def on_message(t: str, payload: bytes, token: int, qos: int, dup: bool) -> None:
            got.append(payload)
            link.ack([token])
            if len(got) % 37 == 0:  # the hub pauses when its writer is full
                link.pause()
                asyncio.get_running_loop().call_later(0.01, link.resume)

        link = MqttLink(settings, on_message)
        await link.start()
        publisher = Publisher(broker, client_id=f"chunk-pub-{uuid.uuid4().hex[:8]}")
        try:
            items: list[tuple[str, str | bytes]] = [(topic, p) for p in sent]
            await asyncio.get_running_loop().run_in_executor(None, publisher.send_many, items)
            for _ in range(300):
                if len(got) >= len(sent):
                    break
                await asyncio.sleep(0.05)
        finally:
            publisher.close()
            await link.stop()

    asyncio.run(scenario())
    assert len(got) == len(sent)
    assert got == sent
