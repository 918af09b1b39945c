"""The night's main sleep: when the person went to bed, got up, and what happened between.

Searched for inside the routine day's night window (18:00 the evening before
to 14:00, see `days.py`). Two methods, the better one the home allows:

- **bed**: with a bed pressure mat, the night is the chain of "occupied" spans
  joined across gaps of up to `LONGEST_NIGHT_GAP` (a toilet visit, a drink)
  and across any gap in which nothing happened outside the sleep room;
  the chain with the most time in bed, if at least `SHORTEST_SLEEP`, is the
  main sleep. Time to bed is its first occupied moment, time up its last.
  Gaps shorter than `MAT_FLICKER` are turning over, not getting up.
- **motion**: without a bed mat (or when it said nothing that night), in a
  home with motion or presence sensors, the night is cut into `SLOT` slots. A
  slot is *awake* when it holds at least `AWAKE_MINUTES` minutes of activity
  outside the sleep room, or when the person was seen outside the sleep room
  both before and after its end (not in bed, only sitting still). The main
  sleep is the longest run of quiet slots, bridging awake stretches of up to
  `LONGEST_NIGHT_GAP`, and no part of an outing. Time up is the first activity
  outside the sleep room after it (the first sustained morning activity), time
  to bed the end of the last such activity before it.

Night-time toilet visits are toilet uses (a flush) between the two, or, in a
home with no toilet sensor, separate visits to a bathroom. Out-of-bed episodes
are the gaps in bed occupancy (bed method) or the separate bursts of activity
outside the sleep room (motion method).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import NamedTuple

from hub.config.models import Role
from hub.events import Kind
from hub.routine.days import RoutineDay
from hub.routine.layout import Layout
from hub.routine.outings import Outing
from hub.routine.timeline import Activity, Span, Timeline, uses

LONGEST_NIGHT_GAP = timedelta(minutes=45)
SHORTEST_SLEEP = timedelta(hours=3)
MAT_FLICKER = timedelta(minutes=2)
SLOT = timedelta(minutes=15)
AWAKE_MINUTES = 2
SEPARATE_VISITS = timedelta(minutes=10)  # activity this far apart is two trips, not one


@dataclass(frozen=True, slots=True)
class Night:
    bedtime: datetime  # UTC
    time_up: datetime  # UTC
    method: str  # "bed" or "motion"
    in_bed: timedelta | None  # only the bed method can say
    out_of_bed: int
    toilet_visits: int | None  # None when the home has no toilet or bathroom sensor


def find_night(
    day: RoutineDay,
    timeline: Timeline,
    layout: Layout,
    outings: Sequence[Outing],
    covered: datetime | None = None,
) -> Night | None:
    """The main sleep of `day`'s night, or None when none can be told.

    Only a night whose whole window the data cover is searched: at the edges
    of a recording, "the data begin at 01:03" is not "went to bed at 01:03".
    The data run to `covered` (default: the last event; see `daily_features`).
    """
    last = timeline.last if covered is None else covered
    if timeline.first > day.night_start or last < day.night_end:
        return None
    bed_sensors = [s.id for s in layout.with_role(Role.BED)]
    window = (day.night_start, day.night_end)
    night = None
    if bed_sensors:
        spans = [s for b in bed_sensors for s in timeline.spans.get(b, [])]
        elsewhere = [
            a.start
            for a in timeline.activity_between(day.night_start, day.night_end)
            if a.room != layout.sleep_room
        ]
        night = _night_from_bed(spans, window, outings, elsewhere)
    if night is None and _sees_movement(layout):
        night = _night_from_motion(timeline, layout, window, outings)
    if night is None:
        return None
    return Night(
        bedtime=night.bedtime,
        time_up=night.time_up,
        method=night.method,
        in_bed=night.in_bed,
        out_of_bed=night.out_of_bed,
        toilet_visits=_toilet_visits(timeline, layout, night.bedtime, night.time_up),
    )


class _Found(NamedTuple):
    """What one method found, before toilet visits are counted."""

    bedtime: datetime
    time_up: datetime
    in_bed: timedelta | None
    out_of_bed: int
    method: str


def _night_from_bed(
    spans: list[Span],
    window: tuple[datetime, datetime],
    outings: Sequence[Outing],
    elsewhere: list[datetime],
) -> _Found | None:
    """The bed method; `elsewhere` holds the starts of activities outside the sleep room."""
    start, end = window
    clipped = sorted(
        (max(s.start, start), min(s.end, end)) for s in spans if s.end > start and s.start < end
    )
    # Join mat flicker first, so that turning over is not counted as getting up.
    occupied: list[tuple[datetime, datetime]] = []
    for s, e in clipped:
        if occupied and s - occupied[-1][1] <= MAT_FLICKER:
            occupied[-1] = (occupied[-1][0], max(occupied[-1][1], e))
        else:
            occupied.append((s, e))
    chains: list[list[tuple[datetime, datetime]]] = []
    for s, e in occupied:
        previous = chains[-1][-1] if chains else None
        # Off the mat but nowhere else in the home is still the same night
        # (lying beside the mat, or a mat that lost its reading), however long.
        joined = (
            previous is not None
            and not _away(outings, previous[1], s)
            and (
                s - previous[1] <= LONGEST_NIGHT_GAP or not _any_between(elsewhere, previous[1], s)
            )
        )
        if joined:
            chains[-1].append((s, e))
        else:
            chains.append([(s, e)])
    if not chains:
        return None
    best = max(chains, key=lambda chain: sum((e - s for s, e in chain), timedelta(0)))
    in_bed = sum((e - s for s, e in best), timedelta(0))
    # Occupied at the window's edge: a mat stuck "on" (real ones are, for days)
    # or a nap, not a night this window can time; the motion method decides.
    if in_bed < SHORTEST_SLEEP or best[0][0] == start or best[-1][1] == end:
        return None
    return _Found(best[0][0], best[-1][1], in_bed, len(best) - 1, "bed")


def _night_from_motion(
    timeline: Timeline,
    layout: Layout,
    window: tuple[datetime, datetime],
    outings: Sequence[Outing],
) -> _Found | None:
    start, end = window
    # From well before the window: where the person was last seen as it opens.
    nearby = timeline.activity_between(start - timedelta(hours=12), end + timedelta(hours=12))
    up = [a for a in nearby if start <= a.start < end and a.room != layout.sleep_room]
    elsewhere = _elsewhere(nearby, layout.sleep_room, window)
    states = _slot_states(up, elsewhere, window, outings)
    best = _longest_rest(states)
    if best is None or (best[1] - best[0] + 1) * SLOT < SHORTEST_SLEEP:
        return None
    if best[0] == 0 or best[1] == len(states) - 1:
        return None  # quiet to the window's edge: no data, or no night this window can time
    rest_start = start + best[0] * SLOT
    rest_end = start + (best[1] + 1) * SLOT
    before = [a.end for a in up if a.end <= rest_start + SLOT and a.start < rest_start + SLOT]
    bedtime = max(before) if before else rest_start
    time_up = _first_after(sorted(a.start for a in up if a.start >= rest_end - SLOT), rest_end)
    inside = [a for a in up if bedtime < a.start < time_up]
    return _Found(bedtime, time_up, None, len(_bursts(inside)), "motion")


def _elsewhere(
    activities: Sequence[Activity], sleep_room: str | None, window: tuple[datetime, datetime]
) -> list[bool]:
    """For each slot: whether, at its end, the person was outside the sleep room.

    Sitting still in the living room all evening makes few events, but the
    person is not in bed: where they were seen tells the two apart. Only
    between two sightings outside the sleep room with none in it is the person
    taken to be out of it: the sensor that should see them go back to bed after
    a night-time trip may miss them, and the next morning's first sighting in
    the bedroom then still says where they spent the night.
    """
    start, end = window
    slots = int((end - start) / SLOT)
    if sleep_room is None:
        return [False] * slots
    starts = [a.start for a in activities]
    flags = []
    for index in range(slots):
        seen = bisect.bisect_right(starts, start + (index + 1) * SLOT)
        before = activities[seen - 1].room if seen > 0 else sleep_room
        after = activities[seen].room if seen < len(activities) else None
        flags.append(sleep_room not in (before, after))
    return flags


def _slot_states(
    up: Sequence[Activity],
    elsewhere: list[bool],
    window: tuple[datetime, datetime],
    outings: Sequence[Outing],
) -> list[str]:
    """Each `SLOT` of the window as "quiet", "awake" or "away"."""
    start, end = window
    slots = int((end - start) / SLOT)
    awake_minutes: list[set[int]] = [set() for _ in range(slots)]
    for activity in up:
        moment = activity.start
        while moment <= activity.end and moment < end:
            index = int((moment - start) / SLOT)
            awake_minutes[index].add(int((moment - start) / timedelta(minutes=1)))
            moment += timedelta(minutes=1)
    states = []
    for index in range(slots):
        slot_start = start + index * SLOT
        if _away(outings, slot_start, slot_start + SLOT):
            states.append("away")
        elif len(awake_minutes[index]) >= AWAKE_MINUTES or elsewhere[index]:
            states.append("awake")
        else:
            states.append("quiet")
    return states


def _longest_rest(states: list[str]) -> tuple[int, int] | None:
    """First and last quiet slot of the longest rest, bridging short awake stretches."""
    bridge = int(LONGEST_NIGHT_GAP / SLOT)
    runs = [(state, len(list(group))) for state, group in groupby(states)]
    starts = [sum(length for _, length in runs[:i]) for i in range(len(runs))]
    best: tuple[int, int] | None = None
    for i, (state, _) in enumerate(runs):
        if state != "quiet" or (i >= 2 and _bridged(runs, i - 2, bridge)):
            continue  # not quiet, or already part of a rest that began earlier
        last = i
        while last + 2 < len(runs) and _bridged(runs, last, bridge):
            last += 2
        first_slot, last_slot = starts[i], starts[last] + runs[last][1] - 1
        if best is None or last_slot - first_slot > best[1] - best[0]:
            best = (first_slot, last_slot)
    return best


def _bridged(runs: list[tuple[str, int]], quiet: int, bridge: int) -> bool:
    """Whether the quiet run at `quiet` joins the next one across a short awake run."""
    if quiet + 2 >= len(runs):
        return False
    (awake, length), (after, _) = runs[quiet + 1], runs[quiet + 2]
    return runs[quiet][0] == "quiet" and awake == "awake" and length <= bridge and after == "quiet"


def _first_after(starts: list[datetime], rest_end: datetime) -> datetime:
    """Time up: the first activity after the rest, or the moment just before it that led in.

    The last quiet slot may hold the first minute of getting up (fewer than
    `AWAKE_MINUTES`); an activity there within one slot of the next counts.
    """
    later = [t for t in starts if t >= rest_end]
    if not later:
        return rest_end
    time_up = later[0]
    for moment in reversed([t for t in starts if t < rest_end]):
        if time_up - moment > SLOT:
            break
        time_up = moment
    return time_up


def _bursts(activities: Sequence[Activity]) -> list[tuple[datetime, datetime]]:
    """Activities grouped into separate trips: a new trip after `SEPARATE_VISITS` of nothing."""
    bursts: list[tuple[datetime, datetime]] = []
    for activity in sorted(activities, key=lambda a: a.start):
        if bursts and activity.start - bursts[-1][1] <= SEPARATE_VISITS:
            bursts[-1] = (bursts[-1][0], max(bursts[-1][1], activity.end))
        else:
            bursts.append((activity.start, activity.end))
    return bursts


def _toilet_visits(
    timeline: Timeline, layout: Layout, bedtime: datetime, time_up: datetime
) -> int | None:
    toilets = [s.id for s in layout.with_role(Role.TOILET)]
    if toilets:
        spans = [span for t in toilets for span in timeline.spans.get(t, [])]
        return uses(spans, bedtime, time_up, SEPARATE_VISITS)
    if not layout.bathrooms:
        return None
    in_bathroom = [
        a for a in timeline.activity_between(bedtime, time_up) if a.room in layout.bathrooms
    ]
    return len(_bursts(in_bathroom))


def _sees_movement(layout: Layout) -> bool:
    """Whether quiet can mean asleep: doors and cupboards alone are quiet most of the day too.

    Measured on a dataset home with only reed switches, the motion method put
    time up within 30 minutes of the labelled one on 5 nights of 21.
    """
    return any(s.kind in (Kind.MOTION, Kind.PRESENCE) for s in layout.sensors.values())


def _any_between(moments: list[datetime], start: datetime, end: datetime) -> bool:
    index = bisect.bisect_right(moments, start)
    return index < len(moments) and moments[index] < end


def _away(outings: Sequence[Outing], start: datetime, end: datetime) -> bool:
    return any(o.start < end and o.end > start for o in outings)
