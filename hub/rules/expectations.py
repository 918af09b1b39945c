"""What is usual for this person, as the live rules need it, learned from daily features.

`expectations_from(days, config)` reads the routine engine's `DayFeatures`
(oldest first; only days before today, so nothing is learned from the day
being judged) and returns the few figures the rules compare with:

- **time up**: a late usual morning, the `LATE_QUANTILE` of recent times up,
  so a person whose mornings vary is expected by the later end of them;
- **the night**: from an hour before the usual bedtime to the usual time up
  (medians), the hours in which stillness is sleep;
- **still by hour**: for each local hour, the longest stillness that usually
  begins in it (hour h or its neighbours), from the hourly activity profile.
  A run of k hours without activity began in the last active hour and lasted
  between k and k + 2 hours; k + 1 is taken. It is the `LATE_QUANTILE` of the
  days, so one unusual afternoon nap does not set the limit. Hours are coarse,
  so no hour's figure is below the median of the days' longest stillness
  (exact, from the features): what happens once every day can happen at any hour;
- **bathroom minutes**: the `LATE_QUANTILE` of the days' minutes in the
  bathroom(s). The features hold no single visit's length; a day's total is
  an upper bound of its longest visit.

- **night door habit**: the share of recent nights (the `night_exit.night`
  window) in which an outside door was opened, from the events themselves
  (the features hold no door times). A person who often comes and goes at
  night still gets told about, but as a warning, not an urgent alarm.

Until `MIN_VALUES` days have a time up (the baseline's own threshold), the
figures are None and the rules use their configured defaults.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.config.models import HearthConfig
from hub.events import Event
from hub.routine.baseline import MIN_VALUES, WINDOW
from hub.routine.features import DayFeatures
from hub.routine.layout import EXIT_ROLES, layout_of

LATE_QUANTILE = 0.9
NIGHT_HABIT_SHARE = 0.2  # a door opened on one night in five or more is a habit
NEIGHBOUR_HOURS = 1
BEFORE_BEDTIME_MIN = 60.0


@dataclass(frozen=True, slots=True)
class Expectations:
    """The learned figures; None means "not learned yet: use the default"."""

    days: int = 0  # days with a time up that the figures rest on
    time_up: float | None = None  # minutes after local midnight
    latest_time_up: float | None = None  # the latest time up seen, even while learning
    night: tuple[float, float] | None = None  # asleep from..to, minutes after midnight
    still_by_hour: tuple[float, ...] | None = None  # minutes, one per local hour 00..23
    bathroom_minutes: float | None = None  # a day's time in the bathroom(s), late end
    night_door_share: float | None = None  # share of recent nights with an outside door opened

    @property
    def night_exits_usual(self) -> bool:
        """Outside doors are opened at night often enough to be this person's habit."""
        return self.night_door_share is not None and self.night_door_share >= NIGHT_HABIT_SHARE

    @property
    def learned(self) -> bool:
        return self.time_up is not None


def expectations_from(
    days: Sequence[DayFeatures], config: HearthConfig, events: Iterable[Event] = ()
) -> Expectations:
    """The usual figures from the days given (oldest first), for the home in `config`.

    `events` (in time order, none from the day being judged) give the night
    door habit; without them it is not learned.
    """
    # A time up is only found when the data cover its night, so partial days count.
    recent = list(days[-WINDOW:])
    ups = [_clock(day.time_up, day) for day in recent if day.time_up is not None]
    latest = max(ups) if ups else None
    if len(ups) < MIN_VALUES:
        return Expectations(days=len(ups), latest_time_up=latest)
    beds = [_clock(day.bedtime, day) for day in recent if day.bedtime is not None]
    whole = [day for day in recent if not day.partial]
    night = (statistics.median(beds) - BEFORE_BEDTIME_MIN, statistics.median(ups)) if beds else None
    layout = layout_of(config)
    return Expectations(
        days=len(ups),
        time_up=quantile(ups, LATE_QUANTILE),
        latest_time_up=latest,
        night=night,
        still_by_hour=_still_by_hour(whole),
        bathroom_minutes=_bathroom_minutes(whole, layout.bathrooms),
        night_door_share=night_door_share(events, config, {d.date for d in recent}),
    )


def night_door_share(
    events: Iterable[Event], config: HearthConfig, dates: set[date]
) -> float | None:
    """Of the nights before `dates` that the hub watched, the share with an outside door opened.

    A night belongs to the local date it ends on; it was watched when any event
    fell in it. None with fewer than `MIN_VALUES` watched nights.
    """
    layout = layout_of(config)
    window = config.rules.night_exit.night
    exits = {s.id for s in layout.with_role(*EXIT_ROLES)}
    if not exits:
        return None
    watched: set[date] = set()
    opened: set[date] = set()
    for event in events:
        local = event.time.astimezone(layout.zone)
        if not window.contains(local.time()):
            continue
        # Before midnight, the night ends on the next date.
        night_of = (
            local.date() + timedelta(days=1) if local.time() >= window.start else local.date()
        )
        if night_of not in dates:
            continue
        watched.add(night_of)
        if event.sensor in exits and event.value is True:
            opened.add(night_of)
    if len(watched) < MIN_VALUES:
        return None
    return len(opened) / len(watched)


def quantile(values: Sequence[float], q: float) -> float:
    """The value at or below which a share `q` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _clock(moment: datetime, day: DayFeatures) -> float:
    """Wall-clock minutes after the day's local midnight; the evening before is negative."""
    days_apart = (moment.date() - day.date).days
    return days_apart * 1440 + moment.hour * 60 + moment.minute + moment.second / 60


def _still_by_hour(days: list[DayFeatures]) -> tuple[float, ...]:
    by_day: list[list[float]] = []
    for index, day in enumerate(days):
        if day.time_up is None:
            continue
        following = days[index + 1] if index + 1 < len(days) else None
        runs = _still_runs(day, following)
        by_day.append(
            [
                max(runs[(h + d) % 24] for d in range(-NEIGHBOUR_HOURS, NEIGHBOUR_HOURS + 1))
                for h in range(24)
            ]
        )
    longest = [day.longest_still_minutes for day in days if day.longest_still_minutes is not None]
    floor = statistics.median(longest) if longest else 0.0
    return tuple(
        max(floor, quantile([values[h] for values in by_day], LATE_QUANTILE)) for h in range(24)
    )


def _still_runs(day: DayFeatures, following: DayFeatures | None) -> list[float]:
    """Minutes of the longest stillness beginning in each local hour of the day's waking hours."""
    assert day.time_up is not None
    first = day.time_up.hour
    last = 24
    if following is not None and following.bedtime is not None:
        bed = _clock(following.bedtime, following)
        if bed < 0:  # to bed before midnight: the day's waking hours end then
            last = max(first + 1, int((1440 + bed) // 60) + 1)
    runs = [0.0] * 24
    profile = day.hourly_activity
    hour = first + 1
    while hour < last:
        if profile[hour] or not profile[hour - 1]:
            hour += 1
            continue
        end = hour
        while end < last and not profile[end]:
            end += 1
        runs[hour - 1] = max(runs[hour - 1], (end - hour + 1) * 60.0)
        hour = end
    return runs


def _bathroom_minutes(days: list[DayFeatures], bathrooms: frozenset[str]) -> float | None:
    if not bathrooms:
        return None
    totals = [sum(day.room_minutes.get(room, 0.0) for room in bathrooms) for day in days]
    return quantile(totals, LATE_QUANTILE)
