"""Tasmota adapter, fed payloads from Tasmota's documentation and real device captures."""

from __future__ import annotations

import pytest

from hub.events import Kind, Reading, Source
from hub.ingest.adapters import tasmota
from hub.ingest.errors import MalformedPayload


def parse(topic: str, payload: str | bytes) -> list[Reading]:
    return tasmota.parse(topic, payload.encode() if isinstance(payload, str) else payload)


def reading(device: str, kind: Kind | None, value: bool | float | str) -> Reading:
    return Reading(Source.TASMOTA, device, kind, value)


# --- tele/<t>/SENSOR ----------------------------------------------------------------------


def test_am2301_temperature_and_humidity() -> None:
    # https://tasmota.github.io/docs/AM2301/
    payload = (
        '{"Time": "2019-01-01T00:00:00", "AM2301": {"Temperature": 24.6, "Humidity": 58.2},'
        ' "TempUnit": "C"}'
    )
    assert parse("tele/bedroom/SENSOR", payload) == [
        reading("bedroom:AM2301", Kind.TEMPERATURE, 24.6),
        reading("bedroom:AM2301", Kind.HUMIDITY, 58.2),
    ]


def test_ds18b20_from_the_mqtt_page() -> None:
    # "tele/tasmota/SENSOR {"Time":"2017-02-16T10:13:52", "DS18B20":{"Temperature":20.6}}",
    # https://tasmota.github.io/docs/MQTT/
    payload = '{"Time":"2017-02-16T10:13:52", "DS18B20":{"Temperature":20.6}}'
    assert parse("tele/tasmota/SENSOR", payload) == [
        reading("tasmota:DS18B20", Kind.TEMPERATURE, 20.6)
    ]


def test_two_thermometers_stay_apart() -> None:
    # Multiple DS18x20 sensors each "get a unique ID", https://tasmota.github.io/docs/DS18x20/
    payload = (
        '{"Time":"2019-01-01T00:00:00","DS18B20-1":{"Id":"01144A0CB2AA","Temperature":21.1},'
        '"DS18B20-2":{"Id":"0316A2797DEB","Temperature":4.2},"TempUnit":"C"}'
    )
    assert parse("tele/kitchen/SENSOR", payload) == [
        reading("kitchen:DS18B20-1", Kind.TEMPERATURE, 21.1),
        reading("kitchen:DS18B20-2", Kind.TEMPERATURE, 4.2),
    ]


def test_bme280_pressure_is_air_pressure() -> None:
    # https://tasmota.github.io/docs/BME280/
    payload = (
        '{"Time": "2019-11-03T19:34:28", "BME280": {"Temperature": 21.7, "Humidity": 66.6,'
        ' "Pressure": 988.6}, "PressureUnit": "hPa", "TempUnit": "C"}'
    )
    assert parse("tele/hall/SENSOR", payload) == [
        reading("hall:BME280", Kind.TEMPERATURE, 21.7),
        reading("hall:BME280", Kind.HUMIDITY, 66.6),
        reading("hall:BME280", Kind.AIR_PRESSURE, 988.6),
    ]


def test_pressure_in_mmhg_is_converted() -> None:
    # Modelled on the BME280 page with SetOption24 1 (pressure in mmHg).
    payload = '{"BME280": {"Pressure": 741.5}, "PressureUnit": "mmHg", "TempUnit": "C"}'
    [air] = parse("tele/hall/SENSOR", payload)
    assert air.kind is Kind.AIR_PRESSURE
    assert air.value == pytest.approx(988.6, abs=0.1)


def test_unknown_pressure_unit_is_skipped() -> None:
    assert parse("tele/hall/SENSOR", '{"BME280": {"Pressure": 9.9}, "PressureUnit": "bar"}') == []


def test_bh1750_illuminance() -> None:
    # https://tasmota.github.io/docs/BH1750/
    payload = '{"Time":"2019-11-03T20:45:37","BH1750":{"Illuminance":79}}'
    assert parse("tele/landing/SENSOR", payload) == [
        reading("landing:BH1750", Kind.ILLUMINANCE, 79.0)
    ]


