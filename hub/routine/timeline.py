"""From events to spans: when each sensor was "on", and when the person acted.

Real sensors repeat themselves: a PIR sends ON again while already on, a log
holds an OFF with no ON before it, and a door left ajar stays open for days. So
each sensor's events are read as a small state machine: a repeated ON or OFF
changes nothing, and only changes of state make a span.

Two views come out of it:

- **use spans** (`sensor_spans`): each time a sensor went on, until it went off.
  A fridge door open, a kettle drawing power, a bed mat occupied.
- **activity spans** (`activity_spans`): when the person was visibly doing
  something. Movement-like sensors (motion, presence, switches, flushes,
  appliances drawing power) count while on, but at most `LONGEST_ACTIVITY`,
  since a sensor stuck on is not a person moving. State-holding sensors (doors,
  cupboards, pressure mats) count only at their changes: opening or closing a
  door, sitting down or getting up is an action; sitting still for two hours is not.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hub.config.models import Role
from hub.events import Event, Kind
from hub.routine.layout import Layout

APPLIANCE_ON_WATTS = 20.0  # above standby, below any kettle, cooker or microwave in use
LONGEST_ACTIVITY = timedelta(minutes=10)
_MOVEMENT_KINDS = frozenset({Kind.MOTION, Kind.PRESENCE, Kind.SWITCH, Kind.FLUSH, Kind.POWER})
_STATE_KINDS = frozenset({Kind.CONTACT, Kind.PRESSURE})
_MOMENT_KINDS = frozenset({Kind.BUTTON, Kind.MEDICATION})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Span:
    """A sensor on from `start` to `end` (UTC); `closed` is False when data ended first."""

    sensor: str
    start: datetime
    end: datetime
    closed: bool = True


@dataclass(slots=True)
class Activity:
    """The person acted on `sensor` (in `room`, with `role`) from `start` to `end` (UTC).

    Not frozen, though nothing changes one once made: a frozen dataclass sets
    each field through `object.__setattr__`, and that made building a busy
    day's 3,000 activities twice as slow.
    """

    start: datetime
    end: datetime
    sensor: str
    room: str
    role: Role
    # The minutes of the UTC clock (from the epoch) `start` and `end` fall in, worked
    # out once: a day's active minutes, in all, per role and per meal, read them often.
    start_minute: int = field(init=False, compare=False, repr=False)
    end_minute: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.start_minute = epoch_minute(self.start)
        self.end_minute = epoch_minute(self.end)


def epoch_minute(moment: datetime) -> int:
    """The minute of the UTC clock `moment` falls in, counted from 1970-01-01."""
    return (moment - _EPOCH) // _MINUTE


@dataclass(frozen=True)
class Timeline:
    """A home's events as spans, sorted by start; the base of every daily feature."""

    first: datetime  # first event of any sensor
    last: datetime  # last event of any sensor
    spans: dict[str, list[Span]]  # by sensor id
    activity: list[Activity]
    reported: list[tuple[datetime, str]]  # (time, sensor) of every event, in time order
    # Kept once, so that slicing a day out of months of data is a binary search.
    _activity_starts: list[datetime] = field(init=False, repr=False)
    _reported_times: list[datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_activity_starts", [a.start for a in self.activity])
        object.__setattr__(self, "_reported_times", [moment for moment, _ in self.reported])

    def activity_between(self, start: datetime, end: datetime) -> list[Activity]:
        """Activities starting in [start, end)."""
        starts = self._activity_starts
        return self.activity[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]

    def sensors_heard(self, start: datetime, end: datetime) -> tuple[str, ...]:
        """Sensors that reported anything in [start, end), sorted."""
        times = self._reported_times
        low, high = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return tuple(sorted({sensor for _, sensor in self.reported[low:high]}))


def _is_on(kind: Kind, value: object) -> bool | None:
    """The sensor's state after an event of `kind` with `value`, or None when it says nothing."""
    if isinstance(value, bool):
        return value
    if kind is Kind.POWER and isinstance(value, float):
        return value > APPLIANCE_ON_WATTS
    return None


def build_timeline(events: Iterable[Event], layout: Layout) -> Timeline | None:
    """The timeline of `events` (in time order) for the sensors in `layout`; None if empty."""
    sensors = layout.sensors
    spans: dict[str, list[Span]] = {sensor: [] for sensor in sensors}
    opened: dict[str, datetime] = {}
    reported: list[tuple[datetime, str]] = []
    # Names bound once: this loop runs over every event of the days being read.
    add_report = reported.append
    for event in events:
        sensor = event.sensor
        info = sensors.get(sensor)
        if info is None:
            continue
        moment, kind = event.time, event.kind
        add_report((moment, sensor))
        if kind is not info.kind:
            continue  # a device also reports battery or temperature: its main kind makes spans
        if kind in _MOMENT_KINDS:
            spans[sensor].append(Span(sensor, moment, moment))
            continue
        state = _is_on(kind, event.value)
        if state is None:
            continue
        if state and sensor not in opened:
            opened[sensor] = moment
        elif not state and sensor in opened:
            spans[sensor].append(Span(sensor, opened.pop(sensor), moment))
    if not reported:
        return None
    last = reported[-1][0]
    for sensor, start in opened.items():
        spans[sensor].append(Span(sensor, start, last, closed=False))
    for sensor_spans in spans.values():
        sensor_spans.sort(key=lambda span: span.start)
    return Timeline(
        first=reported[0][0],
        last=last,
        spans=spans,
        activity=activity_spans(spans, layout),
        reported=reported,
    )


def activity_spans(spans: dict[str, list[Span]], layout: Layout) -> list[Activity]:
    out: list[Activity] = []
    for sensor, sensor_spans in spans.items():
        info = layout.sensors[sensor]
        for span in sensor_spans:
            if info.kind in _MOVEMENT_KINDS:
                end = min(span.end, span.start + LONGEST_ACTIVITY)
                out.append(Activity(span.start, end, sensor, info.room, info.role))
            elif info.kind in _STATE_KINDS:
                out.append(Activity(span.start, span.start, sensor, info.room, info.role))
                if span.closed:
                    out.append(Activity(span.end, span.end, sensor, info.room, info.role))
            elif info.kind in _MOMENT_KINDS:
                out.append(Activity(span.start, span.end, sensor, info.room, info.role))
    out.sort(key=lambda activity: (activity.start, activity.end))
    return out


def uses(spans: Sequence[Span], start: datetime, end: datetime, merge: timedelta) -> int:
    """How many times the sensor(s) went on in [start, end).

    A use that starts within `merge` of the end of the previous one is the same
    use: a fridge door bounced shut and reopened, or a duplicated message.
    """
    count = 0
    previous_end: datetime | None = None
    for span in sorted(spans, key=lambda s: s.start):
        new_use = previous_end is None or span.start - previous_end > merge
        if new_use and start <= span.start < end:
            count += 1
        previous_end = span.end if previous_end is None else max(previous_end, span.end)
    return count


def minutes(delta: timedelta) -> float:
    return round(delta / timedelta(minutes=1), 1)
