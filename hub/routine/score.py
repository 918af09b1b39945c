"""The routine of a home day by day: day type, score, flagged, and changes in plain words.

`score_days(days)` folds the detector (`detect.py`) over a home's
`DayFeatures`, oldest first, one `Tracker` per monitored behaviour
(`behaviours.py`). It is pure: the same days always give the same results,
so replaying a month gives what the live hub would have said each day.

- **score**: the largest |robust z| among the day's behaviours that have a
  baseline, rounded to 0.1: how far the day's most unusual behaviour was
  from usual, in spreads. None on days that are not judged (low coverage,
  away) or before any baseline exists.
- **flagged**: a normal day with at least one change (an unusual day, or a
  shift or drift that is open on that day).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from hub.routine import explain
from hub.routine.baseline import Usual
from hub.routine.behaviours import BEHAVIOURS, BY_NAME, DayExtras, Unit
from hub.routine.day_signs import DaySigns
from hub.routine.day_types import DayType, day_types
from hub.routine.detect import Finding, Shape, Tracker, evidence, judge, learn, usual_of
from hub.routine.features import DayFeatures


@dataclass(frozen=True, slots=True)
class Change:
    behaviour: str
    shape: Shape
    direction: str  # "later"/"earlier" for times of day, else "more"/"less"
    usual: float  # in the behaviour's unit (times of day: minutes after local midnight)
    recent: float
    unit: Unit
    onset: date
    confidence: float  # 0..1, see detect.py
    sentence: str


@dataclass(frozen=True)
class RoutineDayResult:
    date: date
    day_type: DayType
    score: float | None
    flagged: bool
    changes: tuple[Change, ...]
    z: Mapping[str, float]  # robust z of each behaviour that had a baseline
    # What was usual for each behaviour that had a baseline, as the day was judged
    # against it (the weekly summary draws the usual range from it).
    usual: Mapping[str, Usual] = field(default_factory=dict)
    # The strongest evidence of a change any behaviour held after this day (standard
    # errors, see detect.evidence); None on days not judged.
    evidence: float | None = None


def score_days(
    days: Sequence[DayFeatures],
    signs: Mapping[date, DaySigns] | None = None,
    pattern_z: Mapping[date, float | None] | None = None,
) -> list[RoutineDayResult]:
    """The routine result of each day; `days` are consecutive local dates, oldest first.

    `signs` (from the events, `day_signs.py`) let visitors days and night-time
    door use be recognised; `pattern_z` (the model's calibrated score per date,
    `model.py`) adds the day's activity pattern as one more behaviour. Without
    them those behaviours are simply not judged.
    """
    trackers = {b.name: Tracker(b) for b in BEHAVIOURS}
    results = []
    for day, kind in zip(days, day_types(days, signs), strict=True):
        if kind not in (DayType.NORMAL, DayType.LEARNING):
            # Not a day of the person's routine: it teaches and raises nothing.
            results.append(RoutineDayResult(day.date, kind, None, False, (), {}))
            continue
        zs: dict[str, float] = {}
        held: list[float] = []
        usuals: dict[str, Usual] = {}
        findings: list[Finding] = []
        extras = DayExtras(
            signs.get(day.date) if signs else None,
            pattern_z.get(day.date) if pattern_z else None,
        )
        for behaviour in BEHAVIOURS:
            value = behaviour.measure(day, extras)
            if value is None:
                usual = usual_of(trackers[behaviour.name], day.date)
                if usual is not None:
                    usuals[behaviour.name] = usual
                continue
            step_of = learn if kind is DayType.LEARNING else judge
            step = step_of(trackers[behaviour.name], day.date, value)
            if step.usual is not None:
                usuals[behaviour.name] = step.usual
            trackers[behaviour.name] = step.tracker
            findings.extend(step.findings)
            if step.z is not None:
                zs[behaviour.name] = round(step.z, 2)
                held.append(evidence(step.tracker))
        score = round(max(abs(z) for z in zs.values()), 1) if zs else None
        changes = tuple(change_of(f) for f in findings)
        strongest = round(max(held), 2) if held else None
        results.append(
            RoutineDayResult(
                day.date, kind, score, bool(changes), changes, zs, usuals, evidence=strongest
            )
        )
    return results


def change_of(finding: Finding) -> Change:
    unit = BY_NAME[finding.behaviour].unit
    if unit is Unit.CLOCK:
        direction = "later" if finding.higher else "earlier"
    else:
        direction = "more" if finding.higher else "less"
    return Change(
        behaviour=finding.behaviour,
        shape=finding.shape,
        direction=direction,
        usual=round(finding.usual, 1),
        recent=round(finding.recent, 1),
        unit=unit,
        onset=finding.onset,
        confidence=finding.confidence,
        sentence=explain.sentence(
            finding.behaviour,
            higher=finding.higher,
            shape=finding.shape,
            usual=finding.usual,
            recent=finding.recent,
            recent_days=finding.recent_days,
        ),
    )


def result_record(result: RoutineDayResult) -> dict[str, object]:
    """The day as JSON-ready values: the `hearth routine --format json` contract."""
    return {
        "date": result.date.isoformat(),
        "score": result.score,
        "flagged": result.flagged,
        "day_type": result.day_type.value,
        "changes": [
            {
                "behaviour": c.behaviour,
                "shape": c.shape.value,
                "direction": c.direction,
                "usual": c.usual,
                "recent": c.recent,
                "unit": c.unit.value,
                "onset": c.onset.isoformat(),
                "confidence": c.confidence,
                "sentence": c.sentence,
            }
            for c in result.changes
        ],
    }
