"""Adapters: one pure function per producer, from an MQTT message to Readings.

Each `parse` takes a topic and the raw payload bytes and returns the Readings
the message carries (often none), or raises `MalformedPayload` when the
payload is not something that producer could have sent. They do no I/O, keep
no state and read no config: the router calls them on the hot path and maps
each Reading's `device` to a configured sensor.

- `zigbee2mqtt.parse(topic, payload, base)`, `zigbee2mqtt.parse_bridge_devices(payload)`
- `tasmota.parse(topic, payload)`
- `esphome.parse(topic, payload)`
- `shelly.parse(topic, payload)`
- `rtl433.parse(topic, payload)`
- `generic.parse_value(payload, kind, field)` for topics the config names itself

Each module's docstring says which producer versions and topics it covers and
how it names devices.
"""

from hub.ingest.adapters import esphome, generic, rtl433, shelly, tasmota, zigbee2mqtt
from hub.ingest.adapters.device_info import DeviceInfo

__all__ = ["DeviceInfo", "esphome", "generic", "rtl433", "shelly", "tasmota", "zigbee2mqtt"]
