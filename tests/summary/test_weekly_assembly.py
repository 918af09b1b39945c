"""The weekly summary's assembly on crafted days, routine results, doses and alerts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from hub.alerts.model import Action, Alert, AlertState, Severity, Transition, Via
from hub.events import Event, Kind, Source
from hub.reminders.doses import DoseOutcome, Outcome
from hub.routine.baseline import Usual
from hub.routine.behaviours import Unit
from hub.routine.day_types import DayType
from hub.routine.detect import Shape
from hub.routine.score import Change, RoutineDayResult
from hub.store.database import open_database
from hub.store.event_table import insert_events
from hub.summary import NotAMonday, weeks_available
from hub.summary.weekly import assemble, week_bounds
from tests.summary.summary_helpers import crafted_day, small_home

MONDAY = date(2024, 3, 4)


def _result(on: date, *changes: Change, usual: float = 450.0) -> RoutineDayResult:
    return RoutineDayResult(
        on,
        DayType.NORMAL,
        6.0 if changes else 0.4,
        bool(changes),
        changes,
        {},
        {"time_up": Usual(usual, 20.0, 14, "weekday")},
    )


def _later(onset: date, recent: float, confidence: float) -> Change:
    return Change(
        behaviour="time_up",
        shape=Shape.SHIFT,
        direction="later",
        usual=450.0,
        recent=recent,
        unit=Unit.CLOCK,
        onset=onset,
        confidence=confidence,
        sentence=f"Getting up later: {int(recent) // 60:02d}:{int(recent) % 60:02d} on average; "
        "usually 07:30.",
    )


def _dose(day: date, outcome: Outcome, doubled: bool = False) -> DoseOutcome:
    due = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return DoseOutcome(
        key=f"Metformin@{day}#1",
        medicine="Metformin",
        day=day.isoformat(),
        slot=1,
        due=due,
        fallback=False,
        outcome=outcome,
        taken_at=None if outcome is Outcome.MISSED else due,
        evidence="",
        doubled_at=due + timedelta(minutes=20) if doubled else None,
        decided_at=due + timedelta(hours=4),
    )


def test_a_week_must_start_on_a_monday() -> None:
    with pytest.raises(NotAMonday, match=r"2024-03-05 is a Tuesday"):
        assemble(
            small_home(), MONDAY + timedelta(days=1), days=[], results=[], outcomes=[], alerts=[]
        )
    assert issubclass(NotAMonday, ValueError)


def test_days_figures_usual_ranges_and_missing_days() -> None:
    # Data on Monday to Friday only; the days before the week are there too (the baseline).
    days = [crafted_day(MONDAY + timedelta(days=n)) for n in range(-3, 5)]
    days[-1] = crafted_day(MONDAY + timedelta(days=4), night_toilet_visits=3, minutes_out=None)
    results = [_result(d.date) for d in days]
    summary = assemble(small_home(), MONDAY, days=days, results=results, outcomes=[], alerts=[])
    assert [d.date for d in summary.days] == [MONDAY + timedelta(days=n) for n in range(7)]
    assert summary.week_end == date(2024, 3, 10)
    assert [d.has_data for d in summary.days] == [True] * 5 + [False] * 2
    assert summary.days_with_data == 5
    monday, friday, saturday = summary.days[0], summary.days[4], summary.days[5]
    assert monday.time_up_minutes == 7 * 60 + 30
    assert monday.bedtime_minutes == -70  # 22:50 the evening before
    assert monday.time_up_usual is not None
    assert (monday.time_up_usual.low, monday.time_up_usual.high) == (430.0, 470.0)
    assert monday.kitchen_minutes == 60
    assert monday.day_type == "normal"
    assert friday.night_toilet_visits == 3
    assert friday.minutes_out is None
    assert saturday.time_up is None
    assert saturday.hourly_activity == (0,) * 24
    # Coverage: each sensor reported on the 5 days with data.
    assert {s.sensor: s.days_reporting for s in summary.sensors} == dict.fromkeys(
        ("bed", "flush", "kitchen_pir", "front_door"), 5
    )
    assert summary.roles_missing == ("chair", "fridge", "kettle")


def test_a_change_reported_on_several_days_is_one_line_worded_as_last_reported() -> None:
    onset = MONDAY - timedelta(days=2)
    days = [crafted_day(MONDAY + timedelta(days=n)) for n in range(7)]
    results = [_result(MONDAY), _result(MONDAY + timedelta(days=1), _later(onset, 540, 0.55))]
    results += [
        _result(MONDAY + timedelta(days=2), _later(onset, 550, 0.7)),
        _result(MONDAY + timedelta(days=3), _later(onset, 560, 0.8)),
    ]
    results += [_result(MONDAY + timedelta(days=n)) for n in range(4, 7)]
    # A change reported only before the week is not this week's.
    results.insert(
        0, _result(MONDAY - timedelta(days=1), _later(onset - timedelta(days=9), 600, 1))
    )
    summary = assemble(small_home(), MONDAY, days=days, results=results, outcomes=[], alerts=[])
    assert len(summary.changes) == 1
    change = summary.changes[0]
    assert change.onset == onset
    assert change.sentence == "Getting up later: 09:20 on average; usually 07:30."
    assert change.confidence == 0.8
    assert change.first_reported == MONDAY + timedelta(days=1)
    assert change.last_reported == MONDAY + timedelta(days=3)
    assert [d.flagged for d in summary.days] == [False, True, True, True, False, False, False]


def test_medication_rows_are_this_weeks_only() -> None:
    outcomes = [
        _dose(MONDAY - timedelta(days=1), Outcome.MISSED),  # the Sunday before
        _dose(MONDAY, Outcome.ON_TIME, doubled=True),
        _dose(MONDAY + timedelta(days=1), Outcome.LATE),
        _dose(MONDAY + timedelta(days=2), Outcome.MISSED),
        _dose(MONDAY + timedelta(days=6), Outcome.AWAY),
        _dose(MONDAY + timedelta(days=7), Outcome.MISSED),  # the Monday after
    ]
    summary = assemble(small_home(), MONDAY, days=[], results=[], outcomes=outcomes, alerts=[])
    [row] = summary.medication
    assert (row.medicine, row.due, row.on_time, row.late, row.missed, row.doubled, row.away) == (
        "Metformin",
        4,
        1,
        1,
        1,
        1,
        1,
    )


def test_alerts_say_how_they_ended() -> None:
    raised = datetime(2024, 3, 5, 3, 0, tzinfo=UTC)
    acknowledged = Alert(
        id=4,
        key="night_exit:home",
        rule="night_exit",
        subject="home",
        severity=Severity.URGENT,
        summary="The front door opened at night.",
        since=raised,
        raised_at=raised,
        state=AlertState.RESOLVED,
        acknowledged_at=raised + timedelta(minutes=12),
        acknowledged_by="anna",
        resolved_at=raised + timedelta(hours=1, minutes=2),
    )
    history = [
        Transition(4, raised, Action.RAISED, "hub", Via.RULE),
        Transition(4, raised + timedelta(minutes=12), Action.ACKNOWLEDGED, "anna", Via.LINK),
        Transition(4, raised + timedelta(hours=1, minutes=2), Action.RESOLVED, "anna", Via.WEB),
    ]
    cancelled = replace(
        acknowledged,
        id=5,
        state=AlertState.CANCELLED,
        acknowledged_at=None,
        acknowledged_by=None,
        resolved_at=None,
    )
    still_open = replace(cancelled, id=6, state=AlertState.OPEN)
    summary = assemble(
        small_home(),
        MONDAY,
        days=[],
        results=[],
        outcomes=[],
        alerts=[(acknowledged, history), (cancelled, []), (still_open, [])],
    )
    assert [a.outcome for a in summary.alerts] == [
        "acknowledged by anna after 12 min; resolved by anna Tue 04:02",  # London is UTC+0 in March
        "cancelled by the resident (I'm OK)",
        "still open",
    ]
    assert summary.alerts[0].raised_at.tzinfo == ZoneInfo("Europe/London")


def test_to_json_is_plain_json() -> None:
    days = [crafted_day(MONDAY + timedelta(days=n)) for n in range(7)]
    onset = MONDAY + timedelta(days=1)
    results = [_result(d.date) for d in days]
    results[3] = _result(days[3].date, _later(onset, 540, 0.6))
    summary = assemble(
        small_home(),
        MONDAY,
        days=days,
        results=results,
        outcomes=[_dose(MONDAY, Outcome.LATE)],
        alerts=[],
    )
    record = json.loads(json.dumps(summary.to_json()))
    assert record["week_start"] == "2024-03-04"
    assert record["week_end"] == "2024-03-10"
    assert record["days_with_data"] == 7
    assert record["days"][0]["time_up"] == "2024-03-04T07:30:00+00:00"
    assert record["days"][0]["time_up_usual"] == {"median": 450.0, "spread": 20.0}
    assert record["days"][0]["hourly_activity"][7] == 30
    assert record["changes"][0]["onset"] == onset.isoformat()
    assert record["changes"][0]["shape"] == "shift"
    assert record["medication"][0]["late"] == 1


def test_a_week_with_a_clock_change_is_seven_local_days(tmp_path: Path) -> None:
    # Europe/London went to summer time on Sunday 31 March 2024: that week has 167 hours.
    zone = ZoneInfo("Europe/London")
    start, end = week_bounds(date(2024, 3, 25), zone)
    assert end - start == timedelta(hours=167)
    start, end = week_bounds(date(2024, 10, 21), zone)  # back on Sunday 27 October
    assert end - start == timedelta(hours=169)
    assert start == datetime(2024, 10, 20, 23, 0, tzinfo=UTC)  # Monday 00:00 BST


def test_weeks_available_are_local_mondays_with_data_newest_first(tmp_path: Path) -> None:
    # Auckland is 13 hours ahead of UTC in March: Monday 00:30 there is Sunday 11:30 UTC.
    config = small_home("Pacific/Auckland")
    db_path = tmp_path / "home.db"
    conn = open_database(db_path).conn

    def event(utc: str) -> Event:
        return Event(datetime.fromisoformat(utc), "kitchen_pir", Kind.MOTION, True, Source.GENERIC)

    insert_events(
        conn,
        [
            event("2024-03-03T11:30:00+00:00"),  # Mon 4 March 00:30 in Auckland
            event("2024-03-17T10:30:00+00:00"),  # Sun 17 March 23:30 in Auckland
        ],
    )
    conn.close()
    db = Database(db_path)
    assert weeks_available(db, config) == [date(2024, 3, 11), date(2024, 3, 4)]
    db.conn.close()
    empty = open_database(tmp_path / "empty.db")
    assert weeks_available(empty, config) == []
    empty.conn.close()
