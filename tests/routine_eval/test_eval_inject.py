"""Each injected change moves the feature it targets by about its size, on real days.

The stream is 70 resampled days of the committed Ordonez B home; each change
starts on day 35 and the features before and after are compared, as computed
by the real `daily_features` from the changed events.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.config.models import Role
from hub.evaluation.inject import Change, ChangeKind, Context, inject, not_in_routine
from hub.evaluation.pipeline import Prepared
from hub.events import Event, Kind, Source
from hub.routine import daily_features
from hub.routine.behaviours import wall_minutes
from hub.routine.day_signs import day_signs
from hub.routine.features import DayFeatures
from hub.routine.layout import layout_of
from tests.routine.routine_homes import config_with

ONSET_INDEX = 35


def _split(
    prepared: Prepared, kind: ChangeKind, ramp: int = 0
) -> tuple[list[DayFeatures], list[DayFeatures], list[DayFeatures]]:
    """Unchanged days after the onset, changed days after it (full strength), all changed days."""
    stream = prepared.stream
    onset = stream.date_of(ONSET_INDEX)
    events = inject(list(stream.events), Change(kind, onset, ramp), prepared.context)
    changed = [
        d for d in daily_features(events, prepared.config) if d.date in prepared.context.days
    ]
    full_from = onset.toordinal() + max(ramp - 1, 0)
    before = [d for d in prepared.days[1:-1] if d.date.toordinal() >= full_from]
    after = [d for d in changed[1:-1] if d.date.toordinal() >= full_from]
    return before, after, changed


def _mean(days: list[DayFeatures], value: Callable[[DayFeatures], float | None]) -> float:
    values = [v for d in days if (v := value(d)) is not None]
    return statistics.fmean(values)


def _kitchen(day: DayFeatures) -> float | None:
    meals = (day.breakfast_kitchen_minutes, day.lunch_kitchen_minutes, day.dinner_kitchen_minutes)
    return None if None in meals else float(sum(m or 0 for m in meals))


def test_later_up_moves_time_up_by_90_minutes(ordonez_b_stream: Prepared) -> None:
    before, after, _ = _split(ordonez_b_stream, ChangeKind.LATER_UP)
    pairs = [
        (wall_minutes(a.time_up, a), wall_minutes(b.time_up, b))
        for a, b in zip(after, before, strict=True)
        if a.time_up and b.time_up
    ]
    shifts = [changed - unchanged for changed, unchanged in pairs if changed and unchanged]
    assert len(shifts) >= 25
    assert 75 <= statistics.median(shifts) <= 105


def test_gradual_later_up_grows_over_the_ramp(ordonez_b_stream: Prepared) -> None:
    prepared = ordonez_b_stream
    _, _, changed = _split(prepared, ChangeKind.LATER_UP, ramp=14)
    onset = prepared.stream.date_of(ONSET_INDEX)
    by_date = {d.date: d for d in changed}
    early = [
        wall_minutes(by_date[d.date].time_up, d) - wall_minutes(d.time_up, d)  # type: ignore[operator]
        for d in prepared.days
        if 0 <= (d.date - onset).days < 4 and d.time_up and by_date[d.date].time_up
    ]
    assert early
    assert max(early) <= 40  # a quarter of the way at most: 90 x 4/14 = 26 min


def test_night_toilet_visits_are_two_and_a_half_times_as_many(ordonez_b_stream: Prepared) -> None:
    before, after, _ = _split(ordonez_b_stream, ChangeKind.NIGHT_TOILET)
    ratio = _mean(after, lambda d: d.night_toilet_visits) / _mean(
        before, lambda d: d.night_toilet_visits
    )
    assert 2.0 <= ratio <= 3.0


def test_kitchen_activity_halves(ordonez_b_stream: Prepared) -> None:
    before, after, _ = _split(ordonez_b_stream, ChangeKind.LESS_KITCHEN)
    ratio = _mean(after, _kitchen) / _mean(before, _kitchen)
    assert 0.35 <= ratio <= 0.65


def test_outings_stop(ordonez_b_stream: Prepared) -> None:
    before, after, _ = _split(ordonez_b_stream, ChangeKind.NO_OUTINGS)
    assert _mean(before, lambda d: d.outings) >= 0.5
    assert _mean(after, lambda d: d.outings) <= 0.1 * _mean(before, lambda d: d.outings)


def test_total_activity_falls_by_40_percent(ordonez_b_stream: Prepared) -> None:
    before, after, _ = _split(ordonez_b_stream, ChangeKind.LESS_ACTIVE)
    ratio = _mean(after, lambda d: d.active_minutes) / _mean(before, lambda d: d.active_minutes)
    assert 0.5 <= ratio <= 0.7


def test_the_front_door_opens_at_night_on_two_or_three_nights_a_week(
    ordonez_b_stream: Prepared,
) -> None:
    prepared = ordonez_b_stream
    onset = prepared.stream.date_of(ONSET_INDEX)
    events = inject(
        list(prepared.stream.events), Change(ChangeKind.NIGHT_DOOR, onset), prepared.context
    )
    days = [d for d in daily_features(events, prepared.config) if d.date in prepared.context.days]
    signs = day_signs(events, prepared.config, days)
    unchanged = day_signs(prepared.stream.events, prepared.config, prepared.days)

    def added_in_week(week: int) -> int:
        dates = [onset + timedelta(days=week * 7 + i) for i in range(7)]
        now = sum(signs[d].night_exits or 0 for d in dates)
        before = sum(unchanged[d].night_exits or 0 for d in dates)
        return now - before

    weeks = [added_in_week(week) for week in range(4)]
    assert all(2 <= added <= 3 for added in weeks), weeks


@pytest.mark.parametrize("kind", list(ChangeKind))
def test_nothing_changes_before_the_onset(ordonez_b_stream: Prepared, kind: ChangeKind) -> None:
    prepared = ordonez_b_stream
    onset = prepared.stream.date_of(ONSET_INDEX)
    events = inject(list(prepared.stream.events), Change(kind, onset), prepared.context)
    days = {d.date: d for d in daily_features(events, prepared.config)}
    for day in prepared.days[1 : ONSET_INDEX - 2]:
        assert days[day.date] == day


def test_a_cupboard_left_open_for_days_does_not_join_every_kitchen_visit() -> None:
    """A use that seems to last days (resampled days joined) must not make one giant visit.

    Kitchen visits are dropped whole, each with probability 0.5. Were the
    cupboard's opening and its closing 11 days later one use, every fridge
    visit between would join it into a single visit, kept or dropped as one.
    """
    config = config_with(
        {
            "fridge": (Kind.CONTACT, "kitchen", Role.FRIDGE),
            "cupboard": (Kind.CONTACT, "kitchen", Role.CUPBOARD),
            "hall_pir": (Kind.MOTION, "hall", Role.ROOM),
        },
        "Europe/London",
    )
    zone = ZoneInfo("Europe/London")
    first = date(2025, 3, 3)

    def at(day: int, hour: int, sensor: str, value: bool) -> Event:
        wall = datetime.combine(first + timedelta(days=day), time(hour), tzinfo=zone)
        kind = Kind.MOTION if sensor == "hall_pir" else Kind.CONTACT
        return Event(wall.astimezone(UTC), sensor, kind, value, Source.GENERIC)

    events = [at(1, 7, "cupboard", True), at(11, 21, "cupboard", False)]
    for day in range(12):
        for hour in (8, 13, 19):
            events += [at(day, hour, "fridge", True), at(day, hour, "fridge", False)]
    events.sort(key=lambda event: event.time)
    context = Context(layout_of(config), {}, [], seed=3)
    onset = first + timedelta(days=1)
    changed = inject(events, Change(ChangeKind.LESS_KITCHEN, onset), context)

    def openings(stream: list[Event]) -> int:
        return sum(
            1
            for e in stream
            if e.sensor == "fridge" and e.value is True and e.time.astimezone(zone).date() >= onset
        )

    kept = openings(changed) / openings(events)
    assert 0.25 <= kept <= 0.75, kept


def test_changes_are_injected_only_where_the_days_hold_what_they_change(
    ordonez_b_stream: Prepared,
) -> None:
    context = ordonez_b_stream.context
    # Ordonez B gets up for the toilet on about one night in seven: x2.5 adds next to nothing.
    why = not_in_routine(ChangeKind.NIGHT_TOILET, context)
    assert why is not None
    assert why.startswith("the person gets up for the toilet 0.")
    for kind in (ChangeKind.LATER_UP, ChangeKind.NO_OUTINGS, ChangeKind.NIGHT_DOOR):
        assert not_in_routine(kind, context) is None, kind
    # Without a night (no bed mat, no motion sensor) there is no time up to move.
    nights_unknown = Context(
        context.layout,
        {d: replace(f, time_up=None, bedtime=None) for d, f in context.days.items()},
        context.outings,
        context.seed,
    )
    why = not_in_routine(ChangeKind.LATER_UP, nights_unknown)
    assert why is not None
    assert "tells when the person slept on 0 of" in why
    # Staying in is what a person who seldom goes out already does.
    homebody = Context(
        context.layout,
        {d: replace(f, outings=int(d.day % 3 == 0)) for d, f in context.days.items()},
        context.outings,
        context.seed,
    )
    why = not_in_routine(ChangeKind.NO_OUTINGS, homebody)
    assert why is not None
    assert why.startswith("the person goes out 0.3")
