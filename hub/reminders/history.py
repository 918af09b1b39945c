"""Running the reminder engine over stored events in event time, as the live hub would have.

The engine is advanced to each event's time before it sees the event, and
every `tick` between events, the same way the live adapter drives it, so the
outcomes of a replayed month are those the live hub would have recorded.
A person's word (`dose_marks`) and the home's modes (`modes`) come from the
database too, each at its own time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.config.models import HearthConfig
from hub.events import Event
from hub.modes import Mode, ModeSetting
from hub.reminders.engine import ReminderEngine, Step, UnknownMedicine

TICK = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Mark:
    """A person's word that a medicine was taken (a carer over MQTT, `hearth meds taken`)."""

    medicine: str
    at: datetime  # when it was taken, as they said (else when they said it)
    received: datetime  # when the hub heard it: when the engine learns of it
    by: str  # "carer:<name>" or "cli:<name>"


def mode_at(settings: Sequence[ModeSetting], moment: datetime) -> Mode:
    """The mode in force at `moment` given every setting recorded, oldest first."""
    current = None
    for setting in settings:
        if setting.since <= moment:
            current = setting
    return current.in_force(moment) if current is not None else Mode.HOME


def run(
    config: HearthConfig,
    events: Iterable[Event],
    *,
    start: datetime,
    until: datetime,
    marks: Sequence[Mark] = (),
    modes: Sequence[ModeSetting] = (),
    tick: timedelta = TICK,
) -> Iterator[tuple[datetime, Step]]:
    """Yield (time, step) for every advance of an engine fed `events` from `start` to `until`."""
    engine = ReminderEngine(config, start)
    return feed(engine, events, start=start, until=until, marks=marks, modes=modes, tick=tick)


def feed(
    engine: ReminderEngine,
    events: Iterable[Event],
    *,
    start: datetime,
    until: datetime,
    marks: Sequence[Mark] = (),
    modes: Sequence[ModeSetting] = (),
    tick: timedelta = TICK,
) -> Iterator[tuple[datetime, Step]]:
    """Feed `engine` the events (in time order) and marks, advancing it in event time."""
    moment = start
    # Events before marks at the same moment: a carer marks what they saw happen.
    observed: Iterable[tuple[datetime, int, Event | Mark]] = ((e.time, 0, e) for e in events)
    said: Iterable[tuple[datetime, int, Event | Mark]] = ((m.received, 1, m) for m in marks)
    stream = heapq.merge(observed, sorted(said, key=lambda i: i[0]), key=lambda i: (i[0], i[1]))
    for at, _, item in stream:
        if at > until:
            break
        while moment + tick < at:
            moment += tick
            yield moment, engine.advance(moment, mode_at(modes, moment))
        moment = max(moment, at)
        yield moment, engine.advance(moment, mode_at(modes, moment))
        if isinstance(item, Event):
            engine.observe(item)
        else:
            try:
                engine.confirm(item.medicine, item.at, item.by)
            except UnknownMedicine:
                continue  # a medicine since taken out of the config
        yield moment, engine.advance(moment, mode_at(modes, moment))
    while moment < until:
        moment = min(moment + tick, until)
        yield moment, engine.advance(moment, mode_at(modes, moment))
