"""The personal baseline: robust usual values, bedtime across midnight, weekdays and weekends,
learning, and never absorbing a change that is developing."""

from __future__ import annotations

from datetime import date, timedelta

from hub.routine.baseline import (
    LEARNING_DAYS,
    MIN_SAME_KIND,
    MIN_VALUES,
    Kept,
    median_and_mad,
    usual_for,
)
from hub.routine.behaviours import BY_NAME, wall_minutes
from hub.routine.score import score_days
from tests.routine.routine_synthetic import START, at, day_features, fold, steady_days

TIME_UP = BY_NAME["time_up"]
BEDTIME = BY_NAME["bedtime"]


def test_bedtime_is_counted_from_the_days_midnight_so_it_never_wraps() -> None:
    day = date(2024, 3, 5)
    before = day_features(day, bedtime=-10)  # 23:50 on the 4th
    after = day_features(day, bedtime=10)  # 00:10 on the 5th
    assert before.bedtime is not None
    assert before.bedtime.strftime("%d %H:%M") == "04 23:50"
    assert (BEDTIME.value(before), BEDTIME.value(after)) == (-10, 10)
    assert wall_minutes(at(day, 475), before) == 475


def test_bedtimes_either_side_of_midnight_have_a_usual_near_midnight_and_a_small_spread() -> None:
    kept = [Kept(START + timedelta(days=i), v) for i, v in enumerate([-10, 10, -5, 5, -20, 15, 0])]
    usual = usual_for(kept, START + timedelta(days=7), BEDTIME.floor)
    assert usual is not None
    assert abs(usual.median) <= 5  # weekdays' median here
    assert usual.spread == BEDTIME.scale_floor  # 20 minutes, not hours
    # 23:50 is less than a spread from usual, not 23 hours.
    assert abs(usual.z(-10)) < 1


def test_median_and_mad_ignore_one_wild_value() -> None:
    assert median_and_mad([470, 475, 480, 478, 472, 900]) == (476.5, 4.0)


def test_no_usual_until_enough_values_and_never_a_spread_below_the_floor() -> None:
    kept = [Kept(START + timedelta(days=i), 475.0) for i in range(MIN_VALUES - 1)]
    assert usual_for(kept, START + timedelta(days=30), TIME_UP.floor) is None
    kept.append(Kept(START + timedelta(days=MIN_VALUES), 475.0))
    usual = usual_for(kept, START + timedelta(days=30), TIME_UP.floor)
    assert usual is not None
    assert usual.median == 475
    assert usual.spread == 20


def test_weekends_are_compared_with_weekends_once_there_are_enough() -> None:
    # Up at 07:30 on weekdays, 09:30 at weekends (START is a Monday).
    def up(i: int) -> float:
        return 570 if (START + timedelta(days=i)).weekday() >= 5 else 450

    kept = [Kept(START + timedelta(days=i), up(i)) for i in range(28)]
    saturday, monday = START + timedelta(days=33), START + timedelta(days=35)
    weekend = usual_for(kept, saturday, TIME_UP.floor)
    weekday = usual_for(kept, monday, TIME_UP.floor)
    assert weekend is not None
    assert (weekend.kind, weekend.median) == ("weekend", 570)
    assert weekday is not None
    assert (weekday.kind, weekday.median) == ("weekday", 450)
    few = [k for k in kept if k.weekend][: MIN_SAME_KIND - 1] + [k for k in kept if not k.weekend]
    few.sort(key=lambda k: k.date)
    fallback = usual_for(few, saturday, TIME_UP.floor)
    assert fallback is not None
    assert (fallback.kind, fallback.median) == ("all", 450)


