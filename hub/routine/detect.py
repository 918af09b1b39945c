"""Change detection for one behaviour: a value a day in, a new state and any findings out.

A `Tracker` is the whole memory of one behaviour (its baseline values, the
CUSUM sums, the change being followed); `learn` and `judge` return a new one,
so the detector is a pure fold over the days. Three shapes of change:

- **unusual day**: today's robust z (see `baseline.py`) is at least
  `Z_UNUSUAL` away from usual. Confidence: |z| / (2 x `Z_UNUSUAL`), so 0.5 at
  the threshold and 1 at twice it.
- **shift**: a two-sided CUSUM over robust z, each day's z clipped to
  +-`Z_CLIP` so one wild day cannot make a shift alone. S+ = max(0, S+ + z - k)
  and S- = max(0, S- - z - k) with k = `CUSUM_K`; a shift is found when a sum
  reaches h = `CUSUM_H` and at least `SHIFT_MIN_DAYS` days of its run were
  off usual that way (z beyond k); both sums then restart from 0. Its onset
  is the first day of the run that reached h (the usual CUSUM estimate).
  Confidence: the evidence (the same sum, kept growing while the change lasts)
  / (2h): 0.5 when found, 1 when twice as strong.
- **drift**: over the last `DRIFT_WINDOW_DAYS` days (at least
  `DRIFT_MIN_VALUES` values), Kendall's tau between day and value is at least
  `DRIFT_TAU` in size, and the Theil-Sen line puts today at least
  `DRIFT_SPREADS` spreads from usual. Its onset is where the line leaves the
  usual value. Confidence: |tau| when found (0.5 at the threshold).

Every confidence is then scaled by min(1, n / 14), n being the values the
usual rests on, since a young baseline knows less. A finding is kept only
when the difference from usual is at least the behaviour's smallest change
worth telling (`behaviours.py`): statistics alone would report trivia.

What the baseline keeps (so that it never absorbs a developing change): the
value of a judged day only when it raised nothing and neither CUSUM sum is
past h/2 (evidence is building). While a change is open, nothing is kept;
the change closes when `RECOVERY_DAYS` values in a row are back within
`RECOVERED_Z` of usual, or is accepted as the new normal once it is
`ACCEPT_AFTER_DAYS` days old *and* has settled (its last `SETTLED_VALUES`
values have |Kendall tau| < `DRIFT_TAU`): the baseline then restarts from the
values seen since the onset. A decline that keeps going is never accepted;
it stays reported.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from hub.routine.baseline import ACCEPT_AFTER_DAYS, WINDOW, Kept, Usual, keep, usual_for
from hub.routine.behaviours import Behaviour

Z_UNUSUAL = 5.0
# Clipped at 3, not 4: real days have heavy tails (a late morning every week
# or two), and at 4 two such days in a week made half a shift. A real change
# of 3 spreads a day still reaches h on its third day (2 + 2 + 2 >= 5).
Z_CLIP = 3.0
# k = 1 and h = 5, not the textbook 0.5 and 4-5: a baseline learned from two
# weeks has a median off by about a third of a spread, and real days have
# heavy tails, so with k = 0.5 plain noise accumulated into "shifts" (measured
# on resampled real days: 1.3 and 3.7 per 30 days in two homes, against 0.9
# and 2.5 now). A change of 3 spreads a day is still found on its third day.
CUSUM_K = 1.0
CUSUM_H = 5.0
SHIFT_MIN_DAYS = 3  # days off usual (z beyond k) a shift needs: two odd days are not one
BUILDING = CUSUM_H / 2
DRIFT_WINDOW_DAYS = 21
DRIFT_MIN_VALUES = 10
DRIFT_TAU = 0.5
DRIFT_SPREADS = 1.5
RECOVERY_DAYS = 3
SETTLED_VALUES = 10  # a change is accepted only when its last values show no trend
RECOVERED_Z = 1.5
RECENT_DAYS = 7  # a change's "recent" value averages at most this many days since its onset
FULL_BASELINE = 14  # values a usual needs for confidence not to be discounted
Z_WEEKLY = 2.0  # a weekly count this many spreads from usual is a change (see `weekly`)
WEEK_DAYS = 7
_MEMORY_DAYS = 2 * DRIFT_WINDOW_DAYS  # how long judged values are remembered


class Shape(StrEnum):
    UNUSUAL_DAY = "unusual_day"
    SHIFT = "shift"
    DRIFT = "drift"


@dataclass(frozen=True, slots=True)
class Seen:
    """A value of a learning or judged day, with its robust z when there was a baseline."""

    date: date
    value: float
    z: float | None


@dataclass(frozen=True, slots=True)
class Finding:
    """A change as numbers; `score.py` puts it into words."""

    behaviour: str
    shape: Shape
    higher: bool
    usual: float
    recent: float
    recent_days: int
    onset: date
    confidence: float


@dataclass(frozen=True, slots=True)
class OpenChange:
    shape: Shape
    higher: bool
    onset: date
    detected: date
    usual: Usual  # as it was when the change was found: the change is measured against it
    evidence: float  # CUSUM-like sum in the change's direction (shift), or |tau| (drift)


@dataclass(frozen=True)
class Tracker:
    behaviour: Behaviour
    kept: tuple[Kept, ...] = ()
    seen: tuple[Seen, ...] = ()
    high: float = 0.0
    low: float = 0.0
    high_since: date | None = None
    low_since: date | None = None
    open: OpenChange | None = None


def evidence(tracker: Tracker) -> float:
    """How much evidence of a change the tracker holds now, in CUSUM units (h: found).

    The larger CUSUM sum while watching; the change's own evidence (a shift) or
    h (a drift) while a change is open. A day-level measure of the detector's
    state: what the evaluation's per-day AUC of the detector ranks days by.
    """
    if tracker.open is not None:
        return tracker.open.evidence if tracker.open.shape is Shape.SHIFT else CUSUM_H
    return max(tracker.high, tracker.low)


@dataclass(frozen=True, slots=True)
class Step:
    tracker: Tracker
    z: float | None
    findings: tuple[Finding, ...]


def learn(tracker: Tracker, day: date, value: float) -> Step:
    """A learning day: the value is kept, nothing is judged."""
    usual = usual_for(tracker.kept, day, tracker.behaviour.floor)
    z = usual.z(value) if usual else None
    return Step(
        replace(
            tracker,
            kept=keep(tracker.kept, Kept(day, value)),
            seen=_remember(tracker, day, value, z),
        ),
        z,
        (),
    )


def judge(tracker: Tracker, day: date, value: float) -> Step:
    """A normal day: compare with usual, update the evidence, report what is found."""
    usual = usual_for(tracker.kept, day, tracker.behaviour.floor)
    if usual is None:  # too few values yet (the data began with gaps): keep learning
        return learn(tracker, day, value)
    z = usual.z(value)
    tracker = replace(tracker, seen=_remember(tracker, day, value, z))
    if tracker.open is not None:
        return _follow(tracker, tracker.open, day, z)
    return _watch(tracker, usual, day, value, z)


def _watch(tracker: Tracker, usual: Usual, day: date, value: float, z: float) -> Step:
    behaviour = tracker.behaviour
    if behaviour.weekly:
        return _watch_weekly(tracker, usual, day, value, z)
    clipped = max(-Z_CLIP, min(Z_CLIP, z))
    high = max(0.0, tracker.high + clipped - CUSUM_K)
    low = max(0.0, tracker.low - clipped - CUSUM_K)
    tracker = replace(
        tracker,
        high=high,
        low=low,
        high_since=(tracker.high_since or day) if high > 0 else None,
        low_since=(tracker.low_since or day) if low > 0 else None,
    )
    meaningful = behaviour.meaningful(usual.median)
    higher = high >= low
    onset = (tracker.high_since if higher else tracker.low_since) or day
    sign = 1.0 if higher else -1.0
    off_days = sum(1 for s in tracker.seen if s.date >= onset and sign * (s.z or 0.0) > CUSUM_K)
    if max(high, low) >= CUSUM_H and off_days >= SHIFT_MIN_DAYS:
        strength = max(high, low)
        # Found or not, the sums restart: a trivial shift must not linger as evidence.
        tracker = replace(tracker, high=0.0, low=0.0, high_since=None, low_since=None)
        recent = _since(tracker.seen, onset)
        if abs(statistics.fmean(recent) - usual.median) >= meaningful:
            change = OpenChange(Shape.SHIFT, higher, onset, day, usual, strength)
            return _opened(tracker, change, strength / (2 * CUSUM_H))
        return Step(tracker, z, ())
    drift = _drift(tracker.seen, usual, day, meaningful)
    if drift is not None:
        return _opened(tracker, drift, drift.evidence)
    if abs(z) >= Z_UNUSUAL and abs(value - usual.median) >= meaningful:
        found = Finding(
            behaviour.name,
            Shape.UNUSUAL_DAY,
            z > 0,
            usual.median,
            value,
            1,
            day,
            _confidence(abs(z) / (2 * Z_UNUSUAL), usual),
        )
        return Step(tracker, z, (found,))
    if max(high, low) < BUILDING:
        tracker = replace(tracker, kept=keep(tracker.kept, Kept(day, value)))
    return Step(tracker, z, ())


def _watch_weekly(tracker: Tracker, usual: Usual, day: date, value: float, z: float) -> Step:
    """A weekly count: a week far from usual, and beyond every recent week, is a shift.

    Beyond every recent week: in a home where two nights of a week with the
    door opened happen now and then, such a week is not news.
    """
    recent = [k.value for k in tracker.kept[-WINDOW:]]
    beyond = value > max(recent) if z > 0 else value < min(recent)
    meaningful = tracker.behaviour.meaningful(usual.median)
    if abs(z) >= Z_WEEKLY and abs(value - usual.median) >= meaningful and beyond:
        onset = day - timedelta(days=WEEK_DAYS - 1)
        change = OpenChange(Shape.SHIFT, z > 0, onset, day, usual, CUSUM_H * abs(z) / Z_WEEKLY)
        return _opened(tracker, change, abs(z) / (2 * Z_WEEKLY))
    return Step(replace(tracker, kept=keep(tracker.kept, Kept(day, value))), z, ())


def _opened(tracker: Tracker, change: OpenChange, strength: float) -> Step:
    tracker = replace(tracker, open=change, high=0.0, low=0.0, high_since=None, low_since=None)
    latest = tracker.seen[-1]
    return Step(tracker, latest.z, (_finding(tracker, change, strength),))


def _follow(tracker: Tracker, change: OpenChange, day: date, z: float) -> Step:
    """A day inside an open change: close it, accept it, or report it again."""
    since_found = [s for s in tracker.seen if s.date > change.detected]
    back = since_found[-RECOVERY_DAYS:]
    if len(back) == RECOVERY_DAYS and all(abs(_z(s, change.usual)) < RECOVERED_Z for s in back):
        return Step(replace(tracker, open=None), z, ())
    latest = [s for s in tracker.seen if s.date >= change.onset][-SETTLED_VALUES:]
    _, trend = _theil_sen_and_tau([((s.date - change.onset).days, s.value) for s in latest])
    if (day - change.onset).days >= ACCEPT_AFTER_DAYS and abs(trend) < DRIFT_TAU:
        # The new normal: the baseline restarts from what the person does now.
        new_normal = tuple(Kept(s.date, s.value) for s in tracker.seen if s.date >= change.onset)
        return Step(replace(tracker, open=None, kept=new_normal), z, ())
    if change.shape is Shape.SHIFT:
        sign = 1.0 if change.higher else -1.0
        clipped = max(-Z_CLIP, min(Z_CLIP, _z(tracker.seen[-1], change.usual)))
        change = replace(change, evidence=max(0.0, change.evidence + sign * clipped - CUSUM_K))
        strength = change.evidence / (2 * CUSUM_H)
    else:
        strength = change.evidence
    tracker = replace(tracker, open=change)
    return Step(tracker, z, (_finding(tracker, change, strength),))


def _finding(tracker: Tracker, change: OpenChange, strength: float) -> Finding:
    recent = _since(tracker.seen, change.onset)[-RECENT_DAYS:]
    return Finding(
        tracker.behaviour.name,
        change.shape,
        change.higher,
        change.usual.median,
        statistics.fmean(recent),
        len(recent),
        change.onset,
        _confidence(strength, change.usual),
    )


def _drift(seen: tuple[Seen, ...], usual: Usual, day: date, meaningful: float) -> OpenChange | None:
    window = [s for s in seen if (day - s.date).days < DRIFT_WINDOW_DAYS]
    if len(window) < DRIFT_MIN_VALUES:
        return None
    first = window[0].date
    points = [((s.date - first).days, s.value) for s in window]
    slope, tau = _theil_sen_and_tau(points)
    intercept = statistics.median(v - slope * t for t, v in points)
    today = intercept + slope * (day - first).days
    gap = today - usual.median
    if abs(tau) < DRIFT_TAU or slope == 0 or (gap > 0) != (slope > 0):
        return None
    if abs(gap) < max(meaningful, DRIFT_SPREADS * usual.spread):
        return None
    # Where the line leaves the usual value, kept inside the window.
    leaves = (usual.median - intercept) / slope
    offset = min(max(round(leaves), 0), (day - first).days)
    onset = first + timedelta(days=offset)
    return OpenChange(Shape.DRIFT, slope > 0, onset, day, usual, abs(tau))


def _theil_sen_and_tau(points: list[tuple[int, float]]) -> tuple[float, float]:
    """The Theil-Sen slope (median of pairwise slopes) and Kendall's tau-a."""
    slopes = []
    agree = 0
    pairs = 0
    for i, (t1, v1) in enumerate(points):
        for t2, v2 in points[i + 1 :]:
            if t2 == t1:
                continue
            pairs += 1
            slopes.append((v2 - v1) / (t2 - t1))
            agree += (v2 > v1) - (v2 < v1)
    if not slopes:
        return 0.0, 0.0
    return statistics.median(slopes), agree / pairs


def _remember(tracker: Tracker, day: date, value: float, z: float | None) -> tuple[Seen, ...]:
    return tuple(
        s for s in (*tracker.seen, Seen(day, value, z)) if (day - s.date).days < _MEMORY_DAYS
    )


def _since(seen: tuple[Seen, ...], onset: date) -> list[float]:
    return [s.value for s in seen if s.date >= onset]


def _z(seen: Seen, usual: Usual) -> float:
    return usual.z(seen.value)


def _confidence(strength: float, usual: Usual) -> float:
    return round(min(1.0, strength) * min(1.0, usual.values / FULL_BASELINE), 2)
