"""Shelly Gen2+ adapter, fed payloads from Shelly's API documentation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from hub.events import Kind, Reading, Source
from hub.ingest.adapters import shelly
from hub.ingest.errors import MalformedPayload

PREFIX = "shellypro4pm-f008d1d8b8b8"


def parse(topic: str, payload: str | bytes | Mapping[str, object]) -> list[Reading]:
    if isinstance(payload, Mapping):
        payload = json.dumps(payload)
    return shelly.parse(topic, payload.encode() if isinstance(payload, str) else payload)


def reading(
    device: str, kind: Kind | None, value: bool | float | str, time: datetime | None = None
) -> Reading:
    return Reading(Source.SHELLY, device, kind, value, time)


# --- <prefix>/events/rpc: notifications ---------------------------------------------------
# https://shelly-api-docs.shelly.cloud/gen2/General/Notifications


def test_notify_status_switch_output_with_device_time() -> None:
    # Example 1 on the Notifications page.
    payload = {
        "src": PREFIX,
        "dst": "user_1",
        "method": "NotifyStatus",
        "params": {"ts": 1631186545.04, "switch:0": {"id": 0, "output": True, "source": "button"}},
    }
    when = datetime(2021, 9, 9, 11, 22, 25, 40000, tzinfo=UTC)
    assert parse(f"{PREFIX}/events/rpc", payload) == [
        reading(f"{PREFIX}:switch:0", Kind.SWITCH, True, when)
    ]


def test_notify_status_without_our_components() -> None:
    # Example 2 on the Notifications page: the cloud connection changed.
    payload = {
        "src": PREFIX,
        "dst": "user_1",
        "method": "NotifyStatus",
        "params": {"ts": 1624348482.25, "cloud": {"connected": False}},
    }
    assert parse(f"{PREFIX}/events/rpc", payload) == []


def test_notify_status_power() -> None:
    # The brief's example, modelled on the Notifications page.
    payload = {
        "src": "shellyplus1pm-a8032ab12345",
        "dst": "user_1",
        "method": "NotifyStatus",
        "params": {"ts": 1631266595.43, "switch:0": {"id": 0, "apower": 8.9}},
    }
    when = datetime.fromtimestamp(1631266595.43, UTC)
    assert parse("shellyplus1pm-a8032ab12345/events/rpc", payload) == [
        reading("shellyplus1pm-a8032ab12345:switch:0", Kind.POWER, 8.9, when)
    ]


def test_null_status_key_means_it_went_away() -> None:
    # "When such keys disappear from the status payload, the NotifyStatus payload which
    # notifies about the change will include the key with a null value." (same page)
    payload = {
        "method": "NotifyStatus",
        "params": {"ts": 1631266595.43, "switch:0": {"apower": None}},
    }
    assert parse(f"{PREFIX}/events/rpc", payload) == []


def test_notify_event_single_push_is_a_button() -> None:
    # NotifyEvent shape on the Notifications page; event names as scripts see them
    # (`event.info.event === "single_push"`), https://shelly-api-docs.shelly.cloud/gen2/Scripts/APIs/Shelly
    payload = {
        "src": "shellyplusi4-c4d8d5530c00",
        "dst": "user_1",
        "method": "NotifyEvent",
        "params": {
            "ts": 1631266595.43,
            "events": [
                {"component": "input:0", "id": 0, "event": "btn_down", "ts": 1631266595.20},
                {"component": "input:0", "id": 0, "event": "btn_up", "ts": 1631266595.35},
                {"component": "input:0", "id": 0, "event": "single_push", "ts": 1631266595.43},
                {"component": "input:1", "id": 1, "event": "long_push"},
            ],
        },
    }
    assert parse("shellyplusi4-c4d8d5530c00/events/rpc", payload) == [
        reading(
            "shellyplusi4-c4d8d5530c00:input:0",
            Kind.BUTTON,
            "single_push",
            datetime.fromtimestamp(1631266595.43, UTC),
        ),
        # Without its own ts the event takes the notification's.
        reading(
            "shellyplusi4-c4d8d5530c00:input:1",
            Kind.BUTTON,
            "long_push",
            datetime.fromtimestamp(1631266595.43, UTC),
        ),
    ]


def test_config_changed_event_is_not_a_button() -> None:
    # config_changed notification, https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Introduction/
    payload = {
        "method": "NotifyEvent",
        "params": {
            "ts": 1631266595.43,
            "events": [{"component": "switch:0", "id": 0, "event": "config_changed", "cfg_rev": 7}],
        },
    }
    assert parse(f"{PREFIX}/events/rpc", payload) == []


def test_unset_clock_gives_no_time() -> None:
    payload = {
        "method": "NotifyStatus",
        "params": {"ts": 12.5, "input:0": {"id": 0, "state": True}},
    }
    assert parse(f"{PREFIX}/events/rpc", payload) == [reading(f"{PREFIX}:input:0", None, True)]


def test_notify_full_status() -> None:
    # NotifyFullStatus carries every component's status, including ones we do not use.
    payload = {
        "method": "NotifyFullStatus",
        "params": {
            "ts": 1700000000.0,
            "sys": {"uptime": 42},
            "wifi": {"rssi": -60},
            "switch:0": {"id": 0, "output": False, "apower": 0, "temperature": {"tC": 41.2}},
            "input:0": {"id": 0, "state": None},
        },
    }
    when = datetime.fromtimestamp(1700000000.0, UTC)
    assert parse(f"{PREFIX}/events/rpc", payload) == [
        reading(f"{PREFIX}:switch:0", Kind.SWITCH, False, when),
        reading(f"{PREFIX}:switch:0", Kind.POWER, 0.0, when),
    ]


# --- <prefix>/status/<component> ----------------------------------------------------------
# "the entire status payload of components is published on <topic_prefix>/status/<component:id>",
# https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Mqtt


def test_status_switch() -> None:
    # Modelled on Switch.GetStatus, https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Switch
    payload = (
        '{"id":0,"source":"timer","output":true,"apower":12.3,"voltage":225.9,"current":0.1,'
        '"aenergy":{"total":11.679,"by_minute":[0,0,0],"minute_ts":1654511972},'
        '"temperature":{"tC":53.3,"tF":127.9}}'
    )
    # The relay's own temperature is not the room's and is left out.
    assert parse(f"{PREFIX}/status/switch:0", payload) == [
        reading(f"{PREFIX}:switch:0", Kind.SWITCH, True),
        reading(f"{PREFIX}:switch:0", Kind.POWER, 12.3),
    ]


def test_status_input() -> None:
    # Input.GetStatus example {"id": 0, "state": false},
    # https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Input/
    assert parse(f"{PREFIX}/status/input:0", '{"id": 0, "state": false}') == [
        reading(f"{PREFIX}:input:0", None, False)
    ]
    # A button-type input has state null.
    assert parse(f"{PREFIX}/status/input:1", '{"id": 1, "state": null}') == []


def test_status_temperature_humidity_battery_illuminance() -> None:
    # Modelled on the Temperature, Humidity, DevicePower and Illuminance components,
    # https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Temperature (and siblings)
    prefix = "shellyhtg3-84fce63ad204"
    assert parse(f"{prefix}/status/temperature:0", '{"id":0,"tC":20.6,"tF":69.1}') == [
        reading(f"{prefix}:temperature:0", Kind.TEMPERATURE, 20.6)
    ]
    assert parse(f"{prefix}/status/humidity:0", '{"id":0,"rh":53.4}') == [
        reading(f"{prefix}:humidity:0", Kind.HUMIDITY, 53.4)
    ]
    payload = '{"id":0,"battery":{"V":5.58,"percent":89},"external":{"present":false}}'
    assert parse(f"{prefix}/status/devicepower:0", payload) == [
        reading(f"{prefix}:devicepower:0", Kind.BATTERY, 89.0)
    ]
    assert parse(
        f"{prefix}/status/illuminance:0", '{"id":0,"lux":129,"illumination":"bright"}'
    ) == [reading(f"{prefix}:illuminance:0", Kind.ILLUMINANCE, 129.0)]


# --- <prefix>/online, and ignored topics --------------------------------------------------


@pytest.mark.parametrize(("payload", "online"), [("true", True), ("false", False)])
def test_online(payload: str, online: bool) -> None:
    assert parse(f"{PREFIX}/online", payload) == [reading(PREFIX, Kind.AVAILABILITY, online)]


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        # A reply to someone's RPC request comes back to the caller's src topic.
        (f"{PREFIX}/events/rpc", '{"id":1,"src":"x","dst":"user_1","result":{"was_on":false}}'),
        (f"{PREFIX}/rpc", '{"id":1,"src":"user_1","method":"Switch.Set","params":{"id":0}}'),
        (f"{PREFIX}/status/sys", '{"mac":"F008D1D8B8B8","uptime":42}'),
        (f"{PREFIX}/command", "status_update"),
        ("online", "true"),
        ("/events/rpc", "{}"),
        (f"{PREFIX}/events/rpc", b""),
    ],
)
def test_ignored_topics(topic: str, payload: str | bytes) -> None:
    assert parse(topic, payload) == []


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (f"{PREFIX}/online", b"yes", "true or false"),
        (f"{PREFIX}/events/rpc", b"{not json", "invalid JSON"),
        (f"{PREFIX}/events/rpc", b'"NotifyStatus"', "must be a JSON object"),
        (f"{PREFIX}/events/rpc", b'{"method":"NotifyStatus","params":[1]}', "params"),
        (f"{PREFIX}/events/rpc", b'{"method":"NotifyStatus","params":{"ts":"now"}}', "ts"),
        (
            f"{PREFIX}/events/rpc",
            b'{"method":"NotifyStatus","params":{"switch:0":{"output":"on"}}}',
            r"switch:0\.output",
        ),
        (f"{PREFIX}/events/rpc", b'{"method":"NotifyStatus","params":{"switch:0":5}}', "switch:0"),
        (f"{PREFIX}/events/rpc", b'{"method":"NotifyEvent","params":{"events":{}}}', "events"),
        (
            f"{PREFIX}/events/rpc",
            b'{"method":"NotifyEvent","params":{"events":[{"component":0}]}}',
            "component",
        ),
        (f"{PREFIX}/status/devicepower:0", b'{"battery":90}', "battery"),
        (f"{PREFIX}/status/temperature:0", b'{"tC":"20.6"}', r"temperature:0\.tC"),
    ],
)
def test_malformed(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        shelly.parse(topic, payload)
