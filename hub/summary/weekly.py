"""The weekly summary of one home: what a care co-ordinator reads about one week.

A week is Monday to Sunday in the home's time zone (a week with a clock
change is 167 or 169 hours long; its days are still seven local dates).

`build` reads the database (the events, the alert history) and hands plain
values to `assemble`, which is pure: the same days, routine results, dose
outcomes and alerts always give the same summary. Every figure comes from the
same library path as the commands a co-ordinator can check it against:
daily features and routine results as `hearth routine` computes them
(`hub.routine.stored`), medication rows as `hearth meds` prints them
(`hub.reminders.adherence.weekly` over the replayed outcomes), alerts from
the alert store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from hub.alerts.model import Action, Alert, Transition
from hub.alerts.store import AlertStore
from hub.config.models import HearthConfig
from hub.reminders.adherence import weekly
from hub.reminders.doses import DoseOutcome
from hub.reminders.report import replayed_outcomes, within
from hub.routine.baseline import Usual
from hub.routine.days import local_instant
from hub.routine.features import DayFeatures
from hub.routine.score import RoutineDayResult
from hub.routine.stored import stored_routine
from hub.store.database import Database
from hub.store.event_table import from_micros, to_micros

DAYS_IN_WEEK = 7


class NotAMonday(ValueError):
    """A week must start on a Monday; the date given is another day."""


@dataclass(frozen=True, slots=True)
class UsualRange:
    """What was usual for a behaviour on that day: the baseline's median and robust spread."""

    median: float  # in the behaviour's unit (times of day: minutes after local midnight)
    spread: float

    @property
    def low(self) -> float:
        return self.median - self.spread

    @property
    def high(self) -> float:
        return self.median + self.spread


@dataclass(frozen=True, slots=True)
class DayLine:
    """One local date of the week; every figure is None when the day cannot tell it."""

    date: date
    has_data: bool = False
    day_type: str | None = None  # normal, away, visitors, low-coverage, learning
    score: float | None = None
    flagged: bool = False
    hours: int = 24  # 23 or 25 on the days the clocks change
    time_up: datetime | None = None  # local
    time_up_usual: UsualRange | None = None
    bedtime: datetime | None = None  # local; the night before this date belongs to it
    bedtime_usual: UsualRange | None = None
    night_toilet_visits: int | None = None
    night_toilet_usual: UsualRange | None = None
    first_kitchen_activity: datetime | None = None
    kitchen_minutes: int | None = None  # breakfast + lunch + dinner windows
    fridge_uses: int | None = None
    outings: int | None = None
    minutes_out: float | None = None
    active_minutes: int | None = None
    hourly_activity: tuple[int, ...] = (0,) * 24

    @property
    def time_up_minutes(self) -> float | None:
        """Getting up as minutes after this date's local midnight."""
        return _wall(self.time_up, self.date)

    @property
    def bedtime_minutes(self) -> float | None:
        """Bedtime as minutes after this date's local midnight (negative: the evening before)."""
        return _wall(self.bedtime, self.date)


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """A change the routine engine reported during the week (latest wording kept)."""

    behaviour: str
    shape: str  # unusual_day, shift, drift
    direction: str
    onset: date
    confidence: float
    sentence: str
    first_reported: date
    last_reported: date


@dataclass(frozen=True, slots=True)
class MedicineLine:
    """One medicine's doses due in the week: the row `hearth meds` prints."""

    medicine: str
    due: int
    on_time: int
    late: int
    missed: int
    doubled: int
    away: int


@dataclass(frozen=True, slots=True)
class AlertLine:
    """An alert raised during the week and how it ended (or that it has not)."""

    id: int
    rule: str
    severity: str
    summary: str
    raised_at: datetime  # local
    state: str
    acknowledged_by: str | None
    acknowledged_at: datetime | None  # local
    ended_at: datetime | None  # local
    outcome: str  # in words: "acknowledged by anna after 12 min; resolved 14:02"


@dataclass(frozen=True, slots=True)
class SensorLine:
    sensor: str
    room: str
    role: str
    days_reporting: int  # of the week's days with data


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    home: str  # the home's label for carers, never an address
    timezone: str
    week_start: date  # the Monday
    days: tuple[DayLine, ...]  # seven, Monday first
    changes: tuple[ChangeLine, ...]
    medication: tuple[MedicineLine, ...]
    alerts: tuple[AlertLine, ...]
    sensors: tuple[SensorLine, ...]
    roles_missing: tuple[str, ...]

    @property
    def week_end(self) -> date:
        """The Sunday."""
        return self.week_start + timedelta(days=DAYS_IN_WEEK - 1)

    @property
    def days_with_data(self) -> int:
        return sum(day.has_data for day in self.days)

    def to_json(self) -> dict[str, object]:
        """Plain JSON values: dates and times ISO 8601 (times with the home's offset)."""
        record = _plain(self)
        assert isinstance(record, dict)
        record["week_end"] = self.week_end.isoformat()
        record["days_with_data"] = self.days_with_data
        return record


