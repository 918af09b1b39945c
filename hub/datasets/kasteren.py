"""Readers for the van Kasteren datasets: the 2008 text release and the epoch (TL) files.

Both are interval formats: each row says a sensor fired (or an activity ran) from
a start to an end, and becomes an ON and an OFF Reading (or a `LabelInterval`).
Quirks handled, from kasteren/SOURCE.md:

2008 release (`kasterenSenseData.txt`, `kasterenActData.txt`, Format.KASTEREN):

- CRLF line endings; a free-text header of 23 (Sense) or 15 (Act) lines, found by
  its `Start time ...` table header and dashes line, not by counting.
- The names are parsed from the header: `    [ 1]    'Microwave'         ` (Sense)
  and `1: 'leave house'` / `10:'go to bed'` (Act).
- Dates are `dd-Mon-yyyy HH:MM:SS` with English month abbreviations.
- The last line is a `Length: 1319` footer with no newline: not a bad row. Its
  count is checked; a mismatch is reported on the footer's line.
- Sense rows end with `val`, "always 1": another value is a bad row.

TL conversion (`houseX.sensors` / `.activities`, Format.KASTEREN_TL):

- Rows are `start_epoch<TAB>duration<TAB>id`. **The epochs encode local wall time
  as if it were UTC** (1203898814 is 2008-02-25 00:20:14 UTC, the local time in
  the original): the epoch becomes a naive wall time via UTC, then the home's
  zone is attached. Zero durations (house B, e.g. line 10566) give ON and OFF at
  the same instant; a negative duration is a bad row.
- Names come from the sibling `houseX.sensor_names` / `.activity_names`
  (`id<TAB>name`, no final newline, a trailing TAB on houseC line 2).
- Ids with no name (id 4 in all three houses, B's ids 20 and 22-25) become
  devices `id<N>`, so no row is silently dropped; the home config maps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.datasets.common import (
    BadRow,
    DatasetRead,
    LabelInterval,
    LabelsRead,
    WallClock,
    bad_row,
    read_lines,
    sort_by_time,
    table_start,
)
from hub.events import Event, Reading, Source

_SENSOR_NAME = re.compile(r"\s*\[\s*(\d{1,9})\]\s*'(.*)'\s*", re.ASCII)
_ACTIVITY_NAME = re.compile(r"\s*(\d{1,9})\s*:\s*'(.*)'\s*", re.ASCII)
_FOOTER = re.compile(r"\s*Length:\s*(\d{1,18})\s*", re.ASCII)
_TIMESTAMP = re.compile(r"(\d{1,2})-([A-Z][a-z]{2})-(\d{4}) (\d\d):(\d\d):(\d\d)", re.ASCII)
_INTEGER = re.compile(r"-?\d{1,18}", re.ASCII)  # 18 digits: far beyond any real epoch
_NAMES_LINE = re.compile(r"\s*(\d{1,9})\s+(\S.*?)\s*", re.ASCII)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_EPOCH = datetime(1970, 1, 1)  # naive on purpose: TL epochs are wall time, see above


@dataclass(frozen=True, slots=True)
class _Row:
    start: datetime  # UTC
    end: datetime  # UTC
    ident: int


@dataclass(frozen=True, slots=True)
class _Table:
    rows: list[_Row]
    names: dict[int, str]
    problems: list[BadRow]
    seen: int  # data rows seen, valid plus bad


def name_of(names: dict[int, str], ident: int) -> str:
    """The name for an id, or `id<N>` when the names list has none."""
    return names.get(ident) or f"id{ident}"


def _wall_2008(day: str, clock: str) -> datetime:
    match = _TIMESTAMP.fullmatch(f"{day} {clock}")
    month = _MONTHS.get(match.group(2)) if match else None
    if match is None or month is None:
        raise ValueError(f"bad timestamp {day} {clock}")
    d, _, y, hh, mm, ss = match.groups()
    return datetime(int(y), month, int(d), int(hh), int(mm), int(ss))


def _span(clock: WallClock, start: datetime, end: datetime) -> tuple[datetime, datetime] | str:
    """UTC start and end, or the reason they are bad."""
    try:
        utc_start, utc_end = clock.to_utc(start), clock.to_utc(end)
    except OverflowError:
        return "time out of range"
    if utc_end < utc_start:  # compared in UTC: a DST-gap wall time may map past a later one
        return "ends before it starts"
    return utc_start, utc_end


def _read_2008(path: Path, tz: ZoneInfo, *, sensors: bool) -> _Table:
    lines = read_lines(path)
    skip = table_start(lines)
    pattern = _SENSOR_NAME if sensors else _ACTIVITY_NAME
    names: dict[int, str] = {}
    for line in lines[:skip]:
        if match := pattern.fullmatch(line):
            names.setdefault(int(match.group(1)), match.group(2).strip())
    width = 6 if sensors else 5
    clock = WallClock(tz)
    rows: list[_Row] = []
    problems: list[BadRow] = []
    seen = 0
    for number, line in enumerate(lines[skip:], skip + 1):
        fields = line.split()
        if not fields:
            continue
        if footer := _FOOTER.fullmatch(line):
            if int(footer.group(1)) != seen:
                reason = f"footer says {footer.group(1)} rows, the table has {seen}"
                problems.append(bad_row(path, number, reason, line))
            continue
        seen += 1
        if len(fields) != width:
            reason = f"expected {width} fields, found {len(fields)}"
            problems.append(bad_row(path, number, reason, line))
            continue
        if sensors and fields[5] != "1":
            problems.append(bad_row(path, number, f"val is {fields[5]!r}, not 1", line))
            continue
        if not _INTEGER.fullmatch(fields[4]) or fields[4].startswith("-"):
            problems.append(bad_row(path, number, f"bad id {fields[4]!r}", line))
            continue
        try:
            start = _wall_2008(fields[0], fields[1])
        except ValueError:
            problems.append(bad_row(path, number, f"bad start time {fields[0]} {fields[1]}", line))
            continue
        try:
            end = _wall_2008(fields[2], fields[3])
        except ValueError:
            problems.append(bad_row(path, number, f"bad end time {fields[2]} {fields[3]}", line))
            continue
        span = _span(clock, start, end)
        if isinstance(span, str):
            problems.append(bad_row(path, number, span, line))
            continue
        rows.append(_Row(span[0], span[1], int(fields[4])))
    return _Table(rows, names, problems, seen)


def read_names(path: Path) -> tuple[dict[int, str], list[BadRow]]:
    """A TL `id<TAB>name` file: names by id, and the lines that are not such pairs."""
    names: dict[int, str] = {}
    problems: list[BadRow] = []
    for number, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        match = _NAMES_LINE.fullmatch(line)
        if match is None:
            problems.append(bad_row(path, number, "expected 'id<TAB>name'", line))
        elif int(match.group(1)) in names:
            problems.append(bad_row(path, number, f"id {match.group(1)} is named twice", line))
        else:
            names[int(match.group(1))] = match.group(2)
    return names, problems


def _read_tl(path: Path, tz: ZoneInfo, names_file: Path | None, default_suffix: str) -> _Table:
    if names_file is None:
        default = path.with_suffix(default_suffix)
        # The names file is optional (the TL README says so): without it, ids name themselves.
        names, problems = read_names(default) if default.is_file() else ({}, [])
    else:
        names, problems = read_names(names_file)
    clock = WallClock(tz)
    rows: list[_Row] = []
    seen = 0
    for number, line in enumerate(read_lines(path), 1):
        fields = line.split()
        if not fields:
            continue
        seen += 1
        if len(fields) != 3:
            reason = f"expected 3 fields, found {len(fields)}"
            problems.append(bad_row(path, number, reason, line))
            continue
        if not all(_INTEGER.fullmatch(field) for field in fields):
            problems.append(bad_row(path, number, "expected three integers", line))
            continue
        epoch, duration, ident = (int(field) for field in fields)
        if duration < 0:
            problems.append(bad_row(path, number, "negative duration", line))
            continue
        if ident < 0:
            problems.append(bad_row(path, number, f"bad id {ident}", line))
            continue
        try:
            start = _EPOCH + timedelta(seconds=epoch)
            end = start + timedelta(seconds=duration)
        except OverflowError:
            problems.append(bad_row(path, number, "time out of range", line))
            continue
        span = _span(clock, start, end)
        if isinstance(span, str):
            problems.append(bad_row(path, number, span, line))
            continue
        rows.append(_Row(span[0], span[1], ident))
    return _Table(rows, names, problems, seen)


def _readings(table: _Table) -> DatasetRead:
    records: list[Reading | Event] = []
    for row in table.rows:
        device = name_of(table.names, row.ident)
        records.append(Reading(Source.KASTEREN, device, None, True, row.start))
        records.append(Reading(Source.KASTEREN, device, None, False, row.end))
    sort_by_time(records)
    return DatasetRead(records, table.problems, table.seen)


def _labels(table: _Table) -> LabelsRead:
    intervals = [
        LabelInterval(row.start, row.end, name_of(table.names, row.ident)) for row in table.rows
    ]
    intervals.sort(key=lambda interval: interval.start)
    return LabelsRead(intervals, table.problems)


def read_kasteren(path: Path, tz: ZoneInfo) -> DatasetRead:
    """Read a 2008 `kasterenSenseData.txt`: an ON and an OFF Reading per interval."""
    return _readings(_read_2008(path, tz, sensors=True))


def read_kasteren_labels(path: Path, tz: ZoneInfo) -> LabelsRead:
    """Read a 2008 `kasterenActData.txt` into activity intervals."""
    return _labels(_read_2008(path, tz, sensors=False))


def read_kasteren_tl(path: Path, tz: ZoneInfo, names_file: Path | None = None) -> DatasetRead:
    """Read a TL `houseX.sensors` file; names from `names_file` or `houseX.sensor_names`."""
    return _readings(_read_tl(path, tz, names_file, ".sensor_names"))


def read_kasteren_tl_labels(path: Path, tz: ZoneInfo, names_file: Path | None = None) -> LabelsRead:
    """Read a TL `houseX.activities` file; names from `names_file` or `.activity_names`."""
    return _labels(_read_tl(path, tz, names_file, ".activity_names"))
