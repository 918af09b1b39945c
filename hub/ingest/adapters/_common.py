"""Small helpers the adapters share: decoding, and typed reads of JSON fields.

Every helper either returns a value of the promised type, returns None for
"nothing to report" (a JSON null, a NaN a sensor sends when it has no reading),
or raises MalformedPayload with a short reason naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from math import isfinite

from hub.ingest.errors import MalformedPayload

JsonObject = dict[str, object]

# json.loads's own scanner (C), called directly for the common case (see `loads`);
# JSONDecoder sets it in __init__, and typeshed does not list it.
_scan_once: Callable[[str, int], tuple[object, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def show(value: object) -> str:
    """A short description of a payload value for an error message.

    Never the repr of a whole container: a payload can nest thousands deep.
    """
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, dict):
        return "a JSON object"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def loads(payload: bytes) -> object:
    """Decode a JSON payload once; any decoding problem is a MalformedPayload."""
    try:
        # MQTT JSON is UTF-8; decoding first skips json's encoding detection.
        document = payload.decode("utf-8")
        # json.loads would first and last match a whitespace pattern and check
        # the arguments: two thirds of its time on a sensor's 70-byte object
        # (2.9 us -> 1.0 us here). A document that starts with a value and ends
        # with it is exactly what json.loads would return; anything else (white
        # space around it, extra data, no value) goes to json.loads for its
        # answer and its error message.
        try:
            value, end = _scan_once(document, 0)
        except StopIteration:
            return json.loads(document)
        return value if end == len(document) else json.loads(document)
    # UnicodeDecodeError and JSONDecodeError are both ValueErrors; absurdly deep
    # nesting ("[[[[...") exhausts the recursion limit instead.
    except (ValueError, RecursionError) as exc:
        raise MalformedPayload(f"invalid JSON: {exc}") from exc


def loads_object(payload: bytes, what: str) -> JsonObject:
    """Decode a payload that must be a JSON object (`what` names it in the error)."""
    data = loads(payload)
    if not isinstance(data, dict):
        raise MalformedPayload(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


def text(payload: bytes) -> str:
    """Decode a plain-text payload (UTF-8), without surrounding whitespace."""
    try:
        return payload.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise MalformedPayload("payload is not UTF-8 text") from exc


def as_number(value: object, name: str) -> float | None:
    """A JSON number as a finite float; None for null or a non-finite reading."""
    if type(value) is float:  # most readings: checked first, as this runs per reading
        return value if isfinite(value) else None
    if value is None:
        return None
    # bool is an int in Python, but `true` is never a measurement. (A tuple, not
    # `int | float`, which builds a union object at every call.)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedPayload(f"{name} must be a number, got {show(value)}")
    try:
        number = float(value)
    except OverflowError as exc:  # an integer too large for a float
        raise MalformedPayload(f"{name} is out of range") from exc
    # NaN or infinity means "no reading" (Python's json accepts the NaN token).
    return number if isfinite(number) else None


def as_bool(value: object, name: str) -> bool | None:
    """A JSON boolean; None for null."""
    if value is None or isinstance(value, bool):
        return value
    raise MalformedPayload(f"{name} must be true or false, got {show(value)}")


def as_text(value: object, name: str) -> str | None:
    """A JSON string; None for null."""
    if value is None or isinstance(value, str):
        return value
    raise MalformedPayload(f"{name} must be a string, got {show(value)}")


def on_off(value: str, name: str) -> bool:
    """Tasmota's and ESPHome's ON/OFF state words as a bool."""
    if value == "ON":
        return True
    if value == "OFF":
        return False
    raise MalformedPayload(f"{name} must be ON or OFF, got {show(value)}")