# Reading -------------------------------------------------------------------------


def build(db: Database, config: HearthConfig, week_start: date) -> WeeklySummary:
    """The summary of the week starting on the Monday `week_start`, from the database."""
    check_monday(week_start)
    zone = ZoneInfo(config.home.timezone)
    routine = stored_routine(db.conn, config)
    week_end = week_start + timedelta(days=DAYS_IN_WEEK - 1)
    # The reminder engine steps through every stored minute even with nothing to remind
    # of (2 s for a month): a home without medicines skips it, as its `hearth meds` is empty.
    found = replayed_outcomes(config, db.conn) if config.medication.medicines else []
    outcomes = within(found, week_start, week_end)
    start, end = week_bounds(week_start, zone)
    return assemble(
        config,
        week_start,
        days=routine.days,
        results=routine.results,
        outcomes=outcomes,
        alerts=_alerts_raised(db.conn, start, end),
    )


def weeks_available(db: Database, config: HearthConfig) -> list[date]:
    """The Mondays of weeks with at least one stored event, newest first."""
    conn = db.conn
    zone = ZoneInfo(config.home.timezone)
    row = conn.execute(
        "SELECT min(time_us), max(time_us) FROM events WHERE clock_ok = 1"
    ).fetchone()
    if row is None or row[0] is None:
        return []
    first = monday_of(_local_date(row[0], zone))
    last = monday_of(_local_date(row[1], zone))
    mondays = []
    monday = last
    while monday >= first:
        start, end = week_bounds(monday, zone)
        # One probe of the time index per week: a year of data is 52 quick lookups.
        found = conn.execute(
            "SELECT 1 FROM events WHERE time_us >= ? AND time_us < ? AND clock_ok = 1 LIMIT 1",
            (to_micros(start), to_micros(end)),
        ).fetchone()
        if found is not None:
            mondays.append(monday)
        monday -= timedelta(days=DAYS_IN_WEEK)
    return mondays


def _alerts_raised(
    conn: sqlite3.Connection, start: datetime, end: datetime
) -> list[tuple[Alert, list[Transition]]]:
    store = AlertStore(conn)
    ids = conn.execute(
        "SELECT id FROM alerts WHERE raised_us >= ? AND raised_us < ? ORDER BY raised_us, id",
        (to_micros(start), to_micros(end)),
    ).fetchall()
    found = []
    for (alert_id,) in ids:
        alert = store.alert(int(alert_id))
        if alert is not None:
            found.append((alert, store.history(alert.id)))
    return found


# Assembly (pure) -----------------------------------------------------------------


