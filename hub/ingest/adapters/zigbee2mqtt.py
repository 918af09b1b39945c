"""Zigbee2MQTT (1.x and 2.x) device messages as Readings.

Topics, under the configured base topic (default `zigbee2mqtt`):

- `<base>/<friendly_name>`: the device state as a JSON object (Z2M's default
  `output: json`). Friendly names may contain `/` (`living room/motion`).
- `<base>/<friendly_name>/availability`: `{"state":"online"}` (Z2M >= 2.0, or
  1.x with `legacy_availability_payload: false`) or plain `online` (1.x legacy).
- `<friendly_name>/set`, `/get`, `/set/<attribute>`, `/get/<attribute>` are
  commands other clients send, and `<friendly_name>/action` is the plain-text
  copy of `action` that 1.x published for Home Assistant triggers: all `[]`,
  since the state message carries the same facts.
- `<base>/bridge/...` gives `[]` here; `bridge/devices` goes to
  `parse_bridge_devices`.

Mapping decisions:

- `contact` true means the magnet is near, i.e. closed; our CONTACT True means
  open, so the value is inverted.
- `action` is an edge: a press publishes `{"action":"single"}` and (with the
  1.x / legacy Home Assistant action sensor) an `{"action":""}` right after.
  Only a non-empty action becomes a BUTTON reading.
- `state` "ON"/"OFF" is a SWITCH; other states (covers' "OPEN", locks' "LOCK")
  are not ours and are skipped.
- `pressure` is a bed or chair mat when it is a boolean (PRESSURE) and a
  barometer in hPa when it is a number (AIR_PRESSURE).
- `illuminance_lux` wins over `illuminance` when both are present: before 2.0
  some devices sent a raw `illuminance` next to the lux value; 2.0 dropped
  `illuminance_lux` and made `illuminance` lux.
- `vibration`, `tamper`, `linkquality`, `voltage` and the rest are not used.
- A JSON null (Z2M sends it for attributes that went away) means "nothing to
  report"; a value of the wrong type is a MalformedPayload.

Z2M devices have no clock we trust, so `time` is always None.
"""

from __future__ import annotations

from hub.events import Kind, Reading, Source
from hub.ingest.adapters._common import (
    JsonObject,
    as_number,
    as_text,
    loads,
    loads_object,
    show,
    text,
)
from hub.ingest.adapters.device_info import DeviceInfo
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.ZIGBEE2MQTT

_BOOL_KINDS: dict[str, Kind] = {
    "occupancy": Kind.MOTION,
    "presence": Kind.PRESENCE,
    "water_leak": Kind.WATER,
}
_NUMBER_KINDS: dict[str, Kind] = {
    "power": Kind.POWER,
    "temperature": Kind.TEMPERATURE,
    "humidity": Kind.HUMIDITY,
    "battery": Kind.BATTERY,
}
_ON_OFF = ("ON", "OFF")
# Suffixes after a friendly name whose messages are not device state.
_IGNORED_SUFFIXES = frozenset({"set", "get", "action"})
_COMMAND_SEGMENTS = frozenset({"set", "get"})


def parse(topic: str, payload: bytes, base: str) -> list[Reading]:
    """Readings in one Zigbee2MQTT message on `topic` (which lies under `base`)."""
    prefix = base + "/"
    if not topic.startswith(prefix):
        return []
    rest = topic[len(prefix) :]
    if not rest or rest == "bridge" or rest.startswith("bridge/"):
        return []
    if not payload:  # an empty message clears a retained topic: no reading
        return []
    name, slash, last = rest.rpartition("/")
    if slash:
        if last == "availability":
            return _availability(name, payload) if name else []
        if last in _IGNORED_SUFFIXES or name.rpartition("/")[2] in _COMMAND_SEGMENTS:
            return []
    return _state(rest, payload)


def _state(device: str, payload: bytes) -> list[Reading]:
    data = loads_object(payload, "device state")
    readings: list[Reading] = []
    # Walk only the keys present (a message carries a handful of the dozens a
    # device may expose): this is the hottest loop of live ingest.
    for key, value in data.items():
        if value is None:  # Z2M's "attribute went away": nothing to report
            continue
        kind = _BOOL_KINDS.get(key)
        if kind is not None:
            readings.append(Reading(_SOURCE, device, kind, _bool(value, key)))
            continue
        kind = _NUMBER_KINDS.get(key)
        if kind is not None:
            number = as_number(value, key)
            if number is not None:
                readings.append(Reading(_SOURCE, device, kind, number))
            continue
        reading = _special(device, key, value, data)
        if reading is not None:
            readings.append(reading)
    return readings


def _bool(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise MalformedPayload(f"{key} must be true or false, got {show(value)}")


def _special(device: str, key: str, value: object, data: JsonObject) -> Reading | None:
    """Fields that need more than a type check: inverted, edge-triggered or ambiguous."""
    if key == "contact":
        return Reading(_SOURCE, device, Kind.CONTACT, not _bool(value, key))
    if key == "action":
        action = as_text(value, key)
        return Reading(_SOURCE, device, Kind.BUTTON, action) if action else None
    if key == "state":
        state = as_text(value, key)
        return Reading(_SOURCE, device, Kind.SWITCH, state == "ON") if state in _ON_OFF else None
    if key == "illuminance_lux" or (key == "illuminance" and data.get("illuminance_lux") is None):
        lux = as_number(value, key)
        return None if lux is None else Reading(_SOURCE, device, Kind.ILLUMINANCE, lux)
    if key == "pressure":
        return _pressure(data, device)
    return None


def _pressure(data: JsonObject, device: str) -> Reading | None:
    value = data.get("pressure")
    if isinstance(value, bool):
        return Reading(_SOURCE, device, Kind.PRESSURE, value)
    hpa = as_number(value, "pressure")
    return None if hpa is None else Reading(_SOURCE, device, Kind.AIR_PRESSURE, hpa)


def _availability(device: str, payload: bytes) -> list[Reading]:
    raw = text(payload)
    if raw.startswith("{"):
        state = as_text(loads_object(payload, "availability").get("state"), "state")
    else:
        state = raw
    if state in ("online", "offline"):
        return [Reading(_SOURCE, device, Kind.AVAILABILITY, state == "online")]
    raise MalformedPayload(f"availability must be online or offline, got {show(state)}")


def parse_bridge_devices(payload: bytes) -> list[DeviceInfo]:
    """The devices in a retained `<base>/bridge/devices` message, without the Coordinator."""
    data = loads(payload)
    if not isinstance(data, list):
        raise MalformedPayload("bridge/devices must be a JSON array")
    devices: list[DeviceInfo] = []
    for entry in data:
        if not isinstance(entry, dict):
            raise MalformedPayload("each bridge/devices entry must be a JSON object")
        if entry.get("type") == "Coordinator":
            continue
        name = entry.get("friendly_name")
        if not isinstance(name, str) or not name:
            raise MalformedPayload(f"friendly_name must be a non-empty string, got {show(name)}")
        # An unsupported device has `"definition": null`.
        definition = entry.get("definition")
        if definition is None:
            definition = {}
        elif not isinstance(definition, dict):
            raise MalformedPayload(f"definition of {name!r} must be an object or null")
        model = as_text(definition.get("model"), "definition.model") or ""
        description = as_text(definition.get("description"), "definition.description") or ""
        devices.append(DeviceInfo(_SOURCE, name, model, description))
    return devices
