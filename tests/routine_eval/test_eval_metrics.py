"""The evaluation's figures on inputs whose answers are known by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.evaluation.methods import threshold_alerts
from hub.evaluation.metrics import (
    auc,
    deadline_days,
    detected,
    first_alert_delay,
    per_30_days,
)
from hub.evaluation.run import new_alerts

ONSET = date(2025, 3, 1)


def test_auc_is_one_when_every_changed_day_scores_higher() -> None:
    assert auc([5.0, 6.0], [1.0, 2.0, 3.0]) == 1.0


def test_auc_is_zero_when_every_changed_day_scores_lower() -> None:
    assert auc([0.0], [1.0, 2.0]) == 0.0


def test_auc_counts_ties_as_half() -> None:
    assert auc([1.0, 1.0], [1.0, 1.0]) == 0.5
    # changed 2 beats 1 and ties 2; changed 0 loses both: (1 + 0.5 + 0 + 0) / 4
    assert auc([2.0, 0.0], [1.0, 2.0]) == pytest.approx(0.375)


def test_auc_needs_both_sides() -> None:
    assert auc([], [1.0]) is None
    assert auc([1.0], []) is None


def test_delay_is_days_from_onset_to_the_first_alert_on_or_after_it() -> None:
    alerts = [ONSET - timedelta(days=2), ONSET + timedelta(days=4), ONSET + timedelta(days=2)]
    assert first_alert_delay(alerts, ONSET) == 2
    assert first_alert_delay([ONSET - timedelta(days=1)], ONSET) is None


def test_deadlines_abrupt_three_days_gradual_seven_after_the_ramp() -> None:
    assert deadline_days(0) == 3
    assert deadline_days(14) == 20  # the ramp's last day is onset + 13
    assert detected(3, 0)
    assert not detected(4, 0)
    assert detected(20, 14)
    assert not detected(21, 14)
    assert not detected(None, 0)


def test_alerts_the_unchanged_stream_also_raised_do_not_count() -> None:
    day = ONSET + timedelta(days=1)
    after = [(day, "bedtime"), (day, "time_up"), (ONSET, "outings")]
    before = [(day, "bedtime"), (ONSET, "minutes_out")]
    assert new_alerts(after, before) == [day, ONSET]


def test_a_threshold_alerts_once_per_run_above_it() -> None:
    days = [ONSET + timedelta(days=i) for i in range(6)]
    scores = dict(zip(days, [0.1, 0.9, 0.8, 0.2, 0.95, 0.1], strict=True))
    assert threshold_alerts(scores, 0.5) == [days[1], days[4]]


def test_false_alerts_per_30_days() -> None:
    assert per_30_days(3, 90) == 1.0
    assert per_30_days(0, 0) == 0.0
