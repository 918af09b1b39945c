"""Shelly Gen2+ (Plus, Pro, Gen3, Gen4) MQTT messages as Readings.

Topics (`<prefix>` is the device's MQTT `topic_prefix`, by default its id such
as `shellyplus1pm-a8032ab12345`; it may contain `/`):

- `<prefix>/online`: `true` / `false` (birth and last will) -> AVAILABILITY.
- `<prefix>/events/rpc`: JSON-RPC notifications (with `rpc_ntf` on):
  - `NotifyStatus` / `NotifyFullStatus`: `params` holds changed component
    statuses keyed `switch:0`, `input:1`, ...; mapped as below.
  - `NotifyEvent`: `params.events` list; `input:<n>` push events
    (`single_push`, `double_push`, `triple_push`, `long_push`, ...: every
    event named `*_push`) -> BUTTON with the event name. `btn_down` / `btn_up`
    edges accompany every push and are not used; nor are `config_changed` etc.
- `<prefix>/status/<component>`: a component's full status (with `status_ntf`).
- Anything else (`<prefix>/rpc`, `<prefix>/command`, ...) -> `[]`.

Device naming, one rule: a component's readings are named
`<prefix>:<component>` (`shellyplus1pm-a8032ab12345:switch:0`,
`...:input:1`); availability is the whole device, `<prefix>`.

Component statuses used:

- `switch:<n>`: `output` -> SWITCH, `apower` (W) -> POWER. Its `temperature`
  is the relay's own heat, not the room's, and is left out.
- `input:<n>`: `state` -> kind None, value bool (a switch-type input wired to a
  door contact or a bed mat; the config says which). Button-type inputs report
  `state: null` and speak through NotifyEvent instead.
- `temperature:<n>`: `tC` -> TEMPERATURE; `humidity:<n>`: `rh` -> HUMIDITY;
  `illuminance:<n>`: `lux` -> ILLUMINANCE; `devicepower:<n>`:
  `battery.percent` -> BATTERY.
- A null value means the key went away (Shelly says so with null): skipped.

Time: notifications carry `ts`, Unix seconds in UTC from the device's NTP-synced
clock, used as `time` (an event's own `ts` first). A `ts` before 2020 or after
2100 means the clock is not set, and gives `time=None`; so do the
`/status/<component>` topics, which carry no `ts`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hub.events import Kind, Reading, Source
from hub.ingest.adapters._common import (
    JsonObject,
    as_bool,
    as_number,
    as_text,
    loads_object,
    show,
    text,
)
from hub.ingest.errors import MalformedPayload

_SOURCE = Source.SHELLY

# Unix seconds outside this window mean an unset clock, not a real moment.
_EARLIEST_TS = 1577836800.0  # 2020-01-01T00:00:00Z
_LATEST_TS = 4102444800.0  # 2100-01-01T00:00:00Z

# component type -> ((status key, kind), ...) for plain numeric statuses.
_NUMBER_STATUS: dict[str, tuple[tuple[str, Kind], ...]] = {
    "switch": (("apower", Kind.POWER),),
    "temperature": (("tC", Kind.TEMPERATURE),),
    "humidity": (("rh", Kind.HUMIDITY),),
    "illuminance": (("lux", Kind.ILLUMINANCE),),
}
_COMPONENTS = frozenset({*_NUMBER_STATUS, "input", "devicepower"})
_STATUS_METHODS = frozenset({"NotifyStatus", "NotifyFullStatus"})


def parse(topic: str, payload: bytes) -> list[Reading]:
    """Readings in one Shelly Gen2+ message."""
    if not payload:  # an empty message clears a retained topic
        return []
    rest, _, last = topic.rpartition("/")
    if not rest:
        return []
    if last == "online":
        return [_availability(rest, text(payload))]
    if last == "rpc" and rest.endswith("/events") and len(rest) > 7:
        return _notification(rest[:-7], loads_object(payload, "notification"))
    prefix, _, middle = rest.rpartition("/")
    if middle == "status" and prefix:
        status = loads_object(payload, "status")
        return _component(prefix, last, status, None)
    return []


def _availability(prefix: str, state: str) -> Reading:
    if state in ("true", "false"):
        return Reading(_SOURCE, prefix, Kind.AVAILABILITY, state == "true")
    raise MalformedPayload(f"online must be true or false, got {show(state)}")


def _notification(prefix: str, data: JsonObject) -> list[Reading]:
    method = data.get("method")
    # isinstance first: a JSON array is unhashable and cannot be looked up in a set.
    if not isinstance(method, str) or (method not in _STATUS_METHODS and method != "NotifyEvent"):
        return []  # a reply to someone's RPC call, or a method we do not use
    params = data.get("params")
    if not isinstance(params, dict):
        raise MalformedPayload(f"{method} params must be a JSON object")
    time = _time(params.get("ts"))
    if method == "NotifyEvent":
        return _events(prefix, params.get("events"), time)
    readings: list[Reading] = []
    for key, status in params.items():
        if key.partition(":")[0] not in _COMPONENTS:
            continue  # ts, sys, wifi, cloud, ...
        if not isinstance(status, dict):
            raise MalformedPayload(f"status of {key} must be a JSON object")
        readings.extend(_component(prefix, key, status, time))
    return readings


def _events(prefix: str, events: object, time: datetime | None) -> list[Reading]:
    if events is None:
        return []
    if not isinstance(events, list):
        raise MalformedPayload("NotifyEvent events must be a JSON array")
    readings: list[Reading] = []
    for event in events:
        if not isinstance(event, dict):
            raise MalformedPayload("each NotifyEvent event must be a JSON object")
        component = as_text(event.get("component"), "component")
        name = as_text(event.get("event"), "event")
        if component and name and component.startswith("input:") and name.endswith("_push"):
            when = _time(event.get("ts")) or time
            readings.append(Reading(_SOURCE, f"{prefix}:{component}", Kind.BUTTON, name, when))
    return readings


def _component(prefix: str, key: str, status: JsonObject, time: datetime | None) -> list[Reading]:
    kind_name = key.partition(":")[0]
    device = f"{prefix}:{key}"
    readings: list[Reading] = []
    if kind_name == "switch":
        output = as_bool(status.get("output"), f"{key}.output")
        if output is not None:
            readings.append(Reading(_SOURCE, device, Kind.SWITCH, output, time))
    elif kind_name == "input":
        state = as_bool(status.get("state"), f"{key}.state")
        if state is not None:
            readings.append(Reading(_SOURCE, device, None, state, time))
    elif kind_name == "devicepower":
        battery = status.get("battery")
        if battery is not None:
            if not isinstance(battery, dict):
                raise MalformedPayload(f"{key}.battery must be a JSON object")
            percent = as_number(battery.get("percent"), f"{key}.battery.percent")
            if percent is not None:
                readings.append(Reading(_SOURCE, device, Kind.BATTERY, percent, time))
    for field, kind in _NUMBER_STATUS.get(kind_name, ()):
        number = as_number(status.get(field), f"{key}.{field}")
        if number is not None:
            readings.append(Reading(_SOURCE, device, kind, number, time))
    return readings


def _time(ts: object) -> datetime | None:
    seconds = as_number(ts, "ts")
    if seconds is None or not _EARLIEST_TS <= seconds < _LATEST_TS:
        return None
    return datetime.fromtimestamp(seconds, UTC)
