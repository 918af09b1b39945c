"""The van Kasteren readers: the 2008 text release and the TL epoch conversion."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.datasets import (
    DatasetError,
    DatasetRead,
    read_kasteren,
    read_kasteren_labels,
    read_kasteren_tl,
    read_kasteren_tl_labels,
)
from hub.events import Reading, Source
from tests.datasets.conftest import utc, write_lines

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NAMES_2008 = {
    "Microwave",
    "Hall-Toilet door",
    "Hall-Bathroom door",
    "Cups cupboard",
    "Fridge",
    "Plates cupboard",
    "Frontdoor",
    "Dishwasher",
    "ToiletFlush",
    "Freezer",
    "Pans Cupboard",
    "Washingmachine",
    "Groceries Cupboard",
    "Hall-Bedroom door",
}


def readings(read: DatasetRead) -> list[Reading]:
    found = [r for r in read.records if isinstance(r, Reading)]
    assert len(found) == len(read.records)
    return found


def spans(read: DatasetRead, device: str) -> list[tuple[datetime | None, datetime | None]]:
    """(ON time, OFF time) pairs of a device whose intervals never overlap."""
    mine = [r for r in readings(read) if r.device == device]
    ons = [r.time for r in mine if r.value is True]
    offs = [r.time for r in mine if r.value is False]
    return list(zip(ons, offs, strict=True))


# --- 2008 text release -------------------------------------------------------------


def test_2008_sensors(kasteren_2008: Path) -> None:
    path = kasteren_2008 / "kasterenSenseData.txt"
    assert path.read_bytes().endswith(b"\r\nLength: 1319")  # the footer has no newline
    read = read_kasteren(path, AMSTERDAM)
    assert (read.rows, len(read.records), read.problems) == (1319, 2638, [])
    found = readings(read)
    assert {r.device for r in found} == NAMES_2008  # parsed from the 23-line header
    assert {(r.source, r.kind) for r in found} == {(Source.KASTEREN, None)}
    # Line 24, the first row: 25-Feb-2008 00:20:14 CET.
    assert (found[0].device, found[0].value, found[0].time) == (
        "Hall-Bedroom door",
        True,
        utc("2008-02-24 23:20:14"),
    )
    # Line 516: the microwave "on" for seven days is kept as written.
    assert (utc("2008-03-06 18:05:02"), utc("2008-03-13 17:56:00")) in spans(read, "Microwave")


def test_2008_labels(kasteren_2008: Path) -> None:
    labels = read_kasteren_labels(kasteren_2008 / "kasterenActData.txt", AMSTERDAM)
    assert labels.problems == []
    assert len(labels.intervals) == 245
    assert {i.label for i in labels.intervals} == {
        "leave house",
        "use toilet",
        "take shower",
        "go to bed",
        "prepare Breakfast",
        "prepare Dinner",
        "get drink",
    }
    # Line 260, the longest: leave house for 1 d 23 h 54 m.
    longest = max(labels.intervals, key=lambda i: i.end - i.start)
    assert (longest.label, str(longest.end - longest.start)) == ("leave house", "1 day, 23:54:22")


def test_2008_bad_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "sense.txt",
        [
            "Start time: Time sensor started firing",  # 1 free text, not the table header
            "Sensor IDs are: ",
            "    [ 1]    'Microwave'         ",
            "    [24]    'Hall-Bedroom door' ",
            "",
            "Start time          \tEnd time            \tID\tVal",
            "--------------------\t--------------------\t--\t---",
            "25-Feb-2008 00:20:14\t25-Feb-2008 00:22:57\t24\t1",  # 8 good
            "25-Feb-2008 09:33:41\t25-Feb-2008 09:33:42\t24",  # 9 no val
            "30-Feb-2008 09:33:47\t25-Feb-2008 17:21:12\t24\t1",  # 10 no such day
            "25-Fev-2008 09:33:47\t25-Feb-2008 17:21:12\t24\t1",  # 11 not a month
            "25-Feb-2008 09:36:43\t25-Feb-2008 09:37:04\t5\t0",  # 12 val 0
            "25-Feb-2008 09:36:43\t25-Feb-2008 09:37:04\tfive\t1",  # 13 bad id
            "25-Feb-2008 09:37:20\t25-Feb-2008 09:37:19\t1\t1",  # 14 backwards
            "25-Feb-2008 09:37:51\t25-Feb-2008 09:37:52\t14\t1",  # 15 good, no name
            "Length: 99",  # 16 footer with the wrong count
        ],
        newline="\r\n",
        final=False,
    )
    read = read_kasteren(path, AMSTERDAM)
    assert read.rows == 8
    assert [(p.line, p.reason) for p in read.problems] == [
        (9, "expected 6 fields, found 5"),
        (10, "bad start time 30-Feb-2008 09:33:47"),
        (11, "bad start time 25-Fev-2008 09:33:47"),
        (12, "val is '0', not 1"),
        (13, "bad id 'five'"),
        (14, "ends before it starts"),
        (16, "footer says 99 rows, the table has 8"),
    ]
    assert [(r.device, r.value) for r in readings(read)] == [
        ("Hall-Bedroom door", True),
        ("Hall-Bedroom door", False),
        ("id14", True),
        ("id14", False),
    ]


# --- TL epoch conversion ----------------------------------------------------------


@pytest.mark.parametrize(
    ("house", "rows", "devices", "labels"),
    [("A", 1229, 14, 259), ("B", 19_075, 23, 112), ("C", 22_700, 21, 234)],
)
def test_tl_houses(kasteren_tl: Path, house: str, rows: int, devices: int, labels: int) -> None:
    read = read_kasteren_tl(kasteren_tl / f"house{house}.sensors", AMSTERDAM)
    assert (read.rows, len(read.records), read.problems) == (rows, 2 * rows, [])
    names = {r.device for r in readings(read)}
    assert len(names) == devices
    assert "id4" in names  # named by nobody in all three houses
    times = [r.time for r in read.records]
    assert times == sorted(times)  # type: ignore[type-var]
    acts = read_kasteren_tl_labels(kasteren_tl / f"house{house}.activities", AMSTERDAM)
    assert (len(acts.intervals), acts.problems) == (labels, [])
    assert len({i.label for i in acts.intervals}) == 8


def test_tl_unknown_ids_are_kept(kasteren_tl: Path) -> None:
    read = read_kasteren_tl(kasteren_tl / "houseB.sensors", AMSTERDAM)
    counts = Counter(r.device for r in readings(read) if r.value is True)
    assert {
        device: counts[device] for device in ("id4", "id20", "id22", "id23", "id24", "id25")
    } == {
        "id4": 106,
        "id20": 330,
        "id22": 150,
        "id23": 2,
        "id24": 45,
        "id25": 21,
    }


def test_tl_epochs_are_local_wall_time(kasteren_tl: Path, kasteren_2008: Path) -> None:
    tl = readings(read_kasteren_tl(kasteren_tl / "houseA.sensors", AMSTERDAM))
    original = readings(read_kasteren(kasteren_2008 / "kasterenSenseData.txt", AMSTERDAM))
    # 1203898814 reads as 2008-02-25 00:20:14 "UTC", which is the original's local time.
    assert tl[0].time == original[0].time == utc("2008-02-24 23:20:14")
    assert tl[0].device == original[0].device == "Hall-Bedroom door"


def test_tl_house_a_id_4_is_the_original_cups_cupboard(
    kasteren_tl: Path, kasteren_2008: Path
) -> None:
    # The claim config/kasteren-tl-a.yaml relies on: 49 of the original's 50 "Cups
    # cupboard" intervals reappear as id 4, and id 4 has no other rows.
    tl = set(spans(read_kasteren_tl(kasteren_tl / "houseA.sensors", AMSTERDAM), "id4"))
    original = read_kasteren(kasteren_2008 / "kasterenSenseData.txt", AMSTERDAM)
    cups = set(spans(original, "Cups cupboard"))
    assert (len(tl), len(cups), len(tl & cups)) == (49, 50, 49)


def test_tl_zero_duration_and_trailing_tab_name(kasteren_tl: Path) -> None:
    house_b = read_kasteren_tl(kasteren_tl / "houseB.sensors", AMSTERDAM)
    moment = utc("2009-07-30 12:29:03")  # line 10566: 1248964143 0 28, CEST
    zero = [(r.device, r.value) for r in readings(house_b) if r.time == moment]
    assert zero == [("PIR keuken", True), ("PIR keuken", False)]
    assert (kasteren_tl / "houseC.sensor_names").read_text().split("\n")[1].endswith("\t")
    house_c = read_kasteren_tl(kasteren_tl / "houseC.sensors", AMSTERDAM)
    assert "matt couch living room" in {r.device for r in readings(house_c)}


def test_tl_bad_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    names = write_lines(
        tmp_path / "houseX.sensor_names",
        ["24\tHall-Bedroom door\t", "no id here", "24\tagain"],
        final=False,
    )
    path = write_lines(
        tmp_path / "houseX.sensors",
        [
            "1203898814\t163\t24",  # 1 good
            "1203932021\t1",  # 2 two fields
            "1203932027\tlong\t24",  # 3 not an integer
            "1203932027\t-5\t24",  # 4 negative duration
            "999999999999999999\t1\t24",  # 5 beyond year 9999
            "",  # 6 blank
            "1203932100\t0\t7",  # 7 good, zero length, no name
        ],
    )
    read = read_kasteren_tl(path, AMSTERDAM)
    assert read.rows == 6
    assert [(p.path.name, p.line, p.reason) for p in read.problems] == [
        ("houseX.sensor_names", 2, "expected 'id<TAB>name'"),
        ("houseX.sensor_names", 3, "id 24 is named twice"),
        ("houseX.sensors", 2, "expected 3 fields, found 2"),
        ("houseX.sensors", 3, "expected three integers"),
        ("houseX.sensors", 4, "negative duration"),
        ("houseX.sensors", 5, "time out of range"),
    ]
    assert [(r.device, r.value) for r in readings(read)] == [
        ("Hall-Bedroom door", True),
        ("Hall-Bedroom door", False),
        ("id7", True),
        ("id7", False),
    ]
    assert read_kasteren_tl(path, AMSTERDAM, names).problems == read.problems


def test_tl_without_names_file_uses_ids(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "houseY.sensors", ["1203898814\t163\t24"])
    read = read_kasteren_tl(path, AMSTERDAM)
    assert {r.device for r in readings(read)} == {"id24"}
    with pytest.raises(DatasetError, match=r"missing\.sensor_names"):
        read_kasteren_tl(path, AMSTERDAM, tmp_path / "missing.sensor_names")
