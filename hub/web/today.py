"""The day so far, for "how was today" at a glance: from the routine engine's own features.

Nothing here judges the day anew: when the person got up, the kitchen time
around meals and the outings are `daily_features` of today's local date, over
the events since yesterday's start (the night before today and the look-back
the features need). The last movement is the end of the latest activity of the
same timeline the features are made from. Pure: events in, a value out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.events import Event
from hub.routine.days import local_instant
from hub.routine.features import DayFeatures, daily_features
from hub.routine.layout import layout_of
from hub.routine.timeline import build_timeline


@dataclass(frozen=True, slots=True)
class Meal:
    name: str  # breakfast, lunch, dinner
    kitchen_minutes: int | None  # None: the home has no kitchen sensors


@dataclass(frozen=True, slots=True)
class LastMovement:
    at: datetime  # local
    room: str  # the room's readable name
    sensor: str


@dataclass(frozen=True, slots=True)
class TodayView:
    date: date
    now: datetime  # local
    seen_today: bool  # any event today: without one the figures below say nothing
    time_up: datetime | None  # local; None: not seen (yet)
    first_kitchen: datetime | None
    meals: tuple[Meal, ...]
    outings: int | None  # None: no front-door sensor
    minutes_out: float | None
    last_movement: LastMovement | None
    newest_event: datetime | None  # local; how fresh the data are

    def record(self) -> dict[str, object]:
        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.replace(microsecond=0).isoformat()

        last = self.last_movement
        return {
            "date": self.date.isoformat(),
            "now": iso(self.now),
            "seen_today": self.seen_today,
            "time_up": iso(self.time_up),
            "first_kitchen_activity": iso(self.first_kitchen),
            "meals": {m.name: m.kitchen_minutes for m in self.meals},
            "outings": self.outings,
            "minutes_out": self.minutes_out,
            "last_movement": None
            if last is None
            else {"at": iso(last.at), "room": last.room, "sensor": last.sensor},
            "newest_event": iso(self.newest_event),
        }


def events_since(now: datetime, zone: ZoneInfo) -> datetime:
    """Where today's events must be read from: yesterday's local midnight (UTC).

    Today's night starts yesterday evening and the features look a day back
    from today's start for the activity that carries over midnight.
    """
    today = now.astimezone(zone).date()
    return local_instant(today - timedelta(days=1), time(0, 0), zone)


def today_view(events: Sequence[Event], config: HearthConfig, now: datetime) -> TodayView:
    """The day so far at `now`, from `events` read since `events_since(now)` up to `now`."""
    zone = ZoneInfo(config.home.timezone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    day: DayFeatures | None = next(
        (d for d in daily_features(events, config) if d.date == today), None
    )
    layout = layout_of(config)
    timeline = build_timeline(events, layout)
    last = None
    if timeline is not None and timeline.activity:
        latest = max(timeline.activity, key=lambda a: a.end)
        rooms = {room.id: room.name or room.id for room in config.rooms}
        last = LastMovement(latest.end.astimezone(zone), rooms.get(latest.room, latest.room),
                            latest.sensor)  # fmt: skip
    meals = (
        Meal("breakfast", day.breakfast_kitchen_minutes if day else None),
        Meal("lunch", day.lunch_kitchen_minutes if day else None),
        Meal("dinner", day.dinner_kitchen_minutes if day else None),
    )
    return TodayView(
        date=today,
        now=local_now,
        seen_today=day is not None,
        time_up=day.time_up if day else None,
        first_kitchen=day.first_kitchen_activity if day else None,
        meals=meals,
        outings=day.outings if day else None,
        minutes_out=day.minutes_out if day else None,
        last_movement=last,
        newest_event=events[-1].time.astimezone(zone) if events else None,
    )
