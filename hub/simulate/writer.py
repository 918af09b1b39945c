"""Writing simulated events as the canonical JSON Lines file that `hearth replay` reads.

The file is written beside its final name and renamed into place at the end,
so a run that fails half way (a full disk, Ctrl-C) never leaves a file that
looks complete but holds only part of the days.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.datasets import write_jsonl
from hub.events import Event


class WriteError(OSError):
    """The output file cannot be written."""


def counting_days(
    events: Iterable[Event], zone: ZoneInfo, on_day: Callable[[date], None]
) -> Iterator[Event]:
    """`events` unchanged; `on_day(d)` is called as each new local date begins."""
    current: date | None = None
    for event in events:
        day = event.time.astimezone(zone).date()
        if day != current:
            current = day
            on_day(day)
        yield event


def write_events(events: Iterable[Event], out: Path) -> int:
    """Write `events` to `out` ('-' for standard output); returns how many were written."""
    if str(out) == "-":
        return write_jsonl(events, sys.stdout)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("w", encoding="ascii") as stream:
            count = write_jsonl(events, stream)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise WriteError(f"{out}: cannot write the events ({exc.strerror or exc})") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
