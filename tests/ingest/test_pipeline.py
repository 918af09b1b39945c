"""Ingest.handle and the Router without a broker: pure functions over values."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.clock import ManualClock
from hub.config import validate_config
from hub.config.models import HearthConfig
from hub.events import Event, Kind, Reading, Source
from hub.ingest.ledger import Ledger
from hub.ingest.mqtt_link import jittered_backoff
from hub.ingest.pipeline import Ingest
from hub.ingest.router import Router

NOW = datetime(2025, 1, 6, 7, 30, tzinfo=UTC)


def config(**extra: Any) -> HearthConfig:
    data: dict[str, Any] = {
        "home": {"id": "flat-1", "timezone": "Europe/London"},
        "rooms": [{"id": "bedroom"}, {"id": "kitchen"}, {"id": "hall"}],
        "sensors": [
            {
                "id": "bed_motion",
                "match": {"source": "zigbee2mqtt", "device": "Bedroom PIR"},
                "kind": "motion",
                "room": "bedroom",
            },
            {
                "id": "kettle",
                "match": {"source": "tasmota", "device": "kettle_plug"},
                "kind": "switch",
                "room": "kitchen",
                "role": "kettle",
            },
            {
                "id": "toilet_flush",
                "match": {"source": "esphome", "device": "bath-node/binary_sensor/flush"},
                "kind": "flush",
                "room": "hall",
                "role": "toilet",
            },
            {
                "id": "hall_temp",
                "match": {"source": "esphome", "device": "bath-node/sensor/temperature"},
                "kind": "temperature",
                "room": "hall",
            },
            {
                "id": "cupboard",
                "match": {"source": "generic", "topic": "home/cupboard", "field": "open"},
                "kind": "contact",
                "room": "kitchen",
                "role": "cupboard",
            },
        ],
        **extra,
    }
    return validate_config(data)


def ingest() -> Ingest:
    return Ingest(config(), ManualClock(NOW), Ledger(log_interval_s=60))


def test_subscriptions_cover_each_enabled_producer_and_nothing_else() -> None:
    filters = Router(config()).subscriptions()
    assert filters == [
        "zigbee2mqtt/#",
        "tele/+/SENSOR",
        "tele/+/LWT",
        "stat/+/RESULT",
        "stat/+/+",
        "+/online",
        "+/events/rpc",
        "+/status/+",
        "rtl_433/+/events",
        "bath-node/#",
        "home/cupboard",
    ]
    quiet = config(
        producers={
            "zigbee2mqtt_base_topic": "",
            "tasmota": False,
            "shelly": False,
            "rtl_433_topic": "",
        }
    )
    assert Router(quiet).subscriptions() == ["bath-node/#", "home/cupboard"]


def test_each_producer_reaches_its_sensor() -> None:
    hub = ingest()
    got = [
        *hub.handle("zigbee2mqtt/Bedroom PIR", b'{"occupancy":true}'),
        *hub.handle("stat/kettle_plug/POWER", b"ON"),
        *hub.handle("bath-node/binary_sensor/flush/state", b"ON"),
        *hub.handle("bath-node/sensor/temperature/state", b"18.25"),
        *hub.handle("home/cupboard", b'{"open": true}'),
    ]
    assert got == [
        Event(NOW, "bed_motion", Kind.MOTION, True, Source.ZIGBEE2MQTT),
        Event(NOW, "kettle", Kind.SWITCH, True, Source.TASMOTA),
        # ESPHome binary sensors say ON/OFF; the config says it is a flush.
        Event(NOW, "toilet_flush", Kind.FLUSH, True, Source.ESPHOME),
        Event(NOW, "hall_temp", Kind.TEMPERATURE, 18.25, Source.ESPHOME),
        Event(NOW, "cupboard", Kind.CONTACT, True, Source.GENERIC),
    ]
    assert hub.stats.events == 5
    assert hub.stats.malformed == 0


def test_an_inverted_sensor_reads_the_other_way_but_not_its_availability() -> None:
    data = config().model_dump(mode="json")
    data["sensors"][0]["invert"] = True
    hub = Ingest(validate_config(data), ManualClock(NOW), Ledger(log_interval_s=60))
    assert hub.handle("zigbee2mqtt/Bedroom PIR", b'{"occupancy":true,"battery":80}') == [
        Event(NOW, "bed_motion", Kind.MOTION, False, Source.ZIGBEE2MQTT),
        Event(NOW, "bed_motion", Kind.BATTERY, 80.0, Source.ZIGBEE2MQTT),
    ]
    assert hub.handle("zigbee2mqtt/Bedroom PIR/availability", b'{"state":"online"}') == [
        Event(NOW, "bed_motion", Kind.AVAILABILITY, True, Source.ZIGBEE2MQTT),
    ]


def test_only_on_off_sensors_can_be_inverted() -> None:
    data = config().model_dump(mode="json")
    data["sensors"][3]["invert"] = True  # a thermometer
    with pytest.raises(ValueError, match="invert applies to on/off sensors only"):
        validate_config(data)


def test_a_value_that_does_not_fit_the_configured_kind_is_malformed() -> None:
    hub = ingest()
    # An ESPHome text sensor publishing words where the config expects degrees.
    assert hub.handle("bath-node/sensor/temperature/state", b"warm") == []
    assert hub.stats.malformed == 1
    tally = hub.ledger.malformed["bath-node/sensor/temperature/state"]
    assert "configured as temperature" in tally.reason
    assert tally.sample == "warm"


def test_bridge_devices_announces_unmapped_devices_only() -> None:
    hub = ingest()
    payload = json.dumps(
        [
            {"type": "Coordinator", "friendly_name": "Coordinator", "definition": None},
            {
                "type": "EndDevice",
                "friendly_name": "Bedroom PIR",
                "definition": {"model": "RTCGQ11LM", "description": "Aqara motion sensor"},
            },
            {
                "type": "EndDevice",
                "friendly_name": "Landing PIR",
                "definition": {"model": "RTCGQ11LM", "description": "Aqara motion sensor"},
            },
        ]
    ).encode()
    assert hub.handle("zigbee2mqtt/bridge/devices", payload) == []
    assert list(hub.ledger.sightings) == [("zigbee2mqtt", "Landing PIR")]
    sighting = hub.ledger.sightings[("zigbee2mqtt", "Landing PIR")]
    assert (sighting.model, sighting.messages) == ("RTCGQ11LM", 0)


def test_unmapped_device_counted_once_per_message() -> None:
    hub = ingest()
    hub.handle("zigbee2mqtt/Landing PIR", b'{"occupancy":true,"battery":80,"illuminance":4}')
    hub.handle("zigbee2mqtt/Landing PIR", b'{"occupancy":false}')
    sighting = hub.ledger.sightings[("zigbee2mqtt", "Landing PIR")]
    assert sighting.messages == 2
    assert sighting.sample == '{"occupancy":false}'
    assert hub.stats.unmapped == 2


def test_malformed_payloads_are_logged_once_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = ingest()
    with caplog.at_level(logging.WARNING, logger="hub.ingest.ledger"):
        for _ in range(50):
            hub.handle("zigbee2mqtt/Bedroom PIR", b'{"occupancy": "yes"}')
    assert hub.stats.malformed == 50
    assert hub.ledger.malformed["zigbee2mqtt/Bedroom PIR"].count == 50
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert "zigbee2mqtt/Bedroom PIR" in lines[0]
    assert "occupancy must be true or false" in lines[0]


def test_dataset_reading_without_a_kind_takes_the_configured_one() -> None:
    hub = ingest()
    reading = Reading(Source.ESPHOME, "bath-node/binary_sensor/flush", None, True, NOW)
    assert hub.map_reading(reading, "file.txt") == Event(
        NOW, "toilet_flush", Kind.FLUSH, True, Source.ESPHOME
    )
    assert hub.map_reading(Reading(Source.CASAS, "Nowhere", None, True, NOW), "f") is None
    assert hub.stats.unmapped == 1


@settings(max_examples=200, deadline=None)
@given(
    topic=st.sampled_from(
        [
            "zigbee2mqtt/Bedroom PIR",
            "zigbee2mqtt/bridge/devices",
            "zigbee2mqtt/x/availability",
            "tele/kettle_plug/SENSOR",
            "stat/kettle_plug/RESULT",
            "tele/kettle_plug/LWT",
            "bath-node/sensor/temperature/state",
            "bath-node/status",
            "shelly1/events/rpc",
            "shelly1/status/switch:0",
            "rtl_433/pi/events",
            "home/cupboard",
        ]
    )
    | st.text(max_size=40),
    payload=st.binary(max_size=200)
    | st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    ).map(lambda value: json.dumps(value).encode()),
)
def test_no_topic_or_payload_stops_ingest(topic: str, payload: bytes) -> None:
    hub = ingest()
    events = hub.handle(topic, payload)
    assert all(isinstance(event, Event) for event in events)
    assert hub.stats.messages == 1


def test_backoff_is_jittered_within_bounds() -> None:
    delays = [jittered_backoff(attempt, 1.0, 60.0) for attempt in range(12) for _ in range(20)]
    assert all(1.0 <= d <= 60.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # jittered, not a fixed ladder
    assert max(jittered_backoff(0, 1.0, 60.0) for _ in range(50)) <= 1.0
