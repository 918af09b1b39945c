"""The canonical event file: JSON Lines, one Event per line (DESIGN.md, "Contracts").

Each line is one JSON object with exactly the Event fields:

    {"time": "2011-06-15T08:03:39.149620Z", "sensor": "bedroom_motion",
     "kind": "motion", "value": true, "source": "casas"}

- `time` is ISO 8601 in UTC with a `Z`; microseconds are written only when not
  zero (`datetime.isoformat` does that). On reading, any explicit offset is
  accepted and converted to UTC; a time with no zone is refused, since guessing
  one is how a replay ends up an hour out.
- `kind` and `source` are the `Kind` and `Source` values; `value` must have the
  type the kind requires (`check_value`), so `1` is not a motion value.
- A missing, unknown or repeated field is a bad row, not something to guess about.

`event_from_json(event_to_json(e)) == e` holds for every valid Event. The writer
escapes non-ASCII (`ensure_ascii`), so a file is plain ASCII whatever a button or
pill box sent, including strings a UTF-8 encoder would refuse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from hub.datasets.common import BadRow, DatasetRead, bad_row, read_lines, sort_by_time
from hub.events import Event, InvalidValue, Kind, Reading, Source, check_value

FIELDS = ("time", "sensor", "kind", "value", "source")


class EventDecodeError(ValueError):
    """A line of the canonical event file is not a valid Event."""


class EventEncodeError(ValueError):
    """An Event cannot be written (its time has no zone, or is out of range in UTC)."""


def event_to_json(ev: Event) -> str:
    """One Event as a single-line JSON object, without the newline."""
    if ev.time.tzinfo is None:
        raise EventEncodeError(f"event for {ev.sensor!r} has a naive time; Event times are UTC")
    try:
        moment = ev.time.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    except OverflowError as exc:
        raise EventEncodeError(f"event for {ev.sensor!r}: time out of range in UTC") from exc
    return json.dumps(
        {
            "time": moment,
            "sensor": ev.sensor,
            "kind": ev.kind.value,
            "value": ev.value,
            "source": ev.source.value,
        },
        ensure_ascii=True,
        allow_nan=False,  # check_value refuses NaN and infinities; never write them
    )


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` that refuses a repeated key instead of keeping the last."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise EventDecodeError(f"field {key!r} appears twice")
        result[key] = value
    return result


def _time(text: object) -> datetime:
    if not isinstance(text, str):
        raise EventDecodeError(f"time must be a string, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise EventDecodeError(f"time {text!r} is not ISO 8601") from exc
    if moment.tzinfo is None:
        raise EventDecodeError(f"time {text!r} has no zone (write it in UTC with 'Z')")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise EventDecodeError(f"time {text!r} is out of range in UTC") from exc


def event_from_json(line: str) -> Event:
    """Parse one line of the canonical event file; EventDecodeError says what is wrong."""
    try:
        data = json.loads(line, object_pairs_hook=_unique_keys)
    except EventDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        # ValueError also covers integers past Python's 4300-digit limit;
        # RecursionError a line of ten thousand '['.
        raise EventDecodeError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EventDecodeError(f"expected a JSON object, got {type(data).__name__}")
    missing = [name for name in FIELDS if name not in data]
    unknown = sorted(set(data) - set(FIELDS))
    if missing or unknown:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise EventDecodeError("fields: " + "; ".join(parts))
    sensor = data["sensor"]
    if not isinstance(sensor, str) or not sensor:
        raise EventDecodeError(f"sensor must be a non-empty string, got {sensor!r}")
    try:
        kind = Kind(data["kind"])
        source = Source(data["source"])
    except ValueError as exc:  # Enum lookup raises ValueError, even for a list or dict
        raise EventDecodeError(str(exc)) from exc
    try:
        value = check_value(kind, data["value"])
    except InvalidValue as exc:
        raise EventDecodeError(str(exc)) from exc
    except OverflowError as exc:  # an integer too large for a float: 1e400 written as digits
        raise EventDecodeError(f"{kind.value} value is out of range") from exc
    return Event(_time(data["time"]), sensor, kind, value, source)


def read_jsonl(path: Path) -> DatasetRead:
    """Read a canonical event file into Events sorted by time; blank lines are skipped."""
    records: list[Reading | Event] = []
    problems: list[BadRow] = []
    rows = 0
    for number, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        rows += 1
        try:
            records.append(event_from_json(line))
        except EventDecodeError as exc:
            problems.append(bad_row(path, number, str(exc), line))
    sort_by_time(records)
    return DatasetRead(records, problems, rows)


def write_jsonl(events: Iterable[Event], out: TextIO) -> int:
    """Write events, one per line, to `out`; returns how many were written."""
    count = 0
    for ev in events:
        out.write(event_to_json(ev))
        out.write("\n")
        count += 1
    return count
