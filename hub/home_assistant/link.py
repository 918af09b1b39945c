"""The hub's side of Home Assistant: publish discovery, answer its birth message, keep its state.

Thin on purpose: what to publish comes from `discovery.py` and `summary.py`
(pure); this class only decides when, and hands (topic, payload, retain) to the
hub's own MQTT connection. It never reads from Home Assistant beyond its birth
message, so nothing Home Assistant sends can change what Hearth does except
through the documented control topics.

When:
- `on_connected()` after every connection to the broker: the discovery message
  is retained, but a broker without persistence forgets it on restart.
- `handle()` on `<discovery prefix>/status` = `online`: Home Assistant has
  (re)started; its docs recommend answering the birth message rather than
  relying on the retained copy alone.
- `publish_summary()` after each alert change, `observe()` for each event
  (battery levels, only with `expose_sensors`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from hub import __version__
from hub.alerts.model import Alert
from hub.config.home_assistant import HomeAssistant
from hub.config.models import HearthConfig
from hub.events import Event, Kind
from hub.home_assistant.discovery import battery_topic, discovery_message, discovery_topic, encode
from hub.home_assistant.summary import alert_summary, summary_topic

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bool], None]
"""Publish (topic, payload, retain) on the hub's MQTT connection, QoS 1, without waiting."""


class HomeAssistantLink:
    def __init__(
        self,
        config: HearthConfig,
        settings: HomeAssistant,
        publish: Publish,
        version: str = __version__,
    ) -> None:
        self.settings = settings
        self._publish = publish
        self._discovery_topic = discovery_topic(config, settings)
        self._discovery = encode(discovery_message(config, settings, version)[1])
        self._birth_topic = f"{settings.discovery_prefix}/status"
        self._summary_topic = summary_topic(config.topic_prefix)
        self._prefix = config.topic_prefix
        self._summary: bytes | None = None
        self._batteries: dict[str, bytes] = {}
        self.announced = 0  # discovery messages published, for tests and the status line

    @property
    def wants_events(self) -> bool:
        """Whether `observe` does anything: the hub subscribes it to the bus only then
        (it would otherwise be one more call per event for nothing)."""
        return self.settings.enabled and self.settings.expose_sensors

    @property
    def topics(self) -> list[str]:
        """What the hub must subscribe to and hand to `handle`: Home Assistant's birth message."""
        return [self._birth_topic] if self.settings.enabled else []

    def on_connected(self) -> None:
        """After each connection: announce (or, when switched off, withdraw) and restore state."""
        if self.settings.enabled:
            self._announce()
        else:
            # An empty retained message removes the device from Home Assistant and the
            # broker, so switching this off leaves no ghost entities behind.
            self._publish(self._discovery_topic, b"", True)
        if self._summary is not None:
            self._publish(self._summary_topic, self._summary, True)

    def handle(self, topic: str, payload: bytes) -> None:
        """A message on one of `topics`: Home Assistant came online, so announce again."""
        if topic == self._birth_topic and payload.strip() == b"online" and self.settings.enabled:
            log.info("Home Assistant came online: publishing discovery again")
            self._announce()

    def publish_summary(self, alerts: Iterable[Alert]) -> None:
        """Publish `<prefix>/alert_summary` (retained) if it changed; call after each alert change.

        Published whether or not discovery is on: any dashboard may read it.
        """
        payload = json.dumps(alert_summary(alerts), ensure_ascii=False).encode()
        if payload != self._summary:
            self._summary = payload
            self._publish(self._summary_topic, payload, True)

    def observe(self, event: Event) -> None:
        """A battery level, retained per sensor, only when sensors are exposed and it changed."""
        if not self.wants_events:
            return
        if event.kind is not Kind.BATTERY or not isinstance(event.value, int | float):
            return
        payload = f"{event.value:g}".encode()
        if self._batteries.get(event.sensor) != payload:
            self._batteries[event.sensor] = payload
            self._publish(battery_topic(self._prefix, event.sensor), payload, True)

    def _announce(self) -> None:
        self._publish(self._discovery_topic, self._discovery, True)
        self.announced += 1
