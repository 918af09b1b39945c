"""Changes of routine injected into a stream's events, as issue 3 sizes them.

Each change works on the events (moving, dropping or adding them), never on
features, so the whole real pipeline sees it. It starts on the routine date
`onset` (the night before a date belongs to it, as in `days.py`) and is
either abrupt (full size from the onset) or gradual: `strength` grows
linearly over `ramp_days` (1/14 on the onset, full on its 14th day).
Where a change needs to know when the person slept or went out, it reads the
unchanged stream's own features and outings (`Context`), as a person whose
routine changed would change what they really did. A change is injected only
into homes with the sensors it acts on (`applicable`) and persons whose days
hold what it changes (`not_in_routine` says why not).

Each kind, its size at full strength, and exactly how:

- `later_up`, time up +90 min: on each changed date, events from the unchanged
  time up to 6 h after it are moved later, time up itself by 90 min x
  strength, the rest of the 6 h squeezed linearly so later events stay put.
- `night_toilet`, night toilet visits x2.5: each changed night gains on
  average 1.5 x the home's mean visits per night x strength (the fraction by
  chance). A visit is real sensors' events: bed mat off, bathroom motion, the
  toilet (flush or its sensor), bed mat on, 6 minutes in all, at a random
  time from 30 min after bedtime to 36 min before time up, at least 15 min
  from other toilet use.
- `less_kitchen`, kitchen activity -50%: kitchen visits (the kitchen sensors'
  uses, each at most 10 min long, joined when < 5 min apart) are dropped
  whole, each with probability 0.5 x strength.
- `no_outings`, outings stop: each outing starting on a changed date is
  dropped with probability strength: its outside-door events go, and the
  time out is filled with the events of the same wall-clock hours of an
  unchanged day with no outing.
- `less_active`, total activity -40%: bursts of activity (every sensor's uses
  but outside doors and bed or chair mats, joined when < 2 min apart) are
  dropped whole, each with probability 0.4 x strength.
- `night_door`, outside door opened at night on 2+ nights a week: in each 7
  days from the onset, 2 or 3 nights (gradual: round(that x strength at the
  week's middle)) get a trip to the door: bed mat off, motion by the door,
  door open, closed 2 min later, motion, bed mat on, at a random time from
  1 h after bedtime to 1 h before time up.
"""

from __future__ import annotations

import bisect
import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hub.config.models import Role
from hub.events import Event, Kind, Source, Value
from hub.routine.days import local_instant
from hub.routine.features import DayFeatures
from hub.routine.layout import EXIT_ROLES, KITCHEN_ROLES, Layout
from hub.routine.outings import Outing
from hub.routine.timeline import APPLIANCE_ON_WATTS, LONGEST_ACTIVITY

RAMP_DAYS = 14
LATER_UP = timedelta(minutes=90)
MORNING = timedelta(hours=6)  # how much of the morning the later time up squeezes
TOILET_FACTOR = 2.5
KITCHEN_DROP = 0.5
ACTIVITY_DROP = 0.4
NIGHTS_A_WEEK = (2, 3)
KITCHEN_VISIT_GAP = timedelta(minutes=5)
BURST_GAP = timedelta(minutes=2)
IN_ROUTINE = 0.5  # times a day (or night) the person does what a change alters, at least
LONGEST_USE = LONGEST_ACTIVITY  # as long as the timeline lets one activity last


class ChangeKind(StrEnum):
    LATER_UP = "later_up"
    NIGHT_TOILET = "night_toilet"
    LESS_KITCHEN = "less_kitchen"
    NO_OUTINGS = "no_outings"
    LESS_ACTIVE = "less_active"
    NIGHT_DOOR = "night_door"


DESCRIPTIONS: dict[ChangeKind, str] = {
    ChangeKind.LATER_UP: "time up +90 min",
    ChangeKind.NIGHT_TOILET: "night toilet visits x2.5",
    ChangeKind.LESS_KITCHEN: "kitchen activity -50%",
    ChangeKind.NO_OUTINGS: "outings stop",
    ChangeKind.LESS_ACTIVE: "total activity -40%",
    ChangeKind.NIGHT_DOOR: "front door opened at night, 2+ nights a week",
}


