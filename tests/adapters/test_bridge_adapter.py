"""The firmware bridge's MQTT messages as Readings, and their route through the Router.

Payloads are exactly what firmware_bridge.publications produces, so a change
on either side that breaks the other fails here.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge import publications
from firmware_bridge.frames import Frame, Heartbeat, Report
from firmware_bridge.mysensors import parse_line
from hub.config.loader import validate_config
from hub.events import Kind, Reading, Source
from hub.ingest.adapters import bridge
from hub.ingest.errors import MalformedPayload
from hub.ingest.router import Router

PREFIX = "hearth/flat-12/bridge/"


def parse(channel: str, data: object, port: str = "pillbox") -> list[Reading]:
    return bridge.parse(f"{PREFIX}{port}/{channel}", json.dumps(data).encode(), PREFIX)


def publish(publication: publications.Publication, port: str = "pillbox") -> list[Reading]:
    return parse(publication.channel, publication.data, port)


def test_hearth_device_report_and_heartbeat() -> None:
    report = publications.from_frame(Frame(1, Report(0, Kind.CONTACT, True)))
    assert report is not None
    assert publish(report) == [Reading(Source.BRIDGE, "pillbox/0", Kind.CONTACT, True)]
    heartbeat = publications.from_frame(Frame(2, Heartbeat(60)))
    assert heartbeat is not None
    assert publish(heartbeat) == [Reading(Source.BRIDGE, "pillbox", Kind.AVAILABILITY, True)]


def test_mysensors_readings_keep_node_and_child() -> None:
    (temperature,) = parse_line("12;6;1;0;0;21.5").publications
    assert publish(temperature, "radio") == [
        Reading(Source.BRIDGE, "radio/12/6", Kind.TEMPERATURE, 21.5)
    ]
    (battery,) = parse_line("12;255;3;0;0;88").publications
    assert publish(battery, "radio") == [Reading(Source.BRIDGE, "radio/12", Kind.BATTERY, 88.0)]
    (tripped,) = parse_line("12;2;1;0;16;1").publications
    assert publish(tripped, "radio") == [Reading(Source.BRIDGE, "radio/12/2", None, True)]


def test_status_is_the_ports_availability() -> None:
    assert parse("status", {"state": "offline"}) == [
        Reading(Source.BRIDGE, "pillbox", Kind.AVAILABILITY, False)
    ]


def test_info_ack_and_command_give_nothing() -> None:
    assert parse("info", {"device": "", "device_type": "pillbox", "firmware": "1.0.0"}) == []
    assert parse("ack", {"id": 3, "status": "done"}) == []
    assert parse("command", {"id": 3, "action": "led_on"}) == []


@pytest.mark.parametrize(
    ("channel", "data"),
    [
        ("reading", {"device": "0", "kind": "temperature", "value": "warm"}),
        ("reading", {"device": "0", "kind": "smell", "value": 1}),
        ("reading", {"device": "0", "kind": None, "value": 1}),
        ("reading", {"kind": "motion", "value": True}),
        ("heartbeat", {"device": 5}),
        ("status", {"state": "maybe"}),
        ("reading", [1, 2]),
    ],
)
def test_malformed_messages(channel: str, data: object) -> None:
    with pytest.raises(MalformedPayload):
        parse(channel, data)


@given(st.binary(max_size=200), st.sampled_from(["reading", "heartbeat", "status", "info"]))
def test_any_payload_gives_readings_or_malformed(payload: bytes, channel: str) -> None:
    try:
        result = bridge.parse(f"{PREFIX}p/{channel}", payload, PREFIX)
    except MalformedPayload:
        return
    assert all(r.source is Source.BRIDGE for r in result)


def config(ports: list[dict[str, str]]) -> Router:
    data = {
        "home": {"id": "flat-12"},
        "rooms": [{"id": "kitchen"}],
        "bridge": {"ports": ports},
    }
    return Router(validate_config(data))


def test_router_subscribes_and_routes_only_with_ports() -> None:
    router = config([{"id": "pillbox", "path": "/dev/serial/by-id/usb-pillbox"}])
    assert router.subscriptions()[-1] == "hearth/flat-12/bridge/+/+"
    topic = "hearth/flat-12/bridge/pillbox/reading"
    payload = b'{"device": "1", "kind": "medication", "value": "taken"}'
    assert router.route(topic, payload) == [
        Reading(Source.BRIDGE, "pillbox/1", Kind.MEDICATION, "taken")
    ]
    without = config([])
    assert not any("bridge" in f for f in without.subscriptions())
    assert without.route(topic, payload) == []
