"""MySensors serial gateway lines, as the serial API documents them.

Message format and the tables of commands, S_/V_/I_ types:
https://www.mysensors.org/download/serial_api_20
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_bridge.mysensors import MAX_LINE, LineReader, MySensorsError, Parsed, parse_line
from firmware_bridge.publications import HEARTBEAT, INFO, Publication, reading
from hub.events import Kind


def parse(line: str) -> Parsed:
    return parse_line(line, now=lambda: 1_700_000_000.0)


def test_set_temperature_and_humidity() -> None:
    # set (1), V_TEMP (0) and V_HUM (1): "12;6;1;0;0;36.5" is the API page's own example.
    assert parse("12;6;1;0;0;36.5").publications == [reading("12/6", Kind.TEMPERATURE, 36.5)]
    assert parse("12;7;1;0;1;52").publications == [reading("12/7", Kind.HUMIDITY, 52.0)]


def test_set_status_pressure_and_watts() -> None:
    assert parse("3;1;1;0;2;1").publications == [reading("3/1", Kind.SWITCH, True)]
    assert parse("6;3;1;0;4;1013.2").publications == [reading("6/3", Kind.AIR_PRESSURE, 1013.2)]
    assert parse("8;0;1;0;17;1250").publications == [reading("8/0", Kind.POWER, 1250.0)]


def test_tripped_has_no_kind_the_config_decides() -> None:
    # V_TRIPPED (16) is sent by S_DOOR, S_MOTION, S_WATER_LEAK ... sensors alike.
    assert parse("4;2;1;0;16;1").publications == [reading("4/2", None, True)]
    assert parse("4;2;1;0;16;0").publications == [reading("4/2", None, False)]


def test_battery_level_and_heartbeat() -> None:
    # internal (3): I_BATTERY_LEVEL (0), child 255 = the node itself; I_HEARTBEAT_RESPONSE (22).
    assert parse("173;255;3;0;0;91").publications == [reading("173", Kind.BATTERY, 91.0)]
    assert parse("172;255;3;0;22;1").publications == [Publication(HEARTBEAT, {"device": "172"})]


def test_presentation_and_sketch_info() -> None:
    # presentation (0) of S_DOOR (0) with a description; I_SKETCH_NAME (11).
    assert parse("5;1;0;0;0;Front door").publications == [
        Publication(INFO, {"device": "5/1", "presented": "S_DOOR", "description": "Front door"})
    ]
    assert parse("5;255;0;0;17;2.3.2").publications[0].data["presented"] == "S_ARDUINO_NODE"
    assert parse("5;255;3;0;11;Pill box").publications == [
        Publication(INFO, {"device": "5", "sketch_name": "Pill box"})
    ]


def test_req_is_info_and_stream_and_log_are_dropped() -> None:
    assert parse("3;1;2;0;2;").publications == [Publication(INFO, {"device": "3/1", "request": 2})]
    assert parse("3;255;4;0;0;0100ABCD") == Parsed()
    # I_LOG_MESSAGE (9): gateway debug output such as the forum's "read: 3-3-0 s=0,c=1..."
    assert parse("0;0;3;0;9;read: 3-3-0 s=0,c=1,t=24,pt=0,l=11,sg=0:27") == Parsed()


def test_time_and_config_requests_are_answered() -> None:
    assert parse("172;255;3;0;1;").reply == "172;255;3;0;1;1700000000\n"
    assert parse("9;255;3;0;6;0").reply == "9;255;3;0;6;M\n"


def test_payload_may_hold_semicolons() -> None:
    assert parse("5;1;0;0;0;a;b").publications[0].data["description"] == "a;b"


@pytest.mark.parametrize(
    "line",
    [
        "",
        "1;2;3",
        "x;1;1;0;0;20",
        "1;1;1;2;0;20",  # ack must be 0 or 1
        "300;1;1;0;0;20",  # node ids are 0-255
        "1;1;9;0;0;20",  # no command 9
        "1;1;1;0;0;warm",  # V_TEMP must be a number
        "1;1;1;0;0;nan",
        "1;1;1;0;2;on",  # V_STATUS is 0 or 1
        "1;255;3;0;0;140",  # battery is a percentage
    ],
)
def test_bad_lines_raise_mysensors_error(line: str) -> None:
    with pytest.raises(MySensorsError):
        parse(line)


def test_reader_counts_bad_lines_and_keeps_going() -> None:
    reader = LineReader(now=lambda: 0.0)
    stream = b"\xff\xfe;garbage\n12;6;1;0;0;36.5\r\n" + b"9" * 500 + b"\n\n1;2;3\n12;6;1;0;0;3"
    results = reader.feed(stream[:20]) + reader.feed(stream[20:]) + reader.feed(b"7.0\n")
    assert [p.publications for p in results] == [
        [reading("12/6", Kind.TEMPERATURE, 36.5)],
        [reading("12/6", Kind.TEMPERATURE, 37.0)],
    ]
    assert reader.rejected == {"encoding": 1, "oversize": 1, "format": 1}


@given(st.binary(max_size=3000), st.lists(st.integers(1, 100), max_size=40))
def test_any_byte_stream_is_read_without_exception(data: bytes, cuts: list[int]) -> None:
    data = data.replace(b"\x01", b" " * 300)  # long blank lines, too
    reader = LineReader(now=lambda: 0.0)
    position = 0
    for size in [*cuts, len(data)]:
        reader.feed(data[position : position + size])
        position += size
    lines = data.split(b"\n")[:-1]
    complete = [line for line in lines if len(line) > MAX_LINE or line.strip()]
    assert reader.accepted + reader.rejected_total == len(complete)
