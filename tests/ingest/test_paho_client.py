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
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.exception import MalformedPacket

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
    assert list(inspect.signature(paho.Client._handle_publish).parameters) == ["self"]
    assert list(inspect.signature(paho.Client._send_puback).parameters) == ["self", "mid"]
    assert callable(paho.time_func)
    assert set(paho.MQTTMessage.__slots__) == {
        "_topic", "dup", "info", "mid", "payload", "properties", "qos", "retain", "state",
        "timestamp",
    }  # fmt: skip  # every one is set by IngestClient._handle_publish
    client = IngestClient(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    for name in ("_in_callback_mutex", "_userdata", "_in_packet", "_protocol", "_logger"):
        assert hasattr(client, name), name
    assert client._manual_ack is False
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


def publish_packet(
    *, topic: bytes, payload: bytes, qos: int, mid: int, dup: bool, retain: bool, properties: bytes
) -> tuple[int, bytearray]:
    """(fixed header's first byte, the rest after the remaining length) of an MQTT 5 PUBLISH."""
    header = 0x30 | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = len(topic).to_bytes(2, "big") + topic
    if qos:
        body += mid.to_bytes(2, "big")
    return header, bytearray(body + properties + payload)


def received(client: paho.Client, header: int, packet: bytearray) -> tuple[object, ...]:
    """What `on_message` got from the client's PUBLISH handling, or how it failed."""
    got: list[paho.MQTTMessage] = []
    client.on_message = lambda _client, _userdata, message: got.append(message)
    client._in_packet = {
        "command": header,
        "have_remaining": 1,
        "remaining_count": [],
        "remaining_mult": 1,
        "remaining_length": len(packet),
        "packet": bytearray(packet),
        "to_process": 0,
        "pos": 0,
    }
    try:
        rc = client._handle_publish()
    except MalformedPacket:
        return ("malformed",)
    if not got:  # QoS 2: held until the PUBREL
        return (rc, None)
    (m,) = got
    return (rc, m.topic, bytes(m.payload), m.mid, m.qos, m.dup, m.retain, m.state)


PROPERTIES = st.sampled_from(
    [
        b"\x00",  # none: the common case
        b"\x02\x01\x01",  # payload format indicator
        b"\x05\x02\x00\x00\x00\x3c",  # message expiry interval
        b"\x03\x23\x00\x01",  # topic alias
        b"\x07\x26\x00\x01k\x00\x01v",  # a user property
        b"",  # truncated: no property length at all
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    topic=st.text(max_size=30).map(str.encode),
    payload=st.binary(max_size=300),
    qos=st.integers(0, 2),
    mid=st.integers(1, 65535),
    dup=st.booleans(),
    retain=st.booleans(),
    properties=PROPERTIES,
    manual_ack=st.booleans(),
    cut=st.one_of(st.none(), st.integers(0, 40)),
)
def test_a_publish_decodes_as_paho_decodes_it(
    *,
    topic: bytes,
    payload: bytes,
    qos: int,
    mid: int,
    dup: bool,
    retain: bool,
    properties: bytes,
    manual_ack: bool,
    cut: int | None,
) -> None:
    header, packet = publish_packet(
        topic=topic,
        payload=payload,
        qos=qos,
        mid=mid,
        dup=dup,
        retain=retain,
        properties=properties,
    )
    if cut is not None:
        packet = packet[:cut]  # a packet that does not add up
    ours = IngestClient(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5, manual_ack=manual_ack)
    theirs = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5, manual_ack=manual_ack)
    try:
        expected = received(theirs, header, packet)
    except UnicodeDecodeError:
        return  # a topic that is not UTF-8: Mosquitto refuses it before it reaches us
    assert received(ours, header, packet) == expected
    # An automatic acknowledgement (QoS 1 without manual acks) is queued alike.
    assert [p["packet"] for p in ours._out_packet] == [p["packet"] for p in theirs._out_packet]
