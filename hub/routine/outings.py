"""Outings: the person left through an outside door and the home stayed still until a door again.

Between two uses of an outside door at least `SHORTEST_OUTING` apart, the
home is taken to be empty when at most `STRAY_EVENTS` activities happened in
between (away from the doors themselves by `DOOR_MARGIN`, since an entrance
motion sensor sees the person leave and come back). A lone event in an empty
home is real: in one dataset home a closet sensor and the entrance PIR fire
once during labelled absences. A person at home makes more than that, and
while a bed or chair mat is occupied someone is home, so no outing is found
then. The outing runs from the last activity by the door on leaving to the
first activity on coming back. Without an outside-door sensor, outings are
unknown (None), not zero.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.config.models import Role
from hub.routine.layout import EXIT_ROLES, Layout
from hub.routine.timeline import Timeline

SHORTEST_OUTING = timedelta(minutes=10)
DOOR_MARGIN = timedelta(minutes=2)
STRAY_EVENTS = 2
_SEATS = (Role.BED, Role.CHAIR)


@dataclass(frozen=True, slots=True)
class Outing:
    start: datetime  # UTC: the last activity by the door on leaving
    end: datetime  # UTC: the first activity on coming back


def find_outings(timeline: Timeline, layout: Layout) -> list[Outing] | None:
    """Every outing in the timeline, in time order; None if the home has no outside door."""
    doors = {s.id for s in layout.with_role(*EXIT_ROLES)}
    if not doors:
        return None
    occupied = sorted(
        (span.start, span.end)
        for sensor in layout.with_role(*_SEATS)
        for span in timeline.spans.get(sensor.id, [])
    )
    door_times = sorted({a.start for a in timeline.activity if a.sensor in doors})
    starts = [a.start for a in timeline.activity]
    outings: list[Outing] = []
    for left, back in itertools.pairwise(door_times):
        if back - left < SHORTEST_OUTING:
            continue
        inside = bisect.bisect_left(starts, left + DOOR_MARGIN)
        returned = bisect.bisect_left(starts, back - DOOR_MARGIN)
        if returned - inside > STRAY_EVENTS:
            continue
        leaving = timeline.activity[bisect.bisect_left(starts, left) : inside]
        start = max(a.end for a in leaving)
        end = timeline.activity[returned].start
        if end - start >= SHORTEST_OUTING and not _overlaps(occupied, start, end):
            outings.append(Outing(start, end))
    return outings


def _overlaps(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    # A mat occupied through the gap means someone stayed in; a mat left
    # "occupied" only at the gap's edge (getting up to leave) does not.
    return any(s < end - DOOR_MARGIN and e > start + DOOR_MARGIN for s, e in spans)


def time_out(outings: list[Outing], start: datetime, end: datetime) -> timedelta:
    """Time away from home within [start, end): an outing across midnight is split."""
    total = timedelta(0)
    for outing in outings:
        overlap = min(outing.end, end) - max(outing.start, start)
        if overlap > timedelta(0):
            total += overlap
    return total
