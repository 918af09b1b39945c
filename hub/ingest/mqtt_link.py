"""The hub's MQTT connection: paho-mqtt driven by the asyncio event loop.

Why paho directly and not aiomqtt: measured in bench/ingest.py, aiomqtt adds a
future and a queue entry per message (3-4x paho's CPU) and its queue is
unbounded. Here paho's socket is registered with the event loop, and each
message is handed straight to `on_message` in the loop's thread.

Session and delivery (MQTT 5): a fixed client id with clean_start=False and a
session expiry keeps our subscriptions and queued QoS 1 messages while the hub
is down. Messages are acknowledged by hand (`ack`) only after they are stored;
the Receive Maximum we send bounds how many the broker hands over before we
acknowledge (Mosquitto honours it for MQTT 5 clients, while for 3.1.1 clients
its own max_inflight_messages of 20 would throttle us to a crawl).

Status: `<prefix>/status` is retained `{"state":"online"}` while connected,
and the broker publishes the retained last will `{"state":"offline"}` if we
vanish; a clean stop publishes it ourselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from hub.broker_access import BrokerAccess, new_client
from hub.ingest.paho_client import IngestClient

if TYPE_CHECKING:
    from paho.mqtt.client import SocketLike

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our queue through a week offline
MAX_PACKETS_PER_WAKEUP = 200  # read this many before yielding to other tasks


class MqttLinkError(RuntimeError):
    """The broker refused us (bad credentials, not authorised) or cannot be reached."""


@dataclass(frozen=True)
class LinkSettings:
    access: BrokerAccess
    client_id: str
    status_topic: str
    subscriptions: tuple[str, ...]
    receive_maximum: int
    backoff_min_s: float = 1.0
    backoff_max_s: float = 60.0


MessageHandler = Callable[[str, bytes, int, int, bool], None]
"""(topic, payload, ack token, qos, dup): dup marks a redelivery (hub/store/redelivery.py)."""


def jittered_backoff(attempt: int, low: float, high: float) -> float:
    """'Full jitter' backoff: uniform in [low, min(high, low * 2**attempt)].

    Jitter spreads reconnects so that many clients (or a hub and its bridge)
    do not hammer a restarted broker in step.
    """
    ceiling = min(high, low * (2 ** min(attempt, 30)))
    return random.uniform(low, max(low, ceiling))


class MqttLink:
    def __init__(self, settings: LinkSettings, on_message: MessageHandler) -> None:
        self.settings = settings
        self._on_message_cb = on_message
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sock: SocketLike | None = None
        self._paused = False
        self._received = 0
        self._closing = False
        self.connected = asyncio.Event()
        self._awaiting_suback: int | None = None
        # Called after each (re)connect and subscribe: retained state to publish again.
        self.on_connected: Callable[[], None] | None = None
        self._settled = asyncio.Event()  # connected, or refused for good
        self.connects = 0
        self._failure: MqttLinkError | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._misc_task: asyncio.Task[None] | None = None
        self.client = self._make_client()

    # --- setup -----------------------------------------------------------------

    def _make_client(self) -> IngestClient:
        s = self.settings
        client = new_client(s.access, s.client_id, IngestClient)
        client.will_set(s.status_topic, json.dumps({"state": "offline"}), qos=1, retain=True)
        client.connect_timeout = 5.0
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        return client

    def _connect_properties(self) -> Properties:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho: no hints
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = self.settings.receive_maximum
        return props

    async def start(self, timeout_s: float = 30.0) -> None:
        """Connect (retrying with backoff) and return once subscribed, or raise MqttLinkError."""
        self._loop = asyncio.get_running_loop()
        self._misc_task = asyncio.create_task(self._misc_loop(), name="mqtt-misc")
        self._reconnect_task = asyncio.create_task(self._connect_loop(first=True))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), timeout_s)
        if self._failure is not None:
            await self.stop()
            raise self._failure
        if not self.connected.is_set():
            await self.stop()
            raise MqttLinkError(
                f"no connection to the MQTT broker at {self.settings.access.address} "
                f"within {timeout_s:.0f} s"
            )

    async def _connect_loop(self, first: bool = False) -> None:
        attempt = 0
        while not self._closing:
            try:
                if first and attempt == 0:
                    self.client.connect(
                        self.settings.access.host,
                        self.settings.access.port,
                        self.settings.access.keepalive_s,
                        clean_start=False,
                        properties=self._connect_properties(),
                    )
                else:
                    self.client.reconnect()
            except (OSError, ssl.SSLError) as exc:
                delay = jittered_backoff(
                    attempt, self.settings.backoff_min_s, self.settings.backoff_max_s
                )
                log.warning(
                    "MQTT broker %s not reachable (%s); retrying in %.1f s",
                    self.settings.access.address,
                    exc,
                    delay,
                )
                attempt += 1
                await asyncio.sleep(delay)
            else:
                return

    async def _misc_loop(self) -> None:
        # Keepalive pings and retries are paho's "misc" work; once a second is enough.
        while True:
            await asyncio.sleep(1.0)
            if self._sock is not None:
                self.client.loop_misc()

    # --- socket plumbing (all in the event loop's thread) ----------------------

    def _on_socket_open(self, client: paho.Client, userdata: object, sock: SocketLike) -> None:
        assert self._loop is not None
        self._sock = sock
        if isinstance(sock, socket.socket):
            # A deeper receive buffer absorbs bursts while a batch is being committed.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            # Alerts go out on this connection: without TCP_NODELAY, Nagle's
            # algorithm can hold an alert's PUBLISH behind an unacknowledged
            # segment for the peer's delayed-ACK time (40 ms on Linux).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._paused:
            self._loop.add_reader(sock, self._on_readable)

    def _on_socket_close(self, client: paho.Client, userdata: object, sock: SocketLike) -> None:
        assert self._loop is not None
        self._loop.remove_reader(sock)
        self._loop.remove_writer(sock)
        self._sock = None

    def _on_register_write(self, client: paho.Client, userdata: object, sock: SocketLike) -> None:
        assert self._loop is not None
        self._loop.add_writer(sock, client.loop_write)

    def _on_unregister_write(self, client: paho.Client, userdata: object, sock: SocketLike) -> None:
        assert self._loop is not None
        self._loop.remove_writer(sock)

    def _on_readable(self) -> None:
        # paho reads one packet per loop_read call; draining several per wake-up
        # saves an event-loop round trip per message.
        client = self.client
        for _ in range(MAX_PACKETS_PER_WAKEUP):
            before = self._received
            if client.loop_read() != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
            if self._received == before or self._paused or self._sock is None:
                break
        # The client reads the socket in chunks: bytes may wait in its buffer while
        # the socket has none, and then the event loop would not wake us for them.
        if client.buffered and not self._paused and self._sock is not None:
            assert self._loop is not None
            self._loop.call_soon(self._on_readable)

    def pause(self) -> None:
        """Stop reading: the broker holds further messages for us (backpressure)."""
        if not self._paused:
            self._paused = True
            if self._sock is not None and self._loop is not None:
                self._loop.remove_reader(self._sock)

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            if self._sock is not None and self._loop is not None:
                self._loop.add_reader(self._sock, self._on_readable)
                # Data may already sit in paho's buffer or the socket: read now.
                self._loop.call_soon(self._on_readable)

    @property
    def paused(self) -> bool:
        return self._paused

    # --- MQTT callbacks --------------------------------------------------------

    def _on_connect(
        self,
        client: paho.Client,
        userdata: object,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            # Bad credentials or not authorised: retrying will not help, say so once.
            self._failure = MqttLinkError(
                f"MQTT broker {self.settings.access.address} refused the connection: "
                f"{reason} (check broker.username and the password file)"
            )
            self._closing = True
            self._settled.set()
            client.disconnect()
            return
        self.connects += 1
        log.info(
            "connected to MQTT broker %s (session %s)",
            self.settings.access.address,
            "resumed" if flags.session_present else "new",
        )
        client.publish(
            self.settings.status_topic, json.dumps({"state": "online"}), qos=1, retain=True
        )
        filters = [(topic_filter, 1) for topic_filter in self.settings.subscriptions]
        if not filters:
            self._subscribed()
            return
        # Connected counts from the broker's SUBACK: before it, a message another
        # client publishes may reach the broker ahead of our SUBSCRIBE and never be
        # ours, so "ready" (and systemd's READY=1) waits for it.
        _, self._awaiting_suback = client.subscribe(filters)

    def _on_subscribe(
        self,
        client: paho.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if mid != self._awaiting_suback:
            return
        self._awaiting_suback = None
        refused = [
            topic
            for topic, reason in zip(self.settings.subscriptions, reasons, strict=False)
            if reason.is_failure
        ]
        if refused:
            # The ACL forbids them: say which, once; the rest still work.
            log.error(
                "the broker refused our subscriptions to %s (check its ACL)", ", ".join(refused)
            )
        self._subscribed()

    def _subscribed(self) -> None:
        self.connected.set()
        if self.on_connected is not None:
            self.on_connected()
        self._settled.set()

    def _on_disconnect(
        self,
        client: paho.Client,
        userdata: object,
        flags: paho.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self.connected.clear()
        if self._closing:
            return
        log.warning("lost the MQTT broker (%s); reconnecting", reason)
        self._reconnect_task = asyncio.ensure_future(self._connect_loop())

    def _on_message(self, client: paho.Client, userdata: object, message: paho.MQTTMessage) -> None:
        self._received += 1
        if self._closing:
            # Stopping: leave it unacknowledged; the broker hands it over next time.
            return
        # Message ids are reused per connection, so the token carries the
        # connection count too: an ack for a message from a connection that has
        # since dropped must not be sent on the new one (the broker redelivers
        # that message instead, and we store it again: at least once).
        token = (self.connects << 16) | message.mid if message.qos else -1
        self._on_message_cb(
            message.topic, bytes(message.payload), token, message.qos, bool(message.dup)
        )

    # --- use -------------------------------------------------------------------

    def ack(self, tokens: list[int]) -> list[int]:
        """Acknowledge stored QoS 1 messages (tokens from `on_message`); return those sent.

        Tokens of an earlier connection are not sent (see `_on_message`).
        """
        current = self.connects
        sent = []
        for token in tokens:
            if token >> 16 == current:
                self.client.ack(token & 0xFFFF, 1)
                sent.append(token)
        return sent

    def publish(
        self, topic: str, payload: str | bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        self.client.publish(topic, payload, qos=qos, retain=retain)

    async def stop(self) -> None:
        """Publish offline, disconnect cleanly, and stop the background tasks."""
        self._closing = True
        if self.connected.is_set():
            # Read again so the broker's PUBACK for "offline" reaches us; new
            # messages are left unacknowledged by _on_message while closing.
            self.resume()
            info = self.client.publish(
                self.settings.status_topic, json.dumps({"state": "offline"}), qos=1, retain=True
            )
            for _ in range(50):  # up to 5 s for the broker to take it
                if info.is_published():
                    break
                await asyncio.sleep(0.1)
            self.client.disconnect()
            for _ in range(50):  # let paho write the last acks and DISCONNECT
                if self._sock is None:
                    break
                await asyncio.sleep(0.1)
        for task in (self._reconnect_task, self._misc_task):
            if task is not None and not task.done():
                task.cancel()
        self.connected.clear()
