"""What every dataset reader shares: its result types, its error, lines and local time.

A reader never raises for a bad row: it records a `BadRow` (1-based *physical*
line number, a reason, the text) and goes on. It raises `DatasetError` only when
the file as a whole cannot be read: missing, a directory, or not UTF-8 text.

Lines are split on LF only, with a trailing CR removed, so CRLF files (Ordonez,
van Kasteren 2008) and files without a final newline (all Ordonez files, the
`Length:` footer of van Kasteren 2008) number their lines as an editor does.
`str.splitlines` is not used on purpose: it also splits on form feeds, U+2028 and
other characters, which would shift every later line number.

The dataset files hold local wall-clock time with no zone. `WallClock` attaches
the home's zone and converts to UTC. Ambiguous times (the repeated hour when DST
ends) take `fold=0`, the first occurrence (summer time); times that do not exist
(skipped when DST starts) get the offset in force before the change, as
`zoneinfo` does for `fold=0`. None of the shipped datasets crosses a DST change
(see each SOURCE.md), but the conversion stays correct for files that do.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.events import Event, Reading

TEXT_LIMIT = 120  # BadRow.text is cut here, so one huge line cannot flood a report


class DatasetError(ValueError):
    """A dataset file cannot be read at all (missing, unreadable, not UTF-8, unknown format)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    """One row a reader skipped: where it is, why, and what it said."""

    path: Path
    line: int  # 1-based physical line number
    reason: str
    text: str  # the line, cut to about TEXT_LIMIT characters


@dataclass(frozen=True, slots=True)
class DatasetRead:
    """What a reader made of a file: records sorted by time, and the rows it skipped."""

    records: list[Reading | Event]
    problems: list[BadRow]
    rows: int  # data rows seen: valid plus bad (not headers, footers or blank lines)


@dataclass(frozen=True, slots=True)
class LabelInterval:
    """An annotated activity, `start` to `end` in UTC (end >= start)."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True, slots=True)
class LabelsRead:
    """Activity labels from a dataset, sorted by start, and the rows skipped."""

    intervals: list[LabelInterval]
    problems: list[BadRow]


def bad_row(path: Path, line: int, reason: str, text: str) -> BadRow:
    """A BadRow with the text cut to TEXT_LIMIT characters."""
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT] + "..."
    return BadRow(path, line, reason, text)


def read_lines(path: Path) -> list[str]:
    """The file's physical lines (LF-split, trailing CR removed); DatasetError if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")  # -sig: a leading BOM is not part of the first row
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the file ends with a newline: there is no empty last line
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def table_start(lines: list[str], search: int = 60) -> int:
    """Index of the first data line after a `Start time ...` line and its dashes line.

    Ordonez and van Kasteren 2008 tables start with such a pair (van Kasteren's
    after free text, which itself begins `Start time: ...`, hence the dashes are
    required). Only the first `search` lines are searched, so a stray header
    among the data is reported as a bad row. Returns 0 when there is no header.
    """
    for index, line in enumerate(lines[: search - 1]):
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        is_dashes = bool(following) and not following.strip("\t -")
        if is_dashes and line.lstrip().startswith("Start time"):
            return index + 2
    return 0


def sort_by_time(records: list[Reading | Event]) -> None:
    """Sort in place by time; stable, so a zero-length interval keeps ON before OFF."""
    records.sort(key=operator.attrgetter("time"))  # dataset readings always carry a time


def parse_iso_wall(day: str, clock: str) -> datetime:
    """Parse `YYYY-MM-DD` and `HH:MM:SS[.f]` (1-6+ fraction digits) as a naive datetime.

    Python 3.11's `fromisoformat` reads the fraction as a decimal fraction
    (`.35` is 350 ms, `.0985` is 98.5 ms), which is what CASAS means. It is also
    lenient (it takes `HH:MM`, week dates like `2011-W24-3`, commas and zone
    suffixes), so the shape is checked first and an explicit zone is refused.
    Raises ValueError.
    """
    if (
        len(day) != 10
        or day[4] != "-"
        or day[7] != "-"
        or len(clock) < 8
        or clock[2] != ":"
        or clock[5] != ":"
        or clock[8:9] not in ("", ".")
    ):
        raise ValueError(f"bad timestamp {day} {clock!r}")
    moment = datetime.fromisoformat(f"{day}T{clock}")
    if moment.tzinfo is not None:
        raise ValueError(f"timestamp {day} {clock!r} carries a zone; dataset times are local")
    return moment


class WallClock:
    """Converts naive local wall-clock times of one zone to aware UTC datetimes, fast.

    Per calendar day it checks the zone's offset at every hour and at the day's
    last microsecond; when all agree (every day but the two DST days a year) the
    day's rows are shifted by that fixed offset, a subtraction instead of a zone
    lookup. On a day with a change each row is converted exactly, with fold=0.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz
        self._day_offsets: dict[date, timedelta | None] = {}

    def to_utc(self, wall: datetime) -> datetime:
        """`wall` (naive, local) as an aware UTC datetime. Raises OverflowError at year 1/9999."""
        day = wall.date()
        if day in self._day_offsets:
            offset = self._day_offsets[day]
        else:
            offset = self._day_offsets[day] = self._steady_offset(day)
        if offset is None:
            return wall.replace(tzinfo=self._tz, fold=0).astimezone(UTC)
        return (wall - offset).replace(tzinfo=UTC)

    def _steady_offset(self, day: date) -> timedelta | None:
        moments = [datetime.combine(day, time(hour)) for hour in range(24)]
        moments.append(datetime.combine(day, time.max))
        offsets = {self._tz.utcoffset(moment) for moment in moments}
        if len(offsets) == 1:
            return offsets.pop()
        return None