def test_fahrenheit_switch_inputs_and_energy() -> None:
    # A Shelly 2.5 running Tasmota with TempUnit F; capture quoted in a user's monitor script.
    # Layout of ENERGY: Tasmota's xdrv_03_energy.ino,
    # https://github.com/arendst/Tasmota/blob/development/tasmota/tasmota_xdrv_driver/xdrv_03_energy.ino
    payload = (
        '{"Time":"2020-08-30T10:15:00","Switch1":"OFF","Switch2":"ON",'
        '"ANALOG":{"Temperature":100.1},"ENERGY":{"TotalStartTime":"2019-07-25T22:29:23",'
        '"Total":0.586,"Yesterday":0.033,"Today":0.000,"Period":0,"Power":12,'
        '"ApparentPower":0,"ReactivePower":0,"Factor":0.00,"Voltage":0,"Current":0.000},'
        '"TempUnit":"F"}'
    )
    readings = parse("tele/shellyB/SENSOR", payload)
    assert readings[:2] == [
        reading("shellyB:Switch1", None, False),
        reading("shellyB:Switch2", None, True),
    ]
    # The chip's own temperature is named after its sensor key, converted to Celsius.
    assert readings[2].device == "shellyB:ANALOG"
    assert readings[2].kind is Kind.TEMPERATURE
    assert readings[2].value == pytest.approx(37.83, abs=0.01)
    assert readings[3:] == [reading("shellyB", Kind.POWER, 12.0)]


def test_dual_channel_power_follows_relay_naming() -> None:
    # Sonoff Dual R3 capture (per-channel arrays); the BL09XX chip temperature nested in ENERGY
    # is not a room reading and is left out.
    payload = (
        '{"Time":"2026-09-18T11:19:21","ENERGY":{"TotalStartTime":"2026-09-16T00:00:00",'
        '"Total":[2.813,0.254],"Yesterday":[1.530,0.125],"Today":[0.772,0.059],"Power":[52,5],'
        '"ApparentPower":[66,10],"ReactivePower":[40,9],"Factor":[0.79,0.50],"Voltage":235,'
        '"Current":[0.278,0.044],"BL09XX":{"Temperature":46.5}}}'
    )
    assert parse("tele/tasmota/SENSOR", payload) == [
        reading("tasmota", Kind.POWER, 52.0),
        reading("tasmota:2", Kind.POWER, 5.0),
    ]


def test_failed_sensor_reads_null() -> None:
    # A DHT that failed to read reports nulls rather than numbers.
    payload = '{"Time":"2024-01-01T00:00:00","AM2301":{"Temperature":null,"Humidity":null}}'
    assert parse("tele/bedroom/SENSOR", payload) == []


def test_extra_topic_levels_belong_to_the_device() -> None:
    # FullTopic `%prefix%/home/cellar/%topic%/`, https://tasmota.github.io/docs/MQTT/
    payload = '{"DS18B20":{"Temperature":12.5}}'
    assert parse("tele/home/cellar/boiler/SENSOR", payload) == [
        reading("home/cellar/boiler:DS18B20", Kind.TEMPERATURE, 12.5)
    ]


# --- stat/<t>/POWER, stat/<t>/RESULT ------------------------------------------------------
# "cmnd/tasmota_switch/Power TOGGLE -> stat/tasmota_switch/RESULT {"POWER":"ON"},
#  stat/tasmota_switch/POWER ON", https://tasmota.github.io/docs/MQTT/


def test_power_topic() -> None:
    assert parse("stat/tasmota_switch/POWER", "ON") == [
        reading("tasmota_switch", Kind.SWITCH, True)
    ]
    assert parse("stat/tasmota_switch/POWER", "OFF") == [
        reading("tasmota_switch", Kind.SWITCH, False)
    ]


def test_numbered_relays() -> None:
    # "cmnd/tasmota/POWER4 off turns off the 4th relay on a Sonoff 4CH" (same page).
    assert parse("stat/tasmota/POWER1", "ON") == [reading("tasmota", Kind.SWITCH, True)]
    assert parse("stat/tasmota/POWER4", "OFF") == [reading("tasmota:4", Kind.SWITCH, False)]


