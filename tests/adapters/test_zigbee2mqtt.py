"""Zigbee2MQTT adapter, fed payloads from Zigbee2MQTT's documentation and real logs."""

from __future__ import annotations

import json

import pytest

from hub.events import Kind, Reading, Source
from hub.ingest.adapters import zigbee2mqtt
from hub.ingest.adapters.device_info import DeviceInfo
from hub.ingest.errors import MalformedPayload

BASE = "zigbee2mqtt"


class Unordered(list[Reading]):
    """The readings of one message, compared as a multiset: their order carries no meaning."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, list):
            return NotImplemented
        return sorted(map(repr, self)) == sorted(map(repr, other))

    __hash__ = None


def parse(topic: str, payload: str | bytes) -> list[Reading]:
    raw = payload.encode() if isinstance(payload, str) else payload
    return Unordered(zigbee2mqtt.parse(topic, raw, BASE))


def reading(device: str, kind: Kind, value: bool | float | str) -> Reading:
    return Reading(Source.ZIGBEE2MQTT, device, kind, value)


# --- device state: the examples on the "MQTT Topics and Messages" page ------------------
# https://www.zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html


def test_temperature_and_humidity() -> None:
    # WSDCGQ01LM example from the page above.
    payload = '{"temperature": 27.34, "humidity": 44.72}'
    assert parse("zigbee2mqtt/0x00158d0001", payload) == [
        reading("0x00158d0001", Kind.TEMPERATURE, 27.34),
        reading("0x00158d0001", Kind.HUMIDITY, 44.72),
    ]


def test_action_is_a_button_press() -> None:
    # WXKG01LM example from the page above.
    assert parse("zigbee2mqtt/hall button", '{"action": "single"}') == [
        reading("hall button", Kind.BUTTON, "single")
    ]


def test_empty_action_after_a_press_yields_nothing() -> None:
    # "an empty `action` will be send after every published action" (legacy_action_sensor),
    # https://app.unpkg.com/zigbee2mqtt@2.8.0/files/dist/util/settings.schema.json
    assert parse("zigbee2mqtt/hall button", '{"action": ""}') == []
    assert parse("zigbee2mqtt/hall button", '{"action": "", "battery": 90}') == [
        reading("hall button", Kind.BATTERY, 90.0)
    ]


def test_occupancy_is_motion() -> None:
    # RTCGQ01LM example from the page above.
    assert parse("zigbee2mqtt/hall/pir", '{"occupancy": true}') == [
        reading("hall/pir", Kind.MOTION, True)
    ]


def test_bulb_state_is_a_switch() -> None:
    # LED1545G12 example from the page above.
    payload = '{"state": "ON", "brightness": 215, "color_temp": 325}'
    assert parse("zigbee2mqtt/kitchen/floor_light", payload) == [
        reading("kitchen/floor_light", Kind.SWITCH, True)
    ]
    assert parse("zigbee2mqtt/kitchen/floor_light", '{"state": "OFF"}') == [
        reading("kitchen/floor_light", Kind.SWITCH, False)
    ]


def test_other_states_are_not_switches() -> None:
    # Covers report OPEN/CLOSE/STOP in `state`; not ours.
    assert parse("zigbee2mqtt/blind", '{"state": "OPEN", "position": 100}') == []


# --- device state: real publishes quoted in issues, and device pages ---------------------


def test_contact_true_means_closed() -> None:
    # Aqara door sensor log line quoted in https://github.com/Koenkk/zigbee2mqtt/issues/1209 ;
    # "Indicates if the contact is closed (= true) or open (= false)",
    # https://www.zigbee2mqtt.io/devices/MCCGQ11LM.html
    payload = (
        '{"contact":true,"linkquality":78,"last_seen":"2019-03-08T19:50:47+03:00",'
        '"battery":100,"voltage":3015}'
    )
    assert parse("zigbee2mqtt/front door", payload) == [
        reading("front door", Kind.CONTACT, False),
        reading("front door", Kind.BATTERY, 100.0),
    ]
    assert parse("zigbee2mqtt/front door", '{"contact":false}') == [
        reading("front door", Kind.CONTACT, True)
    ]


def test_number_pressure_is_air_pressure() -> None:
    # Aqara weather sensor log line from https://github.com/Koenkk/zigbee2mqtt/issues/1209
    payload = (
        '{"temperature":29.1,"linkquality":55,"humidity":34.6,"pressure":987.1,'
        '"battery":100,"voltage":3035,"last_seen":"2019-03-08T19:28:17+03:00"}'
    )
    assert parse("zigbee2mqtt/0x00158d00022cb428", payload) == [
        reading("0x00158d00022cb428", Kind.TEMPERATURE, 29.1),
        reading("0x00158d00022cb428", Kind.HUMIDITY, 34.6),
        reading("0x00158d00022cb428", Kind.BATTERY, 100.0),
        reading("0x00158d00022cb428", Kind.AIR_PRESSURE, 987.1),
    ]


def test_boolean_pressure_is_a_pressure_mat() -> None:
    # Tuya C3007 pressure pad: "pressure" (binary), https://www.zigbee2mqtt.io/devices/C3007.html
    payload = '{"pressure": true, "battery_low": false, "battery": 95, "voltage": 2900}'
    assert parse("zigbee2mqtt/bed mat", payload) == [
        reading("bed mat", Kind.BATTERY, 95.0),
        reading("bed mat", Kind.PRESSURE, True),
    ]


def test_motion_sensor_with_illuminance() -> None:
    # Aqara motion sensor log line from https://github.com/Koenkk/zigbee2mqtt/issues/1209
    payload = (
        '{"illuminance":37,"linkquality":81,"last_seen":"2019-03-08T19:49:58+03:00",'
        '"occupancy":false,"battery":100,"voltage":3065}'
    )
    assert parse("zigbee2mqtt/landing", payload) == [
        reading("landing", Kind.MOTION, False),
        reading("landing", Kind.BATTERY, 100.0),
        reading("landing", Kind.ILLUMINANCE, 37.0),
    ]


def test_illuminance_lux_wins_over_raw_illuminance() -> None:
    # Before 2.0 some sensors sent a raw `illuminance` next to `illuminance_lux`; 2.0 removed
    # `illuminance_lux`, https://github.com/Koenkk/zigbee-herdsman-converters/pull/8304
    payload = '{"illuminance": 21617, "illuminance_lux": 145, "occupancy": true}'
    assert parse("zigbee2mqtt/hue motion", payload) == [
        reading("hue motion", Kind.MOTION, True),
        reading("hue motion", Kind.ILLUMINANCE, 145.0),
    ]


def test_z2m_2_publish_with_nested_update_and_nulls() -> None:
    # 2.0 log line from https://github.com/zigbee2mqtt/hassio-zigbee2mqtt/issues/698
    payload = (
        '{"battery":100,"detection_period":36,"device_temperature":25,"illuminance":196,'
        '"last_seen":"2025-01-07T10:49:36.461Z","linkquality":145,"power_outage_count":39,'
        '"state":"OFF","update":{"installed_version":-1,"latest_version":-1,"state":null},'
        '"voltage":3064}'
    )
    assert parse("zigbee2mqtt/Lumi: salon", payload) == [
        reading("Lumi: salon", Kind.SWITCH, False),
        reading("Lumi: salon", Kind.BATTERY, 100.0),
        reading("Lumi: salon", Kind.ILLUMINANCE, 196.0),
    ]


def test_presence_sensor() -> None:
    # Aqara FP1 exposes `presence` (binary), https://www.zigbee2mqtt.io/devices/RTCZCGQ11LM.html
    payload = '{"presence": true, "presence_event": "enter", "device_temperature": 30}'
    assert parse("zigbee2mqtt/lounge radar", payload) == [
        reading("lounge radar", Kind.PRESENCE, True)
    ]


def test_water_leak() -> None:
    # Aqara SJCGQ11LM exposes `water_leak` (binary), https://www.zigbee2mqtt.io/devices/SJCGQ11LM.html
    payload = (
        '{"battery":100,"water_leak":true,"battery_low":false,"voltage":3015,'
        '"temperature":22,"linkquality":120}'
    )
    assert parse("zigbee2mqtt/under sink", payload) == [
        reading("under sink", Kind.WATER, True),
        reading("under sink", Kind.TEMPERATURE, 22.0),
        reading("under sink", Kind.BATTERY, 100.0),
    ]


def test_plug_power() -> None:
    # Modelled on the Xiaomi ZNCZ02LM plug, https://www.zigbee2mqtt.io/devices/ZNCZ02LM.html
    payload = '{"state":"ON","power":1854.3,"energy":0.41,"voltage":231,"temperature":34}'
    assert parse("zigbee2mqtt/kettle plug", payload) == [
        reading("kettle plug", Kind.SWITCH, True),
        reading("kettle plug", Kind.POWER, 1854.3),
        reading("kettle plug", Kind.TEMPERATURE, 34.0),
    ]


def test_null_values_and_linkquality_alone_yield_nothing() -> None:
    assert parse("zigbee2mqtt/x", '{"linkquality": 60}') == []
    assert parse("zigbee2mqtt/x", '{"occupancy": null, "temperature": null, "action": null}') == []
    assert parse("zigbee2mqtt/x", '{"vibration": true, "tamper": false}') == []


# --- availability: both payload forms -----------------------------------------------------
# https://www.zigbee2mqtt.io/guide/configuration/device-availability.html


@pytest.mark.parametrize(
    ("payload", "online"),
    [
        ('{"state":"online"}', True),  # Z2M >= 2.0 (or legacy_availability_payload: false)
        ('{"state":"offline"}', False),
        ("online", True),  # Z2M 1.x legacy payload
        ("offline", False),
    ],
)
def test_availability(payload: str, online: bool) -> None:
    assert parse("zigbee2mqtt/living room/motion/availability", payload) == [
        reading("living room/motion", Kind.AVAILABILITY, online)
    ]


@pytest.mark.parametrize("payload", ['{"state":"sleeping"}', "maybe", '{"state": 1}', "[]"])
def test_bad_availability_is_malformed(payload: str) -> None:
    with pytest.raises(MalformedPayload):
        parse("zigbee2mqtt/door/availability", payload)


# --- topics that carry no readings here ---------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("zigbee2mqtt/bridge/state", "online"),  # 1.x
        ("zigbee2mqtt/bridge/state", '{"state":"online"}'),  # 2.x
        ("zigbee2mqtt/bridge/logging", '{"level": "info", "message": "Zigbee: allowing join."}'),
        ("zigbee2mqtt/bridge/devices", "[]"),
        ("zigbee2mqtt/bridge/event", '{"type":"device_joined","data":{"friendly_name":"x"}}'),
        ("zigbee2mqtt/lamp/set", '{"state": "ON"}'),  # commands from other clients
        ("zigbee2mqtt/lamp/get", '{"state": ""}'),
        ("zigbee2mqtt/lamp/set/state", "ON"),  # the "Without JSON" form
        ("zigbee2mqtt/remote/action", "brightness_down_click"),  # 1.x HA trigger copy
        ("homeassistant/status", "online"),  # not under the base topic
        ("zigbee2mqtt", "{}"),
        ("zigbee2mqtt/lamp", b""),  # a cleared retained message
    ],
)
def test_ignored_topics(topic: str, payload: str | bytes) -> None:
    assert parse(topic, payload) == []


def test_custom_base_topic() -> None:
    assert zigbee2mqtt.parse("home/z2m/pir", b'{"occupancy":true}', "home/z2m") == [
        reading("pir", Kind.MOTION, True)
    ]
    assert zigbee2mqtt.parse("zigbee2mqtt/pir", b'{"occupancy":true}', "home/z2m") == []


# --- malformed payloads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{occupancy: true", "invalid JSON"),
        (b"\xff\xfe\x00garbage", "invalid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"21.5", "must be a JSON object"),
        (b'{"occupancy": "yes"}', "occupancy must be true or false"),
        (b'{"contact": 1}', "contact must be true or false"),
        (b'{"action": 5}', "action must be a string"),
        (b'{"temperature": "21.5"}', "temperature must be a number"),
        (b'{"battery": true}', "battery must be a number"),
        (b'{"pressure": "high"}', "pressure must be a number"),
        (b'{"state": ["ON"]}', "state must be a string"),
    ],
)
def test_malformed_state(payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        zigbee2mqtt.parse("zigbee2mqtt/x", payload, BASE)


def test_bad_utf8_in_plain_availability_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match="UTF-8"):
        zigbee2mqtt.parse("zigbee2mqtt/x/availability", b"onl\xffine", BASE)


# --- bridge/devices -----------------------------------------------------------------------

# Trimmed from the bridge/devices example on the MQTT Topics and Messages page (its `...`
# placeholders and comments removed so that it is JSON).
BRIDGE_DEVICES = [
    {
        "ieee_address": "0x00158d00018255df",
        "type": "Router",
        "network_address": 29159,
        "supported": True,
        "friendly_name": "my_plug",
        "definition": {
            "model": "ZNCZ02LM",
            "vendor": "Xiaomi",
            "description": "Mi power plug ZigBee",
            "options": [],
            "exposes": [],
        },
        "power_source": "Mains (single phase)",
        "interviewing": False,
        "interview_completed": True,
    },
    {
        "ieee_address": "0x00169a00022256da",
        "type": "Router",
        "network_address": 22160,
        "supported": False,
        "friendly_name": "my_sensor",
        "definition": None,
        "power_source": "Battery",
        "interviewing": False,
        "interview_completed": True,
    },
    {
        "ieee_address": "0x00124b00120144ae",
        "type": "Coordinator",
        "network_address": 0,
        "supported": False,
        "friendly_name": "Coordinator",
        "definition": None,
        "power_source": None,
        "interviewing": False,
        "interview_completed": True,
    },
]


def test_bridge_devices_skips_the_coordinator() -> None:
    devices = zigbee2mqtt.parse_bridge_devices(json.dumps(BRIDGE_DEVICES).encode())
    assert devices == [
        DeviceInfo(Source.ZIGBEE2MQTT, "my_plug", "ZNCZ02LM", "Mi power plug ZigBee"),
        DeviceInfo(Source.ZIGBEE2MQTT, "my_sensor", "", ""),
    ]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"devices": []}', "must be a JSON array"),
        (b"[1]", "must be a JSON object"),
        (b'[{"type": "Router"}]', "friendly_name"),
        (b'[{"friendly_name": "a", "definition": "ZNCZ02LM"}]', "definition"),
        (b'[{"friendly_name": "a", "definition": {"model": 5}}]', "definition.model"),
        (b"not json", "invalid JSON"),
    ],
)
def test_malformed_bridge_devices(payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        zigbee2mqtt.parse_bridge_devices(payload)
