"""The Event contract shared by every part of the hub, and the Reading that precedes it.

A *Reading* is what a producer said about one of its devices, before the home's
config has been consulted (a Zigbee2MQTT friendly name, a CASAS sensor name).
An *Event* is a Reading mapped to a configured sensor: it carries the sensor id
the rest of the hub reasons about. Both are frozen values; nothing mutates them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What an event measures. Each kind has one value type, see `VALUE_TYPES`."""

    MOTION = "motion"  # bool: movement seen (PIR)
    PRESENCE = "presence"  # bool: someone is there (mmWave, occupancy radar)
    CONTACT = "contact"  # bool: True means OPEN (a door, cupboard or pill-box lid)
    PRESSURE = "pressure"  # bool: True means occupied (bed or chair pressure mat)
    SWITCH = "switch"  # bool: an appliance, plug, light or relay is on
    FLUSH = "flush"  # bool: a toilet flush or float switch is active
    WATER = "water"  # bool: water leak detected
    AVAILABILITY = "availability"  # bool: the device is online
    POWER = "power"  # float: watts drawn (kettle, fridge, TV)
    TEMPERATURE = "temperature"  # float: degrees Celsius
    HUMIDITY = "humidity"  # float: relative humidity, percent
    ILLUMINANCE = "illuminance"  # float: lux
    AIR_PRESSURE = "air_pressure"  # float: hPa, from weather sensors
    BATTERY = "battery"  # float: percent
    BUTTON = "button"  # str: the action pressed ("single", "double", "hold", ...)
    MEDICATION = "medication"  # str: what a pill box reported ("taken", "lid_open", ...)


BINARY_KINDS = frozenset(
    {
        Kind.MOTION,
        Kind.PRESENCE,
        Kind.CONTACT,
        Kind.PRESSURE,
        Kind.SWITCH,
        Kind.FLUSH,
        Kind.WATER,
        Kind.AVAILABILITY,
    }
)
NUMERIC_KINDS = frozenset(
    {
        Kind.POWER,
        Kind.TEMPERATURE,
        Kind.HUMIDITY,
        Kind.ILLUMINANCE,
        Kind.AIR_PRESSURE,
        Kind.BATTERY,
    }
)
TEXT_KINDS = frozenset({Kind.BUTTON, Kind.MEDICATION})

Value = bool | float | str

VALUE_TYPES: dict[Kind, type] = {
    **dict.fromkeys(BINARY_KINDS, bool),
    **dict.fromkeys(NUMERIC_KINDS, float),
    **dict.fromkeys(TEXT_KINDS, str),
}


class Source(StrEnum):
    """Where an event came from: a live producer or a dataset file."""

    ZIGBEE2MQTT = "zigbee2mqtt"
    TASMOTA = "tasmota"
    ESPHOME = "esphome"
    SHELLY = "shelly"
    RTL433 = "rtl_433"
    GENERIC = "generic"
    BRIDGE = "bridge"  # the firmware_bridge process (serial devices)
    CASAS = "casas"
    ORDONEZ = "ordonez"
    KASTEREN = "kasteren"
    JSONL = "jsonl"  # the canonical event file


@dataclass(frozen=True, slots=True)
class Reading:
    """What a producer said about one of its devices, before mapping.

    `device` is the producer's own name for the device (a Zigbee2MQTT friendly
    name, a Tasmota topic, a CASAS sensor name). `kind` is None when the producer
    only says "active / inactive" and the home's config decides what that means
    (a van Kasteren reed switch may be a door or a fridge). `time` is set only
    when the device has a clock we trust; otherwise the receive time is used.
    """

    source: Source
    device: str
    kind: Kind | None
    value: Value
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One fact about the home: at `time` (UTC), `sensor` reported `value` of `kind`."""

    time: datetime
    sensor: str
    kind: Kind
    value: Value
    source: Source


class InvalidValue(ValueError):
    """A value does not fit the kind it claims to be."""


def check_value(kind: Kind, value: object) -> Value:
    """Return `value` if it has the type `kind` requires, else raise InvalidValue.

    Integers are accepted for numeric kinds (JSON has no separate float) and
    returned as float, so stored and exported values compare equal.
    """
    expected = VALUE_TYPES[kind]
    if expected is bool:
        if isinstance(value, bool):
            return value
    elif expected is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            as_float = float(value)
            if math.isfinite(as_float):
                return as_float
    elif isinstance(value, str):
        return value
    raise InvalidValue(f"{kind.value} needs a {expected.__name__} value, got {value!r}")
