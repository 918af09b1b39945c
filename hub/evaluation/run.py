"""The whole routine evaluation: every home, every stream, every change, every method.

For each dataset home, `Settings.streams` resampled streams of
`Settings.days` dates (seeded), and as many streams of the simulated home
(`config/simulated-home.yaml`, the simulator's "typical" person, a new seed
each). On each stream:

1. the unchanged stream runs through the pipeline: its alerts after the
   learning fortnight are false alerts (the data hold no known change);
2. each change kind the home has sensors for is injected, abrupt and gradual
   (14-day ramp), at an onset drawn from `earliest_onset` to
   `days - horizon` dates, and the changed stream runs through the pipeline;
   a change the person's days give nothing to change (`not_in_routine`) is
   not injected, and the report says why;
3. every method (`methods.py`) scores and alerts on both.

Figures (`metrics.py`): per home and method, false alerts per 30 days;
per change and method, the share detected by the deadline, the median delay
and the mean per-day AUC (changed days at full strength against the
unchanged stream's judged days). IsolationForest's threshold is set once,
over all homes, to the full system's false-alert rate, so their detection
compares at equal false-alert rates.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.evaluate import CONFIGS, DATASET_FILES, data_file, home_events
from hub.evaluation import methods
from hub.evaluation.inject import Change, ChangeKind, applicable, not_in_routine
from hub.evaluation.metrics import auc, detected, first_alert_delay, per_30_days
from hub.evaluation.pipeline import Days, Prepared, alerts, changed, prepare, unchanged
from hub.evaluation.resample import DEFAULT_START, Stream, as_stream, resample
from hub.evaluation.size import change_size
from hub.routine.baseline import LEARNING_DAYS
from hub.routine.day_types import DayType
from hub.routine.features import DayFeatures
from hub.routine.layout import layout_of
from hub.routine.score import RoutineDayResult, score_days

FULL = "full system"
STATISTICS = "statistics"
FOREST = "IsolationForest"
RULES = "fixed rules"
METHODS = (RULES, FOREST, STATISTICS, FULL)
DAY_SCORE = "full system, day score"  # AUC only: the day's largest |z| instead of evidence
SHAPES = {"abrupt": 0, "gradual": 14}


@dataclass(frozen=True)
class Settings:
    streams: int = 5
    days: int = 120
    horizon: int = 28
    earliest_onset: int = 42
    seed: int = 1
    homes: tuple[str, ...] = tuple(DATASET_FILES)
    simulated: bool = True  # also the simulated home's streams


@dataclass
class Scored:
    """One method on one stream (changed or not): per-date scores and alert dates."""

    scores: dict[date, float]
    alerts: list[tuple[date, str]]  # date and what it was about ("" when a method cannot say)


@dataclass
class Case:
    """One injected change on one stream."""

    home: str
    stream: int
    kind: ChangeKind
    shape: str
    onset: date
    delay: dict[str, int | None] = field(default_factory=dict)
    auc: dict[str, float | None] = field(default_factory=dict)
    named: bool = False  # the full system's first alert named a behaviour the change moves
    size: float | None = None  # the change in the person's own spreads a day (`size.py`)


@dataclass
class HomeStreams:
    home: str
    days_watched: int = 0
    false_alerts: dict[str, int] = field(default_factory=dict)
    false_by_behaviour: dict[str, int] = field(default_factory=dict)
    day_types: dict[str, int] = field(default_factory=dict)
    # Changes not injected (`inject.not_in_routine`): the reason, once per stream and shape.
    not_injected: dict[ChangeKind, list[str]] = field(default_factory=dict)


@dataclass
class Evaluation:
    settings: Settings
    homes: list[HomeStreams]
    cases: list[Case]
    forest_threshold: float | None
    model_note: str
    seconds: float = 0.0


# The behaviours a change moves, to tell whether the alert named the right thing.
MOVES: dict[ChangeKind, frozenset[str]] = {
    ChangeKind.LATER_UP: frozenset({"time_up", "first_kitchen_activity", "activity_pattern"}),
    ChangeKind.NIGHT_TOILET: frozenset({"night_toilet_visits", "activity_pattern"}),
    ChangeKind.LESS_KITCHEN: frozenset(
        {"kitchen_minutes", "fridge_uses", "first_kitchen_activity", "activity_pattern"}
    ),
    ChangeKind.NO_OUTINGS: frozenset({"outings", "minutes_out", "longest_still_minutes"}),
    ChangeKind.LESS_ACTIVE: frozenset(
        {"active_minutes", "longest_still_minutes", "kitchen_minutes", "activity_pattern"}
    ),
    ChangeKind.NIGHT_DOOR: frozenset({"night_exits"}),
}


# A model's raw score per day, by the day object's id, the day kept with it (`PatternScores.z`).
RawScores = dict[int, tuple[DayFeatures, float | None]]


class PatternScores:
    """The model's calibrated score per date, or nothing when no model can be loaded."""

    def __init__(self) -> None:
        self.note = ""
        self._model = None
        try:
            # The model needs a TFLite runtime: optional, so imported here.
            from hub.routine.model import ModelError, load_model  # noqa: PLC0415
        except ImportError as exc:
            self.note = f"the model is not available ({exc})"
            return
        try:
            self._model = load_model()
        except ModelError as exc:
            self.note = f"the model is not available: {exc}"
            return
        self.note = f"model {self._model.path.name} on {self._model.runtime}"

    @property
    def available(self) -> bool:
        return self._model is not None

    def z(self, days: Sequence[DayFeatures], cache: RawScores) -> dict[date, float | None]:
        """Calibrated z per date; raw scores cached per day object (the unchanged days,
        shared by every case of a stream, are scored once)."""
        if self._model is None:
            return {}
        from hub.routine.model import CalibrationError, calibrate  # noqa: PLC0415

        raw: list[float | None] = []
        for day in days:
            # The day is kept with its score: while it lives, no other day can be given
            # its id. Keyed by id alone, a case's changed days were freed after its run
            # and the next case's new days took their ids, and with them scores that
            # were not theirs (100 wrong over five cases in test_eval_pattern_cache.py).
            entry = cache.get(id(day))
            if entry is None or entry[0] is not day:
                entry = (day, self._model.raw_score(day))
                cache[id(day)] = entry
            raw.append(entry[1])
        learning = [r for r in raw[:LEARNING_DAYS] if r is not None]
        try:
            calibration = calibrate(learning)
        except CalibrationError:
            return {}
        return {
            day.date: (None if r is None else calibration.z(r))
            for day, r in zip(days, raw, strict=True)
        }


