"""The simulated stream: deterministic by seed, day by day, and valid for the home's config."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.datasets import event_from_json, write_jsonl
from hub.simulate import Profile, SimulateError, simulate
from tests.simulate.simulate_helpers import REPO, START


def test_the_same_seed_gives_the_same_events(home: HearthConfig, typical: Profile) -> None:
    first = list(simulate(home, typical, START, 14, seed=7))
    again = list(simulate(home, typical, START, 14, seed=7))
    other = list(simulate(home, typical, START, 14, seed=8))
    assert first == again
    assert first != other
    assert len(first) > 14 * 100


def test_a_day_is_the_same_whatever_follows_it(home: HearthConfig, typical: Profile) -> None:
    # Each day is drawn from its own streams: a longer run repeats a shorter one's days.
    zone = ZoneInfo(home.home.timezone)
    short = list(simulate(home, typical, START, 5, seed=3))
    long = list(simulate(home, typical, START, 12, seed=3))
    cut = datetime(2026, 2, 6, 18, tzinfo=zone)  # before the short run's last evening ends
    assert [e for e in short if e.time < cut] == [e for e in long if e.time < cut]


def test_every_event_is_a_configured_sensor_of_its_kind_in_the_asked_days(
    home: HearthConfig, typical: Profile
) -> None:
    zone = ZoneInfo(home.home.timezone)
    kinds = {sensor.id: sensor.kind for sensor in home.sensors}
    sources = {sensor.id: sensor.match.source for sensor in home.sensors}
    events = list(simulate(home, typical, START, 21, seed=1))
    assert {e.sensor for e in events} == set(kinds)  # every sensor says something in 3 weeks
    for event in events:
        assert kinds[event.sensor] is event.kind
        assert sources[event.sensor] is event.source
        assert event.time.tzinfo is UTC
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert events[0].time >= datetime(2026, 2, 2, tzinfo=zone)
    assert events[-1].time < datetime(2026, 2, 23, tzinfo=zone)


def test_events_survive_the_canonical_file(home: HearthConfig, typical: Profile) -> None:
    events = list(simulate(home, typical, START, 3, seed=2))
    out = io.StringIO()
    write_jsonl(events, out)
    assert [event_from_json(line) for line in out.getvalue().splitlines()] == events


def test_a_home_without_sensors_is_one_clear_error(home: HearthConfig, typical: Profile) -> None:
    empty = home.model_copy(update={"sensors": []})
    with pytest.raises(SimulateError, match="has no sensors to simulate"):
        simulate(empty, typical, START, 3, seed=1)


@pytest.mark.parametrize("days", [0, -1, 100_000])
def test_a_number_of_days_out_of_range_is_refused(
    home: HearthConfig, typical: Profile, days: int
) -> None:
    with pytest.raises(SimulateError, match="days must be 1 to"):
        simulate(home, typical, START, days, seed=1)


def test_a_pet_room_not_in_the_home_is_named(home: HearthConfig, typical: Profile) -> None:
    pet = typical.model_validate({"pet": {"trips_per_day": 5, "rooms": ["garage"]}})
    with pytest.raises(SimulateError, match=r"pet\.rooms: 'garage' is not a room"):
        simulate(home, pet, START, 3, seed=1)


def test_another_dataset_home_gets_events_for_its_own_sensors(typical: Profile) -> None:
    ordonez = load_config(REPO / "config" / "ordonez-a.yaml")
    events = list(simulate(ordonez, typical, date(2026, 5, 4), 7, seed=1))
    sensors = {s.id for s in ordonez.sensors}
    assert {e.sensor for e in events} <= sensors
    # No motion sensor of role "room" there, but the bed, toilet, door and fridge all report.
    assert {"bed", "toilet_flush", "main_door", "fridge"} <= {e.sensor for e in events}
    assert events[-1].time - events[0].time > timedelta(days=6)
