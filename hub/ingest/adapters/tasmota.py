"""Tasmota messages as Readings, for the default FullTopic `%prefix%/%topic%/`.

Topics (`<t>` is the device's Topic; a FullTopic with extra levels between the
prefix and the Topic, `%prefix%/home/%topic%/`, also works and `<t>` then holds
them; FullTopics that put the prefix last are not supported):

- `tele/<t>/LWT`: `Online` / `Offline` -> AVAILABILITY, device `<t>`.
- `stat/<t>/POWER`, `stat/<t>/POWER<n>`: `ON` / `OFF` -> SWITCH for relay n.
- `stat/<t>/RESULT`: the reply to any command; only `POWER`/`POWER<n>` keys and
  detached switch inputs (`{"Switch1":{"Action":"ON"}}`, SetOption114) are used.
- `tele/<t>/SENSOR`: periodic telemetry (see below).
- Everything else (`tele/<t>/STATE`, `INFO1`, `stat/<t>/STATUS8`, `cmnd/...`): `[]`.

Device naming (one rule, so a config can name any reading):

- relay 1 (`POWER` or `POWER1`) and the first `ENERGY.Power` channel: `<t>`;
  relay n >= 2 and channel n >= 2 (a Sonoff Dual reports `"Power":[52,5]`):
  `<t>:<n>`. So a single-relay plug is simply `<t>`, whether or not
  SetOption26 makes it publish `POWER1`.
- each sensor object in SENSOR: `<t>:<sensor key>`, e.g. `kitchen:AM2301`,
  `kitchen:DS18B20-2`. Keying by sensor keeps two thermometers apart, and keeps
  a chip's own temperature (`ESP32`, a Shelly 2.5's `ANALOG`) away from the
  room thermometer.
- switch inputs: `<t>:Switch<n>`.

Mapping decisions:

- Sensor objects give Temperature (converted to Celsius when `"TempUnit":"F"`),
  Humidity, Illuminance, and Pressure -> AIR_PRESSURE (converted to hPa from
  `"PressureUnit"` mmHg or inHg). Nested objects are not searched, so the
  meter's chip temperature inside ENERGY is left out.
- A switch input (`Switch<n>`) is a GPIO wired to a wall switch, a reed contact
  or a PIR: its reading has kind None, value True for ON, and the config says
  what it is.
- A JSON null (a sensor that failed to read) is skipped; a string where a
  number belongs is a MalformedPayload.
- Tasmota's `Time` is local time without a zone, so `time` is always None.
"""

from __future__ import annotations

from math import isfinite

from hub.events import Kind, Reading, Source
from hub.ingest.adapters._common import (
    JsonObject,
    as_number,
    as_text,
    loads_object,
    on_off,
    show,
    text,
)
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.TASMOTA

_SENSOR_FIELDS: tuple[tuple[str, Kind], ...] = (
    ("Temperature", Kind.TEMPERATURE),
    ("Humidity", Kind.HUMIDITY),
    ("Illuminance", Kind.ILLUMINANCE),
    ("Pressure", Kind.AIR_PRESSURE),
)
# PressureUnit -> hPa per unit (SetOption24 switches hPa to mmHg).
_HPA_PER: dict[str, float] = {"hPa": 1.0, "mmHg": 1.3332239, "inHg": 33.863886}


def parse(topic: str, payload: bytes) -> list[Reading]:
    """Readings in one Tasmota message."""
    prefix, _, rest = topic.partition("/")
    device, _, message = rest.rpartition("/")
    if not device or not payload:  # an empty message clears a retained topic
        return []
    if prefix == "tele":
        if message == "SENSOR":
            return _sensor(device, loads_object(payload, "SENSOR"))
        if message == "LWT":
            return [_availability(device, text(payload))]
    elif prefix == "stat":
        if message == "RESULT":
            return _result(device, loads_object(payload, "RESULT"))
        relay = _relay_device(device, message)
        if relay is not None:
            return [Reading(_SOURCE, relay, Kind.SWITCH, on_off(text(payload), message))]
    return []


def _availability(device: str, state: str) -> Reading:
    if state in ("Online", "Offline"):
        return Reading(_SOURCE, device, Kind.AVAILABILITY, state == "Online")
    raise MalformedPayload(f"LWT must be Online or Offline, got {show(state)}")


def _relay_device(device: str, key: str) -> str | None:
    """`<t>` for POWER / POWER1, `<t>:<n>` for POWER<n>, None if `key` is not a relay."""
    if key == "POWER":
        return device
    if not key.startswith("POWER"):
        return None
    number = key[5:]
    # isascii(): isdigit() alone accepts superscripts; Tasmota has at most 32 relays.
    if not (number.isascii() and number.isdigit() and len(number) <= 2) or int(number) == 0:
        return None
    relay = int(number)
    return device if relay == 1 else f"{device}:{relay}"


def _switch_input(key: str) -> bool:
    number = key[6:]
    return key.startswith("Switch") and number.isascii() and number.isdigit()


def _result(device: str, data: JsonObject) -> list[Reading]:
    readings: list[Reading] = []
    for key, value in data.items():
        relay = _relay_device(device, key)
        if relay is not None:
            state = as_text(value, key)
            if state is not None:
                readings.append(Reading(_SOURCE, relay, Kind.SWITCH, on_off(state, key)))
        elif _switch_input(key) and isinstance(value, dict):
            action = value.get("Action")
            # Other actions (TOGGLE, HOLD) come from push-button switch modes.
            if action in ("ON", "OFF"):
                readings.append(Reading(_SOURCE, f"{device}:{key}", None, action == "ON"))
    return readings


def _sensor(device: str, data: JsonObject) -> list[Reading]:
    fahrenheit = data.get("TempUnit") == "F"
    hpa_per = _HPA_PER.get(str(data.get("PressureUnit", "hPa")))
    readings: list[Reading] = []
    for key, value in data.items():
        if key == "ENERGY":
            readings.extend(_energy(device, value))
        elif _switch_input(key):
            state = as_text(value, key)
            if state is not None:
                readings.append(Reading(_SOURCE, f"{device}:{key}", None, on_off(state, key)))
        elif isinstance(value, dict):
            name = f"{device}:{key}"
            for field, kind in _SENSOR_FIELDS:
                number = as_number(value.get(field), f"{key}.{field}")
                if number is None:
                    continue
                if kind is Kind.TEMPERATURE and fahrenheit:
                    number = (number - 32.0) * 5.0 / 9.0
                elif kind is Kind.AIR_PRESSURE:
                    if hpa_per is None:  # a unit we do not know: better nothing than wrong
                        continue
                    number *= hpa_per
                if isfinite(number):  # a conversion can overflow an absurd value
                    readings.append(Reading(_SOURCE, name, kind, number))
    return readings


def _energy(device: str, energy: object) -> list[Reading]:
    if not isinstance(energy, dict):
        raise MalformedPayload("ENERGY must be a JSON object")
    power = energy.get("Power")
    channels = power if isinstance(power, list) else [power]
    readings: list[Reading] = []
    for index, value in enumerate(channels):
        watts = as_number(value, "ENERGY.Power")
        if watts is not None:
            name = device if index == 0 else f"{device}:{index + 1}"
            readings.append(Reading(_SOURCE, name, Kind.POWER, watts))
    return readings
