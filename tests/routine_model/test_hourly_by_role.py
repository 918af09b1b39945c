"""The day's activity by role and hour (the model's input): computed, normalised, stored."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.config.models import Role
from hub.routine import DayFeatures, daily_features, routine_day
from hub.routine import activity as act
from hub.routine.features import feature_record
from hub.routine.pattern import CHANNELS, HOURS, INPUT_SIZE, channel_minutes, model_input
from hub.routine.timeline import Activity
from hub.store.database import open_database
from hub.store.day_summaries import save_days, saved_days
from tests.routine.routine_homes import Recorder, home

DAY = "2024-03-05"


def one_day(rec: Recorder) -> None:
    rec.busy("2024-03-04 18:00", "2024-03-04 22:30", "lounge_pir")
    rec.at("2024-03-04 22:45", "bed", True)
    rec.at(f"{DAY} 03:10", "flush", True)
    rec.at(f"{DAY} 03:11", "flush", False)
    rec.at(f"{DAY} 07:05", "bed", False)
    rec.busy(f"{DAY} 07:20", f"{DAY} 07:50", "kitchen_pir")
    rec.at(f"{DAY} 07:22", "fridge", True)
    rec.at(f"{DAY} 07:23", "fridge", False)
    rec.at(f"{DAY} 07:25", "kettle", 2000.0)
    rec.at(f"{DAY} 07:28", "kettle", 0.0)
    rec.busy(f"{DAY} 08:00", f"{DAY} 23:55", "lounge_pir")
    rec.busy("2024-03-06 00:00", "2024-03-06 01:00", "lounge_pir")


def features(config_without: tuple[str, ...] = ()) -> DayFeatures:
    config = home(without=config_without)
    rec = Recorder()
    one_day(rec)
    events = [e for e in rec.sorted() if e.sensor not in config_without]
    return next(d for d in daily_features(events, config) if d.date == date.fromisoformat(DAY))


def test_each_role_the_home_has_gets_24_hours_of_active_minutes() -> None:
    day = features()
    by_role = day.hourly_by_role
    assert sorted(by_role) == sorted(
        ["bed", "chair", "fridge", "front_door", "kettle", "room", "toilet"]
    )
    assert all(len(hours) == HOURS for hours in by_role.values())
    assert by_role["toilet"][3] >= 1
    assert sum(by_role["toilet"]) == by_role["toilet"][3]
    assert by_role["kettle"][7] == 4  # drawing power 07:25-07:28: four minutes touched
    assert sum(by_role["front_door"]) == 0  # a sensor that saw nothing reads 0, not absent
    # No role's profile holds more than the day's profile in any hour.
    for hours in by_role.values():
        assert all(r <= a for r, a in zip(hours, day.hourly_activity, strict=True))


def test_a_role_the_home_lacks_is_absent_and_its_channel_is_zero() -> None:
    day = features(("kettle", "fridge"))
    assert "kettle" not in day.hourly_by_role
    assert "fridge" not in day.hourly_by_role
    assert channel_minutes(day)["kitchen"] == (0,) * HOURS


def test_model_input_is_normalised_channel_by_channel() -> None:
    day = features()
    pattern = model_input(day)
    assert pattern is not None
    assert len(pattern) == INPUT_SIZE == len(CHANNELS) * HOURS
    assert all(0.0 <= v <= 1.0 for v in pattern)
    minutes = channel_minutes(day)
    for c, channel in enumerate(CHANNELS):
        for h in range(HOURS):
            expected = math.sqrt(min(minutes[channel][h], 60) / 60)
            assert math.isclose(pattern[c * HOURS + h], expected)


def test_a_partial_day_or_a_summary_without_the_profile_cannot_be_scored() -> None:
    config = home()
    rec = Recorder()
    one_day(rec)
    first = daily_features(rec.sorted(), config)[0]
    assert first.partial
    assert model_input(first) is None
    day = features()
    assert model_input(replace(day, hourly_by_role={})) is None


def test_the_profile_by_role_survives_storage_and_old_rows_still_load(tmp_path: Path) -> None:
    day = features()
    conn = open_database(tmp_path / "hearth.db").conn
    try:
        save_days(conn, [day], datetime(2024, 3, 7, tzinfo=UTC))
        old = {k: v for k, v in feature_record(day).items() if k != "hourly_by_role"}
        old["date"] = "2024-03-01"
        with conn:
            conn.execute(
                "INSERT INTO day_summaries (date, features, saved_us) VALUES (?, ?, ?)",
                ("2024-03-01", json.dumps(old), 0),
            )
        loaded = saved_days(conn)
    finally:
        conn.close()
    assert [row["date"] for row in loaded] == ["2024-03-01", DAY]
    assert loaded[0]["hourly_by_role"] == {}
    assert loaded[1]["hourly_by_role"] == {r: list(h) for r, h in day.hourly_by_role.items()}
    assert loaded[1] == json.loads(json.dumps(feature_record(day)))


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/London", "2024-03-31"),  # 23 hours: 01:00 is skipped
        ("Europe/London", "2024-10-27"),  # 25 hours: 01:00 comes twice
        ("Asia/Kolkata", "2024-03-05"),  # a half-hour offset
        ("Australia/Lord_Howe", "2024-04-07"),  # the clocks go back half an hour
    ],
)
def test_the_profile_by_role_counts_each_minute_in_its_local_hour(zone: str, day: str) -> None:
    """Against the definition, minute by minute: active minutes are merged ranges
    and hours are looked up per quarter hour, both only to be fast."""
    routine = routine_day(date.fromisoformat(day), ZoneInfo(zone))
    rng = random.Random(day)
    activities = []
    moment = routine.start - timedelta(hours=2)
    while moment < routine.end + timedelta(hours=1):
        role = Role.TOILET if rng.random() < 0.3 else Role.ROOM
        length = timedelta(seconds=rng.choice([0, 30, 200, 600]))  # overlapping, touching, apart
        activities.append(Activity(moment, moment + length, "s", "r", role))
        moment += timedelta(seconds=rng.randint(20, 900))
    by_role = act.hourly_by_role(activities, routine, [Role.TOILET, Role.ROOM, Role.BED])
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = (routine.start - epoch) // timedelta(minutes=1)
    last = (routine.end - timedelta(microseconds=1) - epoch) // timedelta(minutes=1)
    for role in (Role.TOILET, Role.ROOM, Role.BED):
        minutes: set[int] = set()
        for a in (a for a in activities if a.role is role):
            low = (a.start - epoch) // timedelta(minutes=1)
            high = (a.end - epoch) // timedelta(minutes=1)
            minutes.update(m for m in range(low, high + 1) if first <= m <= last)
        expected = [0] * HOURS
        for minute in minutes:
            expected[routine.local(epoch + timedelta(minutes=minute)).hour] += 1
        assert by_role[role.value] == tuple(expected)
    assert sum(by_role["room"]) > 0
    assert by_role["bed"] == (0,) * HOURS
