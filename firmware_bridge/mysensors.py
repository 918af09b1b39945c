"""The MySensors serial gateway protocol: text lines in, publications (and replies) out.

A serial gateway writes one message per line at 115200 baud:

    node-id;child-sensor-id;command;ack;type;payload\\n

(https://www.mysensors.org/download/serial_api_20). Commands: 0 presentation,
1 set, 2 req, 3 internal, 4 stream. What the bridge makes of them:

- set: the value types Hearth has a kind for become readings of device
  `<node>/<child>`: V_TEMP (0) temperature, V_HUM (1) humidity, V_STATUS (2)
  switch, V_PRESSURE (4) air pressure, V_WATT (17) power. V_TRIPPED (16), the
  value of door, motion, water-leak and other binary sensors, is a reading
  with no kind, value True for "1": the home's config says what the sensor
  is, as the sensor's presentation (S_DOOR, S_MOTION ...) may not have been
  seen since the bridge started. Other value types are published as info.
- internal: I_BATTERY_LEVEL (0) is a battery reading of device `<node>`;
  I_HEARTBEAT_RESPONSE (22) a heartbeat of `<node>`; I_SKETCH_NAME (11),
  I_SKETCH_VERSION (12) and I_GATEWAY_READY (14) are info. A node asking for
  the time (I_TIME, 1) or the unit system (I_CONFIG, 6) gets an answer, as a
  controller would give, since some sketches wait for it at start-up.
  I_LOG_MESSAGE (9) is gateway debug output and is dropped.
- presentation: info naming the sensor type (S_DOOR ...) and its description.
- req: a node asking the controller for a value it holds; the bridge keeps no
  values, so this is only published as info.
- stream (firmware updates over the air): dropped.

Commands to nodes: `{"id": 17, "node": 12, "child": 1, "type": 2, "payload": "1"}`
on MQTT becomes the set message `12;1;1;1;2;1` with ack requested; the node's
echo (the same message with ack 1) finishes it, and it is resent until then.
MySensors nodes do not know command ids, so a resent command may be applied
twice: send states ("1"), never toggles.

Node ids are the node's own (MY_NODE_ID): the bridge does not hand out ids.
Lines that do not fit the format are rejected and counted, never raised.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_bridge.commands import BadCommand, command_json, whole
from firmware_bridge.publications import HEARTBEAT, INFO, JsonValue, Publication, reading
from hub.events import Kind

MAX_LINE = 200  # a message is at most ~40 characters; a payload is 25 bytes at most

PRESENTATION, SET, REQ, INTERNAL, STREAM = range(5)

# Set/req value types with a Hearth kind (V_* in the serial API's table).
V_TEMP, V_HUM, V_STATUS, V_PRESSURE, V_TRIPPED, V_WATT = 0, 1, 2, 4, 16, 17
NUMBER_KINDS = {V_TEMP: Kind.TEMPERATURE, V_HUM: Kind.HUMIDITY, V_PRESSURE: Kind.AIR_PRESSURE,
                V_WATT: Kind.POWER}  # fmt: skip

I_BATTERY_LEVEL = 0
I_TIME = 1
I_CONFIG = 6
I_LOG_MESSAGE = 9
I_SKETCH_NAME = 11
I_SKETCH_VERSION = 12
I_GATEWAY_READY = 14
I_HEARTBEAT_RESPONSE = 22
INTERNAL_INFO = {I_SKETCH_NAME: "sketch_name", I_SKETCH_VERSION: "sketch_version",
                 I_GATEWAY_READY: "gateway_ready"}  # fmt: skip

# Presentation types (S_*), by value, for readable info messages.
# fmt: off
SENSOR_TYPES = (
    "S_DOOR", "S_MOTION", "S_SMOKE", "S_BINARY", "S_DIMMER", "S_COVER", "S_TEMP", "S_HUM",
    "S_BARO", "S_WIND", "S_RAIN", "S_UV", "S_WEIGHT", "S_POWER", "S_HEATER", "S_DISTANCE",
    "S_LIGHT_LEVEL", "S_ARDUINO_NODE", "S_ARDUINO_REPEATER_NODE", "S_LOCK", "S_IR", "S_WATER",
    "S_AIR_QUALITY", "S_CUSTOM", "S_DUST", "S_SCENE_CONTROLLER", "S_RGB_LIGHT", "S_RGBW_LIGHT",
    "S_COLOR_SENSOR", "S_HVAC", "S_MULTIMETER", "S_SPRINKLER", "S_WATER_LEAK", "S_SOUND",
    "S_VIBRATION", "S_MOISTURE", "S_INFO", "S_GAS", "S_GPS", "S_WATER_QUALITY",
)
# fmt: on


class MySensorsError(ValueError):
    """A line that is not a MySensors serial message."""


MAX_PAYLOAD = 25  # bytes; the radio's limit

Echo = tuple[int, int, int, str]  # node, child, value type, payload of a set message


@dataclass(frozen=True, slots=True)
class Parsed:
    publications: list[Publication] = field(default_factory=list)
    reply: str | None = None  # a line to write back to the gateway, newline included
    echo: Echo | None = None  # a node confirming a set message we sent with ack requested


@dataclass(frozen=True, slots=True)
class NodeCommand:
    """A set message to a node's child, e.g. switch a relay (V_STATUS, 2) to "1"."""

    command_id: int
    node: int
    child: int
    value_type: int
    payload: str

    def line(self) -> str:
        return f"{self.node};{self.child};{SET};1;{self.value_type};{self.payload}\n"

    def echo(self) -> Echo:
        return (self.node, self.child, self.value_type, self.payload)