class InjectError(ValueError):
    """A change cannot be injected into this home (it lacks the sensors the change needs)."""


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    onset: date
    ramp_days: int = 0  # 0: abrupt

    def strength(self, day: date) -> float:
        """0 before the onset, then up to 1 (at once, or over the ramp)."""
        if day < self.onset:
            return 0.0
        if self.ramp_days <= 0:
            return 1.0
        return min(1.0, ((day - self.onset).days + 1) / self.ramp_days)


@dataclass(frozen=True)
class Context:
    """What the unchanged stream says about the person: their days and outings."""

    layout: Layout
    days: Mapping[date, DayFeatures]
    outings: Sequence[Outing]
    seed: int

    @property
    def zone(self) -> ZoneInfo:
        return self.layout.zone


def applicable(kind: ChangeKind, layout: Layout) -> bool:
    """Whether the home has the sensors the change acts on (and the pipeline measures it by)."""
    if kind in (ChangeKind.NO_OUTINGS, ChangeKind.NIGHT_DOOR):
        return bool(layout.with_role(*EXIT_ROLES))
    if kind is ChangeKind.LESS_KITCHEN:
        return bool(_kitchen_sensors(layout))
    if kind is ChangeKind.NIGHT_TOILET:
        return bool(_toilet_sensors(layout))
    return True


def not_in_routine(kind: ChangeKind, context: Context) -> str | None:
    """Why the person's unchanged days leave `kind` nothing to change, or None.

    A change alters something the person does: it is injected only where the
    unchanged days show it often enough that the change makes a difference a
    detector could see. Where the home cannot tell when the person slept (no
    bed mat and no motion sensor), getting up later moves nothing and no
    night-time event can be told from a daytime one; where the person gets up
    for the toilet less than every other night, 2.5 times as many visits adds
    less than one a night in three; where the person goes out on fewer than
    half of the days, stopping is what the days already look like. Such cases
    would be counted as missed without anything having changed.
    """
    days = [d for d in context.days.values() if not d.partial]
    if not days:
        return "the stream has no whole day"
    if kind in (ChangeKind.LATER_UP, ChangeKind.NIGHT_TOILET, ChangeKind.NIGHT_DOOR):
        nights = sum(d.time_up is not None and d.bedtime is not None for d in days)
        if nights < IN_ROUTINE * len(days):
            return (
                f"the home tells when the person slept on {nights} of {len(days)} days "
                "(no bed mat or motion sensor)"
            )
    if kind is ChangeKind.NIGHT_TOILET:
        visits = [d.night_toilet_visits for d in days if d.night_toilet_visits is not None]
        usual = statistics.fmean(visits) if visits else 0.0
        if usual < IN_ROUTINE:
            return f"the person gets up for the toilet {usual:.2f} times a night"
    if kind is ChangeKind.NO_OUTINGS:
        outings = [d.outings for d in days if d.outings is not None]
        usual = statistics.fmean(outings) if outings else 0.0
        if usual < IN_ROUTINE:
            return f"the person goes out {usual:.2f} times a day"
    return None


def inject(events: Sequence[Event], change: Change, context: Context) -> list[Event]:
    """The stream's events (time order) with `change` applied; a new list in time order."""
    if not applicable(change.kind, context.layout):
        raise InjectError(f"{change.kind.value}: the home has no sensor this change acts on")
    rng = random.Random(f"{context.seed}:{change.kind.value}:{change.onset}:{change.ramp_days}")
    out = _INJECTORS[change.kind](list(events), change, context, rng)
    out.sort(key=lambda event: event.time)
    return out


# -- time up later -------------------------------------------------------------------------


