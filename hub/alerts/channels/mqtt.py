"""The MQTT alert channel: each alert's latest state as retained JSON on `<prefix>/alerts/<id>`.

Retained, one topic per alert: a dashboard, display or Home Assistant that
connects later still sees every alert that is open. When an alert resolves its
message is replaced by the resolved state (purpose "resolved"), not cleared,
so a late subscriber sees "all clear" rather than nothing; `clear` removes an
alert's topic once the hub no longer wants it shown (retained messages live
until replaced, so the lifecycle should clear alerts some time after they
finish, or the broker keeps one per alert for ever).

`send` returns only when the broker has acknowledged the PUBLISH (QoS 1
PUBACK), so the outbox can record the delivery as done. The channel talks to
the broker through a tiny `Publisher` protocol; `PahoPublisher` implements it
over the hub's own paho client (the one `MqttLink` drives on the event loop),
so alerts reuse the hub's connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Protocol

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from hub.alerts.channels import DeliveryError
from hub.alerts.model import AlertMessage

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        """Publish and return once the broker has taken it (QoS 1: PUBACK), else DeliveryError."""
        ...


def alert_topic(prefix: str, alert_id: int) -> str:
    return f"{prefix.rstrip('/')}/alerts/{alert_id}"


def alert_payload(message: AlertMessage) -> bytes:
    """The documented JSON (docs/alerts.md): compact, UTF-8, keys in AlertMessage.to_json order."""
    return json.dumps(message.to_json(), separators=(",", ":"), ensure_ascii=False).encode()


class MqttChannel:
    """Publishes each AlertMessage retained, QoS 1, on `<prefix>/alerts/<alert id>`."""

    def __init__(self, publisher: Publisher, prefix: str) -> None:
        self._publisher = publisher
        self._prefix = prefix.rstrip("/")

    @property
    def name(self) -> str:
        return f"mqtt {self._prefix}/alerts"

    async def send(self, message: AlertMessage) -> None:
        await self._publisher.publish(
            alert_topic(self._prefix, message.alert_id), alert_payload(message), 1, True
        )

    async def clear(self, alert_id: int) -> None:
        """Remove the alert's retained message (an empty retained payload deletes it)."""
        await self._publisher.publish(alert_topic(self._prefix, alert_id), b"", 1, True)


class PahoPublisher:
    """`Publisher` over a connected paho client, waiting on the event loop for the PUBACK.

    The client may be driven by the asyncio loop (as `MqttLink` does) or by
    paho's own thread (`loop_start`): the PUBACK callback hands over to the
    loop with `call_soon_threadsafe` either way. It chains to any `on_publish`
    callback the client already had.

    A publish is refused at once while the client is disconnected, rather than
    left in paho's queue: the outbox retries it later, and a message paho sent
    by itself after `send` had already failed would be a second copy. After a
    timeout paho does keep the message and may still deliver it; the retry
    then publishes the same state again, which a retained topic and the
    payload's `id` make harmless.
    """

    def __init__(self, client: paho.Client, *, timeout_s: float = 10.0) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._previous = client.on_publish
        client.on_publish = self._on_publish

    async def publish(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self._loop = asyncio.get_running_loop()
        if not self._client.is_connected():
            raise DeliveryError("not connected to the MQTT broker")
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            # NO_CONN (dropped just now) or QUEUE_SIZE: both pass with time.
            raise DeliveryError(f"MQTT publish not sent: {paho.error_string(info.rc)}")
        if qos == 0:
            return
        done = self._loop.create_future()
        self._waiting[info.mid] = done
        # The PUBACK callback reaches us through call_soon_threadsafe, so it
        # runs after this point even when paho's thread saw the PUBACK first.
        try:
            await asyncio.wait_for(done, self._timeout_s)
        except TimeoutError as exc:
            raise DeliveryError(
                f"the MQTT broker did not acknowledge within {self._timeout_s:g} s"
            ) from exc
        finally:
            self._waiting.pop(info.mid, None)

    def _on_publish(
        self,
        client: paho.Client,
        userdata: object,
        mid: int,
        reason: ReasonCode,
        properties: Properties,
    ) -> None:
        if self._previous is not None:
            self._previous(client, userdata, mid, reason, properties)  # type: ignore[call-arg]
        if self._loop is None:
            return
        failure = str(reason) if reason.is_failure else None
        # RuntimeError: the loop that published has closed (a finished
        # asyncio.run), so nobody is waiting for this acknowledgement any more.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._settle, mid, failure)

    def _settle(self, mid: int, failure: str | None) -> None:
        done = self._waiting.get(mid)
        if done is None or done.done():
            return
        if failure is None:
            done.set_result(None)
        else:
            # MQTT 5 PUBACK reason codes such as "Not authorized" (the ACL) do
            # not change on retry.
            done.set_exception(
                DeliveryError(f"the MQTT broker refused the alert: {failure}", permanent=True)
            )
