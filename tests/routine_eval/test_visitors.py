"""Visitors days: two places at once and the front door; marked, not judged, not learned from."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hub.routine.day_signs import DaySigns, day_signs
from hub.routine.day_types import DayType, day_types
from hub.routine.score import score_days
from tests.routine.routine_homes import Recorder, home
from tests.routine.routine_synthetic import steady_days


def _ordinary_day(rec: Recorder, day: str) -> None:
    rec.busy(f"{day} 07:30", f"{day} 08:00", "kitchen_pir")
    rec.move(f"{day} 08:01", "hall_pir")
    rec.busy(f"{day} 08:02", f"{day} 10:00", "lounge_pir")
    rec.move(f"{day} 10:01", "bath_pir")


def test_activity_in_two_rooms_at_once_with_the_door_is_company() -> None:
    rec = Recorder()
    _ordinary_day(rec, "2024-03-05")
    rec.at("2024-03-05 14:00:00", "front_door", True)
    rec.at("2024-03-05 14:00:20", "front_door", False)
    # A visitor in the kitchen while the person sits in the lounge, for 20 minutes.
    for minute in range(20):
        for second in (0, 20, 40):
            rec.move(f"2024-03-05 14:{10 + minute:02d}:{second:02d}", "kitchen_pir")
            rec.move(f"2024-03-05 14:{10 + minute:02d}:{second + 10:02d}", "lounge_pir")
    events = rec.sorted()
    config = home()
    days = steady_days(1, time_up=475)
    day = replace(days[0], date=events[0].time.date())
    signs = day_signs(events, config, [day])[day.date]
    assert signs.exit_used
    assert signs.together_minutes >= 19


def test_walking_from_room_to_room_is_not_company() -> None:
    rec = Recorder()
    _ordinary_day(rec, "2024-03-05")
    events = rec.sorted()
    day = replace(steady_days(1)[0], date=events[0].time.date())
    signs = day_signs(events, home(), [day])[day.date]
    assert not signs.exit_used
    assert signs.together_minutes == 0


def _signs(days: list, together: dict[int, int], door: set[int]) -> dict:  # type: ignore[type-arg]
    return {d.date: DaySigns(d.date, i in door, together.get(i, 2), 0) for i, d in enumerate(days)}


def test_a_day_with_far_more_company_than_usual_and_the_door_is_a_visitors_day() -> None:
    days = steady_days(30)
    signs = _signs(days, {20: 40, 22: 40}, door={20})
    types = day_types(days, signs)
    assert types[20] is DayType.VISITORS
    assert types[22] is DayType.NORMAL  # no one came through the door
    assert types.count(DayType.VISITORS) == 1


def test_without_signs_no_day_is_a_visitors_day() -> None:
    assert DayType.VISITORS not in day_types(steady_days(30))


def test_a_visitors_day_raises_nothing_and_teaches_nothing() -> None:
    days = steady_days(40)
    # The visitors kept the person up: a very late morning and no time out.
    late = days[25].time_up
    assert late is not None
    days[25] = replace(days[25], time_up=late + timedelta(hours=4), minutes_out=0.0)
    signs = _signs(days, {25: 60}, door={25})
    results = score_days(days, signs)
    assert results[25].day_type is DayType.VISITORS
    assert results[25].changes == ()
    assert results[25].score is None
    plain = score_days(days)
    assert plain[25].day_type is DayType.NORMAL
    assert plain[25].changes  # judged as a normal day, the same values are a change
    # Nothing learned from it: the days after it raise nothing either.
    assert all(r.changes == () for r in results[26:])
