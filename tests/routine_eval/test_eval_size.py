"""A change's size in the person's own spreads: what the report groups detection by."""

from __future__ import annotations

import pytest

from hub.evaluation.pipeline import Days
from hub.evaluation.size import band_of, change_size
from tests.routine.routine_synthetic import steady_days

ONSET = 40


def later_by(minutes: float, *, spread: float) -> float | None:
    """The size of getting up `minutes` later for a person whose days vary by +-`spread`."""

    def time_up(i: int, shift: float) -> float:
        return 475 + spread * (i % 5 - 2) + (shift if i >= ONSET else 0)

    before = steady_days(60, time_up=lambda i: time_up(i, 0))
    after = steady_days(60, time_up=lambda i: time_up(i, minutes))
    return change_size(
        ["time_up", "activity_pattern"],  # the model's score has no size: skipped
        Days(before, {}),
        Days(after, {}),
        onset=before[ONSET].date,
        ramp_days=0,
        normal={d.date for d in before},
    )


def test_the_same_change_is_bigger_for_a_more_regular_person() -> None:
    # Days at -2..+2 steps: the deciles' spread is (2 - -2) x step / 2.5631.
    regular = later_by(90, spread=20)
    loose = later_by(90, spread=60)
    assert regular == pytest.approx(90 / (80 / 2.5631), rel=0.01)
    assert loose == pytest.approx(90 / (240 / 2.5631), rel=0.01)
    assert (band_of(regular or 0), band_of(loose or 0)) == ("2 or more", "under 1")


def test_the_spread_is_never_below_the_behaviours_floor() -> None:
    # Up at exactly the same minute every day: the floor (20 minutes) is the spread.
    assert later_by(30, spread=0) == pytest.approx(30 / 20)


def test_a_gradual_change_is_measured_at_full_strength_only() -> None:
    before = steady_days(60, time_up=475)
    ramp = steady_days(60, time_up=lambda i: 475 + 90 * min(max(i - ONSET + 1, 0), 14) / 14)
    size = change_size(
        ["time_up"],
        Days(before, {}),
        Days(ramp, {}),
        onset=before[ONSET].date,
        ramp_days=14,
        normal={d.date for d in before},
    )
    assert size == pytest.approx(90 / 20)


def test_no_size_without_values_the_change_moves() -> None:
    days = Days(steady_days(60), {})
    size = change_size(
        ["night_exits"], days, days, onset=days.days[ONSET].date, ramp_days=0, normal=set()
    )
    assert size is None
