"""Routine changes as alert conditions: one per open change, steady across unjudged days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.alerts.model import Severity
from hub.routine.alerting import routine_conditions
from hub.routine.behaviours import Unit
from hub.routine.day_types import DayType
from hub.routine.detect import Shape
from hub.routine.score import Change, RoutineDayResult

LONDON = ZoneInfo("Europe/London")
LATER = Change(
    "time_up", Shape.SHIFT, "later", 475.0, 580.0, Unit.CLOCK, date(2026, 3, 10), 0.8,
    "Getting up later: 09:40 on average over the last 4 days; usually 07:55.",
)  # fmt: skip


def day(on: date, kind: DayType, *changes: Change) -> RoutineDayResult:
    return RoutineDayResult(on, kind, 6.0 if changes else 0.5, bool(changes), changes, {})


def test_an_open_change_is_a_warning_from_its_onset_keyed_by_behaviour() -> None:
    results = [day(date(2026, 3, 12), DayType.NORMAL, LATER)]
    (condition,) = routine_conditions(results, date(2026, 3, 13), LONDON)
    assert condition.key == "routine_change:time_up"
    assert condition.severity is Severity.WARNING
    assert condition.since == datetime(2026, 3, 10, tzinfo=UTC)  # local midnight, GMT
    assert condition.summary == LATER.sentence
    assert not condition.asks_resident


def test_an_unjudged_day_keeps_the_last_normal_days_changes_then_they_lapse() -> None:
    results = [
        day(date(2026, 3, 12), DayType.NORMAL, LATER),
        day(date(2026, 3, 13), DayType.AWAY),
        day(date(2026, 3, 14), DayType.LOW_COVERAGE),
    ]
    assert [c.subject for c in routine_conditions(results, date(2026, 3, 15), LONDON)] == [
        "time_up"
    ]
    assert routine_conditions(results, date(2026, 3, 12) + timedelta(days=8), LONDON) == []


def test_a_recovered_change_clears_and_today_is_never_judged() -> None:
    results = [
        day(date(2026, 3, 12), DayType.NORMAL, LATER),
        day(date(2026, 3, 13), DayType.NORMAL),
    ]
    assert routine_conditions(results, date(2026, 3, 14), LONDON) == []
    # Today's result (a half day) is left out: the 12th's change still stands.
    assert len(routine_conditions(results, date(2026, 3, 13), LONDON)) == 1
