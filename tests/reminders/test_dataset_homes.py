"""Relative dose times on the real dataset homes.

- The live getting-up moment (`hub/reminders/anchors.py`, one event at a time)
  against the routine engine's `time_up` (which looks back over the whole night).
- The reminder for "30 minutes after getting up" follows each day's getting up
  in a replay of the home.
- CASAS: the annotators' Morning_Meds labels against the computed "with
  breakfast" and "after getting up" reminder times, with the labelled moment
  fed to the engine as a pill-box opening: how many days come out on time.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.config.loader import load_config
from hub.config.medication import Anchor
from hub.config.models import HearthConfig, Sensor
from hub.datasets import read_labels
from hub.events import Event, Kind, Source
from hub.reminders import Outcome
from hub.reminders.anchors import DayMoments
from hub.reminders.history import run
from hub.replay import replay
from hub.routine import daily_features
from hub.routine.layout import layout_of
from hub.store.database import open_database
from hub.store.event_table import read_events
from tests.datasets.conftest import CONFIG, ORDONEZ


@dataclass(frozen=True)
class Replayed:
    config: HearthConfig
    events: list[Event]


def _replayed(config_name: str, data: Path, tmp: Path) -> Replayed:
    config = load_config(CONFIG / config_name)
    db = tmp / "home.db"
    replay(config, db, [data])
    conn = open_database(db).conn
    try:
        return Replayed(config, list(read_events(conn)))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ordonez_a(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    return _replayed(
        "ordonez-a.yaml", ORDONEZ / "OrdonezA_Sensors.txt", tmp_path_factory.mktemp("a")
    )


@pytest.fixture(scope="module")
def ordonez_b(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    return _replayed(
        "ordonez-b.yaml", ORDONEZ / "OrdonezB_Sensors.txt", tmp_path_factory.mktemp("b")
    )


@pytest.fixture(scope="module")
def casas(shared_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    data = shared_datasets / "casas_al_smarthome" / "data"
    return _replayed("casas-al-smarthome.yaml", data, tmp_path_factory.mktemp("casas"))


def _moments(home: Replayed) -> DayMoments:
    moments = DayMoments(layout_of(home.config))
    for event in home.events:
        moments.observe(event)
    return moments


def _live_up(home: Replayed) -> dict[date, datetime]:
    return {
        day: found[Anchor.GETTING_UP]
        for day, found in _moments(home).history.items()
        if Anchor.GETTING_UP in found
    }


def _agreement(home: Replayed) -> tuple[int, int, float]:
    """(nights the routine found, live within 30 min of it, median |difference| in minutes)."""
    live = _live_up(home)
    nights = [d for d in daily_features(home.events, home.config) if d.time_up is not None]
    gaps = [
        abs((live[d.date] - d.time_up).total_seconds()) / 60
        for d in nights
        if d.date in live and d.time_up is not None
    ]
    within = sum(gap <= 30 for gap in gaps)
    print(
        f"{home.config.home.id}: {within}/{len(nights)} within 30 min, "
        f"median {statistics.median(gaps):.1f} min"
    )
    return len(nights), within, statistics.median(gaps)


def test_live_getting_up_agrees_with_the_routine_ordonez_a(ordonez_a: Replayed) -> None:
    # Measured: 12 of 13 nights within 30 min, median 0 (bed mat).
    nights, within, median = _agreement(ordonez_a)
    assert nights >= 13
    assert within >= 11
    assert median <= 5


def test_live_getting_up_agrees_with_the_routine_ordonez_b(ordonez_b: Replayed) -> None:
    # Measured: 18 of 20 nights within 30 min, median 0 (bed mat).
    nights, within, median = _agreement(ordonez_b)
    assert nights >= 20
    assert within >= 17
    assert median <= 5


def test_live_getting_up_agrees_with_the_routine_casas(casas: Replayed) -> None:
    # Measured: 27 of 29 nights within 30 min, median 0 (motion only).
    nights, within, median = _agreement(casas)
    assert nights >= 28
    assert within >= 25
    assert median <= 5


def _with_pillbox(config: HearthConfig, medicines: list[dict[str, Any]]) -> HearthConfig:
    data = config.model_dump(mode="json")
    data["sensors"].append(
        Sensor.model_validate(
            {
                "id": "pillbox_lid",
                "match": {"source": "jsonl", "device": "pillbox_lid"},
                "kind": "contact",
                "room": "kitchen",
                "role": "pillbox",
            }
        ).model_dump(mode="json")
    )
    data["medication"] = {"medicines": medicines}
    return HearthConfig.model_validate(data)


@pytest.mark.parametrize("home_name", ["ordonez_a", "ordonez_b"])
def test_the_reminder_follows_getting_up_on_each_day_of_a_replay(
    home_name: str, request: pytest.FixtureRequest
) -> None:
    home: Replayed = request.getfixturevalue(home_name)
    config = _with_pillbox(
        home.config,
        [
            {
                "name": "Metformin",
                "times": [{"at": "30 minutes after getting up", "fallback": "13:00"}],
            }
        ],
    )
    up = _live_up(home)
    first: dict[date, tuple[datetime, datetime]] = {}  # day: (reminded at, due)
    steps = run(config, home.events, start=home.events[0].time, until=home.events[-1].time)
    for moment, step in steps:
        for prompt in step.prompts:
            if prompt.number == 1:
                day = date.fromisoformat(prompt.key.split("@")[1].split("#")[0])
                first[day] = (moment, datetime.fromisoformat(str(prompt.display["due"])))
    assert set(first) == set(up)  # every day had its moment found: none fell back
    assert len(first) >= 13
    known = _moments(home).known
    delayed = 0
    for day, (reminded, due) in first.items():
        assert due == up[day] + timedelta(minutes=30), day
        # Reminded at the first step once it is due and getting up is confirmed (replay
        # steps once a minute between events); confirmation can come after the due time.
        ready = max(due, known[day][Anchor.GETTING_UP])
        assert timedelta(0) <= reminded - ready < timedelta(minutes=1), day
        delayed += reminded - due >= timedelta(minutes=1)
    print(f"{home_name}: {len(first)} days, reminded after its due time on {delayed}")
    # Measured: Ordonez A 0 of 14 days, Ordonez B 1 of 21 (getting up confirmed 14 min late).
    assert delayed <= 2


def test_casas_morning_meds_against_the_relative_reminders(
    casas: Replayed, shared_datasets: Path
) -> None:
    zone = ZoneInfo(casas.config.home.timezone)
    labels = read_labels(shared_datasets / "casas_al_smarthome" / "data", None, zone).intervals
    taken: dict[date, datetime] = {}
    for interval in labels:
        if interval.label == "Morning_Meds":
            taken.setdefault(interval.start.astimezone(zone).date(), interval.start)
    openings = [Event(t, "pillbox_lid", Kind.CONTACT, True, Source.JSONL) for t in taken.values()]
    events = sorted([*casas.events, *openings], key=lambda e: e.time)
    results = {}
    for at in ("with breakfast", "15 minutes after getting up", "08:30"):
        config = _with_pillbox(casas.config, [{"name": "Meds", "times": [{"at": at}]}])
        outcomes = [
            o
            for _, s in run(config, events, start=events[0].time, until=events[-1].time)
            for o in s.outcomes
            if date.fromisoformat(o.day) in taken
        ]
        on_time = sum(o.outcome is Outcome.ON_TIME for o in outcomes)
        gaps = [
            abs((taken[date.fromisoformat(o.day)] - o.due).total_seconds()) / 60 for o in outcomes
        ]
        results[at] = (on_time, len(outcomes), statistics.median(gaps))
        print(
            f"CASAS Morning_Meds, {at!r}: {on_time}/{len(outcomes)} on time, "
            f"median |label - due| {statistics.median(gaps):.0f} min"
        )
    # Measured: "with breakfast" 28/30 on time, median 0 min (the labelled medication is the
    # first thing done in the kitchen; the two late: taken 61 min after breakfast, and
    # 70 min after the fallback on a day with no kitchen activity until 10:37);
    # "15 minutes after getting up" 26/30, median 6 min; a fixed 08:30 20/29, median 20 min
    # (its last day is not final: the data end that evening).
    breakfast, after_up, clock = (
        results["with breakfast"],
        results["15 minutes after getting up"],
        results["08:30"],
    )
    assert breakfast[1] >= 28
    assert breakfast[0] >= 0.9 * breakfast[1]
    assert breakfast[2] <= 5
    assert after_up[0] >= 0.8 * after_up[1]
    assert after_up[2] < clock[2]


def test_casas_meals_against_the_labelled_cooking(casas: Replayed, shared_datasets: Path) -> None:
    zone = ZoneInfo(casas.config.home.timezone)
    labels = read_labels(shared_datasets / "casas_al_smarthome" / "data", None, zone).intervals
    moments = _moments(casas)
    results = {}
    for label, anchor, after in (
        ("Cook_Breakfast", Anchor.BREAKFAST, 0),
        ("Cook_Dinner", Anchor.EVENING_MEAL, 15),  # an afternoon snack is not the meal
    ):
        first: dict[date, datetime] = {}
        for interval in labels:
            local = interval.start.astimezone(zone)
            if interval.label == label and local.hour >= after:
                first.setdefault(local.date(), interval.start)
        gaps = [
            abs((moments.found(d)[anchor] - t).total_seconds()) / 60
            for d, t in first.items()
            if anchor in moments.found(d)
        ]
        results[label] = (len(first), len(gaps), sum(gap <= 30 for gap in gaps))
        print(f"CASAS {anchor.value} vs {label}: {results[label][2]}/{len(first)} within 30 min")
    # Measured: the evening meal found at the labelled start of cooking on 28 of 28 days
    # (median 0 min); breakfast (the first kitchen activity after getting up) within 30 min
    # of the labelled cooking on 23 of 27, a minute before it on most days: this person's
    # morning medicine comes first, and on 4 days an hour or more before cooking.
    days, found, within = results["Cook_Dinner"]
    assert days >= 28
    assert within >= 27
    days, found, within = results["Cook_Breakfast"]
    assert found >= 26
    assert within >= 21
