"""Generic adapter: one configured topic, an optional JSON field, a kind."""

from __future__ import annotations

import pytest

from hub.events import Kind, check_value
from hub.ingest.adapters.generic import parse_value
from hub.ingest.errors import MalformedPayload


@pytest.mark.parametrize(
    ("payload", "value"),
    [
        (b"ON", True),
        (b"OFF", False),
        (b"on", True),
        (b"off", False),
        (b"true", True),
        (b"false", False),
        (b"True", True),
        (b"1", True),
        (b"0", False),
        (b" ON\n", True),
    ],
)
def test_plain_binary_words(payload: bytes, value: bool) -> None:
    assert parse_value(payload, Kind.MOTION, None) is value


@pytest.mark.parametrize(
    ("payload", "value"),
    [(b"open", True), (b"OPEN", True), (b"closed", False), (b"CLOSED", False), (b"ON", True)],
)
def test_contact_open_is_true(payload: bytes, value: bool) -> None:
    assert parse_value(payload, Kind.CONTACT, None) is value


def test_open_closed_are_only_for_contact() -> None:
    with pytest.raises(MalformedPayload, match="water needs ON/OFF"):
        parse_value(b"open", Kind.WATER, None)


@pytest.mark.parametrize(("payload", "value"), [(b"21.5", 21.5), (b"-3", -3.0), (b"1e3", 1000.0)])
def test_plain_numbers(payload: bytes, value: float) -> None:
    result = parse_value(payload, Kind.TEMPERATURE, None)
    assert result == value
    assert type(result) is float


@pytest.mark.parametrize("payload", [b"nan", b"inf", b"-Infinity", b"warm", b"", b"ON"])
def test_bad_plain_numbers(payload: bytes) -> None:
    with pytest.raises(MalformedPayload, match="temperature needs"):
        parse_value(payload, Kind.TEMPERATURE, None)


def test_plain_text() -> None:
    assert parse_value(b"taken\n", Kind.MEDICATION, None) == "taken"
    assert parse_value(b"double", Kind.BUTTON, "") == "double"  # "" means no field
    with pytest.raises(MalformedPayload, match="non-empty"):
        parse_value(b"  ", Kind.BUTTON, None)


def test_json_field() -> None:
    # The Tasmota SENSOR layout, https://tasmota.github.io/docs/BME280/
    payload = (
        b'{"Time": "2019-11-03T19:34:28", "BME280": {"Temperature": 21.7, "Humidity": 66.6,'
        b' "Pressure": 988.6}, "PressureUnit": "hPa", "TempUnit": "C"}'
    )
    assert parse_value(payload, Kind.TEMPERATURE, "BME280.Temperature") == 21.7
    assert parse_value(payload, Kind.AIR_PRESSURE, "BME280.Pressure") == 988.6


def test_dotted_path_through_energy() -> None:
    payload = b'{"Time":"2023-05-19T20:52:56","ENERGY":{"Total":514.153,"Power":56}}'
    assert parse_value(payload, Kind.POWER, "ENERGY.Power") == 56.0


def test_key_with_dots_is_taken_literally_first() -> None:
    assert parse_value(b'{"a.b": 1, "a": {"b": 2}}', Kind.POWER, "a.b") == 1.0


@pytest.mark.parametrize(
    ("payload", "kind", "value"),
    [
        (b'{"occupancy": true}', Kind.MOTION, True),
        (b'{"occupancy": 0}', Kind.MOTION, False),
        (b'{"occupancy": "ON"}', Kind.MOTION, True),
        (b'{"occupancy": "21.5"}', Kind.TEMPERATURE, 21.5),
        (b'{"occupancy": 7}', Kind.BUTTON, "7"),
        (b'{"occupancy": "single"}', Kind.BUTTON, "single"),
    ],
)
def test_json_values_by_kind(payload: bytes, kind: Kind, value: bool | float | str) -> None:
    result = parse_value(payload, kind, "occupancy")
    assert result == value
    assert check_value(kind, result) == value


@pytest.mark.parametrize(
    ("payload", "kind", "reason"),
    [
        (b'{"x": 1}', Kind.POWER, "field 'ENERGY.Power' is not in the payload"),
        (b'{"ENERGY": 5}', Kind.POWER, "field 'ENERGY.Power' is not in the payload"),
        (b'{"ENERGY": {"Power": null}}', Kind.POWER, "does not hold a power value"),
        (b'{"ENERGY": {"Power": true}}', Kind.POWER, "must be a number"),
        (b'{"ENERGY": {"Power": [56]}}', Kind.POWER, "must be a number"),
        (b'{"ENERGY": {"Power": 2}}', Kind.SWITCH, "does not hold a switch value"),
        (b'{"ENERGY": {"Power": 1.5}}', Kind.BUTTON, "does not hold a button value"),
        (b"[1, 2]", Kind.POWER, "is not in the payload"),
        (b"{bad json", Kind.POWER, "invalid JSON"),
    ],
)
def test_malformed_json(payload: bytes, kind: Kind, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_value(payload, kind, "ENERGY.Power")


def test_bad_utf8_plain() -> None:
    with pytest.raises(MalformedPayload, match="UTF-8"):
        parse_value(b"\xffON", Kind.SWITCH, None)
