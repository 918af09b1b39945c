"""`hearth devices`: what replay heard but the config does not map, and how to map it.

A tiny home maps one CASAS sensor; a tiny CASAS file also has readings from two
devices it does not map. Replay stores the mapped readings and records the others;
`hearth devices` lists them with a `match:` line that, pasted into the config,
maps them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.replay.conftest import count_events, hearth, one_error_line, summary_of, write_config

ZONE = "Europe/London"
HOME = f"""\
home:
  id: tiny
  timezone: {ZONE}
rooms:
  - {{id: kitchen}}
  - {{id: hall}}
sensors:
  - id: kitchen_motion
    match: {{source: casas, device: Kitchen/Kitchen}}
    kind: motion
    room: kitchen
storage:
  path: data/tiny.db
"""
# CASAS format: date, local time, field3, field4 (the device is "field3/field4"), value.
LOG = """\
2011-06-15 07:00:00.5 Kitchen Kitchen ON Cook
2011-06-15 07:01:10 Garage GarageDoor OPEN Leave
2011-06-15 07:02:20.25 Hall Hall ON Leave
2011-06-15 07:03:30 Kitchen Kitchen OFF Cook
2011-06-15 07:04:40 Garage GarageDoor CLOSE Leave
"""
UNMAPPED = {"Garage/GarageDoor": 2, "Hall/Hall": 1}  # device -> readings, from LOG above


def last_seen(device: str, *, first: bool = False) -> datetime:
    """The UTC time of the device's last (or first) line in LOG, converted with zoneinfo."""
    words = f" {device.replace('/', ' ')} "
    day, clock = [line.split() for line in LOG.splitlines() if words in line][0 if first else -1][
        :2
    ]
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(config, log file, database) after `hearth replay` of the log."""
    config = write_config(tmp_path / "home.yaml", HOME)
    log = tmp_path / "log.txt"
    log.write_text(LOG)
    db = tmp_path / "data" / "tiny.db"  # the config's storage.path, relative to the config
    result = hearth("replay", "--config", config, "--db", db, log)
    assert result.returncode == 0, result.stderr
    unmapped = sum(UNMAPPED.values())
    assert f"stored {len(LOG.splitlines()) - unmapped} events" in result.stdout
    # The text summary says what was not stored and where to look.
    assert f"not stored: {unmapped} from sensors not in the config" in result.stdout
    assert f"hearth devices --config {config} --db {db}" in result.stdout
    return config, log, db


def test_lists_each_unmapped_device_with_a_hint(home: tuple[Path, Path, Path]) -> None:
    config, log, db = home

    result = hearth("devices", "--config", config, "--db", db)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Kitchen/Kitchen" not in out  # mapped, so not listed
    for device, messages in UNMAPPED.items():
        seen = last_seen(device)
        assert (
            f"casas  {device!r}: {messages} message{'' if messages == 1 else 's'}, "
            f"last {seen:%Y-%m-%d %H:%M} UTC" in out.splitlines()
        )
        assert f'    map it with:  match: {{source: casas, device: "{device}"}}' in out
    assert f"topic {log.name}" in out  # where it was heard: the replayed file


def test_json_lists_the_same_devices(home: tuple[Path, Path, Path]) -> None:
    config, _, db = home

    result = hearth("devices", "--config", config, "--db", db, "--json")

    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert listing["malformed"] == []
    found = {row["device"]: row for row in listing["unmapped"]}
    assert set(found) == set(UNMAPPED)
    for device, messages in UNMAPPED.items():
        assert found[device]["source"] == "casas"
        assert found[device]["messages"] == messages
        assert datetime.fromisoformat(found[device]["last_seen"]) == last_seen(device)


def test_the_hint_maps_the_device(home: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Pasting each `match:` hint into the config maps every device: nothing is left."""
    config, log, db = home
    hints = re.findall(
        r"map it with:  (match: \{.*\})", hearth("devices", "--config", config, "--db", db).stdout
    )
    assert len(hints) == len(UNMAPPED)
    entries = "".join(
        f"  - id: device_{n}\n    {hint}\n    kind: contact\n    room: hall\n"
        for n, hint in enumerate(hints)
    )
    fixed = write_config(tmp_path / "fixed.yaml", HOME.replace("storage:", entries + "storage:"))
    fresh = tmp_path / "fresh.db"

    summary = summary_of(hearth("replay", "--config", fixed, "--db", fresh, "--json", log))

    assert summary["unmapped"] == 0
    assert count_events(fresh) == len(LOG.splitlines())
    for database in (fresh, db):  # the old database too: mapped now, so no longer listed
        result = hearth("devices", "--config", fixed, "--db", database)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "every device heard is mapped to a sensor"


def test_database_defaults_to_the_configs_storage_path(home: tuple[Path, Path, Path]) -> None:
    config, _, _ = home

    result = hearth("devices", "--config", config, "--json")

    assert result.returncode == 0, result.stderr
    assert {row["device"] for row in json.loads(result.stdout)["unmapped"]} == set(UNMAPPED)


def test_value_that_does_not_fit_the_kind_is_listed_as_malformed(tmp_path: Path) -> None:
    # The Kitchen PIR configured as a thermometer: ON/OFF is not a temperature.
    config = write_config(tmp_path / "home.yaml", HOME.replace("kind: motion", "kind: temperature"))
    log = tmp_path / "log.txt"
    log.write_text(LOG)
    db = tmp_path / "x.db"
    summary = summary_of(hearth("replay", "--config", config, "--db", db, "--json", log))
    kitchen = sum(" Kitchen Kitchen " in line for line in LOG.splitlines())
    assert (summary["stored_events"], summary["unfit"]) == (0, kitchen)
    # Nothing stored, yet the summary spans the whole log, first line to last.
    assert datetime.fromisoformat(summary["first"]) == last_seen("Kitchen/Kitchen", first=True)
    assert datetime.fromisoformat(summary["last"]) == last_seen("Garage/GarageDoor")

    result = hearth("devices", "--config", config, "--db", db, "--json")

    assert result.returncode == 0, result.stderr
    [malformed] = json.loads(result.stdout)["malformed"]
    assert (malformed["topic"], malformed["count"]) == (log.name, kitchen)
    assert "temperature" in malformed["reason"]


def test_missing_database_names_the_path(tmp_path: Path) -> None:
    config = write_config(tmp_path / "home.yaml", HOME)
    missing = tmp_path / "nowhere" / "hearth.db"

    line = one_error_line(hearth("devices", "--config", config, "--db", missing))

    assert line.startswith(f"hearth: no database at {missing}")
    assert not missing.parent.exists()  # looking does not create it
