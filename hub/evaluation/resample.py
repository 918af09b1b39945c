"""Months-long streams from a few weeks of a real home: whole real days, drawn again and again.

The dataset homes hold 14 to 30 days, too few to learn a routine and then
watch it for months. A resampled stream keeps what matters: every stream day
is one whole real day of the home, its events moved in time by whole days
on the wall clock, so the day keeps its real within-day structure (when the
person got up, ate, went out, in what order).

- **Where a day is cut**: at the home's *quietest hour* (the local hour
  with the fewest events over the data, e.g. 04:00), so the cut falls while
  the person is usually asleep and a night is rarely split between two
  real days. A source day D is the window [D at the cut, D+1 at the cut);
  only windows the data cover whole are used.
- **Which day is drawn**: stream date S takes a real day of the same kind,
  weekday or weekend (S's own weekday decides), uniformly at random with
  replacement from a seeded generator; a home without a real day of that kind
  draws from all days.
- **Moving a day**: each event keeps its local wall-clock time and moves by
  whole dates (S - D days), then goes back to UTC, so a 07:40 stays 07:40
  across a change of the clocks.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.events import Event
from hub.routine.baseline import is_weekend
from hub.routine.days import local_instant

DEFAULT_START = date(2025, 1, 6)  # a Monday; the streams cross a change of the clocks


class ResampleError(ValueError):
    """A home's data hold no whole day to draw from."""


@dataclass(frozen=True)
class Stream:
    """A resampled stream: stream date `start + i` is real day `sources[i]`."""

    home: str
    zone: ZoneInfo
    start: date
    cut_hour: int
    sources: tuple[date, ...]
    events: tuple[Event, ...]  # time order

    @property
    def days(self) -> int:
        return len(self.sources)

    def date_of(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def day_start(self, day: date) -> datetime:
        """The UTC instant stream date `day` begins (its cut hour)."""
        return local_instant(day, time(self.cut_hour), self.zone)


def quietest_hour(events: Sequence[Event], zone: ZoneInfo) -> int:
    """The local hour 0..23 with the fewest events; the earliest of equals."""
    counts = Counter(event.time.astimezone(zone).hour for event in events)
    return min(range(24), key=lambda hour: (counts.get(hour, 0), hour))


def whole_days(events: Sequence[Event], zone: ZoneInfo, cut_hour: int) -> dict[date, list[Event]]:
    """Each real day the data cover whole (cut to cut), with its events in time order."""
    if not events:
        return {}
    cut = time(cut_hour)
    first, last = events[0].time, events[-1].time
    day = first.astimezone(zone).date()
    final = last.astimezone(zone).date()
    windows: dict[date, list[Event]] = {}
    while day <= final:
        start = local_instant(day, cut, zone)
        end = local_instant(day + timedelta(days=1), cut, zone)
        if start >= first and end <= last:
            windows[day] = []
        day += timedelta(days=1)
    for event in events:
        local = event.time.astimezone(zone)
        owner = local.date() - timedelta(days=1 if local.hour < cut_hour else 0)
        if owner in windows:
            windows[owner].append(event)
    return windows


def moved(event: Event, days: int, zone: ZoneInfo) -> Event:
    """The event `days` dates later at the same local wall-clock time."""
    wall = event.time.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return replace(event, time=wall.replace(tzinfo=zone).astimezone(UTC))


def resample(
    home: str,
    events: Sequence[Event],
    zone: ZoneInfo,
    *,
    days: int,
    seed: int,
    start: date = DEFAULT_START,
) -> Stream:
    """A stream of `days` whole real days of the home (events in time order), drawn by `seed`."""
    cut_hour = quietest_hour(events, zone)
    real = whole_days(events, zone, cut_hour)
    if not real:
        raise ResampleError(f"home {home!r}: the data hold no whole day from {cut_hour:02d}:00")
    by_kind = {
        kind: [d for d in sorted(real) if is_weekend(d) == kind] or sorted(real)
        for kind in (False, True)
    }
    rng = random.Random(seed)
    sources: list[date] = []
    out: list[Event] = []
    for index in range(days):
        target = start + timedelta(days=index)
        source = rng.choice(by_kind[is_weekend(target)])
        sources.append(source)
        shift = (target - source).days
        out.extend(moved(event, shift, zone) for event in real[source])
    out.sort(key=lambda event: event.time)
    return Stream(home, zone, start, cut_hour, tuple(sources), tuple(out))


def as_stream(home: str, events: Sequence[Event], zone: ZoneInfo, start: date, days: int) -> Stream:
    """Events already `days` long from local midnight of `start` (a simulation) as a stream."""
    ordered = tuple(sorted(events, key=lambda event: event.time))
    sources = tuple(start + timedelta(days=i) for i in range(days))
    return Stream(home, zone, start, 0, sources, ordered)
