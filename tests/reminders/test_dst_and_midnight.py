"""Schedules across the clock changes and across midnight (Europe/London)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.events import Event
from hub.reminders import Outcome
from tests.reminders.helpers import home, lid, local, morning, steps

SPRING = date(2026, 3, 29)  # 01:00 GMT -> 02:00 BST: the day has 23 hours
AUTUMN = date(2026, 10, 25)  # 02:00 BST -> 01:00 GMT: the day has 25 hours


def _first_prompts(
    config_medicines: list[dict[str, Any]], events: list[Event], first: date, days: int
) -> dict[tuple[str, date], datetime]:
    config = home(config_medicines)
    found = steps(
        config, events, start=local(first, 0), until=local(first + timedelta(days=days), 6)
    )
    return {
        (p.medicine, moment.date()): moment
        for moment, step in found
        for p in step.prompts
        if p.number == 1
    }


def test_a_clock_time_stays_at_the_same_wall_time_across_both_changes() -> None:
    medicines = [{"name": "Aspirin", "times": [{"at": "08:00"}]}]
    for change, before_offset, after_offset in ((SPRING, 0, 1), (AUTUMN, 1, 0)):
        prompts = _first_prompts(medicines, [], change - timedelta(days=1), 2)
        before = change - timedelta(days=1)
        # 08:00 local is 08:00 UTC in winter and 07:00 UTC in summer.
        assert prompts["Aspirin", before] == datetime(
            *before.timetuple()[:3], 8 - before_offset, tzinfo=UTC
        )
        assert prompts["Aspirin", change] == datetime(
            *change.timetuple()[:3], 8 - after_offset, tzinfo=UTC
        )


def test_a_time_in_the_skipped_hour_is_given_an_hour_later_by_the_new_clock() -> None:
    medicines = [{"name": "Night", "times": [{"at": "01:30", "window_min": 60}]}]
    prompts = _first_prompts(medicines, [], SPRING - timedelta(days=1), 2)
    # 01:30 on the spring day does not exist: taken with the GMT offset, it is 01:30 UTC,
    # which the clock shows as 02:30 BST.
    assert prompts["Night", SPRING] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_a_time_in_the_repeated_hour_is_the_first_of_the_two() -> None:
    medicines = [{"name": "Night", "times": [{"at": "01:30"}]}]
    prompts = _first_prompts(medicines, [], AUTUMN - timedelta(days=1), 2)
    assert prompts["Night", AUTUMN] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


def test_a_relative_dose_follows_getting_up_on_the_day_of_each_change() -> None:
    medicines = [{"name": "Metformin", "times": [{"at": "30 minutes after getting up"}]}]
    for change in (SPRING, AUTUMN):
        events = morning(change, (7, 10))
        prompts = _first_prompts(medicines, events, change - timedelta(days=1), 2)
        assert prompts["Metformin", change] == local(change, 7, 40)


def test_a_late_evening_dose_is_taken_on_time_after_midnight() -> None:
    medicines = [{"name": "Night", "times": [{"at": "23:30", "window_min": 60}]}]
    day = date(2026, 3, 10)
    config = home(medicines)
    events = lid(local(day + timedelta(days=1), 0, 20))
    found = steps(config, events, start=local(day, 0), until=local(day + timedelta(days=2), 6))
    outcome = next(o for _, s in found for o in s.outcomes if o.key == "Night@2026-03-10#1")
    assert outcome.outcome is Outcome.ON_TIME
    assert outcome.day == "2026-03-10"
    keys = {c.key for _, step in found for c in step.conditions}
    assert "missed_dose:Night@2026-03-10T23:30" not in keys


def test_a_late_evening_dose_missed_is_warned_about_after_midnight() -> None:
    medicines = [{"name": "Night", "times": [{"at": "23:30", "window_min": 60}]}]
    day = date(2026, 3, 10)
    config = home(medicines)
    found = steps(config, [], start=local(day, 0), until=local(day + timedelta(days=2), 6))
    key = "missed_dose:Night@2026-03-10T23:30"
    held = [moment for moment, step in found if key in {c.key for c in step.conditions}]
    # From the window's end (00:30) to the moment the next night's dose starts to
    # count (23:00, early_min before 23:30), all of it on the following local date.
    assert held[0] == local(day + timedelta(days=1), 0, 30)
    assert held[-1] == local(day + timedelta(days=1), 22, 59)
    outcome = next(o for _, s in found for o in s.outcomes if o.key == "Night@2026-03-10#1")
    assert outcome.outcome is Outcome.MISSED
    assert outcome.day == "2026-03-10"


def test_missed_on_the_short_spring_day_ends_at_its_local_midnight() -> None:
    medicines = [{"name": "Aspirin", "times": [{"at": "20:00"}]}]
    config = home(medicines)
    found = steps(config, [], start=local(SPRING, 0), until=local(SPRING + timedelta(days=1), 6))
    held = [moment for moment, step in found if step.conditions]
    assert held[0] == local(SPRING, 21, 0)
    assert held[-1] == datetime(2026, 3, 29, 22, 59, tzinfo=UTC)  # 23:59 BST
