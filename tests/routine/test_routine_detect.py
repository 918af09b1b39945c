"""Change detection on synthetic days: each shape, each day type, and the sentences."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.routine import explain
from hub.routine.baseline import LEARNING_DAYS, Usual
from hub.routine.behaviours import BEHAVIOURS
from hub.routine.day_types import DayType, day_types
from hub.routine.detect import FIRST_AFTER_DAYS, FOUND, Shape, Step, standard_error
from hub.routine.score import RoutineDayResult, change_of, result_record, score_days
from tests.routine.routine_synthetic import START, fold, steady_days, with_day

ONSET = 30  # changes below start on this day's index


def changes_of(results: list[RoutineDayResult], behaviour: str) -> list[tuple[int, str]]:
    """(day index, shape) of every change of `behaviour` reported."""
    return [
        (i, c.shape.value)
        for i, r in enumerate(results)
        for c in r.changes
        if c.behaviour == behaviour
    ]


def test_a_steady_person_raises_nothing_in_three_months() -> None:
    results = score_days(steady_days(90))
    assert [r.date for r in results if r.flagged] == []
    assert all(r.score is not None and r.score < 4 for r in results[LEARNING_DAYS:])


def test_one_very_unusual_day_is_reported_that_day_only() -> None:
    days = steady_days(40, time_up=lambda i: 655 if i == ONSET else 475 + (i % 5) * 3)
    results = score_days(days)
    assert changes_of(results, "time_up") == [(ONSET, "unusual_day")]
    change = results[ONSET].changes[0]
    usual = explain.clock(change.usual)
    assert change.sentence == f"Getting up later today: 10:55; usually {usual}."
    assert (change.direction, change.onset, change.recent) == ("later", days[ONSET].date, 655.0)
    assert 475 <= change.usual <= 487
    assert 0.5 <= change.confidence <= 1
    assert results[ONSET].score == pytest.approx((655 - change.usual) / 20, abs=0.1)
    assert not results[ONSET + 1].flagged


def test_a_small_difference_is_not_news_however_regular_the_person() -> None:
    # Up at exactly 07:55 for a month: 08:15 is many MADs away but only 20 minutes late.
    days = steady_days(40, time_up=lambda i: 495 if i >= ONSET else 475)
    assert changes_of(score_days(days), "time_up") == []


def test_a_shift_is_found_within_three_days_with_its_onset() -> None:
    days = steady_days(45, time_up=lambda i: 475 + (i % 5) * 3 + (90 if i >= ONSET else 0))
    results = score_days(days)
    found = changes_of(results, "time_up")
    first_day, _shape = found[0]
    assert first_day <= ONSET + 2
    shift = next(c for r in results for c in r.changes if c.shape is Shape.SHIFT)
    assert shift.onset == days[ONSET].date
    assert shift.sentence.startswith("Getting up later: 09:")
    assert "on average over the last" in shift.sentence
    assert shift.sentence.endswith(f"usually {explain.clock(shift.usual)}.")
    assert 475 <= shift.usual <= 487


def test_a_fall_in_kitchen_use_is_a_shift_down() -> None:
    days = steady_days(40, kitchen=lambda i: 55 + (i % 4) * 2 - (30 if i >= ONSET else 0))
    results = score_days(days)
    found = changes_of(results, "kitchen_minutes")
    assert found
    assert found[0][0] <= ONSET + 2
    change = next(c for r in results for c in r.changes if c.behaviour == "kitchen_minutes")
    assert change.direction == "less"
    assert change.sentence.startswith("Less time in the kitchen: ")
    assert change.sentence.endswith(f"; usually {round(change.usual)} min.")
    assert 55 <= change.usual <= 61


def test_more_toilet_visits_at_night_are_found_from_counts() -> None:
    # Usually 2 (1 to 2; the spread floor is one visit), now 4 to 5 (x2.5).
    days = steady_days(40, toilets=lambda i: (1, 2, 2, 2)[i % 4] + (3 if i >= ONSET else 0))
    found = changes_of(score_days(days), "night_toilet_visits")
    assert found, "never found"
    assert found[0] == (ONSET + 2, "shift"), found


def found_on(steps: list[Step]) -> list[tuple[int, Shape, bool]]:
    """(day index, shape, higher) of each change a detector opened or reported."""
    return [(i, f.shape, f.higher) for i, step in enumerate(steps) for f in step.findings]


def test_a_first_night_exit_in_four_weeks_is_told_and_a_later_one_is_not_news() -> None:
    nights = [0.0] * 100
    nights[45] = 1.0  # the first in 45 nights (some 40 kept)
    nights[80] = 1.0  # one more, five weeks on
    _, steps = fold("night_exits", nights)
    found = found_on(steps)
    assert found[0] == (45, Shape.SHIFT, True)
    assert change_of(steps[45].findings[0]).sentence == (
        "Outside door opened at night more often: once in the last 7 nights; usually none."
    )
    # Seven quiet nights after it, the change closed and its night was kept:
    # the person does go out at night now and then, so the next one alone says little.
    assert all(day < 45 + 10 for day, _, _ in found)
    assert steps[-1].tracker.open is None
    assert any(k.value == 1.0 for k in steps[-1].tracker.kept)


def test_a_night_exit_in_the_first_weeks_is_not_yet_a_change() -> None:
    nights = [0.0] * 40
    nights[20] = 1.0  # 20 nights in: fewer than FIRST_AFTER_DAYS kept ones
    assert LEARNING_DAYS + 6 < FIRST_AFTER_DAYS
    assert found_on(fold("night_exits", nights)[1]) == []
    # The same night once four weeks were kept is.
    later = [0.0] * 60
    later[40] = 1.0
    assert found_on(fold("night_exits", later)[1])[:1] == [(40, Shape.SHIFT, True)]


def test_days_in_for_a_person_who_goes_out_three_days_in_four_are_found_in_five() -> None:
    onset = 61  # day 60 has an outing (every fourth day, from day 3, is a day in)
    outings = [0.0 if i % 4 == 3 or i >= onset else 1.0 for i in range(onset + 10)]
    _, steps = fold("outings", outings)
    found = found_on(steps)
    assert found, "never found"
    day, shape, higher = found[0]
    assert (shape, higher) == (Shape.SHIFT, False)
    assert onset + 2 <= day <= onset + 4  # four days in a row happen once in some 150 runs
    first = steps[day].findings[0]
    assert first.onset == START + timedelta(days=onset)
    assert change_of(first).sentence == (
        f"Going out less often: none in the last {first.recent_days} days; usually 1 a day."
    )
    # Told every day while the person stays in: a day in is no sign of recovery.
    assert [d for d, _, _ in found] == list(range(day, len(outings)))


def test_a_few_days_in_are_usual_for_a_person_who_stays_in_every_other_day() -> None:
    outings = [float(i % 2) for i in range(61)] + [0.0] * 5 + [1.0, 0.0] * 10
    assert found_on(fold("outings", outings)[1]) == []


def test_a_shift_needs_several_days_off_usual_not_one_or_two_wild_ones() -> None:
    # Two very late days in a row are unusual days, not a shift.
    days = steady_days(40, time_up=lambda i: 700 if i in (ONSET, ONSET + 1) else 475 + (i % 5) * 3)
    assert changes_of(score_days(days), "time_up") == [
        (ONSET, "unusual_day"),
        (ONSET + 1, "unusual_day"),
    ]
    # Two clipped days and a usual one: short of a shift even on a full baseline.
    assert (3 + 3 + 0) / 3 / standard_error(3, Usual(0, 1, 28, "all")) < FOUND


def test_a_slow_drift_is_reported_as_a_drift_with_its_confidence() -> None:
    days = steady_days(60, time_up=lambda i: 475 + (i % 5) * 3 + max(0, i - ONSET) * 3)
    results = score_days(days)
    drift = next(c for r in results for c in r.changes if c.behaviour == "time_up")
    assert drift.shape is Shape.DRIFT
    assert drift.direction == "later"
    assert days[ONSET - 7].date <= drift.onset <= days[ONSET + 7].date
    assert 0.5 <= drift.confidence <= 1
    assert drift.sentence.startswith("Getting up later, little by little: ")


def test_day_types_learning_low_coverage_away_and_normal() -> None:
    days = steady_days(30)
    days = with_day(days, 0, partial=True)
    days = with_day(days, 20, sensors_reporting=days[20].sensors_reporting[:4])
    # Out overnight before day 25: no sleep found, nothing at night, out most of the day.
    days = with_day(
        days,
        25,
        time_up=None,
        bedtime=None,
        minutes_out=700.0,
        hourly_activity=(0,) * 6 + (10,) * 18,
    )
    types = day_types(days)
    assert types[0] is DayType.LOW_COVERAGE
    assert types[1:LEARNING_DAYS] == [DayType.LEARNING] * (LEARNING_DAYS - 1)
    assert types[20] is DayType.LOW_COVERAGE
    assert (types[24], types[25]) == (DayType.AWAY, DayType.AWAY)  # left on the evening of 24
    assert types[26] is DayType.NORMAL
    assert types.count(DayType.NORMAL) == 30 - LEARNING_DAYS - 3


def test_a_night_without_sleep_at_home_is_not_away_without_a_long_time_out() -> None:
    days = with_day(steady_days(20), 18, time_up=None, hourly_activity=(0,) * 6 + (10,) * 18)
    assert day_types(days)[18] is DayType.NORMAL


def test_days_that_do_not_count_raise_nothing_and_teach_nothing() -> None:
    days = steady_days(40)
    for i in range(ONSET, ONSET + 5):  # five days of a flat battery: most sensors silent
        days = with_day(days, i, sensors_reporting=days[i].sensors_reporting[:3], active_minutes=5)
    results = score_days(days)
    assert all(r.day_type is DayType.LOW_COVERAGE for r in results[ONSET : ONSET + 5])
    assert all(r.score is None and not r.changes for r in results[ONSET : ONSET + 5])
    assert [r.date for r in results if r.flagged] == []


def test_learning_days_are_never_flagged() -> None:
    days = steady_days(20, time_up=lambda i: 475 + (300 if i == 10 else 0))
    results = score_days(days)
    assert results[10].day_type is DayType.LEARNING
    assert not results[10].flagged


def test_the_json_record_has_the_contract_fields() -> None:
    days = steady_days(40, time_up=lambda i: 655 if i == ONSET else 475 + (i % 5) * 3)
    record = result_record(score_days(days)[ONSET])
    assert set(record) == {"date", "score", "flagged", "day_type", "changes"}
    assert record["flagged"] is True
    assert record["day_type"] == "normal"
    changes = record["changes"]
    assert isinstance(changes, list)
    assert set(changes[0]) >= {
        "behaviour", "direction", "usual", "recent", "onset", "confidence", "sentence",
    }  # fmt: skip
    assert changes[0]["onset"] == (START + timedelta(days=ONSET)).isoformat()


@pytest.mark.parametrize(
    ("minutes", "text"), [(-10, "23:50"), (0, "00:00"), (475, "07:55"), (1439.6, "00:00")]
)
def test_clock_times_are_hh_mm_across_midnight(minutes: float, text: str) -> None:
    assert explain.clock(minutes) == text


@pytest.mark.parametrize(("minutes", "text"), [(45, "45 min"), (60, "1 h"), (130.4, "2 h 10 min")])
def test_durations_read_as_hours_and_minutes(minutes: float, text: str) -> None:
    assert explain.duration(minutes) == text


@pytest.mark.parametrize("behaviour", [b.name for b in BEHAVIOURS])
def test_every_behaviour_has_a_plain_sentence_both_ways(behaviour: str) -> None:
    for higher in (True, False):
        text = explain.sentence(
            behaviour, higher=higher, shape="shift", usual=100, recent=150, recent_days=4
        )
        assert text.endswith(".")
        # A rare count says how many times in how many nights.
        span = (
            "in the last 4 nights"
            if behaviour == "night_exits"
            else ("on average over the last 4 days")
        )
        assert f"{span}; usually" in text
        assert "_" not in text  # no field names in what a carer reads


def test_two_steady_months_of_active_minutes_open_no_change() -> None:
    _, steps = fold("active_minutes", [300.0 + (i % 7) * 5 for i in range(60)])
    assert not any(step.findings for step in steps)


def test_a_quieter_day_is_not_low_coverage_while_the_daily_sensors_report() -> None:
    # Sensors 0-2 report every day; 3-9 on two days in three, as the person uses them,
    # and from day 20 not at all (a person doing far less).
    days = steady_days(30)
    for i, day in enumerate(days):
        everyday = day.sensors_reporting[:3]
        sometimes = tuple(s for k, s in enumerate(day.sensors_reporting[3:]) if (i + k) % 3)
        days = with_day(days, i, sensors_reporting=everyday + (sometimes if i < 20 else ()))
    types = day_types(days)
    assert DayType.LOW_COVERAGE not in types[1:]
    # Two of the three daily ones silent: sensors (or the hub) down, whatever else reported.
    silent = with_day(days, 25, sensors_reporting=days[25].sensors_reporting[:1])
    assert day_types(silent)[25] is DayType.LOW_COVERAGE
