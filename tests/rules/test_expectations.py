"""What is usual, learned from daily features: defaults until enough days are known."""

from __future__ import annotations

from datetime import date, timedelta

from hub.routine import daily_features
from hub.rules import expectations_from
from tests.routine.routine_homes import Recorder, home


def ordinary_days(count: int) -> list:  # type: ignore[type-arg]
    """`count` days: up at 07:30 (+1 min a day), busy mornings, a still 12:00-14:30."""
    recorder = Recorder()
    first = date(2024, 3, 4)
    recorder.busy("2024-03-03 19:00", "2024-03-03 22:20", "lounge_pir", 10)
    recorder.at("2024-03-03 22:30", "bed", True)
    for index in range(count):
        day = (first + timedelta(days=index)).isoformat()
        recorder.at(f"{day} 07:{30 + index:02d}", "bed", False)
        recorder.busy(f"{day} 07:45", f"{day} 08:30", "kitchen_pir", 5)
        recorder.at(f"{day} 07:50", "fridge", True)
        recorder.at(f"{day} 07:51", "fridge", False)
        recorder.busy(f"{day} 09:00", f"{day} 12:00", "lounge_pir", 10)
        recorder.busy(f"{day} 14:30", f"{day} 22:20", "lounge_pir", 10)
        recorder.move(f"{day} 21:00", "bath_pir")
        recorder.at(f"{day} 22:30", "bed", True)
    recorder.at(f"{(first + timedelta(days=count)).isoformat()} 07:30", "bed", False)
    return daily_features(recorder.sorted(), home())


def test_defaults_while_fewer_than_seven_days_have_a_time_up() -> None:
    days = ordinary_days(5)
    expected = expectations_from(days, home())
    assert not expected.learned
    assert expected.time_up is None
    assert expected.still_by_hour is None
    assert expected.latest_time_up is not None
    assert 7 * 60 + 30 <= expected.latest_time_up <= 7 * 60 + 35  # seen even while learning


def test_learned_figures_from_ordinary_days() -> None:
    days = ordinary_days(10)
    expected = expectations_from(days, home())
    assert expected.learned
    assert expected.days >= 7
    assert expected.time_up is not None
    assert 7 * 60 + 30 <= expected.time_up <= 7 * 60 + 40  # the late end of 07:30..07:39
    assert expected.night is not None
    bed, up = expected.night
    assert 21 * 60 + 25 <= bed % 1440 <= 21 * 60 + 35  # an hour before 22:30 (the evening before)
    assert 7 * 60 + 30 <= up <= 7 * 60 + 40
    assert expected.still_by_hour is not None
    # The daily 12:00-14:30 stillness (149.5 min, exact from the features) is the floor:
    # what happens every day can happen at any hour.
    assert 140 <= min(expected.still_by_hour) <= 160
    assert expected.bathroom_minutes is not None
