"""The Ordonez readers against the committed UCI files (these tests never skip)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.datasets import DatasetRead, read_ordonez_labels, read_ordonez_sensors
from hub.events import Reading, Source
from tests.datasets.conftest import ORDONEZ, physical_line, utc, write_lines

MADRID = ZoneInfo("Europe/Madrid")
SHA256 = {
    "OrdonezA_ADLs.txt": "b018601885e1c62a9769f6b2ac7b47fcd51497d8880e272c1b3ff678eb63e15d",
    "OrdonezA_Description.txt": "4ce4b8e4dbbaa9208069ac184e5686c2b8fdcf97a446a8357112f3ea2bc7b3dc",
    "OrdonezA_Sensors.txt": "3ec41f2b1d15c90aec0753d02a21c9e7add0b6f761ef76f3d8d428fb2dd0fa9d",
    "OrdonezB_ADLs.txt": "d2c59c9ada5da5dbebe26c6f02f02e331fc61a5d4ec425e19ef5a9de98852d58",
    "OrdonezB_Description.txt": "727f35c52afca460dee311eff8f3897065dfd75bc755b3dbb9de6b616df4d43d",
    "OrdonezB_Sensors.txt": "b0c77812b48f3b7d81afa446c80faba35b33bd99075350e929fa34a463c49a00",
}
HEADER = [
    "Start time          \tEnd time            \tLocation\tType\t\tPlace",
    "--------------------\t--------------------\t--------\t--------\t-----",
]


@pytest.fixture(scope="module")
def sensors_a() -> DatasetRead:
    return read_ordonez_sensors(ORDONEZ / "OrdonezA_Sensors.txt", MADRID)


@pytest.fixture(scope="module")
def sensors_b() -> DatasetRead:
    return read_ordonez_sensors(ORDONEZ / "OrdonezB_Sensors.txt", MADRID)


def readings(read: DatasetRead) -> list[Reading]:
    found = [r for r in read.records if isinstance(r, Reading)]
    assert len(found) == len(read.records)
    return found


def index_of(read: DatasetRead, device: str, value: bool, moment: datetime) -> int:
    """Where the reading with these fields sits in the sorted records."""
    matches = [
        i
        for i, r in enumerate(readings(read))
        if (r.device, r.value, r.time) == (device, value, moment)
    ]
    assert len(matches) == 1, matches
    return matches[0]


@pytest.mark.parametrize(("name", "digest"), sorted(SHA256.items()))
def test_committed_copies_are_byte_identical_to_uci(name: str, digest: str) -> None:
    assert hashlib.sha256((ORDONEZ / name).read_bytes()).hexdigest() == digest


def test_files_keep_their_crlf_and_missing_final_newline() -> None:
    for name in ("OrdonezA_Sensors.txt", "OrdonezB_Sensors.txt", "OrdonezA_ADLs.txt"):
        data = (ORDONEZ / name).read_bytes()
        assert b"\r\n" in data
        assert not data.endswith(b"\n")


def test_home_a_sensors(sensors_a: DatasetRead) -> None:
    assert (sensors_a.rows, len(sensors_a.records), sensors_a.problems) == (409, 818, [])
    found = readings(sensors_a)
    assert {r.source for r in found} == {Source.ORDONEZ}
    assert {r.kind for r in found} == {None}
    assert len({r.device for r in found}) == 12
    # Line 3, the first row: CET is UTC+1.
    assert (found[0].device, found[0].value, found[0].time) == (
        "Bed/Pressure/Bedroom",
        True,
        utc("2011-11-28 01:27:59"),
    )
    # Line 411, the last, with no newline after it.
    assert (found[-1].device, found[-1].value, found[-1].time) == (
        "Bed/Pressure/Bedroom",
        False,
        utc("2011-12-12 06:22:21"),
    )


@pytest.mark.parametrize("line", [48, 63, 109, 216, 232, 404])
def test_stray_spaces_before_tabs(sensors_a: DatasetRead, line: int) -> None:
    text = physical_line(ORDONEZ / "OrdonezA_Sensors.txt", line)
    assert " \t" in text
    fields = text.split()
    start = datetime.fromisoformat(f"{fields[0]} {fields[1]}").replace(tzinfo=MADRID)
    index_of(sensors_a, "/".join(fields[4:]), True, start.astimezone(UTC))


def test_zero_length_interval_gives_on_then_off(sensors_a: DatasetRead) -> None:
    moment = utc("2011-11-28 15:10:05")  # line 31, 16:10:05 -> 16:10:05 local
    on = index_of(sensors_a, "Basin/PIR/Bathroom", True, moment)
    off = index_of(sensors_a, "Basin/PIR/Bathroom", False, moment)
    assert off == on + 1


def test_home_b_out_of_order_rows_are_sorted(sensors_b: DatasetRead) -> None:
    assert (sensors_b.rows, len(sensors_b.records), sensors_b.problems) == (2334, 4668, [])
    times = [r.time for r in sensors_b.records]
    assert times == sorted(times)  # type: ignore[type-var]
    assert {r.device for r in readings(sensors_b)} >= {
        "Door/PIR/Bedroom",
        "Door/PIR/Kitchen",
        "Door/PIR/Living",
    }
    # Line 2067: a Seat interval from 12:41:45 written after a 22:40:00 row (line 2066).
    seat = index_of(sensors_b, "Seat/Pressure/Living", True, utc("2012-11-30 11:41:45"))
    door = index_of(sensors_b, "Door/PIR/Living", True, utc("2012-11-30 21:40:00"))
    assert seat < door
    # Line 327 (12:54:07) comes after line 326 (12:54:27) in the file.
    early = index_of(sensors_b, "Door/PIR/Living", True, utc("2012-11-14 11:54:07"))
    late = index_of(sensors_b, "Maindoor/Magnetic/Entrance", True, utc("2012-11-14 11:54:27"))
    assert early < late


def test_home_a_labels_report_end_before_start() -> None:
    labels = read_ordonez_labels(ORDONEZ / "OrdonezA_ADLs.txt", MADRID)
    assert [(p.line, p.reason) for p in labels.problems] == [
        (72, "ends before it starts"),
        (81, "ends before it starts"),
        (83, "ends before it starts"),
    ]
    assert labels.problems[0].text.startswith("2011-12-01 19:28:51")
    assert len(labels.intervals) == 248 - 3
    assert "Dinner" not in {i.label for i in labels.intervals}  # listed, never used
    assert labels.intervals[0].label == "Sleeping"
    starts = [i.start for i in labels.intervals]
    assert starts == sorted(starts)


def test_home_b_labels() -> None:
    labels = read_ordonez_labels(ORDONEZ / "OrdonezB_ADLs.txt", MADRID)
    assert labels.problems == []
    assert len(labels.intervals) == 493
    counts = Counter(i.label for i in labels.intervals)
    assert (counts["Spare_Time/TV"], counts["Toileting"], counts["Dinner"]) == (116, 93, 11)
    # B labels have minute resolution (starts at :00, ends at :59) except for a few
    # rows SOURCE.md does not list: starts on lines 23, 112, 340, 479; ends on 29,
    # 46, 112, 345.
    assert Counter(i.start.second == 0 for i in labels.intervals) == {True: 489, False: 4}
    assert Counter(i.end.second == 59 for i in labels.intervals) == {True: 489, False: 4}


def test_bad_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "OrdonezX_Sensors.txt",
        [
            *HEADER,
            "2011-11-28 02:27:59\t\t2011-11-28 10:18:11\t\tBed\t\t\tPressure\tBedroom",  # 3 good
            "2011-11-28 10:21:24\t\t2011-11-28 10:21:31\t\tCabinet\t\tMagnetic",  # 4 six fields
            "2011-11-31 10:21:24\t\t2011-11-28 10:21:31\t\tCabinet\tMagnetic\tBathroom",  # 5
            "2011-11-28 10:21:44\t\t2011-11-28 10:21:43\t\tBasin\tPIR\tBathroom",  # 6 backwards
            "   \t",  # 7 blank
            HEADER[0],  # 8 a header among the data
            "2011-11-28 10:30:00 \t2011-11-28 10:31:00\t\tBasin\tPIR\tBathroom",  # 9 good
        ],
        newline="\r\n",
        final=False,
    )
    read = read_ordonez_sensors(path, MADRID)
    assert read.rows == 6
    assert [(p.line, p.reason) for p in read.problems] == [
        (4, "expected 7 fields, found 6"),
        (5, "bad start time 2011-11-31 10:21:24"),
        (6, "ends before it starts"),
        (8, "bad start time Start time"),
    ]
    assert [(r.device, r.value) for r in readings(read)] == [
        ("Bed/Pressure/Bedroom", True),
        ("Bed/Pressure/Bedroom", False),
        ("Basin/PIR/Bathroom", True),
        ("Basin/PIR/Bathroom", False),
    ]


def test_header_only_and_empty_files(tmp_path: Path) -> None:
    header_only = write_lines(tmp_path / "a.txt", HEADER, newline="\r\n", final=False)
    empty = write_lines(tmp_path / "b.txt", [], final=False)
    for path in (header_only, empty):
        read = read_ordonez_sensors(path, MADRID)
        assert (read.rows, read.records, read.problems) == (0, [], [])
