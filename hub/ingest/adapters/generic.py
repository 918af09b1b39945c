"""Values from any MQTT topic the config names, for producers Hearth has no adapter for.

A generic sensor in the config gives a topic, an optional JSON field and a
kind. `parse_value` turns one payload on that topic into a value of the kind's
type (the one `hub.events.check_value` accepts), or raises MalformedPayload.

- Without a field, the payload is the plain value (surrounding whitespace is
  ignored):
  - binary kinds: `ON`/`OFF`, `true`/`false`, `1`/`0`, in any letter case;
    for CONTACT also `open` (True) / `closed` (False), CONTACT True being open.
    ON means active: a door sensor publishing ON means the door is open.
  - numeric kinds: a decimal number (`21.5`, `-3`, `1e3`); NaN and infinities
    are refused.
  - text kinds (BUTTON, MEDICATION): any non-empty text.
- With a field, the payload is JSON and the value is taken from that key; a
  dotted path walks nested objects (`ENERGY.Power` in a Tasmota SENSOR
  message), unless the object has a key with the dots in it. JSON booleans
  and 0/1 fit binary kinds, numbers fit numeric kinds, integers fit text kinds
  (a button code) and strings are read as plain payloads are.
- A missing field or a null is a MalformedPayload too: the function must return
  a value, and "this message did not carry it" is for the caller to log.
"""

from __future__ import annotations

from math import isfinite

from hub.events import BINARY_KINDS, NUMERIC_KINDS, Kind, Value
from hub.ingest.adapters._common import as_number, loads, show, text
from hub.ingest.errors import MalformedPayload

_TRUE_WORDS = frozenset({"on", "true", "1"})
_FALSE_WORDS = frozenset({"off", "false", "0"})


def parse_value(payload: bytes, kind: Kind, field: str | None) -> Value:
    """The value of `kind` in `payload`, read whole or from JSON `field`."""
    if not field:
        return _from_text(text(payload), kind)
    return _from_json(_lookup(loads(payload), field), kind, field)


def _lookup(data: object, field: str) -> object:
    if isinstance(data, dict) and field in data:
        return data[field]
    current = data
    for part in field.split("."):
        if not isinstance(current, dict) or part not in current:
            raise MalformedPayload(f"field {field!r} is not in the payload")
        current = current[part]
    return current


def _from_text(raw: str, kind: Kind) -> Value:
    if kind in BINARY_KINDS:
        word = raw.lower()
        if word in _TRUE_WORDS or (kind is Kind.CONTACT and word == "open"):
            return True
        if word in _FALSE_WORDS or (kind is Kind.CONTACT and word == "closed"):
            return False
        raise MalformedPayload(f"{kind.value} needs ON/OFF, true/false or 1/0, got {show(raw)}")
    if kind in NUMERIC_KINDS:
        try:
            number = float(raw)
        except ValueError as exc:
            raise MalformedPayload(f"{kind.value} needs a number, got {show(raw)}") from exc
        if not isfinite(number):
            raise MalformedPayload(f"{kind.value} needs a finite number, got {show(raw)}")
        return number
    if not raw:
        raise MalformedPayload(f"{kind.value} needs non-empty text")
    return raw


def _from_json(value: object, kind: Kind, field: str) -> Value:
    if isinstance(value, str):
        return _from_text(value.strip(), kind)
    if kind in BINARY_KINDS:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return value == 1
    elif kind in NUMERIC_KINDS:
        number = as_number(value, field)
        if number is not None:
            return number
    elif isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedPayload(f"{field} does not hold a {kind.value} value: {show(value)}")