def test_result_power() -> None:
    assert parse("stat/tasmota_switch/RESULT", '{"POWER":"ON"}') == [
        reading("tasmota_switch", Kind.SWITCH, True)
    ]
    assert parse("stat/dual/RESULT", '{"POWER1":"OFF","POWER2":"ON"}') == [
        reading("dual", Kind.SWITCH, False),
        reading("dual:2", Kind.SWITCH, True),
    ]


def test_result_of_other_commands_is_ignored() -> None:
    # Replies to PowerOnState, PowerRetain etc. share the RESULT topic.
    assert parse("stat/tasmota/RESULT", '{"PowerOnState":3}') == []
    assert parse("stat/tasmota/RESULT", '{"PowerRetain":"ON"}') == []
    assert parse("stat/tasmota/RESULT", '{"Command":"Unknown"}') == []


def test_detached_switch_action() -> None:
    # SetOption114: "{"Switch<x>":{"Action":"<state>"}}", https://tasmota.github.io/docs/Buttons-and-Switches/
    assert parse("stat/door/RESULT", '{"Switch1":{"Action":"ON"}}') == [
        reading("door:Switch1", None, True)
    ]
    assert parse("stat/door/RESULT", '{"Switch1":{"Action":"OFF"}}') == [
        reading("door:Switch1", None, False)
    ]
    assert parse("stat/door/RESULT", '{"Switch1":{"Action":"HOLD"}}') == []


# --- tele/<t>/LWT, and ignored topics -----------------------------------------------------


def test_lwt() -> None:
    # "availability_topic: tele/Kitchen/LWT, payload_available: Online,
    # payload_not_available: Offline", as Home Assistant configs quote it.
    assert parse("tele/Kitchen/LWT", "Online") == [reading("Kitchen", Kind.AVAILABILITY, True)]
    assert parse("tele/Kitchen/LWT", "Offline") == [reading("Kitchen", Kind.AVAILABILITY, False)]


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        # STATE telemetry (a real capture) carries POWER, but we take relays from stat/.
        (
            "tele/tasmota_9CF9D1/STATE",
            '{"Time":"2024-02-24T22:20:38","Uptime":"0T00:10:11","UptimeSec":611,"Heap":24,'
            '"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"OFF",'
            '"Wifi":{"AP":1,"SSId":"ESP-Network","RSSI":44,"Signal":-78,"LinkCount":1}}',
        ),
        ("tele/tasmota/INFO1", '{"Module":"Sonoff Basic","Version":"9.1.0"}'),
        ("cmnd/tasmota/POWER", "TOGGLE"),
        ("stat/tasmota/STATUS10", '{"StatusSNS":{"Time":"2018.02.15 01:00:50"}}'),
        ("stat/tasmota/POWER0", "ON"),
        ("tele/SENSOR", "{}"),
        ("tele/tasmota/SENSOR", b""),
    ],
)
def test_ignored_topics(topic: str, payload: str | bytes) -> None:
    assert parse(topic, payload) == []


# --- malformed payloads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("tele/t/SENSOR", b'{"AM2301":{"Temperature":24.6', "invalid JSON"),
        ("tele/t/SENSOR", b'["AM2301"]', "must be a JSON object"),
        ("tele/t/SENSOR", b'{"AM2301":{"Temperature":"24.6"}}', r"AM2301\.Temperature"),
        ("tele/t/SENSOR", b'{"ENERGY":{"Power":"56"}}', r"ENERGY\.Power"),
        ("tele/t/SENSOR", b'{"ENERGY":[56]}', "ENERGY must be a JSON object"),
        ("tele/t/SENSOR", b'{"Switch1":1}', "Switch1 must be a string"),
        ("tele/t/SENSOR", b'{"Switch1":"AN"}', "Switch1 must be ON or OFF"),
        ("stat/t/POWER", b"TOGGLE", "must be ON or OFF"),
        ("stat/t/POWER", b"\xff\xfe", "UTF-8"),
        ("stat/t/RESULT", b'{"POWER":true}', "POWER must be a string"),
        ("tele/t/LWT", b"online", "Online or Offline"),
    ],
)
def test_malformed(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        tasmota.parse(topic, payload)