def node_command_from_json(payload: bytes) -> NodeCommand:
    """`{"id": 17, "node": 12, "child": 1, "type": 2, "payload": "1"}`, or raise BadCommand."""
    data, command_id = command_json(payload)
    numbers = []
    for key, high in (("node", 254), ("child", 254), ("type", 255)):
        value = data.get(key)
        if not whole(value) or not 0 <= value <= high:
            raise BadCommand(f"{key} must be an integer from 0 to {high}", command_id)
        numbers.append(value)
    text = data.get("payload")
    if not isinstance(text, str) or len(text.encode()) > MAX_PAYLOAD:
        raise BadCommand(f"payload must be text of at most {MAX_PAYLOAD} bytes", command_id)
    if any(char in text for char in ";\r\n"):
        raise BadCommand("payload must not hold ';' or line breaks", command_id)
    node, child, value_type = numbers
    return NodeCommand(command_id, node, child, value_type, text)


def parse_line(line: str, now: Callable[[], float] = time.time) -> Parsed:
    """One gateway line (without its newline) -> what to publish, or raise MySensorsError."""
    parts = line.rstrip("\r").split(";", 5)
    if len(parts) != 6:
        raise MySensorsError(f"{len(parts)} fields, expected 6")
    try:
        node, child, command, ack, sub_type = (int(part) for part in parts[:5])
    except ValueError as exc:
        raise MySensorsError("node, child, command, ack and type must be integers") from exc
    payload = parts[5]
    if not (0 <= node <= 255 and 0 <= child <= 255 and 0 <= sub_type <= 255 and ack in (0, 1)):
        raise MySensorsError("a field is out of range")
    device = f"{node}/{child}"
    if command == SET:
        echo = (node, child, sub_type, payload) if ack else None
        return Parsed(_set(device, sub_type, payload), echo=echo)
    if command == INTERNAL:
        return _internal(node, sub_type, payload, now)
    if command == PRESENTATION:
        presented = SENSOR_TYPES[sub_type] if sub_type < len(SENSOR_TYPES) else str(sub_type)
        info: dict[str, JsonValue] = {
            "device": device,
            "presented": presented,
            "description": payload,
        }
        return Parsed([Publication(INFO, info)])
    if command == REQ:
        return Parsed([Publication(INFO, {"device": device, "request": sub_type})])
    if command == STREAM:
        return Parsed()
    raise MySensorsError(f"unknown command {command}")


def _number(payload: str, what: str) -> float:
    try:
        value = float(payload)
    except ValueError as exc:
        raise MySensorsError(f"{what} must be a number, got {payload[:20]!r}") from exc
    if not math.isfinite(value):
        raise MySensorsError(f"{what} must be finite")
    return value


def _flag(payload: str, what: str) -> bool:
    if payload not in ("0", "1"):
        raise MySensorsError(f"{what} must be 0 or 1, got {payload[:20]!r}")
    return payload == "1"


def _set(device: str, sub_type: int, payload: str) -> list[Publication]:
    kind = NUMBER_KINDS.get(sub_type)
    if kind is not None:
        return [reading(device, kind, _number(payload, kind.value))]
    if sub_type == V_STATUS:
        return [reading(device, Kind.SWITCH, _flag(payload, "V_STATUS"))]
    if sub_type == V_TRIPPED:
        return [reading(device, None, _flag(payload, "V_TRIPPED"))]
    return [Publication(INFO, {"device": device, "value_type": sub_type, "payload": payload})]


def _internal(node: int, sub_type: int, payload: str, now: Callable[[], float]) -> Parsed:
    device = str(node)
    if sub_type == I_BATTERY_LEVEL:
        level = _number(payload, "battery level")
        if not 0 <= level <= 100:
            raise MySensorsError(f"battery level {level} is not a percentage")
        return Parsed([reading(device, Kind.BATTERY, level)])
    if sub_type == I_HEARTBEAT_RESPONSE:
        return Parsed([Publication(HEARTBEAT, {"device": device})])
    if sub_type in INTERNAL_INFO:
        return Parsed([Publication(INFO, {"device": device, INTERNAL_INFO[sub_type]: payload})])
    if sub_type == I_TIME:
        return Parsed(reply=f"{node};255;{INTERNAL};0;{I_TIME};{int(now())}\n")
    if sub_type == I_CONFIG:
        return Parsed(reply=f"{node};255;{INTERNAL};0;{I_CONFIG};M\n")  # metric units
    return Parsed()  # log messages, ids, signing, discovery: nothing for the hub


class LineReader:
    """Gateway lines out of a byte stream in arbitrary pieces; never raises.

    Bad lines (not UTF-8, too long, not a MySensors message) are counted in
    `rejected` by reason. The first line after opening the port is often the
    tail of something sent before: it is simply a bad line.
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._pending = bytearray()
        self._overflowed = False
        self._now = now
        self.rejected: dict[str, int] = {}
        self.accepted = 0

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def reset(self) -> None:
        self._pending.clear()
        self._overflowed = False

    def feed(self, chunk: bytes) -> list[Parsed]:
        results: list[Parsed] = []
        lines = chunk.split(b"\n")
        for index, piece in enumerate(lines):
            last = index == len(lines) - 1
            if not self._overflowed:
                self._pending += piece
                if len(self._pending) > MAX_LINE:
                    self._overflowed = True
                    self._pending.clear()
            if last:
                break
            line = bytes(self._pending)
            overflowed = self._overflowed
            self.reset()
            if overflowed:
                self._reject("oversize")
            elif line.strip():
                self._handle(line, results)
        return results

    def _handle(self, line: bytes, results: list[Parsed]) -> None:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            self._reject("encoding")
            return
        try:
            results.append(parse_line(text, self._now))
        except MySensorsError:
            self._reject("format")
        else:
            self.accepted += 1

    def _reject(self, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
