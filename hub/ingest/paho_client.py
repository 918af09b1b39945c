"""The hub's paho client: paho-mqtt with three per-message costs taken out of its read path.

Measured per sensor message (bench/README.md), paho spent most of its time on
work the hub does not need:

- Its reader takes every packet in three or more `recv` calls (one byte of
  packet type, the length a byte at a time, then the rest): three system
  calls for a sensor's 100 bytes. `IngestClient` reads the socket in chunks
  of up to 64 KiB and serves paho's reader from that buffer; paho parses as
  before. What is buffered belongs to one socket: a new connection starts
  empty. Bytes may wait in the buffer while the socket has none (`buffered`),
  and the event loop will not say "readable" for them (`MqttLink._on_readable`).
- For an MQTT 5 PUBLISH it builds a `Properties` object (a few dozen dict
  entries, then a pass over all of them to clear it) even when the packet has
  no properties, as a sensor's never has, and a message-info object with a
  lock that an incoming message never uses. A PUBLISH of QoS 0 or 1 with an
  empty property list is decoded here instead (`properties` and `info` are
  None); anything else (properties, QoS 2, MQTT 3.1.1, a packet that does not
  add up, paho's logging switched on) goes to paho's own code, which raises
  for malformed packets as before.
- It looks up per-topic callbacks (`message_callback_add`) for every message
  before calling `on_message`; the hub registers none, so that look-up is
  skipped (registering one is refused, so it cannot be skipped by mistake).

These replace private methods of paho's `Client` (`_sock_recv`,
`_handle_publish`, `_handle_on_message`) and read some of its private
attributes, so paho is pinned below 3 and `tests/ingest/test_paho_client.py`
checks that they still exist and are used as assumed here, and that a
PUBLISH decodes to the same message either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MessageState, MQTTErrorCode

READ_CHUNK = 1 << 16  # at most one receive buffer's worth per system call


class IngestClient(paho.Client):
    """paho's Client reading its socket in chunks, without per-topic callbacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chunk = b""
        self._chunk_at = 0
        self._chunk_sock: object = None  # the socket the chunk came from

    @property
    def buffered(self) -> bool:
        """Bytes read from the current socket that paho has not taken yet."""
        return self._chunk_at < len(self._chunk) and self._chunk_sock is self._sock

    def _sock_recv(self, bufsize: int) -> bytes:
        # paho asks for 1 byte (type), 1 byte at a time (length), then the rest.
        chunk, at = self._chunk, self._chunk_at
        if at >= len(chunk) or self._chunk_sock is not self._sock:
            # paho's own recv: the same errors (BlockingIOError for "nothing
            # yet", also from TLS's want-read/write) and b"" at end of stream.
            chunk = super()._sock_recv(READ_CHUNK)
            self._chunk, self._chunk_sock, at = chunk, self._sock, 0
            if not chunk:
                return chunk
        end = at + bufsize
        self._chunk_at = end
        return chunk[at:end]

    def _handle_publish(self) -> MQTTErrorCode:
        packet = self._in_packet["packet"]
        command = self._in_packet["command"]
        qos = (command & 0x06) >> 1
        if (
            qos > 1
            or self._protocol != paho.MQTTv5
            or self._logger is not None
            or self.on_log is not None
        ):
            return super()._handle_publish()
        # Topic length (2 bytes) and topic, packet id (2 bytes, QoS 1), property length.
        at = 2 + int.from_bytes(packet[:2], "big")
        mid = 0
        if qos:
            mid = int.from_bytes(packet[at : at + 2], "big")
            at += 2
        if at == 2 or len(packet) <= at or packet[at] != 0:
            # No topic (an alias), properties, or a packet too short: paho decides.
            return super()._handle_publish()
        message = paho.MQTTMessage.__new__(paho.MQTTMessage)
        message.timestamp = paho.time_func()
        message.state = MessageState.MQTT_MS_INVALID
        message.dup = bool(command & 0x08)
        message.mid = mid
        message._topic = bytes(packet[2 : at - 2 if qos else at])
        message.payload = bytes(packet[at + 1 :])
        message.qos = qos
        message.retain = bool(command & 0x01)
        message.info = None  # type: ignore[assignment]  # paho tracks outgoing messages with it
        message.properties = None
        self._handle_on_message(message)
        if qos == 0 or self._manual_ack:
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        return self._send_puback(mid)

    def _handle_on_message(self, message: paho.MQTTMessage) -> None:
        # paho's version first asks its topic matcher for per-topic callbacks
        # (none here, see message_callback_add) and then calls on_message under
        # the same lock; an exception from on_message propagates, as paho's
        # does by default (suppress_exceptions is off).
        on_message = self.on_message
        if on_message is not None:
            with self._in_callback_mutex:
                on_message(self, self._userdata, message)

    def message_callback_add(
        self, sub: str, callback: Callable[[paho.Client, Any, paho.MQTTMessage], None]
    ) -> None:
        raise NotImplementedError(
            "IngestClient takes every message through on_message (see hub/ingest/paho_client.py)"
        )
