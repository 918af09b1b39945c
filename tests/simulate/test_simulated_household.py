"""Visitors, a pet, medication, dropouts and duplicates appear as the profile configures them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.events import Event
from hub.simulate import Profile, plans, simulate
from hub.simulate.faults import dropouts
from tests.simulate.simulate_helpers import START, whole_days

MOTION_ROOMS = {
    "bedroom_motion": "bedroom",
    "bathroom_motion": "bathroom",
    "kitchen_motion": "kitchen",
    "living_room_motion": "living_room",
    "hall_motion": "hall",
}


def _on_spans(events: list[Event]) -> list[tuple[datetime, datetime, str]]:
    opened: dict[str, datetime] = {}
    spans = []
    for event in events:
        if event.sensor not in MOTION_ROOMS:
            continue
        if event.value is True and event.sensor not in opened:
            opened[event.sensor] = event.time
        elif event.value is False and event.sensor in opened:
            spans.append((opened.pop(event.sensor), event.time, MOTION_ROOMS[event.sensor]))
    return spans


def _together(events: list[Event], at_least: timedelta) -> set[datetime]:
    """Starts of motion in one room while another room's motion was on for `at_least` more."""
    spans = sorted(_on_spans(events))
    found = set()
    for i, (_, end, room) in enumerate(spans):
        for other_start, other_end, other_room in spans[i + 1 :]:
            if other_start >= end:
                break
            if other_room != room and min(end, other_end) - other_start >= at_least:
                found.add(other_start)
    return found


def test_visitors_make_two_distant_rooms_busy_at_once(home: HearthConfig, steady: Profile) -> None:
    sociable = steady.model_validate({**steady.model_dump(), "visitors": {"days_per_week": 3}})
    zone = ZoneInfo(home.home.timezone)
    visit_days = {p.date for p in plans(home, sociable, START, 28, 5) if p.visitors}
    assert 6 <= len(visit_days) <= 20
    events = list(simulate(home, sociable, START, 28, 5))
    overlaps = _together(events, timedelta(minutes=1))
    together = {moment.astimezone(zone).date() for moment in overlaps}
    assert together == visit_days - {START - timedelta(days=1)}
    alone = list(simulate(home, steady, START, 28, 5))
    assert _together(alone, timedelta(minutes=1)) == set()


def test_a_pet_moves_at_night_but_never_presses_a_mat_or_opens_a_door(
    home: HearthConfig, steady: Profile
) -> None:
    cat = steady.model_validate({**steady.model_dump(), "pet": {"trips_per_day": 25}})
    with_pet = list(simulate(home, cat, START, 14, 9))
    without = list(simulate(home, steady, START, 14, 9))
    not_motion = [e for e in with_pet if e.sensor not in MOTION_ROOMS]
    assert not_motion == [e for e in without if e.sensor not in MOTION_ROOMS]
    zone = ZoneInfo(home.home.timezone)

    def night_motion(events: list[Event]) -> int:
        return sum(
            e.value is True
            and e.sensor in {"kitchen_motion", "living_room_motion"}
            and 1 <= e.time.astimezone(zone).hour < 5
            for e in events
        )

    assert night_motion(without) == 0
    assert night_motion(with_pet) >= 14 * 25 * (4 / 24) / 2  # about half the expected trips


def test_pet_rooms_can_be_chosen(home: HearthConfig, steady: Profile) -> None:
    cat = steady.model_validate(
        {**steady.model_dump(), "pet": {"trips_per_day": 40, "rooms": ["hall"]}}
    )
    zone = ZoneInfo(home.home.timezone)
    events = list(simulate(home, cat, START, 7, 2))
    at_night = {
        e.sensor for e in events if e.value is True and 2 <= e.time.astimezone(zone).hour < 5
    }
    assert "hall_motion" in at_night
    assert not at_night & {"kitchen_motion", "living_room_motion"}


