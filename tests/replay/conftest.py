"""Helpers for the replay, export and devices tests: the real `hearth` command, real SQLite.

Every command runs as a subprocess of `python -m hub` (the same entry point as the
`hearth` console script), so argument parsing, exit codes and what reaches stdout
and stderr are exactly what a user sees.

The dataset parsers here are the tests' own, deliberately written differently from
the readers in hub.datasets (strptime, plain string splitting, no shared code), so
a count or a time computed here is an independent check of what replay stored.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from tests.datasets.conftest import CONFIG, ORDONEZ, REPO, shared_datasets

__all__ = ["CONFIG", "ORDONEZ", "REPO", "shared_datasets"]  # the fixture is reused here

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# One stored event as the test compares it: (time_us, sensor, kind, value, source).
Row = tuple[int, str, str, Any, str]


# The machine's own zone must never leak into stored or exported times: the commands
# run in a zone far from UTC (and from every dataset home's), with a half-hour offset.
MACHINE_ZONE = "Asia/Kolkata"


def hearth(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `hearth ARGS...` as a real process and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "hub", *map(str, args)],
        cwd=REPO,
        env={**os.environ, "TZ": MACHINE_ZONE},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON summary `hearth replay --json` printed, after checking it succeeded."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def skipped_lines(stderr: str) -> list[str]:
    """The bad-row lines `hearth replay` printed (the progress label is not one)."""
    return [line for line in stderr.splitlines() if ": skipped: " in line]


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failing command printed on stderr, after checking that it is one."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def event_rows(db: Path) -> list[tuple[Any, ...]]:
    """Every stored event, in insertion order, with SQLite's type of the value."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT id, time_us, sensor, kind, value, typeof(value), source FROM events ORDER BY id"
        ).fetchall()


def stored(db: Path) -> list[Row]:
    """The stored events as Rows, in insertion order."""
    return [
        (t, sensor, kind, value, source) for _, t, sensor, kind, value, _, source in event_rows(db)
    ]


def count_events(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime, exactly."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def local_micros(wall: datetime, zone: str) -> int:
    """A naive local wall-clock time in `zone` as UTC microseconds."""
    return micros(wall.replace(tzinfo=ZoneInfo(zone)))


def write_config(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Mapping:
    """A home config's sensors, read from the YAML directly (not through hub.config)."""

    zone: str
    sensors: dict[tuple[str, str], tuple[str, str]]  # (source, device) -> (sensor id, kind)
    inverted: frozenset[str] = frozenset()  # sensor ids read the other way round

    @classmethod
    def load(cls, config: Path) -> Mapping:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        sensors = {
            (s["match"]["source"], s["match"]["device"]): (s["id"], s["kind"])
            for s in data["sensors"]
        }
        inverted = frozenset(s["id"] for s in data["sensors"] if s.get("invert"))
        return cls(data["home"]["timezone"], sensors, inverted)

    def row(self, source: str, device: str, time_us: int, value: bool) -> Row:
        """The stored form of a binary reading: bools are 0/1 in SQLite."""
        sensor, kind = self.sensors[(source, device)]
        return (time_us, sensor, kind, int(value != (sensor in self.inverted)), source)


# --- the tests' own readers of the raw dataset files -------------------------------------


def data_lines(path: Path) -> list[tuple[int, str]]:
    """(physical line number, text) of every non-blank line, split on LF, CR removed."""
    lines = path.read_bytes().decode("utf-8").split("\n")
    return [(n, line.rstrip("\r")) for n, line in enumerate(lines, 1) if line.strip()]


def after_table_header(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines after the `Start time ...` line and the dashes line below it."""
    for index, (_, text) in enumerate(lines):
        if text.lstrip().startswith("Start time") and set(lines[index + 1][1]) <= set("-\t "):
            return lines[index + 2 :]
    raise AssertionError("no table header")


def casas_events(path: Path, mapping: Mapping) -> list[Row]:
    """One event per line: `date time field3 field4 VALUE label`."""
    rows = []
    for _, text in data_lines(path):
        day, clock, place, name, word = text.split(" ")[:5]
        shape = "%Y-%m-%d %H:%M:%S.%f" if "." in clock else "%Y-%m-%d %H:%M:%S"
        wall = datetime.strptime(f"{day} {clock}", shape)  # %f reads ".35" as 350 ms
        t = local_micros(wall, mapping.zone)
        rows.append(mapping.row("casas", f"{place}/{name}", t, word in ("ON", "OPEN")))
    return rows


def ordonez_intervals(lines: list[tuple[int, str]]) -> list[tuple[datetime, datetime, str]]:
    """(start, end, Location/Type/Place) of Ordonez sensor rows, naive local times."""
    out = []
    for _, text in lines:
        f = text.split()
        start = datetime.strptime(f"{f[0]} {f[1]}", "%Y-%m-%d %H:%M:%S")
        end = datetime.strptime(f"{f[2]} {f[3]}", "%Y-%m-%d %H:%M:%S")
        out.append((start, end, "/".join(f[4:7])))
    return out


def ordonez_events(lines: list[tuple[int, str]], mapping: Mapping) -> list[Row]:
    rows = []
    for start, end, device in ordonez_intervals(lines):
        rows.append(mapping.row("ordonez", device, local_micros(start, mapping.zone), True))
        rows.append(mapping.row("ordonez", device, local_micros(end, mapping.zone), False))
    return rows


_KASTEREN_NAME = re.compile(r"\s*\[\s*(\d+)\]\s*'([^']*)'")


def kasteren_2008_events(path: Path, mapping: Mapping) -> list[Row]:
    """`dd-Mon-yyyy HH:MM:SS` start and end, id, val; names from the header; a footer."""
    lines = data_lines(path)
    names = {
        int(m.group(1)): m.group(2).strip()
        for _, text in lines
        if (m := _KASTEREN_NAME.match(text))
    }
    table = after_table_header(lines)
    footer = table.pop()[1]
    assert footer.startswith("Length:")
    assert int(footer.split(":")[1]) == len(table)  # the file's own count of its rows
    rows = []
    for _, text in table:
        start_day, start_clock, end_day, end_clock, ident, _val = text.split()
        for day, clock, value in ((start_day, start_clock, True), (end_day, end_clock, False)):
            wall = datetime.strptime(f"{day} {clock}", "%d-%b-%Y %H:%M:%S")
            t = local_micros(wall, mapping.zone)
            rows.append(mapping.row("kasteren", names[int(ident)], t, value))
    return rows


def kasteren_tl_events(path: Path, mapping: Mapping) -> list[Row]:
    """`epoch<TAB>duration<TAB>id`; the epoch is local wall time written as if UTC."""
    names_file = path.with_suffix(".sensor_names")
    names = {}
    for _, text in data_lines(names_file):
        number, name = text.split("\t", 1)
        names[int(number)] = name.strip()
    rows = []
    for _, text in data_lines(path):
        epoch, duration, ident = (int(field) for field in text.split())
        device = names.get(ident, f"id{ident}")
        start = datetime(1970, 1, 1) + timedelta(seconds=epoch)
        end = start + timedelta(seconds=duration)
        rows.append(mapping.row("kasteren", device, local_micros(start, mapping.zone), True))
        rows.append(mapping.row("kasteren", device, local_micros(end, mapping.zone), False))
    return rows
