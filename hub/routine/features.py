"""The daily behaviour features of a home, one `DayFeatures` per local date.

`daily_features(events, config)` is pure: events in (time order, as
`read_events` gives them), values out. Each feature is None when the home
lacks the sensors to tell it, or the data do not cover it, never a guessed 0.
How each is defined lives beside its code: `days.py` (which hours a day
covers), `sleep.py`, `outings.py`, `kitchen.py`, `activity.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig, Role
from hub.events import Event
from hub.routine import activity as act
from hub.routine import kitchen as kit
from hub.routine.days import RoutineDay, routine_day, routine_days
from hub.routine.layout import FEATURE_ROLES, KITCHEN_ROLES, Layout, layout_of
from hub.routine.outings import Outing, find_outings, time_out
from hub.routine.sleep import Night, find_night
from hub.routine.timeline import LONGEST_ACTIVITY, Timeline, build_timeline, minutes

_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class DayFeatures:
    """What one local day looked like. Times are aware, in the home's zone."""

    date: date
    hours: int  # 23, 24 or 25: the calendar day's length
    partial: bool  # the data begin after the night started or end before the day ended
    # Sleep (the night before this date belongs to it)
    bedtime: datetime | None
    time_up: datetime | None
    sleep_method: str | None  # "bed" (pressure mat) or "motion"
    sleep_period_minutes: float | None  # bedtime to time up
    time_in_bed_minutes: float | None  # occupied bed time: only with a bed mat
    night_out_of_bed: int | None
    night_toilet_visits: int | None
    # Kitchen
    first_kitchen_activity: datetime | None
    breakfast_kitchen_minutes: int | None
    lunch_kitchen_minutes: int | None
    dinner_kitchen_minutes: int | None
    fridge_uses: int | None
    kettle_uses: int | None
    # Out of home (None without an outside-door sensor)
    outings: int | None  # outings that started this day
    minutes_out: float | None  # time away within this calendar day
    # Activity
    active_minutes: int
    active_hours: int  # wall-clock hours with at least one active minute
    hourly_activity: tuple[int, ...]  # active minutes per wall-clock hour 00..23
    room_minutes: Mapping[str, float]
    longest_still_minutes: float | None  # at home and awake: time up to the next bedtime
    # Coverage
    sensors_reporting: tuple[str, ...]
    sensors_silent: tuple[str, ...]
    roles_missing: tuple[str, ...]  # roles some feature uses that the home has no sensor for
    # Active minutes per wall-clock hour 00..23 for each role the home has a sensor for
    # ("kettle": 24 values; see activity.py): the model's input. Last, with a default,
    # because days built by hand (tests, summaries saved before it existed) lack it.
    hourly_by_role: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def daily_features(
    events: Iterable[Event],
    config: HearthConfig,
    *,
    until: datetime | None = None,
    first_date: date | None = None,
) -> list[DayFeatures]:
    """Features of every local date from the first event's to the last event's.

    `until`: the moment up to which the events are known to be all there is
    (the live hub reads up to now: a quiet evening with no event yet is
    still part of the day). Without it the data end at the last event, as a
    recording's do; either way a day ending after it is `partial`.
    `first_date`: dates before it are not wanted; their events serve only as
    the look-back of the dates that are (the hub reads a few days back for a
    day's night and the outing it may be in, and used to work out those days'
    features too, only to throw them away).
    """
    layout = layout_of(config)
    timeline = build_timeline(events, layout)
    if timeline is None:
        return []
    covered = timeline.last if until is None else max(until, timeline.last)
    outings = find_outings(timeline, layout)
    days = routine_days(timeline.first, covered, layout.zone)
    if first_date is not None:
        days = [day for day in days if day.date >= first_date]
    nights = [find_night(day, timeline, layout, outings or [], covered) for day in days]
    return [
        _features(
            day,
            night=night,
            next_night=next_night,
            timeline=timeline,
            layout=layout,
            outings=outings,
            covered=covered,
        )
        for day, night, next_night in zip(days, nights, [*nights[1:], None], strict=True)
    ]