def test_pill_box_opens_with_the_dosed_meals_unless_missed(
    home: HearthConfig, steady: Profile
) -> None:
    def openings(person: Profile) -> int:
        events = simulate(home, person, START, 28, 4)
        return sum(e.sensor == "pillbox_lid" and e.value is True for e in events)

    usual = openings(steady)  # two doses a day, 5 % missed, over 28 days
    assert 46 <= usual <= 56
    never = steady.model_validate({**steady.model_dump(), "medication": {"missed": 1.0}})
    assert openings(never) == 0
    once = steady.model_validate(
        {**steady.model_dump(), "medication": {"with_meals": ["lunch"], "missed": 0}}
    )
    assert 25 <= openings(once) <= 28  # a skipped lunch skips its dose


def test_late_doses_come_after_the_meal(home: HearthConfig, steady: Profile) -> None:
    late = steady.model_validate(
        {**steady.model_dump(), "medication": {"with_meals": ["breakfast"], "late": 1.0,
                                               "late_min": 90, "missed": 0}}
    )  # fmt: skip
    zone = ZoneInfo(home.home.timezone)
    on_time = [
        e.time.astimezone(zone) for e in simulate(home, steady, START, 14, 6)
        if e.sensor == "pillbox_lid" and e.value is True and e.time.astimezone(zone).hour < 11
    ]  # fmt: skip
    delayed = [
        e.time.astimezone(zone) for e in simulate(home, late, START, 14, 6)
        if e.sensor == "pillbox_lid" and e.value is True
    ]  # fmt: skip
    minutes = [t.hour * 60 + t.minute for t in delayed]
    usual = [t.hour * 60 + t.minute for t in on_time]
    assert sum(minutes) / len(minutes) - sum(usual) / len(usual) >= 45


def test_dropouts_silence_a_sensor_for_hours_or_days(home: HearthConfig, steady: Profile) -> None:
    faulty = steady.model_validate(
        {**steady.model_dump(), "sensors": {"dropouts_per_month": 2, "dropout_hours_min": 24,
                                            "dropout_hours_max": 60, "duplicates": 0}}
    )  # fmt: skip
    zone = ZoneInfo(home.home.timezone)
    first = datetime(2026, 2, 2, tzinfo=zone)
    last = first + timedelta(days=42)
    spells = dropouts((s.id for s in home.sensors), faulty.sensors, first, last, 12)
    assert len(spells) >= 12  # 12 sensors, 2 a month each, over 6 weeks: 34 expected
    events = list(simulate(home, faulty, START, 42, 12))
    by_sensor: dict[str, list[datetime]] = defaultdict(list)
    for event in events:
        by_sensor[event.sensor].append(event.time)
    for spell in spells:
        assert not [t for t in by_sensor[spell.sensor] if spell.start <= t < spell.end]
    # A whole day inside a dropout shows as a silent sensor in that day's features.
    silent = {(d.date, s) for d in whole_days(events, home) for s in d.sensors_silent}
    covered = [
        (day, spell.sensor)
        for spell in spells
        for day in {(spell.start + timedelta(hours=h)).astimezone(zone).date() for h in range(60)}
        if spell.start <= datetime.combine(day, datetime.min.time(), zone)
        and datetime.combine(day + timedelta(days=1), datetime.min.time(), zone) <= spell.end
        and first.date() < day < last.date() - timedelta(days=1)
    ]
    assert covered
    assert set(covered) <= silent
    # Without dropouts the sensors the person passes every day report every whole day.
    clean = whole_days(list(simulate(home, steady, START, 42, 12)), home)
    daily = {"bed_mat", "chair_mat", "toilet_flush", *MOTION_ROOMS} - {"hall_motion"}
    assert not {s for d in clean for s in d.sensors_silent} & daily


def test_duplicates_repeat_a_reading_as_often_as_configured(
    home: HearthConfig, steady: Profile
) -> None:
    def repeats(person: Profile) -> tuple[int, int]:
        events = list(simulate(home, person, START, 14, 3))
        last: dict[str, Event] = {}
        count = 0
        for event in events:
            before = last.get(event.sensor)
            if (
                before is not None
                and before.value == event.value
                and (event.time - before.time < timedelta(seconds=1))
            ):
                count += 1
            last[event.sensor] = event
        return count, len(events)

    assert repeats(steady)[0] == 0
    chatty = steady.model_validate({**steady.model_dump(), "sensors": {"duplicates": 0.1}})
    count, total = repeats(chatty)
    assert 0.07 <= count / (total - count) <= 0.13
