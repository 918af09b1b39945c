"""What the bridge publishes on MQTT, as plain values, and Hearth frames turned into them.

Topics are `<topic_prefix>/bridge/<port id>/<channel>`; payloads are JSON:

  reading    {"device": "3", "kind": "contact", "value": true}
             kind may be null: "active or not", and the home's config says what
             the device is (a MySensors V_TRIPPED may be a door or a PIR)
  heartbeat  {"device": "3", "uptime_s": 120}    the device (or node) is alive
  info       {"device": ..., ...}                hello, sketch names, presentations
  ack        {"id": 17, "status": "done"}        a command's outcome: done,
             unsupported (the device cannot), failed (no ack after every
             retry) or invalid (with "reason": the command could not be read)
  status     {"state": "online"}                 retained, with a last will
  command    into the bridge: {"id": 17, "action": "led_on", "argument": 0} for
             a Hearth device; {"id": 17, "node": 12, "child": 1, "type": 2,
             "payload": "1"} (a MySensors set message) for a MySensors gateway

`device` is the name on the device's side: the sensor index for a Hearth
device ("" for the device as a whole), `<node>/<child>` or `<node>` for
MySensors. The hub's adapter prefixes it with the port id: `pillbox/0`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from firmware_bridge.frames import Ack, Frame, Heartbeat, Hello, Report
from hub.events import Kind, Value

READING = "reading"
HEARTBEAT = "heartbeat"
INFO = "info"
ACK = "ack"
STATUS = "status"
COMMAND = "command"

JsonValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Publication:
    channel: str
    data: dict[str, JsonValue] = field(default_factory=dict)


def reading(device: str, kind: Kind | None, value: Value) -> Publication:
    return Publication(READING, {"device": device, "kind": kind and kind.value, "value": value})


def from_frame(frame: Frame) -> Publication | None:
    """What a Hearth device's frame means on MQTT; None for frames the bridge consumes (acks)."""
    message = frame.message
    if isinstance(message, Report):
        return reading(str(message.sensor), message.kind, message.value)
    if isinstance(message, Heartbeat):
        return Publication(HEARTBEAT, {"device": "", "uptime_s": message.uptime_s})
    if isinstance(message, Hello):
        firmware = ".".join(str(part) for part in message.firmware)
        return Publication(
            INFO,
            {"device": "", "device_type": message.device_type, "firmware": firmware},
        )
    if isinstance(message, Ack):
        return None  # the command tracker publishes the outcome
    return None  # a device never sends commands; nothing to publish
