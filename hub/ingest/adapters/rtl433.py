"""rtl_433 events (`-F mqtt`, topic `rtl_433/<host>/events`) as Readings.

Each event is one JSON object per decoded radio message, with the field names
of rtl_433's docs/DATA_FORMAT.md: `model` (required), optional `id` and
`channel`, then data fields.

Device naming: `<model>[/<channel>]/<id>`, in the order rtl_433 itself uses
for its `devices` topics (`[/model][/channel][/id]`), so the name can be read
off rtl_433's own output: `Acurite-Tower/A/1234`, `Prologue-TH/1/123`,
`Honeywell-Security/8/125008`. A device without `id` or `channel` just leaves
that part out. Note that many cheap sensors pick a new random `id` when their
batteries are changed: the config then needs the new name.

Fields used:

- `temperature_C` -> TEMPERATURE; `temperature_F` (with `-C customary`) is
  converted to Celsius and used only when there is no `temperature_C`.
- `humidity` -> HUMIDITY; `pressure_hPa` -> AIR_PRESSURE; `light_lux` ->
  ILLUMINANCE; `power_W` -> POWER.
- `battery_ok` is a level from 0 (empty) to 1 (full), binary sensors sending
  1 for OK and 0 for LOW: BATTERY is `battery_ok * 100` percent, so a LOW
  battery reads 0 % and rules treat it as flat, which is what a carer needs to
  hear.
- door/window sensors: `contact_open` 1/0 (Honeywell-Security), else `closed`
  1/0 (DSC-Security), else `state` "open"/"closed" -> CONTACT, True = open.
- `button`: a string, or a non-zero number (as text) -> BUTTON. Zero is
  ignored: thermometers such as Prologue-TH send `"button": 0` in every reading
  and 1 only when their own button forced a transmission.
- `event` -> BUTTON only when it is a string: security sensors send a numeric
  status code there in every message (Honeywell, DSC).
- Events with `"type":"TPMS"` (tyre sensors of passing cars) give `[]`, as do
  JSON objects without `model` (not a device event).

`alarm`, `tamper`, `motion` and water fields differ between decoders and are
not mapped. rtl_433's `time` is the receiving host's local clock in a format
set on its command line, so `time` is always None.
"""

from __future__ import annotations

from math import isfinite

from hub.events import Kind, Reading, Source
from hub.ingest.adapters._common import JsonObject, as_number, as_text, loads_object, show
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.RTL433

_NUMBER_FIELDS: tuple[tuple[str, Kind], ...] = (
    ("humidity", Kind.HUMIDITY),
    ("pressure_hPa", Kind.AIR_PRESSURE),
    ("light_lux", Kind.ILLUMINANCE),
    ("power_W", Kind.POWER),
)


def parse(topic: str, payload: bytes) -> list[Reading]:
    """Readings in one rtl_433 event; `topic` is not needed (the event names its device)."""
    del topic
    if not payload:  # an empty message clears a retained topic
        return []
    data = loads_object(payload, "event")
    model = as_text(data.get("model"), "model")
    if not model or data.get("type") == "TPMS":
        return []
    device = model
    for key in ("channel", "id"):
        part = _identifier(data.get(key), key)
        if part is not None:
            device = f"{device}/{part}"
    readings: list[Reading] = []
    celsius = _temperature(data)
    if celsius is not None:
        readings.append(Reading(_SOURCE, device, Kind.TEMPERATURE, celsius))
    for key, kind in _NUMBER_FIELDS:
        number = as_number(data.get(key), key)
        if number is not None:
            readings.append(Reading(_SOURCE, device, kind, number))
    battery = as_number(data.get("battery_ok"), "battery_ok")
    if battery is not None and isfinite(battery * 100.0):
        readings.append(Reading(_SOURCE, device, Kind.BATTERY, battery * 100.0))
    is_open = _contact_open(data)
    if is_open is not None:
        readings.append(Reading(_SOURCE, device, Kind.CONTACT, is_open))
    button = _button(data)
    if button:
        readings.append(Reading(_SOURCE, device, Kind.BUTTON, button))
    return readings


def _identifier(value: object, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedPayload(f"{key} must be an integer or a string, got {show(value)}")


def _temperature(data: JsonObject) -> float | None:
    celsius = as_number(data.get("temperature_C"), "temperature_C")
    if celsius is not None:
        return celsius
    fahrenheit = as_number(data.get("temperature_F"), "temperature_F")
    if fahrenheit is None:
        return None
    celsius = (fahrenheit - 32.0) * 5.0 / 9.0
    return celsius if isfinite(celsius) else None


def _flag(value: object, key: str) -> bool | None:
    """A 0/1 field (DATA_INT in rtl_433) as a bool; None when absent."""
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1):  # also 0.0 and 1.0
        return value == 1
    raise MalformedPayload(f"{key} must be 0 or 1, got {show(value)}")


def _contact_open(data: JsonObject) -> bool | None:
    contact_open = _flag(data.get("contact_open"), "contact_open")
    if contact_open is not None:
        return contact_open
    closed = _flag(data.get("closed"), "closed")
    if closed is not None:
        return not closed
    state = data.get("state")
    if state in ("open", "closed"):
        return state == "open"
    return None  # other `state` strings belong to other kinds of device


def _button(data: JsonObject) -> str | None:
    button = data.get("button")
    if isinstance(button, str):
        return button or None
    if isinstance(button, int) and not isinstance(button, bool):
        return str(button) if button else None
    if button is not None:
        raise MalformedPayload(f"button must be an integer or a string, got {show(button)}")
    event = data.get("event")
    return event if isinstance(event, str) and event else None
