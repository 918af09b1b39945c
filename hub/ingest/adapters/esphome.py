"""ESPHome's MQTT client messages as Readings.

Topics (`<node>` is the `mqtt: topic_prefix`, by default the node name; it may
contain `/`, so topics are read from the right):

- `<node>/<component>/<name>/state`, where `<name>` is ESPHome's object id
  (the entity name, lower case, `_` for spaces). Device: `<node>/<component>/<name>`.
  - `binary_sensor` `ON` / `OFF` -> kind None, value bool: ESPHome cannot say
    whether the pin is a door, a bed mat or a PIR, so the config's kind applies
    (the router checks the value with `check_value`). ON means active; any
    inversion belongs in the ESPHome YAML (`inverted: true`).
  - `sensor` -> kind None: a sensor's topic does not say what it measures
    either. A number gives a float value; ESPHome publishes `nan` while it has
    no reading, which is `[]`, not an error. Text sensors publish under
    `sensor` too (ESPHome's MQTTTextSensor reports component type "sensor"), so
    other non-empty text gives a str value (a DIY pill box reporting "taken").
  - `switch` `ON` / `OFF` -> SWITCH.
  - other components (light, fan, cover, number, ...) -> `[]`.
- `<node>/status`: the birth and last-will message, `online` / `offline` ->
  AVAILABILITY, device `<node>`.
- `<node>/<component>/<name>/command` and anything else -> `[]`.

ESPHome devices may keep time, but the state messages carry none: `time` is None.
"""

from __future__ import annotations

from math import isfinite

from hub.events import Kind, Reading, Source
from hub.ingest.adapters._common import on_off, show, text
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.ESPHOME


def parse(topic: str, payload: bytes) -> list[Reading]:
    """Readings in one ESPHome message."""
    if not payload:  # an empty message clears a retained topic
        return []
    rest, _, last = topic.rpartition("/")
    if last == "status":
        return [_availability(rest, text(payload))] if rest else []
    if last != "state":
        return []
    parts = rest.rsplit("/", 2)
    if len(parts) != 3 or not all(parts):
        return []
    return _state(rest, parts[1], payload)


def _state(device: str, component: str, payload: bytes) -> list[Reading]:
    if component == "binary_sensor":
        return [Reading(_SOURCE, device, None, on_off(text(payload), component))]
    if component == "switch":
        return [Reading(_SOURCE, device, Kind.SWITCH, on_off(text(payload), component))]
    if component == "sensor":
        state = text(payload)
        try:
            number = float(state)
        except ValueError:
            # Not a number: a text sensor's state (empty text says nothing).
            return [Reading(_SOURCE, device, None, state)] if state else []
        # `nan` is ESPHome's "no reading yet"; infinities are no reading either.
        return [Reading(_SOURCE, device, None, number)] if isfinite(number) else []
    return []


def _availability(node: str, state: str) -> Reading:
    if state in ("online", "offline"):
        return Reading(_SOURCE, node, Kind.AVAILABILITY, state == "online")
    raise MalformedPayload(f"status must be online or offline, got {show(state)}")
