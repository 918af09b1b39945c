"""The bridge process: each serial port served by a thread, with an MQTT client of its own.

Why a blocking thread per port rather than asyncio: pyserial's API is
blocking, and a port that misbehaves (a write that stalls, a driver that
hangs on close) then stalls only its own thread. paho-mqtt runs its network
loop in a thread too (`loop_start`); the port thread publishes through it
(paho's publish and ack are thread-safe) and receives commands through a
queue.

Why one MQTT client per port: availability is per port, and a last will is
per connection, so each port's client carries the will "offline" for its own
status topic.

Delivery:
- device -> MQTT: every decoded report is published QoS 1; paho keeps QoS 1
  messages while the broker is unreachable and sends them on reconnect. A
  clean stop reads what the port already holds, then waits for the broker to
  acknowledge every publication before going offline.
- MQTT -> device: commands arrive QoS 1 on a persistent session and are
  acknowledged to the broker only when finished (the device acked, or every
  retry failed); a bridge that dies before then gets them again on restart,
  with the same command id, which the device recognises (PROTOCOL.md).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from pydantic import SecretStr

from firmware_bridge.publications import COMMAND, STATUS, Publication
from firmware_bridge.serial_port import PortError, SerialLink
from firmware_bridge.sessions import HearthSession, MySensorsSession, Session
from hub.broker_access import BrokerAccess, new_client
from hub.config.models import Bridge, HearthConfig, SerialPort, SerialProtocol
from hub.config.secrets import read_broker_password, read_password_file
from hub.ingest.mqtt_link import jittered_backoff

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 24 * 3600  # commands sent while the bridge restarts wait this long
FLUSH_TIMEOUT_S = 10.0
START_TIMEOUT_S = 10.0  # how long start() waits to hear whether the broker accepts us
# Publications the broker has not acknowledged yet, at most. Past it the port
# thread stops reading (the device's output waits in the serial buffers) until
# the broker catches up. It bounds memory in a long broker outage, and keeps
# paho's 16-bit message ids from wrapping onto a message still in flight
# (paho refuses such a publish with MQTT_ERR_QUEUE_SIZE: it would be lost).
MAX_UNCONFIRMED = 10_000
STEADY_S = 1.0  # a port open this long is working; losing it then is a fresh unplug


class BridgeError(RuntimeError):
    """The broker refused the bridge (bad credentials, not authorised)."""


@dataclass(frozen=True)
class MqttSettings:
    access: BrokerAccess
    client_id: str  # each port's client adds "-<port id>"
    topic_prefix: str

    @classmethod
    def from_config(cls, config: HearthConfig, password: str | None) -> MqttSettings:
        access = BrokerAccess.from_config(
            config.broker,
            username=config.bridge.username or config.broker.username,
            password=SecretStr(password) if password is not None else None,
        )
        return cls(access, f"{config.client_id}-bridge", config.topic_prefix)


def read_password(config: HearthConfig) -> SecretStr | None:
    """The bridge's MQTT password: its own file if `bridge.username` is set, else the hub's.

    Raises SecretError (from hub.config.secrets) when the source cannot be used.
    """
    if config.bridge.password_file is None:
        return read_broker_password(config.broker)
    return read_password_file(config.bridge.password_file, ("bridge", "password_file"))


class PortBridge:
    """One serial port <-> MQTT, until `stop()`."""

    def __init__(
        self,
        port: SerialPort,
        bridge: Bridge,
        mqtt: MqttSettings,
        clock: Callable[[], float] = time.monotonic,
        max_unconfirmed: int = MAX_UNCONFIRMED,
    ) -> None:
        self.port = port
        self.bridge = bridge
        self.max_unconfirmed = max_unconfirmed
        self.base_topic = f"{mqtt.topic_prefix}/bridge/{port.id}"
        self._mqtt = mqtt
        self._stopping = threading.Event()
        self._commands: queue.Queue[tuple[bytes, object]] = queue.Queue()
        self._link: SerialLink | None = None
        self._online = False
        self._connection = 0  # counts MQTT connections: acks belong to one connection
        self._unconfirmed = 0  # publications the broker has not acknowledged yet
        self._lock = threading.Condition()
        self.opens = 0  # how many times the port was opened (for tests and logs)
        self.most_unconfirmed = 0  # the high-water mark of _unconfirmed (for tests)
        self.subscribed = threading.Event()  # commands can be received from now on
        self.settled = threading.Event()  # the broker accepted or refused us
        self.refusal: str | None = None
        self.session: Session = (
            HearthSession(self, bridge.command_retries, bridge.ack_timeout_s, clock)
            if port.protocol is SerialProtocol.HEARTH
            else MySensorsSession(self, bridge.command_retries, bridge.ack_timeout_s, clock)
        )
        self.client = self._make_client()
        self._thread = threading.Thread(target=self._run, name=f"port-{port.id}", daemon=True)

    # --- MQTT --------------------------------------------------------------------

    def _make_client(self) -> paho.Client:
        client = new_client(self._mqtt.access, f"{self._mqtt.client_id}-{self.port.id}")
        client.will_set(self._topic(STATUS), _status(online=False), qos=1, retain=True)
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        return client

    @property
    def online(self) -> bool:
        """The serial port is open."""
        return self._online

    @property
    def alive(self) -> bool:
        """The port thread is running (it ends only on stop, or on a bug)."""
        return self._thread.is_alive()

    def _topic(self, channel: str) -> str:
        return f"{self.base_topic}/{channel}"

    def _on_connect(
        self,
        client: paho.Client,
        userdata: object,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            # Bad credentials or not authorised: retrying will not help.
            self.refusal = (
                f"the MQTT broker {self._mqtt.access.address} refused the connection: "
                f"{reason} (check bridge.username or broker.username, and its password file)"
            )
            self.settled.set()
            client.disconnect()
            return
        self.settled.set()
        with self._lock:
            self._connection += 1
        self._publish_status()
        client.subscribe(self._topic(COMMAND), qos=1)

    def _on_message(self, client: paho.Client, userdata: object, message: paho.MQTTMessage) -> None:
        token = (self._connection, message.mid) if message.qos else None
        self._commands.put((bytes(message.payload), token))

    def _on_subscribe(
        self,
        client: paho.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if all(not reason.is_failure for reason in reasons):
            self.subscribed.set()
        else:
            log.error("port %s: may not subscribe to %s", self.port.id, self._topic(COMMAND))

    def _on_publish(
        self,
        client: paho.Client,
        userdata: object,
        mid: int,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        with self._lock:
            self._unconfirmed -= 1
            self._lock.notify_all()

    def _publish_raw(self, topic: str, payload: str, *, retain: bool = False) -> None:
        with self._lock:
            self._unconfirmed += 1
            self.most_unconfirmed = max(self.most_unconfirmed, self._unconfirmed)
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        if info.rc == MQTTErrorCode.MQTT_ERR_QUEUE_SIZE:  # see MAX_UNCONFIRMED
            with self._lock:
                self._unconfirmed -= 1
            log.error("port %s: paho refused to queue a message on %s", self.port.id, topic)

    def _publish_status(self) -> None:
        self._publish_raw(self._topic(STATUS), _status(online=self._online), retain=True)

    # --- Outputs, for the session --------------------------------------------------

    def publish(self, publication: Publication) -> None:
        # Only the port thread comes here, so it may wait; paho's own thread,
        # which must stay free to receive the acknowledgements, never does.
        with self._lock:
            while self._unconfirmed >= self.max_unconfirmed and not self._stopping.is_set():
                self._lock.wait(0.5)
        self._publish_raw(self._topic(publication.channel), json.dumps(publication.data))

    def write(self, data: bytes) -> None:
        if self._link is None:
            raise PortError("the port is closed")
        self._link.write(data)

    def finish(self, token: object) -> None:
        if not isinstance(token, tuple):
            return  # QoS 0: nothing to acknowledge
        connection, mid = token
        # A message id from an earlier connection means nothing on this one;
        # the broker redelivers that message, and the tracker knows the id.
        if connection == self._connection:
            self.client.ack(mid, 1)

    # --- the port thread -------------------------------------------------------------

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho: no hints
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        self.client.connect_async(
            self._mqtt.access.host,
            self._mqtt.access.port,
            self._mqtt.access.keepalive_s,
            clean_start=False,
            properties=props,
        )
        self.client.loop_start()
        self._thread.start()

    def _run(self) -> None:
        attempt = 0  # failures in a row: failed opens, and ports lost soon after opening
        while not self._stopping.is_set():
            try:
                link = SerialLink.open(self.port.path, self.port.baud)
            except PortError as exc:
                if attempt == 0:
                    log.warning("port %s: %s; retrying", self.port.id, exc)
                self._back_off(attempt)
                attempt += 1
                continue
            opened_at = time.monotonic()
            self._serve(link)
            if time.monotonic() - opened_at >= STEADY_S:
                attempt = 0  # it worked for a while: a fresh unplug, reopen at once
            elif not self._stopping.is_set():
                # Lost again at once (a flapping cable, a device resetting in a
                # loop): back off too, or we would spin opening it and flood
                # MQTT with online/offline.
                self._back_off(attempt)
                attempt += 1

    def _back_off(self, attempt: int) -> None:
        delay = jittered_backoff(attempt, self.bridge.reconnect_min_s, self.bridge.reconnect_max_s)
        self._stopping.wait(delay)

    def _serve(self, link: SerialLink) -> None:
        self._link = link
        self.opens += 1
        self._online = True
        self._publish_status()
        log.info("port %s: %s open", self.port.id, self.port.path)
        try:
            self.session.opened()
            while not self._stopping.is_set():
                self._take_commands()
                data = link.read()
                if data:
                    self.session.received(data)
                else:
                    self.session.tick()
            # Stopping: what the device already sent is read and published too.
            self.session.received(link.read_available())
        except PortError as exc:
            log.warning("port %s: lost (%s); reopening", self.port.id, exc)
        finally:
            link.close()
            self._link = None
            self._online = False
            self._publish_status()
            if self.session.rejected:
                log.info("port %s: rejected so far: %s", self.port.id, self.session.rejected)

    def _take_commands(self) -> None:
        while True:
            try:
                payload, token = self._commands.get_nowait()
            except queue.Empty:
                return
            self.session.command(payload, token)

    # --- stopping -------------------------------------------------------------------

    def stop(self) -> None:
        """Read what the port holds, publish it all, go offline, disconnect."""
        self._stopping.set()
        self._thread.join(FLUSH_TIMEOUT_S)
        self._online = False
        if self.refusal is not None:
            self.client.loop_stop()  # nothing can be published: the broker refused us
            return
        self._publish_status()
        with self._lock:
            flushed = self._lock.wait_for(lambda: self._unconfirmed <= 0, FLUSH_TIMEOUT_S)
        if not flushed:
            log.warning(
                "port %s: %d publications not confirmed by the broker at stop",
                self.port.id,
                self._unconfirmed,
            )
        self.client.disconnect()
        self.client.loop_stop()


def _status(*, online: bool) -> str:
    return json.dumps({"state": "online" if online else "offline"})


class FirmwareBridge:
    """Every configured port, started and stopped together."""

    def __init__(self, config: HearthConfig, password: str | None) -> None:
        self.settings = MqttSettings.from_config(config, password)
        self.ports = [
            PortBridge(port, config.bridge, self.settings) for port in config.bridge.ports
        ]

    def start(self) -> None:
        """Start every port; raise BridgeError if the broker refuses us.

        A broker that cannot be reached yet is not an error: paho keeps
        trying, and reports are kept until it answers.
        """
        for port in self.ports:
            port.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        for port in self.ports:
            port.settled.wait(max(0.0, deadline - time.monotonic()))
            if port.refusal is not None:
                self.stop()
                raise BridgeError(port.refusal)

    def connected(self) -> bool:
        """Every port's MQTT client is connected to the broker now."""
        return all(port.client.is_connected() for port in self.ports)

    def all_alive(self) -> bool:
        """Every port thread is running: the systemd watchdog is fed only then."""
        return all(port.alive for port in self.ports)

    def stop(self) -> None:
        for port in self.ports:
            port.stop()
