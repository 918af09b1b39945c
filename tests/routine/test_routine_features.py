"""Daily features from hand-built days: each feature, missing roles, DST, real-data quirks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.config.models import HearthConfig
from hub.routine import DayFeatures, daily_features
from tests.routine.routine_homes import Recorder, home

D0, D1, D2 = "2024-03-04", "2024-03-05", "2024-03-06"


def evening(rec: Recorder, day: str, *, bed: bool = True) -> None:
    """An evening in the lounge, then to bed at 22:45."""
    rec.busy(f"{day} 19:00", f"{day} 22:30", "lounge_pir")
    rec.move(f"{day} 22:35", "bath_pir")
    rec.move(f"{day} 22:40", "bedroom_pir")
    if bed:
        rec.at(f"{day} 22:45", "bed", True)


def night_and_morning(rec: Recorder, day: str, *, bed: bool = True) -> None:
    """One toilet trip at 02:10, up at 07:05, breakfast in the kitchen, a day in the lounge."""
    if bed:
        rec.at(f"{day} 02:10", "bed", False)
    rec.move(f"{day} 02:11", "bath_pir")
    rec.at(f"{day} 02:12", "flush", True)
    rec.at(f"{day} 02:13", "flush", False)
    rec.move(f"{day} 02:14", "bedroom_pir")
    if bed:
        rec.at(f"{day} 02:16", "bed", True)
        rec.at(f"{day} 07:05", "bed", False)
    rec.move(f"{day} 07:05:30", "bedroom_pir")
    rec.move(f"{day} 07:07", "bath_pir")
    rec.at(f"{day} 07:08", "flush", True)
    rec.at(f"{day} 07:09", "flush", False)
    rec.busy(f"{day} 07:20", f"{day} 07:50", "kitchen_pir")
    rec.at(f"{day} 07:22", "fridge", True)
    rec.at(f"{day} 07:23", "fridge", False)
    rec.at(f"{day} 07:25", "kettle", 2000.0)
    rec.at(f"{day} 07:28", "kettle", 0.0)
    rec.busy(f"{day} 08:00", f"{day} 14:00", "lounge_pir")
    rec.busy(f"{day} 15:30", f"{day} 18:55", "lounge_pir")


def three_days(config: HearthConfig, *, bed: bool = True, zone: str = "Europe/London") -> Recorder:
    rec = Recorder(zone)
    rec.busy(f"{D0} 15:30", f"{D0} 18:55", "lounge_pir")  # data begin before D1's night
    evening(rec, D0, bed=bed)
    night_and_morning(rec, D1, bed=bed)
    evening(rec, D1, bed=bed)
    night_and_morning(rec, D2, bed=bed)
    evening(rec, D2, bed=bed)
    return rec


def day_of(days: list[DayFeatures], wanted: str) -> DayFeatures:
    return next(d for d in days if d.date == date.fromisoformat(wanted))


def wall(moment: datetime | None) -> str:
    assert moment is not None
    return moment.strftime("%Y-%m-%d %H:%M")


def test_a_bed_mat_gives_bedtime_time_up_time_in_bed_and_the_night_toilet_trip() -> None:
    config = home()
    days = daily_features(three_days(config).sorted(), config)
    day = day_of(days, D1)
    assert not day.partial
    assert day.sleep_method == "bed"
    assert wall(day.bedtime) == f"{D0} 22:45"  # the night belongs to the day that follows it
    assert wall(day.time_up) == f"{D1} 07:05"
    assert day.sleep_period_minutes == 8 * 60 + 20
    assert day.time_in_bed_minutes == (3 * 60 + 25) + (4 * 60 + 49)  # less the 6-minute trip
    assert day.night_out_of_bed == 1
    assert day.night_toilet_visits == 1


def test_mat_flicker_is_turning_over_not_getting_up() -> None:
    config = home()
    rec = three_days(config)
    rec.at(f"{D1} 04:00:00", "bed", False)
    rec.at(f"{D1} 04:00:40", "bed", True)
    day = day_of(daily_features(rec.sorted(), config), D1)
    assert day.night_out_of_bed == 1


def test_without_a_bed_sensor_time_up_comes_from_sustained_morning_motion() -> None:
    config = home(without=("bed",))
    rec = three_days(config, bed=False)
    rec.move(f"{D1} 03:30", "bedroom_pir")  # restless in the bedroom: still asleep
    day = day_of(daily_features(rec.sorted(), config), D1)
    assert day.sleep_method == "motion"
    # The 02:11 trip to the bathroom is a night-time visit, not getting up.
    assert wall(day.time_up) == f"{D1} 07:07"
    assert wall(day.bedtime) == f"{D0} 22:35"  # the last activity outside the bedroom
    assert day.time_in_bed_minutes is None  # only a bed mat can tell
    assert day.night_toilet_visits == 1
    assert day.night_out_of_bed == 1
    assert "bed" in day.roles_missing


def test_doors_and_appliances_alone_do_not_guess_sleep() -> None:
    config = home(only=("flush", "fridge", "kettle", "front_door"))
    rec = Recorder()
    rec.at(f"{D0} 12:00", "front_door", True)
    rec.at(f"{D0} 12:01", "front_door", False)
    rec.at(f"{D1} 02:12", "flush", True)
    rec.at(f"{D1} 02:13", "flush", False)
    rec.at(f"{D1} 07:22", "fridge", True)
    rec.at(f"{D1} 07:23", "fridge", False)
    rec.at(f"{D2} 12:00", "fridge", True)
    day = day_of(daily_features(rec.sorted(), config), D1)
    assert not day.partial
    assert day.time_up is None
    assert day.night_toilet_visits is None
    assert day.fridge_uses == 1
    assert wall(day.first_kitchen_activity) == f"{D1} 07:22"


def test_without_toilet_sensor_night_visits_are_bathroom_trips() -> None:
    config = home(without=("bed", "flush"))
    rec = three_days(config, bed=False)
    rec.move(f"{D1} 04:40", "bath_pir")  # a second trip, far from the first
    rec.move(f"{D1} 04:41", "bath_pir")  # the same trip, repeated
    day = day_of(daily_features(rec.sorted(), config), D1)
    assert day.night_toilet_visits == 2


def test_kitchen_fridge_and_kettle() -> None:
    config = home()
    rec = three_days(config)
    rec.move(f"{D1} 03:00", "kitchen_pir")  # a drink at night is not the morning's kitchen
    # Duplicates as in real data: a repeated OPEN, a repeated CLOSE, a bounce within 30 s.
    rec.at(f"{D1} 12:30:00", "fridge", True)
    rec.at(f"{D1} 12:30:01", "fridge", True)
    rec.at(f"{D1} 12:30:20", "fridge", False)
    rec.at(f"{D1} 12:30:21", "fridge", False)
    rec.at(f"{D1} 12:30:40", "fridge", True)
    rec.at(f"{D1} 12:30:45", "fridge", False)
    rec.at(f"{D1} 12:31", "kettle", 2100.0)
    rec.at(f"{D1} 12:32", "kettle", 2050.0)  # still boiling: the same use
    rec.at(f"{D1} 12:34", "kettle", 1.5)  # standby
    day = day_of(daily_features(rec.sorted(), config), D1)
    assert wall(day.first_kitchen_activity) == f"{D1} 07:20"
    assert day.fridge_uses == 2
    assert day.kettle_uses == 2
    # Minutes with something happening: the PIR every 5 minutes from 07:20 to 07:50 (7),
    # the fridge at 07:22 and 07:23, the kettle from 07:25 to 07:28 (3 more).
    assert day.breakfast_kitchen_minutes == 12
    assert day.lunch_kitchen_minutes == 5  # 12:30 to 12:34 (both ends) by the fridge and kettle
    assert day.dinner_kitchen_minutes == 0


def test_outing_across_midnight_counts_once_and_splits_its_time() -> None:
    config = home()
    rec = Recorder()
    rec.busy(f"{D0} 18:00", f"{D0} 22:55", "lounge_pir")
    rec.at(f"{D0} 23:00", "front_door", True)
    rec.at(f"{D0} 23:00:20", "front_door", False)
    rec.at(f"{D1} 01:00", "front_door", True)
    rec.at(f"{D1} 01:00:20", "front_door", False)
    rec.busy(f"{D1} 01:01", f"{D1} 02:00", "lounge_pir")
    days = daily_features(rec.sorted(), config)
    before, after = day_of(days, D0), day_of(days, D1)
    assert (before.outings, after.outings) == (1, 0)
    assert before.minutes_out == pytest.approx(59.7, abs=0.1)
    assert after.minutes_out == 60.0
    assert before.room_minutes.get("lounge", 0) + after.room_minutes["lounge"] > 0


def test_quiet_time_after_the_door_is_not_an_outing_without_coming_back_in() -> None:
    config = home()
    rec = Recorder()
    rec.busy(f"{D1} 09:00", f"{D1} 10:00", "lounge_pir")
    rec.at(f"{D1} 10:01", "front_door", True)  # a visitor leaves
    rec.at(f"{D1} 10:02", "front_door", False)
    rec.busy(f"{D1} 10:40", f"{D1} 12:00", "lounge_pir")  # napping in the lounge, then up
    rec.at(f"{D1} 15:00", "front_door", True)  # much later, goes out for good
    rec.at(f"{D1} 15:01", "front_door", False)
    assert day_of(daily_features(rec.sorted(), config), D1).outings == 0


def test_an_outing_survives_one_stray_event_but_not_someone_sitting_in_the_chair() -> None:
    config = home()
    rec = Recorder()
    rec.busy(f"{D1} 09:00", f"{D1} 10:00", "lounge_pir")
    rec.at(f"{D1} 10:01", "front_door", True)
    rec.at(f"{D1} 10:02", "front_door", False)
    rec.move(f"{D1} 10:30", "hall_pir")  # a false trigger in the empty home
    rec.at(f"{D1} 11:30", "front_door", True)
    rec.at(f"{D1} 11:31", "front_door", False)
    rec.busy(f"{D1} 11:32", f"{D1} 12:00", "lounge_pir")
    assert day_of(daily_features(rec.sorted(), config), D1).outings == 1
    rec.at(f"{D1} 10:03", "chair", True)  # but someone sat down and stayed
    rec.at(f"{D1} 11:25", "chair", False)
    assert day_of(daily_features(rec.sorted(), config), D1).outings == 0


def test_without_an_outside_door_outings_are_unknown_not_zero() -> None:
    config = home(without=("front_door",))
    day = day_of(daily_features(three_days(config).sorted(), config), D1)
    assert day.outings is None
    assert day.minutes_out is None
    assert "front_door" in day.roles_missing
    assert day.kettle_uses == 1


def test_activity_profile_rooms_and_the_longest_still_period() -> None:
    config = home()
    day = day_of(daily_features(three_days(config).sorted(), config), D1)
    assert len(day.hourly_activity) == 24
    assert sum(day.hourly_activity) == day.active_minutes
    assert day.hourly_activity[3] == 0  # asleep
    assert day.hourly_activity[10] > 0
    assert day.active_hours == sum(1 for m in day.hourly_activity if m)
    # 14:00 to 15:30 with no movement at all, up and at home.
    assert day.longest_still_minutes == pytest.approx(90 - 0.5, abs=0.1)
    assert sum(day.room_minutes.values()) == pytest.approx(24 * 60, abs=0.1)
    assert day.room_minutes["bedroom"] > 7 * 60  # the night
    assert day.room_minutes["lounge"] > 9 * 60


def test_coverage_names_silent_sensors_and_missing_roles() -> None:
    config = home()
    day = day_of(daily_features(three_days(config).sorted(), config), D1)
    assert "hall_pir" in day.sensors_silent
    assert "chair" in day.sensors_silent
    assert "bed" in day.sensors_reporting
    assert day.roles_missing == ()


def test_days_at_the_edges_of_the_data_are_partial_and_tell_no_sleep() -> None:
    config = home()
    days = daily_features(three_days(config).sorted(), config)
    assert [d.date.isoformat() for d in days] == [D0, D1, D2]
    first, last = days[0], days[-1]
    assert first.partial
    assert last.partial
    assert first.time_up is None  # data began in the evening: no night before it
    assert not days[1].partial


@pytest.mark.parametrize(
    ("zone", "back_day", "forward_day"),
    [
        ("Europe/London", "2024-10-27", "2024-03-31"),
        ("America/Los_Angeles", "2024-11-03", "2024-03-10"),
    ],
)
def test_sleep_and_profile_across_both_clock_changes(
    zone: str, back_day: str, forward_day: str
) -> None:
    config = home(zone)
    for day_text, hours, slept in ((back_day, 25, 10 * 60), (forward_day, 23, 8 * 60)):
        day = date.fromisoformat(day_text)
        before = (day - timedelta(days=1)).isoformat()
        rec = Recorder(zone)
        rec.busy(f"{before} 17:00", f"{before} 21:55", "lounge_pir")
        rec.at(f"{before} 22:00", "bed", True)
        rec.at(f"{day_text} 07:00", "bed", False)  # wall clock: 9 h, but 10 or 8 really
        rec.busy(f"{day_text} 07:01", f"{day_text} 23:59", "lounge_pir", every_minutes=10)
        features = day_of(daily_features(rec.sorted(), config), day_text)
        assert features.hours == hours
        assert wall(features.bedtime) == f"{before} 22:00"
        assert wall(features.time_up) == f"{day_text} 07:00"
        assert features.time_up is not None
        assert features.time_up.utcoffset() == ZoneInfo(zone).utcoffset(
            datetime.fromisoformat(f"{day_text} 07:00")
        )
        assert features.sleep_period_minutes == slept
        assert sum(features.room_minutes.values()) == pytest.approx(hours * 60, abs=0.1)


def test_the_repeated_hour_of_autumn_holds_both_of_its_real_hours() -> None:
    zone = "Europe/London"
    config = home(zone)
    rec = Recorder(zone)
    rec.move("2024-10-26 23:50", "lounge_pir")
    rec.move("2024-10-27 01:30", "lounge_pir", fold=0)  # 01:30 BST
    rec.move("2024-10-27 01:30", "lounge_pir", fold=1)  # 01:30 GMT, an hour later
    rec.move("2024-10-27 23:50", "lounge_pir")
    day = day_of(daily_features(rec.sorted(), config), "2024-10-27")
    assert day.hourly_activity[1] == 2
    assert day.active_minutes == 3


def test_dates_before_the_first_wanted_are_skipped_and_the_rest_are_unchanged() -> None:
    """The hub reads days back for look-back only (stored.py); the wanted days must come
    out as they do when every date is worked out, an outing begun the day before too."""
    config = home()
    rec = Recorder()
    rec.busy(f"{D0} 18:00", f"{D0} 22:55", "lounge_pir")
    rec.at(f"{D0} 23:00", "front_door", True)  # out across midnight into D1
    rec.at(f"{D0} 23:00:20", "front_door", False)
    rec.at(f"{D1} 01:00", "front_door", True)
    rec.at(f"{D1} 01:00:20", "front_door", False)
    rec.busy(f"{D1} 01:01", f"{D1} 02:00", "lounge_pir")
    rec.busy(f"{D2} 09:00", f"{D2} 10:00", "lounge_pir")
    events = rec.sorted()
    every = daily_features(events, config)
    wanted = daily_features(events, config, first_date=date.fromisoformat(D1))
    assert [d.date.isoformat() for d in wanted] == [D1, D2]
    assert wanted == [d for d in every if d.date >= date.fromisoformat(D1)]
    assert wanted[0].minutes_out == 60.0
