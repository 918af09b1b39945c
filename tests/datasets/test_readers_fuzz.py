"""Property tests: no input makes a reader raise anything but DatasetError.

Any bytes that decode as UTF-8 give a DatasetRead (or LabelsRead) whose problems
point at real lines; bytes that do not decode give one DatasetError. Besides raw
bytes, files are built from mutated real-looking rows, to reach the parsers' inner
branches rather than stopping at the field count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.datasets import (
    DatasetError,
    DatasetRead,
    LabelsRead,
    read_casas,
    read_casas_labels,
    read_dataset,
    read_jsonl,
    read_kasteren,
    read_kasteren_labels,
    read_kasteren_tl,
    read_kasteren_tl_labels,
    read_labels,
    read_ordonez_labels,
    read_ordonez_sensors,
)
from hub.datasets.common import WallClock

TZ = ZoneInfo("Europe/Amsterdam")
FUZZ = settings(
    max_examples=100,
    deadline=None,
    # Each example overwrites the same file in tmp_path, so sharing it is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

Reader = Callable[[Path], DatasetRead | LabelsRead]
READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "casas": lambda p: read_casas(p, TZ),
    "casas-labels": lambda p: read_casas_labels(p, TZ),
    "ordonez": lambda p: read_ordonez_sensors(p, TZ),
    "ordonez-labels": lambda p: read_ordonez_labels(p, TZ),
    "kasteren": lambda p: read_kasteren(p, TZ),
    "kasteren-labels": lambda p: read_kasteren_labels(p, TZ),
    "kasteren-tl": lambda p: read_kasteren_tl(p, TZ),
    "kasteren-tl-labels": lambda p: read_kasteren_tl_labels(p, TZ),
}

SAMPLE_ROWS = [
    '{"time": "2024-06-01T07:00:00Z", "sensor": "s", "kind": "motion", "value": true, '
    '"source": "jsonl"}',
    "2011-06-15 01:03:39.14962 Bedroom Bedroom ON Sleep",
    "2011-06-22 17:53:48.35 WorkArea WorkArea OFF Eat_Dinner",
    "Start time          \tEnd time            \tLocation\tType\t\tPlace",
    "--------------------\t--------------------\t--------\t--------\t-----",
    "2011-11-28 02:27:59\t\t2011-11-28 10:18:11\t\tBed\t\t\tPressure\tBedroom",
    "2011-12-01 19:28:51\t\t2011-12-01 16:29:59\t\tToileting\t",
    "    [ 1]    'Microwave'         ",
    "25-Feb-2008 00:20:14\t25-Feb-2008 00:22:57\t24\t1",
    "25-Feb-2008 00:22:46\t25-Feb-2008 09:34:12\t10",
    "Length: 1319",
    "1203898814\t163\t24",
    "1248964143\t0\t28",
]


@st.composite
def mutated_rows(draw: st.DrawFn) -> bytes:
    """A file of sample rows, some with characters replaced, joined by LF or CRLF."""
    rows = []
    for sample in draw(st.lists(st.sampled_from(SAMPLE_ROWS), max_size=8)):
        row = sample
        if draw(st.booleans()):
            at = draw(st.integers(0, len(row) - 1))
            row = row[:at] + draw(st.text(max_size=3)) + row[at + 1 :]
        rows.append(row)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    ending = draw(st.sampled_from(["", newline]))
    return (newline.join(rows) + ending).encode("utf-8", errors="surrogatepass")


def check(reader: Reader, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(DatasetError, match="not UTF-8"):
            reader(path)
        return
    result = reader(path)
    lines = max(1, text.count("\n") + 1)
    assert all(1 <= problem.line <= lines for problem in result.problems)
    assert all(len(problem.text) <= 123 for problem in result.problems)
    if isinstance(result, DatasetRead):
        # Every problem is a row, except a van Kasteren footer whose count is wrong.
        rows = [p for p in result.problems if p.path == path and not p.reason.startswith("footer")]
        assert result.rows >= len(rows)
        times = [record.time for record in result.records]
        assert all(t is not None and t.tzinfo is UTC for t in times)
        assert times == sorted(times)  # type: ignore[type-var]
    else:
        assert all(i.start <= i.end for i in result.intervals)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    check(READERS[name], tmp_path / "house.sensors", data)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=mutated_rows())
def test_mutated_rows(tmp_path: Path, name: str, data: bytes) -> None:
    check(READERS[name], tmp_path / "house.sensors", data)


@FUZZ
@given(data=st.one_of(mutated_rows(), st.binary(max_size=200)))
def test_dispatchers(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "unknown.dat"
    path.write_bytes(data)
    for read in (read_dataset, read_labels):
        # Unknown format, a label file, not UTF-8: each is one DatasetError, nothing else.
        with contextlib.suppress(DatasetError):
            read(path, None, TZ)


ZONES = st.sampled_from(
    [
        ZoneInfo(name)
        for name in (
            "Europe/Amsterdam",
            "America/Los_Angeles",
            "Australia/Lord_Howe",
            "America/Santiago",
            "Asia/Kolkata",
            "UTC",
        )
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    zone=ZONES,
    walls=st.lists(
        st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30)),
        max_size=20,
    ),
)
def test_wall_clock_matches_zoneinfo(zone: ZoneInfo, walls: list[datetime]) -> None:
    clock = WallClock(zone)
    for drawn in walls:
        wall = drawn.replace(fold=0)
        assert clock.to_utc(wall) == wall.replace(tzinfo=zone).astimezone(UTC)
