"""The CASAS reader against the real AL-Smarthome log, and against broken rows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.datasets import BadRow, DatasetRead, read_casas, read_casas_labels
from hub.events import Reading, Source
from tests.datasets.conftest import physical_line, utc, write_lines

PACIFIC = ZoneInfo("America/Los_Angeles")
DEVICES = {
    "Bathroom/Bathroom",
    "Bathroom/BathroomLight",
    "Bedroom/Bedroom",
    "Bedroom/Closet",
    "Kitchen/Kitchen",
    "Kitchen/KitchenLight",
    "LivingRoom/LivingRoom",
    "LoungeChair/LivingRoom",
    "OutsideDoor/Entry",
    "OutsideDoor/FrontDoor",
    "WorkArea/WorkArea",
    "WorkArea/WorkAreaLight",
}


@pytest.fixture(scope="module")
def casas(casas_file: Path) -> DatasetRead:
    return read_casas(casas_file, PACIFIC)


def at_line(read: DatasetRead, number: int) -> Reading:
    """The reading from physical line `number`: the real log has one per line, in order."""
    record = read.records[number - 1]
    assert isinstance(record, Reading)
    return record


def test_every_row_becomes_one_reading(casas: DatasetRead) -> None:
    assert casas.rows == 61_578
    assert len(casas.records) == 61_578
    assert casas.problems == []
    readings = [r for r in casas.records if isinstance(r, Reading)]
    assert len(readings) == 61_578
    assert {r.device for r in readings} == DEVICES
    assert {r.source for r in readings} == {Source.CASAS}
    assert {r.kind for r in readings} == {None}
    # SOURCE.md: ON 30,555 + OPEN 233 are True; OFF 30,557 + CLOSE 233 are False.
    assert Counter(r.value for r in readings) == {True: 30_788, False: 30_790}


def test_times_are_utc_in_file_order(casas: DatasetRead) -> None:
    times = [r.time for r in casas.records]
    assert times == sorted(times)  # type: ignore[type-var]
    # 2011-06-15 01:03:39.14962 and 2011-07-14 22:25:29.68522 Pacific daylight time (UTC-7).
    assert casas.records[0].time == utc("2011-06-15 08:03:39.149620")
    assert casas.records[-1].time == utc("2011-07-15 05:25:29.685220")


@pytest.mark.parametrize(
    ("line", "fraction", "expected"),
    [
        (65, ".0985", utc("2011-06-15 08:46:21.098500")),
        (5235, ".414", utc("2011-06-18 04:54:11.414000")),
        (14677, ".35", utc("2011-06-23 00:53:48.350000")),
    ],
)
def test_short_fractions_are_decimal_fractions(
    casas: DatasetRead, casas_file: Path, line: int, fraction: str, expected: datetime
) -> None:
    assert fraction + " " in physical_line(casas_file, line)
    assert at_line(casas, line).time == expected


def test_repeated_and_unpaired_states_are_kept(casas: DatasetRead) -> None:
    # SOURCE.md's lines 9731 and 9734: a second ON (the first is line 9729) and a
    # second OFF (the first is line 9732), with no opposite state between.
    entry = [at_line(casas, n) for n in (9729, 9731, 9732, 9734)]
    assert [(r.device, r.value) for r in entry] == [("OutsideDoor/Entry", True)] * 2 + [
        ("OutsideDoor/Entry", False)
    ] * 2
    assert (at_line(casas, 2553).value, at_line(casas, 2554).value) == (True, True)
    # The resync burst: three OFFs within 0.3 s, each a second OFF for its sensor.
    burst = [at_line(casas, n) for n in (53756, 53757, 53758)]
    assert [(r.device, r.value) for r in burst] == [
        ("LoungeChair/LivingRoom", False),
        ("WorkArea/WorkArea", False),
        ("Kitchen/Kitchen", False),
    ]


def test_label_runs(casas_file: Path) -> None:
    labels = read_casas_labels(casas_file, PACIFIC)
    assert labels.problems == []
    runs = Counter(interval.label for interval in labels.intervals)
    assert (runs["Sleep"], runs["Leave_Home"], runs["Step_Out"]) == (87, 74, 54)
    assert len(runs) == 30
    assert all(i.start <= i.end for i in labels.intervals)
    first = labels.intervals[0]
    assert (first.label, first.start) == ("Sleep", utc("2011-06-15 08:03:39.149620"))


def test_bad_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "data",
        [
            "2011-06-15 01:03:39.14962 Bedroom Bedroom ON Sleep",  # 1 good
            "2011-06-15 01:03:40 Bedroom Bedroom OFF",  # 2 good: no label, whole seconds
            "2011-06-15 01:03:41.1 Bedroom Bedroom ON Sleep extra",  # 3 seven fields
            "",  # 4 blank: not a row
            "2011-13-15 01:03:42.5 Bedroom Bedroom ON Sleep",  # 5 month 13
            "2011-06-15 01:03:43.5 Bedroom Bedroom MAYBE Sleep",  # 6 bad value
            "2011-06-15 01:03 Bedroom Bedroom ON Sleep",  # 7 no seconds
            "2011-06-15 01:03:44+02:00 Bedroom Bedroom ON Sleep",  # 8 carries a zone
            "15/06/2011 01:03:45.5 Bedroom Bedroom ON Sleep",  # 9 not ISO
            "2011-06-15 01:03:46.25 OutsideDoor FrontDoor OPEN Leave_Home",  # 10 good
            "2011-W24-3 01:03:47.5 Bedroom Bedroom ON Sleep",  # 11 an ISO week date
            "2011-06-15 01:03:48,5 Bedroom Bedroom ON Sleep",  # 12 a decimal comma
        ],
    )
    read = read_casas(path, PACIFIC)
    assert read.rows == 11
    assert [(p.line, p.reason) for p in read.problems] == [
        (3, "expected 6 fields, found 7"),
        (5, "bad timestamp 2011-13-15 01:03:42.5"),
        (6, "unknown value 'MAYBE' (expected ON, OFF, OPEN or CLOSE)"),
        (7, "bad timestamp 2011-06-15 01:03"),
        (8, "bad timestamp 2011-06-15 01:03:44+02:00"),
        (9, "bad timestamp 15/06/2011 01:03:45.5"),
        (11, "bad timestamp 2011-W24-3 01:03:47.5"),
        (12, "bad timestamp 2011-06-15 01:03:48,5"),
    ]
    assert all(isinstance(p, BadRow) and p.path == path for p in read.problems)
    assert read.problems[2].text == "2011-06-15 01:03:43.5 Bedroom Bedroom MAYBE Sleep"
    assert [(r.device, r.value) for r in read.records if isinstance(r, Reading)] == [
        ("Bedroom/Bedroom", True),
        ("Bedroom/Bedroom", False),
        ("OutsideDoor/FrontDoor", True),
    ]
    labels = read_casas_labels(path, PACIFIC)
    assert [p.line for p in labels.problems] == [2, 3, 5, 6, 7, 8, 9, 11, 12]
    assert labels.problems[0].reason == "no activity label"
    assert [(i.label, i.start == i.end) for i in labels.intervals] == [
        ("Sleep", True),
        ("Leave_Home", True),
    ]


def test_long_lines_are_cut_in_the_report(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "data", ["x" * 500])
    (problem,) = read_casas(path, PACIFIC).problems
    assert problem.text == "x" * 120 + "..."


def test_dst_changes_use_fold_0(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "data",
        [
            "2011-03-13 01:59:59 Bedroom Bedroom ON x",  # PST, UTC-8
            "2011-03-13 02:30:00 Bedroom Bedroom OFF x",  # does not exist: taken as PST
            "2011-03-13 03:00:00 Bedroom Bedroom ON x",  # PDT, UTC-7
            "2011-11-06 01:30:00 Bedroom Bedroom OFF x",  # happens twice: fold=0 is PDT
            "2011-11-06 02:30:00 Bedroom Bedroom ON x",  # PST
            "2011-11-07 12:00:00 Bedroom Bedroom OFF x",  # the next day, PST
        ],
    )
    read = read_casas(path, PACIFIC)
    # Sorted by time, the non-existent 02:30 (as PST, 10:30Z) lands after 03:00 PDT.
    assert [r.time for r in read.records] == [
        utc("2011-03-13 09:59:59"),
        utc("2011-03-13 10:00:00"),
        utc("2011-03-13 10:30:00"),
        utc("2011-11-06 08:30:00"),
        utc("2011-11-06 10:30:00"),
        utc("2011-11-07 20:00:00"),
    ]