def check_monday(week_start: date) -> None:
    if week_start.weekday() != 0:
        raise NotAMonday(
            f"a week starts on a Monday; {week_start.isoformat()} is a {week_start:%A}"
        )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting the Monday and ending the Sunday."""
    return (
        local_instant(week_start, time(0), zone),
        local_instant(week_start + timedelta(days=DAYS_IN_WEEK), time(0), zone),
    )


def assemble(
    config: HearthConfig,
    week_start: date,
    *,
    days: Sequence[DayFeatures],
    results: Sequence[RoutineDayResult],
    outcomes: Sequence[DoseOutcome],
    alerts: Sequence[tuple[Alert, Sequence[Transition]]],
) -> WeeklySummary:
    """The summary from values: `days` and `results` may cover more than the week."""
    check_monday(week_start)
    zone = ZoneInfo(config.home.timezone)
    dates = [week_start + timedelta(days=n) for n in range(DAYS_IN_WEEK)]
    by_date = {day.date: day for day in days}
    result_of = {result.date: result for result in results}
    lines = tuple(_day_line(on, by_date.get(on), result_of.get(on)) for on in dates)
    week = [by_date[on] for on in dates if on in by_date]
    return WeeklySummary(
        home=config.alerts.home_label,
        timezone=config.home.timezone,
        week_start=week_start,
        days=lines,
        changes=_changes([result_of[on] for on in dates if on in result_of]),
        medication=_medication(outcomes, week_start),
        alerts=tuple(_alert_line(alert, history, zone) for alert, history in alerts),
        sensors=tuple(
            SensorLine(
                sensor.id,
                sensor.room,
                sensor.role.value,
                sum(sensor.id in day.sensors_reporting for day in week),
            )
            for sensor in config.sensors
        ),
        roles_missing=week[0].roles_missing if week else (),
    )


def _day_line(on: date, day: DayFeatures | None, result: RoutineDayResult | None) -> DayLine:
    usual: Mapping[str, Usual] = result.usual if result else {}

    def range_of(name: str) -> UsualRange | None:
        found = usual.get(name)
        return None if found is None else UsualRange(found.median, found.spread)

    if day is None:
        return DayLine(on)
    meals = (day.breakfast_kitchen_minutes, day.lunch_kitchen_minutes, day.dinner_kitchen_minutes)
    kitchen = None if any(m is None for m in meals) else sum(m for m in meals if m is not None)
    return DayLine(
        date=on,
        has_data=True,
        day_type=result.day_type.value if result else None,
        score=result.score if result else None,
        flagged=result.flagged if result else False,
        hours=day.hours,
        time_up=day.time_up,
        time_up_usual=range_of("time_up"),
        bedtime=day.bedtime,
        bedtime_usual=range_of("bedtime"),
        night_toilet_visits=day.night_toilet_visits,
        night_toilet_usual=range_of("night_toilet_visits"),
        first_kitchen_activity=day.first_kitchen_activity,
        kitchen_minutes=kitchen,
        fridge_uses=day.fridge_uses,
        outings=day.outings,
        minutes_out=day.minutes_out,
        active_minutes=day.active_minutes,
        hourly_activity=day.hourly_activity,
    )


def _changes(results: Sequence[RoutineDayResult]) -> tuple[ChangeLine, ...]:
    """Each change once: one shift reported on five days is one line, worded as last reported."""
    found: dict[tuple[str, str, date], ChangeLine] = {}
    for result in results:  # oldest first, so later wording replaces earlier
        for change in result.changes:
            key = (change.behaviour, change.shape.value, change.onset)
            first = found[key].first_reported if key in found else result.date
            found[key] = ChangeLine(
                behaviour=change.behaviour,
                shape=change.shape.value,
                direction=change.direction,
                onset=change.onset,
                confidence=change.confidence,
                sentence=change.sentence,
                first_reported=first,
                last_reported=result.date,
            )
    # Lasting changes (shifts, drifts) first: single unusual days are often their first days.
    return tuple(
        sorted(found.values(), key=lambda c: (c.shape == "unusual_day", c.onset, c.behaviour))
    )


def _medication(outcomes: Sequence[DoseOutcome], week_start: date) -> tuple[MedicineLine, ...]:
    return tuple(
        MedicineLine(
            row.medicine, row.due, row.on_time, row.late, row.missed, row.doubled, row.away
        )
        for row in weekly(outcomes)
        if row.week == week_start
    )


def _alert_line(alert: Alert, history: Sequence[Transition], zone: ZoneInfo) -> AlertLine:
    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(zone)

    ended = alert.resolved_at
    words: list[str] = []
    if alert.acknowledged_at is not None:
        after = _duration(alert.acknowledged_at - alert.raised_at)
        words.append(f"acknowledged by {alert.acknowledged_by or 'someone'} after {after}")
    if alert.state.value == "cancelled":
        words.append("cancelled by the resident (I'm OK)")
    elif alert.state.value == "resolved":
        closed_by = next((t for t in reversed(history) if t.action is Action.RESOLVED), None)
        how = "" if closed_by is None or closed_by.actor == "hub" else f" by {closed_by.actor}"
        when = f" {local(ended):%a %H:%M}" if ended else ""
        words.append(f"resolved{how}{when}")
    else:
        words.append(f"still {alert.state.value}")
    return AlertLine(
        id=alert.id,
        rule=alert.rule,
        severity=alert.severity.value,
        summary=alert.summary,
        raised_at=alert.raised_at.astimezone(zone),
        state=alert.state.value,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=local(alert.acknowledged_at),
        ended_at=local(ended),
        outcome="; ".join(words),
    )


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _wall(moment: datetime | None, on: date) -> float | None:
    """Wall-clock minutes from `on`'s local midnight (as `behaviours.wall_minutes` counts)."""
    if moment is None:
        return None
    days = (moment.date() - on).days
    return days * 1440 + moment.hour * 60 + moment.minute + moment.second / 60


def _local_date(micros: int, zone: ZoneInfo) -> date:
    return from_micros(micros).astimezone(zone).date()


def _plain(value: object) -> object:  # noqa: PLR0911 (one return per kind of value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
