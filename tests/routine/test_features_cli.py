"""`hearth features` as a user runs it: a real process over a replayed home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.config.loader import load_config
from hub.replay import replay
from tests.replay.conftest import CONFIG, ORDONEZ, hearth, one_error_line

HOME_A = ("--config", CONFIG / "ordonez-a.yaml")


@pytest.fixture(scope="module")
def ordonez_a_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("features-cli") / "ordonez-a.db"
    replay(load_config(CONFIG / "ordonez-a.yaml"), db, [ORDONEZ / "OrdonezA_Sensors.txt"])
    return db


def test_json_prints_one_object_per_local_date(ordonez_a_db: Path) -> None:
    result = hearth("features", *HOME_A, "--db", ordonez_a_db, "--format", "json")
    assert result.returncode == 0, result.stderr
    days = [json.loads(line) for line in result.stdout.splitlines()]
    # Sensor rows run from 2011-11-28 02:27 to 2011-12-12 07:22, Madrid time.
    assert (days[0]["date"], days[-1]["date"]) == ("2011-11-28", "2011-12-12")
    assert len(days) == 15
    monday = next(d for d in days if d["date"] == "2011-11-29")
    # OrdonezA_Sensors.txt: Bed 2011-11-29 02:16:05 -> 11:31:04 (local, +01:00 in winter).
    assert monday["bedtime"] == "2011-11-29T02:16:05+01:00"
    assert monday["time_up"] == "2011-11-29T11:31:04+01:00"
    assert monday["kettle_uses"] is None  # home A has no kettle sensor
    assert monday["roles_missing"] == ["kettle"]
    assert len(monday["hourly_activity"]) == 24


def test_since_and_until_pick_local_dates_inclusive(ordonez_a_db: Path) -> None:
    result = hearth(
        "features",
        *HOME_A,
        "--db",
        ordonez_a_db,
        "--format",
        "json",
        "--since",
        "2011-12-01",
        "--until",
        "2011-12-03",
    )
    assert result.returncode == 0, result.stderr
    days = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["date"] for d in days] == ["2011-12-01", "2011-12-02", "2011-12-03"]
    # Reading only part of the store must not make the first asked day partial.
    assert days[0]["partial"] is False
    assert days[0]["time_up"] == "2011-12-01T10:50:45+01:00"  # Sensors.txt line 109: bed off


def test_text_is_a_table_with_a_header_and_a_row_per_date(ordonez_a_db: Path) -> None:
    result = hearth(
        "features", *HOME_A, "--db", ordonez_a_db, "--since", "2011-11-29", "--until", "2011-11-30"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["date", "bed", "up"]
    assert lines[1].split()[:3] == ["2011-11-29", "02:16", "11:31"]
    assert len(lines) == 3


def test_a_bad_date_is_one_clear_line(ordonez_a_db: Path) -> None:
    result = hearth("features", *HOME_A, "--db", ordonez_a_db, "--since", "29/11/2011")
    assert result.returncode == 2
    assert "--since '29/11/2011' is not a date" in one_error_line(result)
