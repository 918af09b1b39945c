"""Property tests: whatever arrives, an adapter returns well-typed Readings or MalformedPayload.

Any other exception would escape the ingest loop's error handling, so for arbitrary bytes,
arbitrary topics and arbitrary JSON (with the keys the adapters look for mixed in), each
adapter must either return Readings whose values fit their kinds or raise MalformedPayload.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hub.events import VALUE_TYPES, Kind, Reading, Source, check_value
from hub.ingest.adapters import esphome, generic, rtl433, shelly, tasmota, zigbee2mqtt
from hub.ingest.adapters.device_info import DeviceInfo
from hub.ingest.errors import MalformedPayload

# Keys the adapters read, so random objects reach their type checks, not just `{}`.
KNOWN_KEYS = [
    # Zigbee2MQTT
    "occupancy", "presence", "contact", "water_leak", "action", "state", "power",
    "temperature", "humidity", "illuminance", "illuminance_lux", "battery", "pressure",
    "friendly_name", "definition", "model", "description", "type",
    # Tasmota
    "AM2301", "DS18B20", "ENERGY", "Power", "Temperature", "Humidity", "Illuminance",
    "Pressure", "TempUnit", "PressureUnit", "Switch1", "POWER", "POWER2", "Action",
    # Shelly
    "method", "params", "ts", "events", "component", "event", "switch:0", "input:0",
    "temperature:0", "humidity:0", "devicepower:0", "illuminance:0", "output", "apower",
    "tC", "rh", "lux", "percent",
    # rtl_433
    "id", "channel", "temperature_C", "temperature_F", "battery_ok", "contact_open",
    "closed", "button", "pressure_hPa", "light_lux", "power_W",
]  # fmt: skip
WORDS = ["ON", "OFF", "online", "offline", "Online", "true", "open", "closed", "TPMS", "F",
         "mmHg", "NotifyStatus", "NotifyFullStatus", "NotifyEvent", "single_push", "input:0",
         "Coordinator", ""]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=25,
)
json_objects = st.dictionaries(keys, json_values, max_size=8)
# Shelly notifications nest components under params; give them that shape often.
shelly_notifications = st.fixed_dictionaries(
    {"method": st.sampled_from(["NotifyStatus", "NotifyFullStatus", "NotifyEvent", "x"])},
    optional={"params": json_objects, "src": st.text(max_size=8)},
)


def encode(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


payloads = st.binary(max_size=64) | json_values.map(encode) | json_objects.map(encode)


def topics(*interesting: str) -> st.SearchStrategy[str]:
    return st.sampled_from(interesting) | st.text(max_size=30)


def assert_well_typed(readings: list[Reading], source: Source) -> None:
    assert isinstance(readings, list)
    for item in readings:
        assert isinstance(item, Reading)
        assert item.source is source
        assert isinstance(item.device, str)
        assert item.device
        if item.kind is None:
            assert type(item.value) in (bool, float, str)
        else:
            assert type(item.value) is VALUE_TYPES[item.kind]
            assert check_value(item.kind, item.value) == item.value
        if item.time is not None:
            assert item.time.utcoffset() == timedelta(0)


def holds(parse: Callable[[], list[Reading]], source: Source) -> None:
    try:
        readings = parse()
    except MalformedPayload:
        return
    assert_well_typed(readings, source)


@settings(deadline=None)
@given(
    topic=topics(
        "zigbee2mqtt/hall",
        "zigbee2mqtt/living room/motion",
        "zigbee2mqtt/hall/availability",
        "zigbee2mqtt/bridge/devices",
        "zigbee2mqtt/hall/set",
    ),
    payload=payloads,
)
def test_zigbee2mqtt_never_fails_otherwise(topic: str, payload: bytes) -> None:
    holds(lambda: zigbee2mqtt.parse(topic, payload, "zigbee2mqtt"), Source.ZIGBEE2MQTT)


@settings(deadline=None)
@given(payload=payloads | st.lists(json_objects, max_size=4).map(encode))
def test_zigbee2mqtt_bridge_devices_never_fails_otherwise(payload: bytes) -> None:
    try:
        devices = zigbee2mqtt.parse_bridge_devices(payload)
    except MalformedPayload:
        return
    for device in devices:
        assert isinstance(device, DeviceInfo)
        assert device.source is Source.ZIGBEE2MQTT
        assert isinstance(device.device, str)
        assert device.device
        assert isinstance(device.model, str)
        assert isinstance(device.description, str)


@settings(deadline=None)
@given(
    topic=topics(
        "tele/t/SENSOR",
        "tele/t/LWT",
        "tele/t/STATE",
        "stat/t/RESULT",
        "stat/t/POWER",
        "stat/t/POWER2",
    ),
    payload=payloads,
)
def test_tasmota_never_fails_otherwise(topic: str, payload: bytes) -> None:
    holds(lambda: tasmota.parse(topic, payload), Source.TASMOTA)


@settings(deadline=None)
@given(
    topic=topics(
        "node/sensor/temp/state",
        "node/binary_sensor/door/state",
        "node/switch/relay/state",
        "node/status",
    ),
    payload=payloads | st.sampled_from([b"nan", b"21.5", b"-inf", b"1e400", b"ON", b"OFF"]),
)
def test_esphome_never_fails_otherwise(topic: str, payload: bytes) -> None:
    holds(lambda: esphome.parse(topic, payload), Source.ESPHOME)


@settings(deadline=None)
@given(
    topic=topics(
        "p/events/rpc",
        "p/online",
        "p/status/switch:0",
        "p/status/input:0",
        "p/status/devicepower:0",
        "p/status/temperature:0",
    ),
    payload=payloads | shelly_notifications.map(encode),
)
@example(topic="p/events/rpc", payload=b'{"method":[]}')  # once raised TypeError (unhashable)
def test_shelly_never_fails_otherwise(topic: str, payload: bytes) -> None:
    holds(lambda: shelly.parse(topic, payload), Source.SHELLY)


@settings(deadline=None)
@given(topic=st.text(max_size=30), payload=payloads)
def test_rtl433_never_fails_otherwise(topic: str, payload: bytes) -> None:
    holds(lambda: rtl433.parse(topic, payload), Source.RTL433)


@settings(deadline=None)
@given(
    payload=payloads | st.sampled_from([b"ON", b"open", b"21.5", b"nan", b"taken", b"1"]),
    kind=st.sampled_from(Kind),
    field=st.sampled_from([None, "", "state", "ENERGY.Power", "a.b"]) | st.text(max_size=8),
)
def test_generic_never_fails_otherwise(payload: bytes, kind: Kind, field: str | None) -> None:
    try:
        value = generic.parse_value(payload, kind, field)
    except MalformedPayload:
        return
    assert type(value) is VALUE_TYPES[kind]
    assert check_value(kind, value) == value


def test_deep_nesting_is_malformed_not_a_recursion_error() -> None:
    # json.loads gives up with RecursionError far below any size limit a broker enforces.
    deep = b"[" * 100_000
    parsers: list[Callable[[bytes], object]] = [
        lambda p: zigbee2mqtt.parse("zigbee2mqtt/x", p, "zigbee2mqtt"),
        zigbee2mqtt.parse_bridge_devices,
        lambda p: tasmota.parse("tele/x/SENSOR", p),
        lambda p: shelly.parse("p/events/rpc", p),
        lambda p: rtl433.parse("rtl_433/h/events", p),
        lambda p: generic.parse_value(p, Kind.POWER, "ENERGY.Power"),
    ]
    for parse in parsers:
        try:
            parse(deep)
        except MalformedPayload:
            continue
        raise AssertionError("deeply nested JSON was accepted")
