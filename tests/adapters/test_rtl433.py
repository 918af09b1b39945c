"""rtl_433 adapter, fed events with the field names of rtl_433's decoders and docs.

Field conventions: https://github.com/merbanan/rtl_433/blob/master/docs/DATA_FORMAT.md
"""

from __future__ import annotations

import pytest

from hub.events import Kind, Reading, Source
from hub.ingest.adapters import rtl433
from hub.ingest.errors import MalformedPayload

TOPIC = "rtl_433/raspberrypi/events"


def parse(payload: str | bytes) -> list[Reading]:
    return rtl433.parse(TOPIC, payload.encode() if isinstance(payload, str) else payload)


def reading(device: str, kind: Kind, value: bool | float | str) -> Reading:
    return Reading(Source.RTL433, device, kind, value)


def test_weather_sensor() -> None:
    # The Acurite tower event of the brief, fields as in DATA_FORMAT.md.
    payload = (
        '{"time":"2024-01-01 12:00:00","model":"Acurite-Tower","id":1234,"channel":"A",'
        '"battery_ok":1,"temperature_C":21.5,"humidity":45,"mic":"CHECKSUM"}'
    )
    device = "Acurite-Tower/A/1234"
    assert parse(payload) == [
        reading(device, Kind.TEMPERATURE, 21.5),
        reading(device, Kind.HUMIDITY, 45.0),
        reading(device, Kind.BATTERY, 100.0),
    ]


def test_low_battery_is_zero_percent() -> None:
    payload = '{"model":"Acurite-Tower","id":1234,"channel":"A","battery_ok":0}'
    assert parse(payload) == [reading("Acurite-Tower/A/1234", Kind.BATTERY, 0.0)]


def test_fahrenheit_is_converted() -> None:
    # `-C customary` turns temperature_C into temperature_F (DATA_FORMAT.md).
    [temperature] = parse('{"model":"Acurite-Tower","id":1234,"temperature_F":70.7}')
    assert temperature.device == "Acurite-Tower/1234"
    assert temperature.kind is Kind.TEMPERATURE
    assert temperature.value == pytest.approx(21.5, abs=0.01)


def test_prologue_button_flag_zero_is_not_a_press() -> None:
    # Prologue-TH sends "button" 0, or 1 when its own button forced a reading,
    # https://github.com/merbanan/rtl_433/blob/master/src/devices/prologue.c
    payload = (
        '{"time":"2024-01-01 12:00:00","model":"Prologue-TH","subtype":9,"id":123,"channel":1,'
        '"battery_ok":1,"temperature_C":19.2,"humidity":52,"button":0}'
    )
    device = "Prologue-TH/1/123"
    assert parse(payload) == [
        reading(device, Kind.TEMPERATURE, 19.2),
        reading(device, Kind.HUMIDITY, 52.0),
        reading(device, Kind.BATTERY, 100.0),
    ]
    pressed = payload.replace('"button":0', '"button":1')
    assert parse(pressed)[-1] == reading(device, Kind.BUTTON, "1")


def test_honeywell_door_sensor() -> None:
    # rtl_433 output quoted in a project's docs: `rtl_433 -f 344940000 -F json -R 70`;
    # fields from https://github.com/merbanan/rtl_433/blob/master/src/devices/honeywell.c
    payload = (
        '{"time" : "2021-03-20 11:47:16", "model" : "Honeywell-Security", "id" : 125008,'
        ' "channel" : 8, "event" : 52, "state" : "closed", "contact_open" : 0,'
        ' "reed_open" : 1, "alarm" : 1, "tamper" : 0, "battery_ok" : 1, "heartbeat" : 1}'
    )
    device = "Honeywell-Security/8/125008"
    # The numeric `event` is a status code, not a button press.
    assert parse(payload) == [
        reading(device, Kind.BATTERY, 100.0),
        reading(device, Kind.CONTACT, False),
    ]
    opened = payload.replace('"contact_open" : 0', '"contact_open" : 1')
    assert reading(device, Kind.CONTACT, True) in parse(opened)


def test_dsc_closed_field() -> None:
    # DSC-Security reports "closed" 1/0, https://github.com/merbanan/rtl_433/blob/master/src/devices/dsc.c
    payload = '{"model":"DSC-Security","id":3716181,"closed":0,"event":1,"tamper":0,"battery_ok":1}'
    assert parse(payload) == [
        reading("DSC-Security/3716181", Kind.BATTERY, 100.0),
        reading("DSC-Security/3716181", Kind.CONTACT, True),
    ]


def test_state_open_closed_without_flags() -> None:
    assert parse('{"model":"Generic-Door","id":"a1","state":"open"}') == [
        reading("Generic-Door/a1", Kind.CONTACT, True)
    ]
    assert parse('{"model":"Generic-Remote","id":7,"state":"armed"}') == []


def test_string_button_and_event() -> None:
    # Modelled on remote-control decoders that name the button pressed.
    assert parse('{"model":"Generic-Remote","id":7,"button":"B"}') == [
        reading("Generic-Remote/7", Kind.BUTTON, "B")
    ]
    assert parse('{"model":"Generic-Remote","id":7,"event":"press"}') == [
        reading("Generic-Remote/7", Kind.BUTTON, "press")
    ]


def test_other_common_fields() -> None:
    # pressure_hPa, light_lux and power_W as rtl_433's Home Assistant helper maps them,
    # https://github.com/merbanan/rtl_433/blob/master/examples/rtl_433_mqtt_hass.py
    payload = '{"model":"Fineoffset-WH65B","id":60,"pressure_hPa":1013.2,"light_lux":1200}'
    assert parse(payload) == [
        reading("Fineoffset-WH65B/60", Kind.AIR_PRESSURE, 1013.2),
        reading("Fineoffset-WH65B/60", Kind.ILLUMINANCE, 1200.0),
    ]
    assert parse('{"model":"Efergy-e2CT","id":1,"power_W":230.5}') == [
        reading("Efergy-e2CT/1", Kind.POWER, 230.5)
    ]


@pytest.mark.parametrize(
    "payload",
    [
        # Tyre sensors of passing cars: "type" is only used for "TPMS" (DATA_FORMAT.md).
        '{"model":"Schrader","type":"TPMS","id":"1B2C3D","pressure_kPa":220,"temperature_C":12}',
        '{"time":"2024-01-01 12:00:00","center_frequency":433920000}',  # not a device event
        '{"model":"Acurite-Tower","id":1234,"mic":"CHECKSUM"}',  # nothing we use
        "",
    ],
)
def test_ignored_events(payload: str) -> None:
    assert parse(payload) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"model":"Acurite-Tower","id":1234', "invalid JSON"),
        (b'["Acurite-Tower"]', "must be a JSON object"),
        (b'{"model":5}', "model must be a string"),
        (b'{"model":"X","id":1.5}', "id must be an integer or a string"),
        (b'{"model":"X","channel":[1]}', "channel"),
        (b'{"model":"X","temperature_C":"21.5"}', "temperature_C must be a number"),
        (b'{"model":"X","battery_ok":"OK"}', "battery_ok must be a number"),
        (b'{"model":"X","contact_open":2}', "contact_open must be 0 or 1"),
        (b'{"model":"X","closed":"yes"}', "closed must be 0 or 1"),
        (b'{"model":"X","button":true}', "button must be an integer or a string"),
        (b'\xff{"model":"X"}', "invalid JSON"),
    ],
)
def test_malformed(payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        rtl433.parse(TOPIC, payload)
