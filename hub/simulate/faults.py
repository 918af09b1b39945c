"""Sensor faults: a sensor silent for hours or days, and a reading sent twice.

Dropouts are drawn per sensor over the whole simulated period (a Poisson
process at `dropouts_per_month`, lengths spread evenly on a log scale between
the shortest and longest), from a stream keyed by the seed and the sensor id,
so adding a sensor to the home does not move the others' dropouts. A reading
sent twice is repeated, same value, a fraction of a second later, as a
broker redelivery or a chatty device does.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.events import Event
from hub.simulate.plan import stream
from hub.simulate.profile import SensorFaults


@dataclass(frozen=True, slots=True)
class Dropout:
    sensor: str
    start: datetime  # UTC
    end: datetime


def dropouts(
    sensors: Iterable[str], faults: SensorFaults, start: datetime, end: datetime, seed: int
) -> list[Dropout]:
    """Every sensor's silent spells between `start` and `end`, in time order."""
    out: list[Dropout] = []
    rate_per_hour = faults.dropouts_per_month / (30 * 24)
    if rate_per_hour <= 0:
        return out
    low, high = math.log(faults.dropout_hours_min), math.log(faults.dropout_hours_max)
    for sensor in sensors:
        rng = random.Random(f"{seed}/dropouts/{sensor}")
        moment = start
        while True:
            moment += timedelta(hours=rng.expovariate(rate_per_hour))
            if moment >= end:
                break
            length = timedelta(hours=math.exp(rng.uniform(low, high)))
            out.append(Dropout(sensor, moment, moment + length))
            moment += length
    out.sort(key=lambda d: d.start)
    return out


class Silencer:
    """Drops the events a sensor sends during one of its dropouts."""

    def __init__(self, spells: Sequence[Dropout]) -> None:
        self._spells: dict[str, tuple[list[datetime], list[datetime]]] = {}
        for spell in spells:
            starts, ends = self._spells.setdefault(spell.sensor, ([], []))
            starts.append(spell.start)
            ends.append(spell.end)

    def silent(self, event: Event) -> bool:
        spells = self._spells.get(event.sensor)
        if spells is None:
            return False
        starts, ends = spells
        index = bisect.bisect_right(starts, event.time) - 1
        return index >= 0 and event.time < ends[index]


def with_duplicates(events: list[Event], probability: float, seed: int, day: date) -> list[Event]:
    """`events` (time order) with some sent twice; still in time order."""
    if probability <= 0:
        return events
    rng = stream(seed, day, "duplicates")
    out: list[Event] = []
    for event in events:
        out.append(event)
        if rng.random() < probability:
            later = event.time + timedelta(milliseconds=rng.randrange(50, 800))
            out.append(Event(later, event.sensor, event.kind, event.value, event.source))
    out.sort(key=lambda event: event.time)
    return out
