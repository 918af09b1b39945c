"""The firmware bridge's messages (`<topic_prefix>/bridge/<port>/<channel>`) as Readings.

The bridge (firmware_bridge/, a process of its own) publishes what serial
devices say, in one JSON shape for every serial protocol (see
firmware_bridge/publications.py):

- `reading`: `{"device": "0", "kind": "contact", "value": true}` -> a Reading
  of that kind; `"kind": null` leaves the kind to the home's config (MySensors
  V_TRIPPED), and the value must then be true or false.
- `heartbeat`: `{"device": "12"}` -> AVAILABILITY True: the device is alive.
- `status` (retained, with the bridge's last will): `{"state": "online"}` or
  `"offline"` -> AVAILABILITY of the port itself.
- `info`, `ack`, `command`: nothing to store, `[]`.

Device naming: `<port>/<device>`, e.g. `pillbox/0` (sensor 0 of a Hearth
device), `radio/12/6` (MySensors node 12, child 6), `radio/12` (that node's
battery and heartbeat); the port alone (`pillbox`) for the port's status and
for a Hearth device's own heartbeat (its `device` is ""). Serial devices have
no clock we trust, so `time` is None.
"""

from __future__ import annotations

from hub.events import InvalidValue, Kind, Reading, Source, check_value
from hub.ingest.adapters._common import as_text, loads_object, show
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.BRIDGE


def parse(topic: str, payload: bytes, prefix: str) -> list[Reading]:
    """Readings in one bridge message; `prefix` is `<topic_prefix>/bridge/`."""
    port, _, channel = topic.removeprefix(prefix).partition("/")
    if not port or channel not in ("reading", "heartbeat", "status"):
        return []
    data = loads_object(payload, "bridge message")
    if channel == "status":
        state = data.get("state")
        if state not in ("online", "offline"):
            raise MalformedPayload(f"state must be online or offline, got {show(state)}")
        return [Reading(_SOURCE, port, Kind.AVAILABILITY, state == "online")]
    device = as_text(data.get("device"), "device")
    if device is None:
        raise MalformedPayload("device is missing")
    name = f"{port}/{device}" if device else port
    if channel == "heartbeat":
        return [Reading(_SOURCE, name, Kind.AVAILABILITY, True)]
    kind_name = as_text(data.get("kind"), "kind")
    value = data.get("value")
    if kind_name is None:
        if not isinstance(value, bool):
            raise MalformedPayload(f"a reading without kind needs true or false, got {show(value)}")
        return [Reading(_SOURCE, name, None, value)]
    try:
        kind = Kind(kind_name)
    except ValueError as exc:
        raise MalformedPayload(f"unknown kind {show(kind_name)}") from exc
    try:
        checked = check_value(kind, value)
    except InvalidValue as exc:
        raise MalformedPayload(str(exc)) from exc
    return [Reading(_SOURCE, name, kind, checked)]