def _later_up(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    windows = []
    for day, features in context.days.items():
        strength = change.strength(day)
        if strength > 0 and features.time_up is not None:
            up = features.time_up
            windows.append((up, up + MORNING, LATER_UP * strength))
    windows.sort()
    out = []
    for event in events:
        window = _holding(windows, event.time)
        if window is None:
            out.append(event)
            continue
        start, end, delay = window
        squeeze = (end - start - delay) / (end - start)
        out.append(replace(event, time=start + delay + (event.time - start) * squeeze))
    return out


def _holding(
    windows: list[tuple[datetime, datetime, timedelta]], moment: datetime
) -> tuple[datetime, datetime, timedelta] | None:
    """The window holding `moment` (windows sorted by start, never overlapping), or None."""
    index = bisect.bisect_right(windows, moment, key=lambda window: window[0]) - 1
    if index >= 0 and moment < windows[index][1]:
        return windows[index]
    return None


# -- night toilet visits --------------------------------------------------------------------


def _night_toilet(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    visits = [
        f.night_toilet_visits for f in context.days.values() if f.night_toilet_visits is not None
    ]
    usual = statistics.fmean(visits) if visits else 0.0
    source = _source(events)
    toilet_times = sorted(e.time for e in events if e.sensor in _toilet_sensors(context.layout))
    added: list[Event] = []
    for day, features in sorted(context.days.items()):
        strength = change.strength(day)
        if strength <= 0 or features.bedtime is None or features.time_up is None:
            continue
        wanted = (TOILET_FACTOR - 1) * usual * strength
        extra = int(wanted) + (rng.random() < wanted - int(wanted))
        start = features.bedtime + timedelta(minutes=30)
        end = features.time_up - timedelta(minutes=36)
        busy = [t for t in toilet_times if start - timedelta(hours=1) <= t <= end]
        for _ in range(extra):
            moment = _free_moment(rng, start, end, busy, timedelta(minutes=15))
            if moment is None:
                break
            busy.append(moment)
            added.extend(_toilet_visit(context.layout, moment, source))
    return events + added


def _toilet_visit(layout: Layout, moment: datetime, source: Source) -> list[Event]:
    minute = timedelta(minutes=1)
    out = [
        *_bed(layout, moment, False, source),
        *_bed(layout, moment + 6 * minute, True, source),
    ]
    for sensor in layout.sensors.values():
        if sensor.room in layout.bathrooms and sensor.kind in (Kind.MOTION, Kind.PRESENCE):
            out += _pulse(sensor.id, sensor.kind, moment + minute, timedelta(seconds=30), source)
            out += _pulse(
                sensor.id, sensor.kind, moment + 4 * minute, timedelta(seconds=30), source
            )
    for sensor_id in _toilet_sensors(layout):
        sensor = layout.sensors[sensor_id]
        out += _pulse(sensor.id, sensor.kind, moment + 3 * minute, timedelta(seconds=30), source)
    return out


def _toilet_sensors(layout: Layout) -> list[str]:
    toilets = [s.id for s in layout.with_role(Role.TOILET)]
    if toilets:
        return toilets
    return [s.id for s in layout.sensors.values() if s.room in layout.bathrooms]


# -- kitchen and activity: dropping whole visits ------------------------------------------


def _less_kitchen(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    sensors = set(_kitchen_sensors(context.layout))
    return _drop_groups(
        events,
        sensors,
        gap=KITCHEN_VISIT_GAP,
        share=KITCHEN_DROP,
        change=change,
        rng=rng,
        zone=context.zone,
    )


def _less_active(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    kept_out = {Role.BED, Role.CHAIR, *EXIT_ROLES}
    sensors = {s.id for s in context.layout.sensors.values() if s.role not in kept_out}
    return _drop_groups(
        events,
        sensors,
        gap=BURST_GAP,
        share=ACTIVITY_DROP,
        change=change,
        rng=rng,
        zone=context.zone,
    )


def _kitchen_sensors(layout: Layout) -> list[str]:
    return [
        s.id
        for s in layout.sensors.values()
        if s.room in layout.kitchens or s.role in KITCHEN_ROLES
    ]


def _drop_groups(
    events: list[Event],
    sensors: set[str],
    *,
    gap: timedelta,
    share: float,
    change: Change,
    rng: random.Random,
    zone: ZoneInfo,
) -> list[Event]:
    """Drop whole groups of the sensors' uses (joined when < `gap` apart) from the onset on."""
    first = local_instant(change.onset, time(0), zone)
    indices = [i for i, e in enumerate(events) if e.sensor in sensors and e.time >= first]
    uses = _uses(events, indices)
    uses.sort(key=lambda use: events[use[0]].time)
    dropped: set[int] = set()
    group: list[list[int]] = []
    group_end: datetime | None = None
    for use in [*uses, None]:
        starts_new = use is None or group_end is None or events[use[0]].time - group_end > gap
        if starts_new and group:
            day = events[group[0][0]].time.astimezone(zone).date()
            if rng.random() < share * change.strength(day):
                dropped.update(i for member in group for i in member)
            group = []
            group_end = None
        if use is None:
            break
        group.append(use)
        end = events[use[-1]].time
        group_end = end if group_end is None else max(group_end, end)
    return [e for i, e in enumerate(events) if i not in dropped]


def _uses(events: list[Event], indices: list[int]) -> list[list[int]]:
    """Each sensor's events cut into uses: from an event that turns it on to the next one.

    A use is at most `LONGEST_USE` long: an event later than that starts a use
    of its own. A resampled stream joins days drawn apart, so a cupboard
    opened at the end of one real day may be closed in another drawn days
    later; such a "use" once ran for days, swallowed every kitchen visit
    between into one group, and a 50% drop of visits dropped almost nothing
    (van Kasteren house C: 27 events of 300,000).
    """
    by_sensor: dict[str, list[list[int]]] = {}
    for i in indices:
        uses = by_sensor.setdefault(events[i].sensor, [])
        if (
            not uses
            or _turns_on(events[i])
            or events[i].time - events[uses[-1][0]].time > LONGEST_USE
        ):
            uses.append([i])
        else:
            uses[-1].append(i)
    return [use for uses in by_sensor.values() for use in uses]


def _turns_on(event: Event) -> bool:
    if isinstance(event.value, bool):
        return event.value
    if isinstance(event.value, float) and event.kind is Kind.POWER:
        return event.value > APPLIANCE_ON_WATTS
    return True  # a button press or pill-box report is a use of its own


# -- outings stop ---------------------------------------------------------------------------


def _no_outings(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    zone = context.zone
    doors = {s.id for s in context.layout.with_role(*EXIT_ROLES)}
    stopped = [
        o
        for o in context.outings
        if rng.random() < change.strength(o.start.astimezone(zone).date())
    ]
    if not stopped:
        return events
    margin = timedelta(minutes=2)
    home_days = [
        day for day in sorted(context.days) if day < change.onset and context.days[day].outings == 0
    ]
    removed: list[tuple[datetime, datetime]] = []
    added: list[Event] = []
    for outing in stopped:
        removed.append((outing.start - margin, outing.end + margin))
        if home_days:
            donor = rng.choice(home_days)
            added.extend(_same_hours(events, outing, donor, doors, zone))
    kept = [
        e
        for e in events
        if not any(start <= e.time <= end for start, end in removed)
        or (e.sensor not in doors and not any(o.start < e.time < o.end for o in stopped))
    ]
    return kept + added


def _same_hours(
    events: list[Event], outing: Outing, donor: date, doors: set[str], zone: ZoneInfo
) -> list[Event]:
    """The donor day's events in the outing's wall-clock hours, moved onto the outing's date."""
    shift = (outing.start.astimezone(zone).date() - donor).days
    start = outing.start - timedelta(days=shift)
    end = outing.end - timedelta(days=shift)
    return [
        replace(e, time=e.time + timedelta(days=shift))
        for e in events
        if start < e.time < end and e.sensor not in doors
    ]


# -- outside door at night ------------------------------------------------------------------


def _night_door(
    events: list[Event], change: Change, context: Context, rng: random.Random
) -> list[Event]:
    layout = context.layout
    door = layout.with_role(*EXIT_ROLES)[0]
    source = _source(events)
    dates = sorted(d for d in context.days if d >= change.onset)
    added: list[Event] = []
    for week in range(0, len(dates), 7):
        block = dates[week : week + 7]
        full = rng.choice(NIGHTS_A_WEEK)
        middle = block[len(block) // 2]
        nights = round(full * change.strength(middle)) if change.ramp_days else full
        for day in sorted(rng.sample(block, min(nights, len(block)))):
            features = context.days[day]
            if features.bedtime is not None and features.time_up is not None:
                start = features.bedtime + timedelta(hours=1)
                end = features.time_up - timedelta(hours=1)
            else:
                start = local_instant(day, time(1), context.zone)
                end = local_instant(day, time(4), context.zone)
            if end <= start:
                start = end - timedelta(minutes=30)
            moment = start + (end - start) * rng.random()
            added.extend(_door_at_night(layout, door.id, door.kind, moment, source))
    return events + added


def _door_at_night(
    layout: Layout, door: str, kind: Kind, moment: datetime, source: Source
) -> list[Event]:
    minute = timedelta(minutes=1)
    room = layout.sensors[door].room
    out = [
        *_bed(layout, moment - 3 * minute, False, source),
        *_bed(layout, moment + 6 * minute, True, source),
        *_pulse(door, kind, moment, 2 * minute, source),
    ]
    for sensor in layout.sensors.values():
        if sensor.room == room and sensor.kind in (Kind.MOTION, Kind.PRESENCE):
            out += _pulse(sensor.id, sensor.kind, moment - minute, timedelta(seconds=30), source)
            out += _pulse(
                sensor.id, sensor.kind, moment + 3 * minute, timedelta(seconds=30), source
            )
    return out


# -- shared helpers -------------------------------------------------------------------------


def _bed(layout: Layout, moment: datetime, occupied: bool, source: Source) -> list[Event]:
    return [Event(moment, s.id, s.kind, occupied, source) for s in layout.with_role(Role.BED)]


def _pulse(
    sensor: str, kind: Kind, moment: datetime, length: timedelta, source: Source
) -> list[Event]:
    """A sensor on at `moment` and off `length` later, in its kind's values."""
    on: Value
    off: Value
    if kind is Kind.POWER:
        on, off = 2000.0, 0.0
    elif kind in (Kind.BUTTON, Kind.MEDICATION):
        return [Event(moment, sensor, kind, "single", source)]
    else:
        on, off = True, False
    return [
        Event(moment, sensor, kind, on, source),
        Event(moment + length, sensor, kind, off, source),
    ]


def _source(events: Sequence[Event]) -> Source:
    return events[0].source if events else Source.GENERIC


def _free_moment(
    rng: random.Random,
    start: datetime,
    end: datetime,
    busy: list[datetime],
    apart: timedelta,
) -> datetime | None:
    """A random moment in [start, end] at least `apart` from every busy one (20 tries)."""
    if end <= start:
        return None
    for _ in range(20):
        moment = start + (end - start) * rng.random()
        if all(abs(moment - other) >= apart for other in busy):
            return moment
    return None


Injector = Callable[[list[Event], Change, Context, random.Random], list[Event]]
_INJECTORS: dict[ChangeKind, Injector] = {
    ChangeKind.LATER_UP: _later_up,
    ChangeKind.NIGHT_TOILET: _night_toilet,
    ChangeKind.LESS_KITCHEN: _less_kitchen,
    ChangeKind.NO_OUTINGS: _no_outings,
    ChangeKind.LESS_ACTIVE: _less_active,
    ChangeKind.NIGHT_DOOR: _night_door,
}
