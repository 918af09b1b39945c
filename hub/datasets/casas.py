"""Reader for the WSU CASAS event log (the AL-Smarthome `data` file).

Format (casas_al_smarthome/SOURCE.md): one event per line, six fields split on
spaces, `date time field3 field4 value activity_label`, e.g.
`2011-06-15 01:03:39.14962 Bedroom Bedroom ON Sleep`.

Quirks handled, with SOURCE.md's line numbers:

- Fields 3 and 4 differ for some sensors (`OutsideDoor Entry` and
  `OutsideDoor FrontDoor`), so the device is `"<field3>/<field4>"`.
- The fraction of a second has 2-6 digits with trailing zeros stripped: `.35` is
  350 ms (line 14677), `.414` is 414 ms (line 5235), `.0985` is 98.5 ms (line 65).
  Read as a decimal fraction, never as a count of microseconds.
- Repeated ONs (lines 9731/9734) and unpaired OFFs (lines 53756-53758) are kept as
  they are: a reader reports what the sensor said; pairing is the consumer's job.
- Times are local (US/Pacific presumed) with no zone: `WallClock` attaches the
  home's zone and converts to UTC.

Values: ON and OPEN become True, OFF and CLOSE False; anything else is a bad row.
The label column is optional for readings (a five-field line is still a reading)
and required by `read_casas_labels`, which turns runs of consecutive identical
labels into intervals from the run's first event to its last.

The reader is on the replay benchmark's hot path (61,578 rows), hence the plain
loop, the local names and the per-day offset cache in `WallClock`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from operator import itemgetter
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
)
from hub.events import Event, Reading, Source

VALUES = {"ON": True, "OFF": False, "OPEN": True, "CLOSE": False}


def _parse(
    path: Path, number: int, line: str, clock: WallClock
) -> tuple[str, bool, datetime, str | None] | BadRow:
    """One line as (device, value, UTC time, label or None), or the reason it is bad."""
    fields = line.split()
    if len(fields) == 6:
        day, wall, place, name, word, label = fields
    elif len(fields) == 5:
        day, wall, place, name, word = fields
        label = None
    else:
        return bad_row(path, number, f"expected 6 fields, found {len(fields)}", line)
    value = VALUES.get(word)
    if value is None:
        return bad_row(
            path, number, f"unknown value {word!r} (expected ON, OFF, OPEN or CLOSE)", line
        )
    try:
        moment = clock.to_utc(parse_iso_wall(day, wall))
    except (ValueError, OverflowError):
        return bad_row(path, number, f"bad timestamp {day} {wall}", line)
    return f"{place}/{name}", value, moment, label


def read_casas(path: Path, tz: ZoneInfo) -> DatasetRead:
    """Read a CASAS event log into Readings (source casas, device `field3/field4`)."""
    clock = WallClock(tz)
    records: list[Reading | Event] = []
    problems: list[BadRow] = []
    rows = 0
    devices: dict[str, str] = {}  # one shared string per device, not one per row
    casas = Source.CASAS
    for number, line in enumerate(read_lines(path), 1):
        if not line or line.isspace():
            continue  # blank lines are not rows
        rows += 1
        parsed = _parse(path, number, line, clock)
        if isinstance(parsed, BadRow):
            problems.append(parsed)
            continue
        device, value, moment, _label = parsed
        device = devices.setdefault(device, device)
        records.append(Reading(casas, device, None, value, moment))
    sort_by_time(records)  # a no-op pass on the real file, which never goes backwards
    return DatasetRead(records, problems, rows)


def read_casas_labels(path: Path, tz: ZoneInfo) -> LabelsRead:
    """Activity intervals from CASAS per-event labels: one interval per run of a label.

    A run spans from its first event to its last event (a single-event run has
    zero length). Rows without a label, or bad rows, are reported and do not
    break a run. The filler label `Other_Activity` is kept; the evaluator decides.
    """
    clock = WallClock(tz)
    labelled: list[tuple[datetime, str]] = []
    problems: list[BadRow] = []
    for number, line in enumerate(read_lines(path), 1):
        if not line or line.isspace():
            continue
        parsed = _parse(path, number, line, clock)
        if isinstance(parsed, BadRow):
            problems.append(parsed)
        elif parsed[3] is None:
            problems.append(bad_row(path, number, "no activity label", line))
        else:
            labelled.append((parsed[2], parsed[3]))
    labelled.sort(key=itemgetter(0))  # stable: same-time rows keep file order
    intervals = []
    for label, run in groupby(labelled, key=itemgetter(1)):
        times = [moment for moment, _ in run]
        intervals.append(LabelInterval(times[0], times[-1], label))
    return LabelsRead(intervals, problems)
