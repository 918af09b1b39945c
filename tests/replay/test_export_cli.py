"""`hearth export`: stored events as canonical JSON Lines, bounded by --since and --until.

The database is filled by `hearth replay` from a small canonical file written here,
with events placed a microsecond either side of the bounds, so each bound's
inclusiveness shows.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from hub.store.database import open_database
from tests.replay.conftest import (
    CONFIG,
    ORDONEZ,
    count_events,
    hearth,
    one_error_line,
    summary_of,
)

FIELDS = {"time", "sensor", "kind", "value", "source"}

# Canonical lines, in time order, as `event_to_json` writes them (the export must give
# back exactly these bytes). Kinds of all three value types are present.
EVENTS = [
    '{"time": "2024-02-29T23:59:59.999999Z", "sensor": "hall_motion", "kind": "motion", '
    '"value": true, "source": "zigbee2mqtt"}',
    '{"time": "2024-03-01T08:00:00Z", "sensor": "kitchen_temp", "kind": "temperature", '
    '"value": 21.5, "source": "tasmota"}',
    '{"time": "2024-03-01T11:59:59.999999Z", "sensor": "help_button", "kind": "button", '
    '"value": "single", "source": "zigbee2mqtt"}',
    '{"time": "2024-03-01T12:00:00Z", "sensor": "front_door", "kind": "contact", '
    '"value": false, "source": "esphome"}',
    '{"time": "2024-03-02T00:00:00Z", "sensor": "pill_box", "kind": "medication", '
    '"value": "taken", "source": "bridge"}',
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding EVENTS, stored by `hearth replay` of a canonical file.

    Shared by the tests of this module, which only read it.
    """
    tmp_path = tmp_path_factory.mktemp("export")
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(EVENTS) + "\n", encoding="utf-8")
    path = tmp_path / "hearth.db"
    # Canonical events carry their sensor id already; any valid home config will do.
    summary = summary_of(
        hearth("replay", "--config", CONFIG / "ordonez-a.yaml", "--db", path, "--json", source)
    )
    assert summary["stored_events"] == len(EVENTS)
    return path


def sensors_of(stdout: str) -> list[str]:
    return [json.loads(line)["sensor"] for line in stdout.splitlines()]


def test_export_everything_gives_back_the_canonical_lines(db: Path) -> None:
    result = hearth("export", "--db", db)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == EVENTS
    assert result.stderr.strip() == f"exported {len(EVENTS)} events"


def test_output_file_holds_what_stdout_would(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"

    result = hearth("export", "--db", db, "--output", out)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == hearth("export", "--db", db).stdout


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # since is inclusive, until exclusive; a microsecond either side is outside/inside.
        ("2024-03-01T08:00:00", "2024-03-01T12:00:00", ["kitchen_temp", "help_button"]),
        ("2024-03-01T08:00:00.000001", None, ["help_button", "front_door", "pill_box"]),
        (None, "2024-03-01T08:00:00", ["hall_motion"]),
        (
            None,
            "2024-03-01T12:00:00.000001",
            ["hall_motion", "kitchen_temp", "help_button", "front_door"],
        ),
        # A date alone is its midnight; no zone means UTC.
        ("2024-03-01", "2024-03-02", ["kitchen_temp", "help_button", "front_door"]),
        # An explicit zone is honoured: 09:00 in UTC+01:00 is 08:00 UTC.
        ("2024-03-01T09:00:00+01:00", "2024-03-01T13:00:00+01:00", ["kitchen_temp", "help_button"]),
        ("2024-03-01T08:00:00Z", "2024-03-01T07:00:00-05:00", ["kitchen_temp", "help_button"]),
        # Nothing in range, or bounds the wrong way round: no lines, not an error.
        ("2024-03-05", None, []),
        ("2024-03-02", "2024-03-01", []),
    ],
)
def test_since_and_until(
    db: Path, since: str | None, until: str | None, expected: list[str]
) -> None:
    args: list[str | Path] = ["export", "--db", db]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []

    result = hearth(*args)

    assert result.returncode == 0, result.stderr
    assert sensors_of(result.stdout) == expected
    assert result.stderr.strip() == f"exported {len(expected)} events"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--since", "yesterday"), ("--until", "2024-13-01"), ("--since", "01/03/2024")],
)
def test_bad_moment_is_one_line_and_exit_2(db: Path, option: str, value: str) -> None:
    result = hearth("export", "--db", db, option, value)

    line = one_error_line(result)
    assert result.returncode == 2
    assert line.startswith(f"hearth: {option} {value!r} is not an ISO 8601 date or time")
    assert result.stdout == ""


def test_empty_database_exports_no_lines(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_database(path).conn.close()  # the real schema, no events
    assert count_events(path) == 0

    result = hearth("export", "--db", path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "exported 0 events"


def test_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"

    result = hearth("export", "--db", missing)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"'{missing}' does not exist" in result.stderr
    assert not missing.exists()


def test_output_in_a_missing_folder_is_one_line(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "out.jsonl"

    line = one_error_line(hearth("export", "--db", db, "--output", out))

    assert line.startswith(f"hearth: cannot write {out}: ")  # then the OS reason
    assert not out.parent.exists()


def test_every_line_of_a_real_export_is_an_event(tmp_path: Path) -> None:
    """Ordonez A, replayed then exported: one valid JSON event per stored event, in order."""
    path = tmp_path / "a.db"
    summary_of(
        hearth(
            "replay",
            "--config",
            CONFIG / "ordonez-a.yaml",
            "--db",
            path,
            "--json",
            ORDONEZ / "OrdonezA_Sensors.txt",
        )
    )

    result = hearth("export", "--db", path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == count_events(path) > 0
    events = [json.loads(line) for line in lines]
    assert all(set(event) == FIELDS for event in events)
    assert all(event["time"].endswith("Z") for event in events)
    assert all(isinstance(event["value"], bool) for event in events)  # all binary sensors
    assert {event["source"] for event in events} == {"ordonez"}
    # In time order (compared as times: a string without microseconds is shorter).
    times = [datetime.fromisoformat(event["time"]) for event in events]
    assert times == sorted(times)
