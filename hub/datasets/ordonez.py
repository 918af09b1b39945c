"""Readers for the UCI ADL binary-sensor dataset (Ordóñez et al. 2013), homes A and B.

Format (ordonez_uci_adl/SOURCE.md): a two-line header (column names, then dashes),
then one interval per row: `start end Location Type Place` for the sensor files,
`start end Activity` for the ADL files, each time `YYYY-MM-DD HH:MM:SS`.

Quirks handled, with SOURCE.md's line numbers:

- CRLF line endings and no newline at the end of the file (all four files):
  `read_lines` handles both.
- Columns are separated by 1-3 TABs for alignment, with stray spaces before some
  TABs (A_Sensors lines 48, 63, 109, 216, 232, 404; B_ADLs line 4 and 42) and
  trailing TABs after ADL labels: rows are split on runs of whitespace.
- The header is recognised and skipped, not reported as a bad row.
- Zero-length intervals (A_Sensors line 31) still give an ON and an OFF reading,
  in that order (the sort is stable).
- Rows out of start order in B_Sensors (lines 327, 1577, 2067, 2143): the
  readings are sorted by time.
- End before start in A_ADLs (lines 72, 81, 83, probable typos) is a bad row with
  its line number; so is such a sensor row, though the real files have none.

The device is `"<Location>/<Type>/<Place>"` (e.g. `Door/PIR/Kitchen`): home B has
three `Door` PIRs told apart only by their place, so no shorter key is unique.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.datasets.common import (
    BadRow,
    DatasetRead,
    LabelInterval,
    LabelsRead,
    WallClock,
    bad_row,
    parse_iso_wall,
    read_lines,
    sort_by_time,
    table_start,
)
from hub.events import Event, Reading, Source


def _interval(
    path: Path, number: int, line: str, fields: list[str], clock: WallClock
) -> tuple[datetime, datetime] | BadRow:
    """The UTC start and end of a row's first four fields, or why they are bad."""
    try:
        start_wall = parse_iso_wall(fields[0], fields[1])
    except ValueError:
        return bad_row(path, number, f"bad start time {fields[0]} {fields[1]}", line)
    try:
        end_wall = parse_iso_wall(fields[2], fields[3])
    except ValueError:
        return bad_row(path, number, f"bad end time {fields[2]} {fields[3]}", line)
    try:
        start, end = clock.to_utc(start_wall), clock.to_utc(end_wall)
    except OverflowError:
        return bad_row(path, number, "timestamp out of range", line)
    if end < start:  # compared in UTC: a wall time in a DST gap may map past a later one
        return bad_row(path, number, "ends before it starts", line)
    return start, end


def read_ordonez_sensors(path: Path, tz: ZoneInfo) -> DatasetRead:
    """Read an Ordonez `*_Sensors.txt` file: an ON and an OFF Reading per interval row."""
    clock = WallClock(tz)
    lines = read_lines(path)
    skip = table_start(lines)
    records: list[Reading | Event] = []
    problems: list[BadRow] = []
    rows = 0
    for number, line in enumerate(lines[skip:], skip + 1):
        fields = line.split()
        if not fields:
            continue  # blank lines are not rows
        rows += 1
        if len(fields) != 7:
            problems.append(bad_row(path, number, f"expected 7 fields, found {len(fields)}", line))
            continue
        span = _interval(path, number, line, fields, clock)
        if isinstance(span, BadRow):
            problems.append(span)
            continue
        device = "/".join(fields[4:7])
        records.append(Reading(Source.ORDONEZ, device, None, True, span[0]))
        records.append(Reading(Source.ORDONEZ, device, None, False, span[1]))
    sort_by_time(records)
    return DatasetRead(records, problems, rows)


def read_ordonez_labels(path: Path, tz: ZoneInfo) -> LabelsRead:
    """Read an Ordonez `*_ADLs.txt` file into activity intervals sorted by start."""
    clock = WallClock(tz)
    lines = read_lines(path)
    skip = table_start(lines)
    intervals: list[LabelInterval] = []
    problems: list[BadRow] = []
    for number, line in enumerate(lines[skip:], skip + 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 5:
            problems.append(bad_row(path, number, f"expected 5 fields, found {len(fields)}", line))
            continue
        span = _interval(path, number, line, fields, clock)
        if isinstance(span, BadRow):
            problems.append(span)
            continue
        intervals.append(LabelInterval(span[0], span[1], fields[4]))
    intervals.sort(key=lambda interval: interval.start)
    return LabelsRead(intervals, problems)
