"""A change's size in the person's own spreads: what the report groups detection by."""

from __future__ import annotations

from datetime import date

import pytest

from hub.evaluation.inject import ChangeKind
from hub.evaluation.pipeline import Days
from hub.evaluation.report import against_ideal
from hub.evaluation.run import FULL, Case
from hub.evaluation.size import band_of, change_size, ideal_detection
from hub.routine.behaviours import BEHAVIOURS
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


def test_the_ideal_detector_alerts_on_no_change_only_as_often_as_the_budget_allows() -> None:
    # One false alert in 30 days, shared over every behaviour and both directions.
    assert ideal_detection(0.0) == pytest.approx(1 / (30 * 2 * len(BEHAVIOURS)))


def test_the_ideal_detector_finds_half_the_changes_whose_mean_sits_on_its_threshold() -> None:
    # The threshold for 1 in 720 is 2.991 standard normal units; four days' mean of a
    # change of s spreads stands s * sqrt(4) out.
    assert ideal_detection(2.991 / 2) == pytest.approx(0.5, abs=0.001)
    assert ideal_detection(1.0) == pytest.approx(0.161, abs=0.001)
    assert ideal_detection(2.0) == pytest.approx(0.843, abs=0.001)


def test_more_days_find_more_of_the_same_change() -> None:
    found = [ideal_detection(1.0, days=days) for days in (4, 9, 16)]
    assert found[0] < found[1] < found[2]


def case(shape: str, size: float | None, delay: int | None) -> Case:
    return Case(
        "h", 0, ChangeKind.LATER_UP, shape, date(2024, 1, 1), delay={FULL: delay}, size=size
    )


def test_the_report_sets_the_ideal_beside_the_full_system_on_abrupt_sized_cases() -> None:
    cases = [
        case("abrupt", 1.0, 2),  # found by the deadline (3 days)
        case("abrupt", 2.0, 5),  # found late: a miss
        case("abrupt", None, 0),  # no size (the door at night): not counted
        case("gradual", 1.0, 9),  # gradual: not counted
    ]
    ideal, found, count = against_ideal(cases) or (0.0, 0.0, 0)
    assert count == 2
    assert ideal == pytest.approx((ideal_detection(1.0) + ideal_detection(2.0)) / 2)
    assert found == 0.5
    assert against_ideal([case("gradual", 1.0, 0)]) is None
