"""The methods compared side by side: fixed-threshold rules, IsolationForest, Hearth's detector.

Each gives, per judged date, a **score** (higher: more unusual; for AUC) and
the dates it would **alert** on.

- **Fixed rules** (what commercial systems configure): not up by 10:00; no
  kitchen activity by 12:00; fridge not opened by 12:00 (homes with a fridge
  sensor); outside door opened at night; fewer than 120 active minutes; 3 or
  more toilet visits at night. An alert each time a rule starts to hold (it
  did not the date before). They know nothing of the person, but are told
  when the person is away (the away switch those systems have), and watch
  after the same learning fortnight. Score: how many rules hold.
- **IsolationForest** (scikit-learn) on the behaviours' daily values, fitted
  on the stream's first `FIT_DAYS` dates (its normal and learning days), with
  a missing value replaced by the training median. Score: minus
  `score_samples` (higher is more anomalous). Alerts: a date whose score
  reaches a threshold after one below it; the threshold is set in `run.py` so
  that its false alerts per 30 days on the unchanged streams equal the full
  system's (comparison at equal false-alert rate).
- **Statistics** and **full system** (statistics + the model's calibrated
  score as one more behaviour) are `score_days` itself: alerts are the live
  hub's (`pipeline.alerts`); the score for AUC is the detector's evidence
  after the day (`detect.evidence`, the statistic it decides by), and the
  day's own score (the largest |robust z|) is kept beside it
  (`day score` rows) since a single day's z is what a per-day view shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from hub.routine.behaviours import BEHAVIOURS, DayExtras
from hub.routine.day_signs import DaySigns
from hub.routine.day_types import DayType
from hub.routine.features import DayFeatures
from hub.routine.score import RoutineDayResult

FIT_DAYS = 28
NOT_UP_BY = time(10)
KITCHEN_BY = time(12)
FEW_ACTIVE_MINUTES = 120
MANY_TOILET_VISITS = 3
WATCHED = (DayType.NORMAL, DayType.VISITORS)  # what fixed rules watch: all but away/poor data
_FEATURE_BEHAVIOURS = [b for b in BEHAVIOURS if b.name != "activity_pattern"]


def rules_holding(day: DayFeatures, signs: DaySigns | None) -> list[str]:
    """The fixed rules that hold on `day`."""
    holding = []
    if day.time_up is None or (day.time_up.time() >= NOT_UP_BY and day.time_up.date() == day.date):
        holding.append("not up by 10:00")
    first = day.first_kitchen_activity
    if day.breakfast_kitchen_minutes is not None and (first is None or first.time() >= KITCHEN_BY):
        holding.append("no kitchen activity by 12:00")
    fridge = day.hourly_by_role.get("fridge")
    if fridge is not None and sum(fridge[:12]) == 0:
        holding.append("fridge not opened by 12:00")
    if signs is not None and signs.night_exits:
        holding.append("door opened at night")
    if day.active_minutes < FEW_ACTIVE_MINUTES:
        holding.append("little activity")
    if day.night_toilet_visits is not None and day.night_toilet_visits >= MANY_TOILET_VISITS:
        holding.append("many toilet visits at night")
    return holding


def fixed_rules(
    days: Sequence[DayFeatures],
    signs: Mapping[date, DaySigns],
    results: Sequence[RoutineDayResult],
    learning_days: int,
) -> tuple[dict[date, float], list[date]]:
    """Scores (rules holding) and alert dates of the fixed rules."""
    scores: dict[date, float] = {}
    alert_dates: list[date] = []
    before: set[str] = set()
    for index, (day, result) in enumerate(zip(days, results, strict=True)):
        if index < learning_days or result.day_type not in WATCHED:
            continue
        holding = set(rules_holding(day, signs.get(day.date)))
        scores[day.date] = float(len(holding))
        if holding - before:
            alert_dates.append(day.date)
        before = holding
    return scores, alert_dates


def vector(day: DayFeatures, signs: DaySigns | None) -> list[float]:
    extras = DayExtras(signs, None)
    values = [b.measure(day, extras) for b in _FEATURE_BEHAVIOURS]
    return [math.nan if v is None else v for v in values]


class Forest:
    """An IsolationForest fitted on one stream's first days."""

    def __init__(self, train: list[list[float]], seed: int) -> None:
        # scikit-learn is the `evaluation` extra: imported only when a forest is wanted.
        import numpy as np  # noqa: PLC0415
        from sklearn.ensemble import IsolationForest  # type: ignore[import-untyped]  # noqa: PLC0415

        matrix = np.asarray(train, dtype=float)
        medians = np.nanmedian(np.where(np.isnan(matrix).all(axis=0), 0.0, matrix), axis=0)
        self._fill = np.where(np.isnan(medians), 0.0, medians)
        self._model: Any = IsolationForest(n_estimators=100, random_state=seed)
        self._model.fit(self._filled(matrix))

    def _filled(self, matrix: Any) -> Any:
        import numpy as np  # noqa: PLC0415

        return np.where(np.isnan(matrix), self._fill, matrix)

    def scores(self, rows: list[list[float]]) -> list[float]:
        import numpy as np  # noqa: PLC0415

        if not rows:
            return []
        matrix = self._filled(np.asarray(rows, dtype=float))
        return [float(-s) for s in self._model.score_samples(matrix)]


def forest_for(
    days: Sequence[DayFeatures],
    signs: Mapping[date, DaySigns],
    results: Sequence[RoutineDayResult],
    seed: int,
) -> Forest | None:
    train = [
        vector(day, signs.get(day.date))
        for day, result in zip(days[:FIT_DAYS], results[:FIT_DAYS], strict=True)
        if result.day_type in (DayType.NORMAL, DayType.LEARNING)
    ]
    return Forest(train, seed) if len(train) >= 7 else None


def forest_scores(
    forest: Forest,
    days: Sequence[DayFeatures],
    signs: Mapping[date, DaySigns],
    results: Sequence[RoutineDayResult],
    learning_days: int,
) -> dict[date, float]:
    """The forest's score of each judged date after learning."""
    chosen = [
        day
        for index, (day, result) in enumerate(zip(days, results, strict=True))
        if index >= learning_days and result.day_type is DayType.NORMAL
    ]
    values = forest.scores([vector(day, signs.get(day.date)) for day in chosen])
    return {day.date: value for day, value in zip(chosen, values, strict=True)}


def threshold_alerts(scores: Mapping[date, float], threshold: float) -> list[date]:
    """Dates whose score reaches `threshold` after a judged date below it."""
    alert_dates = []
    above_before = False
    for day in sorted(scores):
        above = scores[day] >= threshold
        if above and not above_before:
            alert_dates.append(day)
        above_before = above
    return alert_dates


def system_scores(
    results: Sequence[RoutineDayResult], learning_days: int, *, evidence: bool = False
) -> dict[date, float]:
    """Each judged date's score (largest |z|), or with `evidence` the detector's evidence."""
    scores = {}
    for index, r in enumerate(results):
        value = r.evidence if evidence else r.score
        if index >= learning_days and r.day_type is DayType.NORMAL and value is not None:
            scores[r.date] = value
    return scores