def test_a_late_weekend_is_usual_but_a_late_weekday_is_flagged() -> None:
    def up(i: int) -> float:
        return (
            570 + (i % 3) * 5 if (START + timedelta(days=i)).weekday() >= 5 else 450 + (i % 3) * 5
        )

    days = steady_days(42, time_up=up)  # six weeks: the weekend baseline fills up
    results = score_days(days)
    assert not any(r.flagged for r in results)
    late_wednesday = steady_days(43, time_up=lambda i: 570 if i == 42 else up(i))
    last = score_days(late_wednesday)[-1]  # 2024-02-12 is a Monday
    assert last.flagged
    assert last.changes[0].sentence == "Getting up later today: 09:30; usually 07:35."


def test_learning_days_teach_and_judge_nothing() -> None:
    wild = [475.0 + (300 if i % 2 else 0) for i in range(LEARNING_DAYS)]
    tracker, steps = fold("time_up", wild)
    assert all(not step.findings for step in steps)
    assert len(tracker.kept) == LEARNING_DAYS


def test_a_slow_drift_is_detected_and_not_absorbed() -> None:
    # Steady for 30 days, then up 5 minutes later every day for 20 days.
    values = [475 + (i % 5) * 4 - 8 for i in range(30)] + [475 + 5 * d for d in range(1, 21)]
    tracker, steps = fold("time_up", [float(v) for v in values])
    found = [(i, f) for i, step in enumerate(steps) for f in step.findings]
    assert found, "the drift was never reported"
    first_day, first = found[0]
    assert first.higher
    assert first.shape in ("drift", "shift")
    # Detected once it is 30 to 60 minutes: 6 to 12 days in.
    assert 30 + 5 <= first_day <= 30 + 12, first_day
    usual = usual_for(tracker.kept, START + timedelta(days=50), TIME_UP.floor)
    assert usual is not None
    assert abs(usual.median - 475) <= 10, usual  # the baseline stayed where it was
    assert steps[-1].findings, "the change is still being reported at the end"


def test_a_lasting_change_becomes_the_new_normal_after_four_weeks() -> None:
    values = [475.0 + (i % 5) * 4 - 8 for i in range(30)] + [
        565.0 + (i % 5) * 4 - 8 for i in range(40)
    ]
    tracker, steps = fold("time_up", values)
    reported = [i for i, step in enumerate(steps) if step.findings]
    assert reported[0] <= 32  # found within 3 days of the onset (day 30)
    # Reported every day until accepted on day 58 (28 days after onset): then 09:25 is usual.
    assert reported == list(range(reported[0], 58))
    usual = usual_for(tracker.kept, START + timedelta(days=70), TIME_UP.floor)
    assert usual is not None
    assert abs(usual.median - 565) <= 5


def test_a_change_that_goes_away_closes_and_nothing_is_learned_from_it() -> None:
    values = [475.0 + (i % 5) * 4 - 8 for i in range(30)]
    values += [580.0] * 4 + [475.0 + (i % 5) * 4 - 8 for i in range(10)]
    tracker, steps = fold("time_up", values)
    reported = [i for i, step in enumerate(steps) if step.findings]
    assert reported
    assert reported[-1] <= 30 + 4 + 3
    assert not steps[-1].findings
    assert all(k.value < 500 for k in tracker.kept)


def test_values_join_the_usual_days_only_once_they_did_not_start_a_change() -> None:
    # 40 minutes late, later than any usual day, on two days: while that could
    # be the start of a change (a third such day would make one), both wait.
    steady = [475.0 + (i % 5) * 4 - 8 for i in range(33)]  # ends on a usual 07:55
    late = [START + timedelta(days=33), START + timedelta(days=34)]
    tracker, steps = fold("time_up", [*steady, 515.0, 515.0])
    assert not any(step.findings for step in steps)
    assert not set(late) & {k.date for k in tracker.kept}
    assert {k.date for k in tracker.pending} >= set(late)
    # Days back to usual after them: they were how the person's days vary, and join.
    tracker, steps = fold("time_up", [*steady, 515.0, 515.0, *steady[:10]])
    assert not any(step.findings for step in steps)
    assert set(late) <= {k.date for k in tracker.kept}