SIMULATED_CONFIG = CONFIGS / "simulated-home.yaml"
SIMULATED_PROFILE = "typical"


def dataset_home_configs(homes: Sequence[str]) -> list[HearthConfig]:
    configs = []
    for path in sorted(CONFIGS.glob("*.yaml")):
        if path.name == "example-home.yaml":
            continue
        config = load_config(path)
        if config.home.id in homes:
            configs.append(config)
    return configs


def work_units(settings: Settings, configs: Sequence[HearthConfig]) -> int:
    """How many progress steps `evaluate_routine` reports: one per stream and per case."""
    total = 0
    if settings.simulated:
        configs = [*configs, load_config(SIMULATED_CONFIG)]
    for config in configs:
        kinds = sum(applicable(kind, layout_of(config)) for kind in ChangeKind)
        total += settings.streams * (1 + kinds * len(SHAPES))
    return total


def evaluate_routine(
    settings: Settings,
    datasets: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> Evaluation:
    """Run the whole evaluation; `progress` is called once per unit of work."""
    began = time.perf_counter()
    pattern = PatternScores()
    configs = dataset_home_configs(settings.homes)
    if settings.simulated:
        configs.append(load_config(SIMULATED_CONFIG))
    homes: list[HomeStreams] = []
    cases: list[Case] = []
    unchanged_forest: list[dict[date, float]] = []
    changed_forest: list[tuple[Case, dict[date, float], dict[date, float]]] = []
    for config in configs:
        simulated = config.home.id not in DATASET_FILES
        events = [] if simulated else home_events(config, data_file(config, datasets))
        zone = ZoneInfo(config.home.timezone)
        home = HomeStreams(config.home.id, false_alerts=dict.fromkeys(METHODS, 0))
        homes.append(home)
        for index in range(settings.streams):
            seed = settings.seed * 1000 + index
            if simulated:
                stream = _simulated(config, zone, settings.days, seed)
            else:
                stream = resample(config.home.id, events, zone, days=settings.days, seed=seed)
            base, injected = _one_stream(
                prepare(config, stream, seed),
                home,
                index=index,
                settings=settings,
                pattern=pattern,
                progress=progress,
            )
            unchanged_forest.append(base.forest)
            for case, after in injected:
                cases.append(case)
                changed_forest.append((case, base.forest, after.forest))
    threshold = _forest_threshold(homes, unchanged_forest, settings)
    for home_result, scores in zip(
        [h for h in homes for _ in range(settings.streams)], unchanged_forest, strict=True
    ):
        home_result.false_alerts[FOREST] += (
            len(methods.threshold_alerts(_after_learning(scores), threshold))
            if threshold is not None
            else 0
        )
    for case, before, after_scores in changed_forest:
        onset = case.onset
        if threshold is None:
            fresh: list[date] = []
        else:
            fresh = new_alerts(
                [(d, "") for d in methods.threshold_alerts(after_scores, threshold)],
                [(d, "") for d in methods.threshold_alerts(before, threshold)],
            )
        case.delay[FOREST] = first_alert_delay(fresh, onset)
        case.auc[FOREST] = _case_auc(after_scores, before, onset, SHAPES[case.shape])
    return Evaluation(
        settings,
        homes,
        cases,
        threshold,
        pattern.note,
        time.perf_counter() - began,
    )


def _one_stream(
    prepared: Prepared,
    home: HomeStreams,
    *,
    index: int,
    settings: Settings,
    pattern: PatternScores,
    progress: Callable[[str], None],
) -> tuple[_Run, list[tuple[Case, _Run]]]:
    """The unchanged stream's run (its false alerts counted) and each injected case's run."""
    stream, seed, name = prepared.stream, prepared.context.seed, prepared.config.home.id
    cache: RawScores = {}
    before = unchanged(prepared)
    base = _run(prepared, before, pattern=pattern, cache=cache, seed=seed)
    _count_false(home, base, prepared)
    progress(f"{name} stream {index + 1}")
    rng = random.Random(seed)
    injected: list[tuple[Case, _Run]] = []
    normal = {r.date for r in base.results[FULL] if r.day_type is DayType.NORMAL}
    for kind in ChangeKind:
        if not applicable(kind, prepared.context.layout):
            continue
        reason = not_in_routine(kind, prepared.context)
        for shape, ramp in SHAPES.items():
            # Drawn even when not injected, so every other case keeps its onset.
            onset = stream.date_of(
                rng.randint(settings.earliest_onset, settings.days - settings.horizon)
            )
            if reason is not None:
                home.not_injected.setdefault(kind, []).append(reason)
            else:
                change = Change(kind, onset, ramp)
                days = changed(prepared, change, settings.horizon)
                after = _run(
                    prepared, days, pattern=pattern, cache=cache, seed=seed, forest=base.fitted
                )
                case = Case(name, index, kind, shape, onset)
                _judge(case, change, base, after)
                case.size = change_size(
                    MOVES[kind], before, days, onset=onset, ramp_days=ramp, normal=normal
                )
                injected.append((case, after))
            progress(f"{name} stream {index + 1} {kind.value} {shape}")
    return base, injected


def _simulated(config: HearthConfig, zone: ZoneInfo, days: int, seed: int) -> Stream:
    from hub.simulate import profile_from, simulate  # noqa: PLC0415 - only for this home

    events = list(simulate(config, profile_from(SIMULATED_PROFILE), DEFAULT_START, days, seed))
    return as_stream(config.home.id, events, zone, DEFAULT_START, days)


@dataclass
class _Run:
    results: dict[str, list[RoutineDayResult]]
    scored: dict[str, Scored]
    forest: dict[date, float]
    fitted: methods.Forest | None
    first_alert_names: list[tuple[date, str]]


def _run(
    prepared: Prepared,
    days: Days,
    *,
    pattern: PatternScores,
    cache: RawScores,
    seed: int,
    forest: methods.Forest | None = None,
) -> _Run:
    stream = prepared.stream
    stats = score_days(days.days, days.signs)
    full = (
        score_days(days.days, days.signs, pattern.z(days.days, cache))
        if pattern.available
        else stats
    )
    scored: dict[str, Scored] = {}
    for name, results in ((STATISTICS, stats), (FULL, full)):
        scored[name] = Scored(
            methods.system_scores(results, LEARNING_DAYS, evidence=True),
            [
                (a.date, a.behaviour)
                for a in alerts(results, stream)
                if _watched(a.date, stream.start)
            ],
        )
    scored[DAY_SCORE] = Scored(methods.system_scores(full, LEARNING_DAYS), [])
    rule_scores, rule_alerts = methods.fixed_rules(days.days, days.signs, stats, LEARNING_DAYS)
    scored[RULES] = Scored(rule_scores, [(d, "") for d in rule_alerts])
    fitted = forest or methods.forest_for(days.days, days.signs, stats, seed)
    forest_scores = (
        methods.forest_scores(fitted, days.days, days.signs, stats, LEARNING_DAYS) if fitted else {}
    )
    names = [(a.date, a.behaviour) for a in alerts(full, stream)]
    return _Run({STATISTICS: stats, FULL: full}, scored, forest_scores, fitted, names)


def _watched(day: date, start: date) -> bool:
    return (day - start).days >= LEARNING_DAYS


def _after_learning(scores: Mapping[date, float]) -> dict[date, float]:
    return dict(scores)  # forest scores are only given after learning already


def _count_false(home: HomeStreams, base: _Run, prepared: Prepared) -> None:
    stream = prepared.stream
    home.days_watched += stream.days - LEARNING_DAYS
    for name in (RULES, STATISTICS, FULL):
        home.false_alerts[name] += len(base.scored[name].alerts)
    for day, behaviour in base.first_alert_names:
        if _watched(day, stream.start):
            home.false_by_behaviour[behaviour] = home.false_by_behaviour.get(behaviour, 0) + 1
    for result in base.results[FULL]:
        kind = result.day_type.value
        home.day_types[kind] = home.day_types.get(kind, 0) + 1


def new_alerts(after: Sequence[tuple[date, str]], before: Sequence[tuple[date, str]]) -> list[date]:
    """Dates of alerts the changed stream raised that the unchanged stream did not.

    Detection counts only these: an alert the unchanged stream raises on the
    same date about the same thing would have come anyway, and with about one
    false alert a month a 21-day window would otherwise "detect" half the time.
    """
    anyway = set(before)
    return [day for day, name in after if (day, name) not in anyway]


def _judge(case: Case, change: Change, base: _Run, after: _Run) -> None:
    for name in (RULES, STATISTICS, FULL):
        fresh = new_alerts(after.scored[name].alerts, base.scored[name].alerts)
        case.delay[name] = first_alert_delay(fresh, change.onset)
        case.auc[name] = _case_auc(
            after.scored[name].scores, base.scored[name].scores, change.onset, change.ramp_days
        )
    anyway = set(base.first_alert_names)
    case.auc[DAY_SCORE] = _case_auc(
        after.scored[DAY_SCORE].scores,
        base.scored[DAY_SCORE].scores,
        change.onset,
        change.ramp_days,
    )
    first = [
        name
        for day, name in after.first_alert_names
        if day >= change.onset and (day, name) not in anyway
    ]
    case.named = bool(first) and first[0] in MOVES[change.kind]


def _case_auc(
    changed_scores: Mapping[date, float],
    unchanged_scores: Mapping[date, float],
    onset: date,
    ramp_days: int,
) -> float | None:
    full_from = onset + timedelta(days=max(ramp_days - 1, 0))
    positives = [v for d, v in changed_scores.items() if d >= full_from]
    negatives = list(unchanged_scores.values())
    return auc(positives, negatives)


def _forest_threshold(
    homes: Sequence[HomeStreams], unchanged_forest: Sequence[dict[date, float]], settings: Settings
) -> float | None:
    """The forest threshold whose false alerts per 30 days (all homes) match the full system's."""
    watched = sum(h.days_watched for h in homes)
    target = sum(h.false_alerts[FULL] for h in homes)
    values = sorted({v for scores in unchanged_forest for v in scores.values()})
    if not values or not watched:
        return None
    # From the top down: the lowest threshold whose false alerts, and those of every
    # threshold above it, stay within the full system's. (From the bottom up the first
    # fit is the lowest score: every day above it, one alert per stream, never again.)
    best = values[-1] + 1.0
    for threshold in reversed(list(_candidates(values))):
        count = sum(len(methods.threshold_alerts(s, threshold)) for s in unchanged_forest)
        if count > target:
            break
        best = threshold
    return best


def _candidates(values: list[float]) -> Iterator[float]:
    step = max(1, len(values) // 400)
    yield from values[::step]
    yield values[-1]


def detection_rate(cases: Sequence[Case], method: str) -> float | None:
    judged = [c for c in cases if method in c.delay]
    if not judged:
        return None
    return sum(detected(c.delay[method], SHAPES[c.shape]) for c in judged) / len(judged)


def median_delay(cases: Sequence[Case], method: str) -> float | None:
    delays = [c.delay[method] for c in cases if detected(c.delay.get(method), SHAPES[c.shape])]
    return statistics.median(d for d in delays if d is not None) if delays else None


def mean_auc(cases: Sequence[Case], method: str) -> float | None:
    values = [v for c in cases if (v := c.auc.get(method)) is not None]
    return statistics.fmean(values) if values else None


def false_rate(home: HomeStreams, method: str) -> float:
    return per_30_days(home.false_alerts.get(method, 0), home.days_watched)