def _features(
    day: RoutineDay,
    *,
    night: Night | None,
    next_night: Night | None,
    timeline: Timeline,
    layout: Layout,
    outings: list[Outing] | None,
    covered: datetime,
) -> DayFeatures:
    today = timeline.activity_between(day.start, day.end)
    # No activity lasts longer than LONGEST_ACTIVITY, so only these can reach into the day.
    reaching = timeline.activity_between(day.start - LONGEST_ACTIVITY, day.end)
    # The last activity before midnight (up to a day earlier) says where the day begins.
    last_before = timeline.activity_between(day.start - _LOOKBACK, day.start)[-1:]
    kitchen = kit.kitchen_activity(today, layout)
    meals = kit.meal_minutes(kitchen, day)
    active = act.active_minutes(reaching, day.start, day.end)
    time_up = night.time_up if night else None
    first_kitchen = kit.first_kitchen_activity(kitchen, day, time_up)
    has_kitchen = bool(layout.kitchens) or any(
        s.role in KITCHEN_ROLES for s in layout.sensors.values()
    )
    still = None
    if night is not None:
        # Awake from getting up to the next night's bedtime (often after midnight).
        awake_end = next_night.bedtime if next_night else day.end
        if awake_end > night.time_up:
            awake = timeline.activity_between(night.time_up - _LOOKBACK, awake_end)
            still = minutes(act.longest_still(awake, outings or [], night.time_up, awake_end))
    reporting = timeline.sensors_heard(day.start, day.end)
    profile = act.hourly_profile(active, day)
    return DayFeatures(
        date=day.date,
        hours=day.hours,
        partial=timeline.first > day.night_start or covered < day.end,
        bedtime=day.local(night.bedtime) if night else None,
        time_up=day.local(night.time_up) if night else None,
        sleep_method=night.method if night else None,
        sleep_period_minutes=minutes(night.time_up - night.bedtime) if night else None,
        time_in_bed_minutes=(minutes(night.in_bed) if night and night.in_bed is not None else None),
        night_out_of_bed=night.out_of_bed if night else None,
        night_toilet_visits=night.toilet_visits if night else None,
        first_kitchen_activity=day.local(first_kitchen) if first_kitchen else None,
        breakfast_kitchen_minutes=meals["breakfast"] if has_kitchen else None,
        lunch_kitchen_minutes=meals["lunch"] if has_kitchen else None,
        dinner_kitchen_minutes=meals["dinner"] if has_kitchen else None,
        fridge_uses=kit.appliance_uses(timeline, layout, Role.FRIDGE, day),
        kettle_uses=kit.appliance_uses(timeline, layout, Role.KETTLE, day),
        outings=None if outings is None else sum(day.start <= o.start < day.end for o in outings),
        minutes_out=None if outings is None else minutes(time_out(outings, day.start, day.end)),
        active_minutes=act.count(active),
        active_hours=sum(1 for count in profile if count),
        hourly_activity=profile,
        hourly_by_role=act.hourly_by_role(reaching, day, {s.role for s in layout.sensors.values()}),
        room_minutes=act.room_minutes([*last_before, *today], outings or [], day.start, day.end),
        longest_still_minutes=still,
        sensors_reporting=reporting,
        sensors_silent=tuple(sorted(set(layout.sensors) - set(reporting))),
        roles_missing=tuple(r.value for r in FEATURE_ROLES if not layout.has_role(r)),
    )


def empty_day(day: date, zone: ZoneInfo) -> DayFeatures:
    """A date nothing is known of (the hub was off): partial, so it is never judged."""
    return DayFeatures(
        date=day,
        hours=routine_day(day, zone).hours,
        partial=True,
        bedtime=None,
        time_up=None,
        sleep_method=None,
        sleep_period_minutes=None,
        time_in_bed_minutes=None,
        night_out_of_bed=None,
        night_toilet_visits=None,
        first_kitchen_activity=None,
        breakfast_kitchen_minutes=None,
        lunch_kitchen_minutes=None,
        dinner_kitchen_minutes=None,
        fridge_uses=None,
        kettle_uses=None,
        outings=None,
        minutes_out=None,
        active_minutes=0,
        active_hours=0,
        hourly_activity=(0,) * 24,
        room_minutes={},
        longest_still_minutes=None,
        sensors_reporting=(),
        sensors_silent=(),
        roles_missing=(),
    )


_TIMES = frozenset({"bedtime", "time_up", "first_kitchen_activity"})
_TUPLES = frozenset({"hourly_activity", "sensors_reporting", "sensors_silent", "roles_missing"})


def day_from_record(record: Mapping[str, Any], zone: tzinfo) -> DayFeatures:
    """The `DayFeatures` a `feature_record` was made from (times to the second, in `zone`)."""
    values: dict[str, Any] = {}
    for name, value in record.items():
        if name == "date":
            values[name] = date.fromisoformat(value)
        elif name in _TIMES:
            values[name] = None if value is None else datetime.fromisoformat(value).astimezone(zone)
        elif name in _TUPLES:
            values[name] = tuple(value)
        elif name == "hourly_by_role":
            values[name] = {role: tuple(hours) for role, hours in value.items()}
        else:
            values[name] = value
    return DayFeatures(**values)


def feature_record(day: DayFeatures) -> dict[str, object]:
    """The day as plain JSON-ready values: times ISO 8601 with the home's offset, to the second."""
    record: dict[str, object] = {}
    for name, value in asdict(day).items():
        if isinstance(value, datetime):
            record[name] = value.replace(microsecond=0).isoformat()
        elif isinstance(value, date):
            record[name] = value.isoformat()
        elif isinstance(value, tuple):
            record[name] = list(value)
        elif name == "hourly_by_role":
            record[name] = {role: list(hours) for role, hours in value.items()}
        else:
            record[name] = value
    return record
