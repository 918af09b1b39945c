"""ESPHome adapter, fed payloads as ESPHome's MQTT components publish them.

Topics: state topics are `<TOPIC_PREFIX>/<COMPONENT_TYPE>/<COMPONENT_NAME>/state` and the
birth / last-will messages go to `<TOPIC_PREFIX>/status` with `online` / `offline`,
https://esphome.io/components/mqtt.html
"""

from __future__ import annotations

import pytest

from hub.events import Kind, Reading, Source
from hub.ingest.adapters import esphome
from hub.ingest.errors import MalformedPayload


def parse(topic: str, payload: str | bytes) -> list[Reading]:
    return esphome.parse(topic, payload.encode() if isinstance(payload, str) else payload)


def reading(device: str, kind: Kind | None, value: bool | float | str) -> Reading:
    return Reading(Source.ESPHOME, device, kind, value)


# MQTTBinarySensorComponent publishes `state ? "ON" : "OFF"`,
# https://esphome.io/api/mqtt__binary__sensor_8cpp_source
@pytest.mark.parametrize(("payload", "value"), [("ON", True), ("OFF", False)])
def test_binary_sensor_leaves_the_kind_to_the_config(payload: str, value: bool) -> None:
    assert parse("hallway/binary_sensor/front_door/state", payload) == [
        reading("hallway/binary_sensor/front_door", None, value)
    ]


def test_sensor_number() -> None:
    # A sensor's state is its value with accuracy_decimals (value_accuracy_to_string),
    # https://esphome.io/api/mqtt__sensor_8cpp_source
    assert parse("livingroom/sensor/living_room_temperature/state", "21.50") == [
        reading("livingroom/sensor/living_room_temperature", None, 21.5)
    ]
    assert parse("kitchen/sensor/kettle_power/state", "-0") == [
        reading("kitchen/sensor/kettle_power", None, 0.0)
    ]


@pytest.mark.parametrize("payload", ["nan", "NaN", "inf"])
def test_sensor_without_a_reading_yields_nothing(payload: str) -> None:
    # ESPHome sensors publish NAN until they have a reading.
    assert parse("livingroom/sensor/living_room_temperature/state", payload) == []


def test_text_sensor_publishes_under_sensor() -> None:
    # MQTTTextSensor::component_type() returns "sensor",
    # https://esphome.io/api/mqtt__text__sensor_8cpp_source
    assert parse("pillbox/sensor/lid_event/state", "taken") == [
        reading("pillbox/sensor/lid_event", None, "taken")
    ]
    assert parse("pillbox/sensor/lid_event/state", " ") == []


def test_switch() -> None:
    assert parse("sonoff_basic/switch/relay/state", "ON") == [
        reading("sonoff_basic/switch/relay", Kind.SWITCH, True)
    ]
    assert parse("sonoff_basic/switch/relay/state", "OFF") == [
        reading("sonoff_basic/switch/relay", Kind.SWITCH, False)
    ]


@pytest.mark.parametrize(("payload", "online"), [("online", True), ("offline", False)])
def test_status_is_availability(payload: str, online: bool) -> None:
    assert parse("livingroom/status", payload) == [reading("livingroom", Kind.AVAILABILITY, online)]


def test_topic_prefix_with_slashes() -> None:
    # `mqtt: topic_prefix: home/livingroom` puts the node under two levels.
    assert parse("home/livingroom/binary_sensor/pir/state", "ON") == [
        reading("home/livingroom/binary_sensor/pir", None, True)
    ]
    assert parse("home/livingroom/status", "online") == [
        reading("home/livingroom", Kind.AVAILABILITY, True)
    ]


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("sonoff_basic/switch/relay/command", "ON"),  # a command to the node
        ("livingroom/light/ceiling/state", '{"state":"ON","brightness":255}'),
        ("livingroom/debug", "[D][sensor:093]: 'Temperature': Sending state 21.50"),
        ("sensor/temp/state", "21.5"),  # too few levels for node/component/name
        ("status", "online"),
        ("livingroom/sensor/temp/state", b""),
    ],
)
def test_ignored_topics(topic: str, payload: str | bytes) -> None:
    assert parse(topic, payload) == []


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("hallway/binary_sensor/door/state", b"open", "must be ON or OFF"),
        ("sonoff/switch/relay/state", b"1", "must be ON or OFF"),
        ("livingroom/status", b"up", "online or offline"),
        ("livingroom/sensor/temp/state", b"\xc3\x28", "UTF-8"),
    ],
)
def test_malformed(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        esphome.parse(topic, payload)
