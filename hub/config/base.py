"""Pieces every config section shares: the base model, ids, key paths, daily windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

Loc = tuple[str | int, ...]
"""A key path the way pydantic reports it: ("sensors", 3, "room") is sensors[3].room."""

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=False)


_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """A span of local wall-clock time each day, such as 22:00-07:00 (it may cross midnight)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """True when the local time `moment` falls in the window (start included, end not)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_window(value: object) -> DailyWindow:
    """'HH:MM-HH:MM' -> DailyWindow; a readable ValueError for anything else."""
    if isinstance(value, DailyWindow):
        return value
    match = _WINDOW.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"write a daily time window as 'HH:MM-HH:MM', such as '22:00-07:00', not {value!r}"
        )
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"{value!r} is not a time of day (hours 00-23, minutes 00-59)")
    if (h1, m1) == (h2, m2):
        raise ValueError(f"{value!r} starts and ends at the same time; leave it out instead")
    return DailyWindow(time(h1, m1), time(h2, m2))


Window = Annotated[
    DailyWindow,
    BeforeValidator(parse_window),
    PlainSerializer(str, return_type=str),
]
"""A config field holding 'HH:MM-HH:MM'."""
