"""Which adapter reads which topic, and which topics the hub subscribes to.

The hub listens only to the producers the config enables. Zigbee2MQTT is
checked first because it carries most of a home's traffic.
"""

from __future__ import annotations

from paho.mqtt.client import topic_matches_sub

from hub.config.models import HearthConfig, Sensor
from hub.events import Reading, Source
from hub.ingest.adapters import bridge, esphome, generic, rtl433, shelly, tasmota, zigbee2mqtt


class Router:
    def __init__(self, config: HearthConfig) -> None:
        producers = config.producers
        self.z2m_base = producers.zigbee2mqtt_base_topic.strip("/")
        self._z2m_prefix = f"{self.z2m_base}/" if self.z2m_base else None
        self.z2m_devices_topic = f"{self.z2m_base}/bridge/devices" if self.z2m_base else None
        self._tasmota = producers.tasmota
        self._shelly = producers.shelly
        self._rtl_filter = producers.rtl_433_topic
        self._generic: dict[str, list[Sensor]] = {}
        nodes = set(producers.esphome_nodes)
        for sensor in config.sensors:
            match = sensor.match
            if match.source is Source.GENERIC and match.topic:
                self._generic.setdefault(match.topic, []).append(sensor)
            elif match.source is Source.ESPHOME and match.device:
                nodes.add(match.device.split("/", 1)[0])
        self._esphome_nodes = frozenset(nodes)
        # The firmware bridge's topics, when the config names serial ports.
        self._bridge_prefix = f"{config.topic_prefix}/bridge/" if config.bridge.ports else None

    def subscriptions(self) -> list[str]:
        """Topic filters to subscribe to, QoS 1."""
        filters: list[str] = []
        if self._z2m_prefix:
            filters.append(f"{self._z2m_prefix}#")
        if self._tasmota:
            filters += ["tele/+/SENSOR", "tele/+/LWT", "stat/+/RESULT", "stat/+/+"]
        if self._shelly:
            filters += ["+/online", "+/events/rpc", "+/status/+"]
        if self._rtl_filter:
            filters.append(self._rtl_filter)
        filters += [f"{node}/#" for node in sorted(self._esphome_nodes)]
        filters += sorted(self._generic)
        if self._bridge_prefix:
            filters.append(f"{self._bridge_prefix}+/+")
        return filters

    def route(self, topic: str, payload: bytes) -> list[Reading]:
        """Readings in one message; [] for topics no adapter uses.

        Raises MalformedPayload (from the adapter) for payloads that cannot be read.
        """
        if self._bridge_prefix and topic.startswith(self._bridge_prefix):
            return bridge.parse(topic, payload, self._bridge_prefix)
        return self._route_producer(topic, payload)

    def _route_producer(self, topic: str, payload: bytes) -> list[Reading]:
        generic_sensors = self._generic.get(topic)
        if generic_sensors is not None:
            return [
                Reading(
                    Source.GENERIC,
                    f"{topic}#{s.match.field or ''}",
                    s.kind,
                    generic.parse_value(payload, s.kind, s.match.field),
                )
                for s in generic_sensors
            ]
        if self._z2m_prefix and topic.startswith(self._z2m_prefix):
            return zigbee2mqtt.parse(topic, payload, self.z2m_base)
        head, _, rest = topic.partition("/")
        if self._tasmota and head in ("tele", "stat"):
            return tasmota.parse(topic, payload)
        if head in self._esphome_nodes:
            return esphome.parse(topic, payload)
        if self._rtl_filter and topic_matches_sub(self._rtl_filter, topic):
            return rtl433.parse(topic, payload)
        is_shelly = rest in ("online", "events/rpc") or rest.startswith("status/")
        return shelly.parse(topic, payload) if self._shelly and is_shelly else []
