"""The canonical event file: exact format, exact round trip, and every bad row reported."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.datasets import (
    EventEncodeError,
    event_from_json,
    event_to_json,
    read_jsonl,
    write_jsonl,
)
from hub.events import BINARY_KINDS, NUMERIC_KINDS, Event, Kind, Source
from tests.datasets.conftest import write_lines


def value_for(kind: Kind) -> st.SearchStrategy[bool | float | str]:
    if kind in BINARY_KINDS:
        return st.booleans()
    if kind in NUMERIC_KINDS:
        return st.floats(allow_nan=False, allow_infinity=False)
    return st.text()


events = st.builds(
    lambda kind, data, moment, sensor, source: Event(
        moment, sensor, kind, data.draw(value_for(kind)), source
    ),
    st.sampled_from(Kind),
    st.data(),
    st.datetimes(timezones=st.just(UTC)),
    st.text(min_size=1),
    st.sampled_from(Source),
)


@settings(max_examples=100)
@given(events)
def test_round_trip_is_exact(event: Event) -> None:
    line = event_to_json(event)
    assert "\n" not in line
    assert line.isascii()
    back = event_from_json(line)
    assert back == event
    assert back.time.tzinfo is UTC
    assert type(back.value) is type(event.value)


def test_format() -> None:
    moment = datetime(2011, 6, 15, 8, 3, 39, 149_620, tzinfo=UTC)
    event = Event(moment, "bedroom_motion", Kind.MOTION, True, Source.CASAS)
    assert event_to_json(event) == (
        '{"time": "2011-06-15T08:03:39.149620Z", "sensor": "bedroom_motion", '
        '"kind": "motion", "value": true, "source": "casas"}'
    )
    whole = Event(moment.replace(microsecond=0), "kettle", Kind.POWER, 2000.0, Source.TASMOTA)
    assert json.loads(event_to_json(whole))["time"] == "2011-06-15T08:03:39Z"
    assert json.loads(event_to_json(whole))["value"] == 2000.0


def test_other_offsets_are_converted_to_utc() -> None:
    paris = timezone(timedelta(hours=2))
    event = Event(datetime(2024, 6, 1, 9, 0, tzinfo=paris), "s", Kind.MOTION, True, Source.JSONL)
    assert json.loads(event_to_json(event))["time"] == "2024-06-01T07:00:00Z"
    line = event_to_json(event).replace("07:00:00Z", "09:00:00+02:00")
    assert event_from_json(line).time == datetime(2024, 6, 1, 7, 0, tzinfo=UTC)


def test_naive_time_cannot_be_written() -> None:
    event = Event(datetime(2024, 6, 1, 9, 0), "s", Kind.MOTION, True, Source.JSONL)
    with pytest.raises(EventEncodeError, match="naive"):
        event_to_json(event)


def test_integers_are_numbers_for_numeric_kinds() -> None:
    line = '{"time": "2024-06-01T07:00:00Z", "sensor": "k", "kind": "power", "value": 5, '
    event = event_from_json(line + '"source": "shelly"}')
    assert (event.value, type(event.value)) == (5.0, float)


GOOD = (
    '{"time": "2024-06-01T07:00:0%dZ", "sensor": "s", "kind": "motion", "value": true, '
    '"source": "jsonl"}'
)


def test_bad_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "events.jsonl",
        [
            GOOD % 5,  # 1
            "not json",  # 2
            "[1, 2]",  # 3
            '{"time": "2024-06-01T07:00:00Z", "sensor": "s", "kind": "motion", "value": true}',
            GOOD.replace('"source"', '"room": "x", "source"') % 1,  # 5 extra field
            GOOD.replace('"sensor": "s"', '"sensor": "s", "sensor": "t"') % 1,  # 6 twice
            GOOD.replace("motion", "smell") % 1,  # 7
            GOOD.replace("true", "1") % 1,  # 8 a number is not a motion value
            GOOD.replace("Z", "") % 1,  # 9 naive time
            (GOOD % 1).replace("2024-06-01T07:00:01Z", "yesterday"),  # 10
            "   ",  # 11 blank: not a row
            GOOD.replace('"s"', '""') % 1,  # 12 empty sensor id
            GOOD % 1,  # 13 good, earlier than line 1
        ],
    )
    read = read_jsonl(path)
    assert read.rows == 12
    assert [p.line for p in read.problems] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12]
    reasons = [p.reason for p in read.problems]
    assert reasons[0].startswith("not JSON: ")
    assert reasons[1:] == [
        "expected a JSON object, got list",
        "fields: missing source",
        "fields: unknown room",
        "field 'sensor' appears twice",
        "'smell' is not a valid Kind",
        "motion needs a bool value, got 1",
        "time '2024-06-01T07:00:01' has no zone (write it in UTC with 'Z')",
        "time 'yesterday' is not ISO 8601",
        "sensor must be a non-empty string, got ''",
    ]
    assert [r.time for r in read.records] == [
        datetime(2024, 6, 1, 7, 0, 1, tzinfo=UTC),
        datetime(2024, 6, 1, 7, 0, 5, tzinfo=UTC),
    ]


def test_write_then_read(tmp_path: Path) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    written = [
        Event(start + timedelta(seconds=n), f"sensor_{n}", Kind.TEMPERATURE, n / 3, Source.ESPHOME)
        for n in range(5)
    ] + [Event(start, "pillbox", Kind.MEDICATION, "taken ✓", Source.BRIDGE)]
    out = io.StringIO()
    assert write_jsonl(written, out) == 6
    path = tmp_path / "out.jsonl"
    path.write_text(out.getvalue(), encoding="ascii")
    read = read_jsonl(path)
    assert (read.rows, read.problems) == (6, [])
    # Stable sort: the two events at `start` keep their order in the file.
    assert read.records == [written[0], written[5], *written[1:5]]
