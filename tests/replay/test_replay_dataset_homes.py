"""`hearth replay` over every dataset home: the database holds exactly what the file says.

For each home the expected events are computed here from the raw file with the
tests' own few-line parsers (tests/replay/conftest.py), independently of the
readers in hub.datasets, and compared with the rows in SQLite: the count, every
row as a multiset, the insertion order (event time), and the first and last rows.
Where a dataset's SOURCE.md documents a row count or quotes a sample row, that is
checked too, so a mistake shared by the reader and these parsers still shows.

Ordonez data is committed; CASAS and van Kasteren come from the shared folder and
skip with the reason from tests/datasets/conftest.py when it is absent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.replay.conftest import (
    CONFIG,
    ORDONEZ,
    Mapping,
    Row,
    after_table_header,
    casas_events,
    count_events,
    data_lines,
    event_rows,
    hearth,
    kasteren_2008_events,
    kasteren_tl_events,
    micros,
    ordonez_events,
    stored,
    summary_of,
)


def _ordonez(path: Path, mapping: Mapping) -> list[Row]:
    return ordonez_events(after_table_header(data_lines(path)), mapping)


@dataclass(frozen=True)
class Home:
    config: str
    data: str  # absolute (committed) or relative to the shared datasets folder
    expected: Callable[[Path, Mapping], list[Row]]
    per_row: int  # events per data row: 1 for an event log, 2 (ON, OFF) for intervals
    documented_rows: int  # data rows, as the dataset's SOURCE.md gives them
    # A sample row SOURCE.md quotes, as (device, local wall time, value) of its first event.
    documented_first: tuple[str, str, bool] | None = None


HOMES = {
    # casas_al_smarthome/SOURCE.md: 61,578 lines, one event each; line 1 is
    # `2011-06-15 01:03:39.14962 Bedroom Bedroom ON Sleep`.
    "casas": Home(
        "casas-al-smarthome.yaml",
        "casas_al_smarthome/data",
        casas_events,
        1,
        61_578,
        ("Bedroom/Bedroom", "2011-06-15 01:03:39.149620", True),
    ),
    # ordonez_uci_adl/SOURCE.md: 409 and 2,334 data rows; A's first row is
    # `2011-11-28 02:27:59  2011-11-28 10:18:11  Bed Pressure Bedroom`.
    "ordonez-a": Home(
        "ordonez-a.yaml",
        str(ORDONEZ / "OrdonezA_Sensors.txt"),
        _ordonez,
        2,
        409,
        ("Bed/Pressure/Bedroom", "2011-11-28 02:27:59", True),
    ),
    "ordonez-b": Home("ordonez-b.yaml", str(ORDONEZ / "OrdonezB_Sensors.txt"), _ordonez, 2, 2_334),
    # kasteren/SOURCE.md: 1,319 sensor intervals; first row
    # `25-Feb-2008 00:20:14  25-Feb-2008 00:22:57  24  1` (24 = Hall-Bedroom door).
    "kasteren-a-2008": Home(
        "kasteren-a-2008.yaml",
        "kasteren/houseA_2008_original/kasterenSenseData.txt",
        kasteren_2008_events,
        2,
        1_319,
        ("Hall-Bedroom door", "2008-02-25 00:20:14", True),
    ),
    # kasteren/SOURCE.md: TL rows A 1,229, B 19,075, C 22,700; A's first row
    # `1203898814 163 24` is 2008-02-25 00:20:14 local time.
    "kasteren-tl-a": Home(
        "kasteren-tl-a.yaml",
        "kasteren/tl_converted_houses_ABC/houseA.sensors",
        kasteren_tl_events,
        2,
        1_229,
        ("Hall-Bedroom door", "2008-02-25 00:20:14", True),
    ),
    "kasteren-tl-b": Home(
        "kasteren-tl-b.yaml",
        "kasteren/tl_converted_houses_ABC/houseB.sensors",
        kasteren_tl_events,
        2,
        19_075,
    ),
    "kasteren-tl-c": Home(
        "kasteren-tl-c.yaml",
        "kasteren/tl_converted_houses_ABC/houseC.sensors",
        kasteren_tl_events,
        2,
        22_700,
    ),
}
# The biggest files: each replay plus the independent parse takes a second or two.
SLOW = {"casas", "kasteren-tl-b", "kasteren-tl-c"}


def data_file(home: Home, request: pytest.FixtureRequest) -> Path:
    if Path(home.data).is_absolute():
        return Path(home.data)
    shared: Path = request.getfixturevalue("shared_datasets")  # skips when absent
    return shared / home.data


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in HOMES],
)
def test_replay_stores_exactly_the_file(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    home = HOMES[name]
    config = CONFIG / home.config
    path = data_file(home, request)
    mapping = Mapping.load(config)
    expected = home.expected(path, mapping)
    rows_in_file = len(expected) // home.per_row
    assert rows_in_file == home.documented_rows  # our parser agrees with SOURCE.md
    db = tmp_path / "x.db"

    summary = summary_of(hearth("replay", "--config", config, "--db", db, "--json", path))

    # The summary agrees with the file, and with itself.
    [report] = summary["files"]
    assert report["path"] == str(path)
    assert report["rows"] == rows_in_file
    assert report["bad_rows"] == 0
    assert report["records"] == len(expected)
    assert summary["stored_events"] == len(expected)
    assert summary["unmapped"] == 0
    assert summary["unfit"] == 0

    # The database holds exactly the expected events: count, then every row.
    assert count_events(db) == len(expected)
    rows = stored(db)
    assert Counter(rows) == Counter(expected)

    # Replayed in event time: insertion order never goes back in time.
    times = [row[0] for row in rows]
    assert times == sorted(times)
    first_us, last_us = min(r[0] for r in expected), max(r[0] for r in expected)
    assert rows[0] in [r for r in expected if r[0] == first_us]
    assert rows[-1] in [r for r in expected if r[0] == last_us]
    assert datetime.fromisoformat(summary["first"]) == _utc(first_us)
    assert datetime.fromisoformat(summary["last"]) == _utc(last_us)

    # Every stored value has SQLite's integer type (bools as 0/1), never text.
    assert {row[5] for row in event_rows(db)} == {"integer"}


@pytest.mark.parametrize("name", [n for n, h in HOMES.items() if h.documented_first])
def test_first_stored_row_is_the_documented_first_row(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The sample row SOURCE.md quotes, converted by hand here, is the first stored row."""
    home = HOMES[name]
    assert home.documented_first is not None
    device, wall, value = home.documented_first
    config = CONFIG / home.config
    mapping = Mapping.load(config)
    path = data_file(home, request)
    db = tmp_path / "x.db"
    if name == "casas":
        # Cut the big file to its first lines: the conversion, not the size, is checked here.
        head = tmp_path / "data"
        head.write_text("".join(path.read_text("utf-8").splitlines(keepends=True)[:5]))
        path = head

    summary_of(hearth("replay", "--config", config, "--db", db, "--json", path))

    sensor, kind = mapping.sensors[(_source(name), device)]
    moment = datetime.fromisoformat(wall)
    # Each home's zone is on standard time on these dates: CET (UTC+1) in February and
    # November, while Pullman WA is on PDT (UTC-7) in June.
    offset_hours = {"casas": -7}.get(name, 1)
    expected_us = micros(moment.replace(tzinfo=UTC)) - offset_hours * 3_600_000_000
    assert stored(db)[0] == (expected_us, sensor, kind, int(value), _source(name))


def _source(name: str) -> str:
    return name.split("-", maxsplit=1)[0]


def _utc(time_us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=time_us)
