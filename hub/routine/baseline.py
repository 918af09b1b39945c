"""The personal baseline: what is usual for this person, one behaviour at a time.

Robust statistics, because real days have outliers (a late night out, a
sensor that misfired): the usual value is the median of the kept values, and
the spread is the MAD scaled by 1.4826 (so it matches a standard deviation
on normal data), never less than the behaviour's floor (`behaviours.py`).
A value's distance from usual is its *robust z*: (value - median) / spread.

The rules that keep the baseline personal, current and honest:

- **Learning**: the first `LEARNING_DAYS` local dates only teach the
  baseline; a behaviour is judged once it has `MIN_VALUES` kept values.
- **Rolling window**: the baseline is the last `WINDOW` kept values, so it
  follows slow seasonal habits once they are accepted.
- **Weekday and weekend**: a Saturday or Sunday is compared with weekend
  days, and a weekday with weekdays, once there are `MIN_SAME_KIND` of them
  (two weekends, what the learning fortnight holds); otherwise with all days.
  Until there are `SURE_SAME_KIND`, the spread is the wider of the same-kind
  and the all-days spreads: a few values say where, not how variable.
- **No absorbing a change**: which values are kept is decided by the
  detector (`detect.py`): a judged day's value joins 3 days later, and
  values of days inside a detected change, or while evidence of a shift is
  building, do not join at all. A single unusual day does: it is part of
  how much this person's days vary.
  A change that lasts `ACCEPT_AFTER_DAYS` (and has settled) becomes the new
  normal: the baseline then restarts from the values since its onset. Four
  weeks, so that a co-ordinator reading weekly summaries sees a change on
  four of them before it becomes the person's routine (after two weeks,
  the first setting, a change was gone from the second summary on).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

LEARNING_DAYS = 14
MIN_VALUES = 7
WINDOW = 28
MIN_SAME_KIND = 4  # two weekends: what the learning fortnight holds
SURE_SAME_KIND = 8
ACCEPT_AFTER_DAYS = 28
MAD_TO_SD = 1.4826
DECILES_TO_SD = 2.5631  # the 10th to 90th percentile range of a normal distribution, in SDs
TAIL_MIN_VALUES = 10
# A day's score (`Usual.score`) is at most this far from 0: real days have heavy
# tails, and at 3 a lie-in and a late night in one week made half a "shift".
SCORE_LIMIT = 2.5
_STANDARD_NORMAL = statistics.NormalDist()

# The smallest spread to assume around a usual value (a Behaviour's `floor`).
FloorOf = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Kept:
    """One value the baseline keeps."""

    date: date
    value: float
    weekend: bool = field(init=False)  # kept, not computed: it is asked for very often

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekend", is_weekend(self.date))


@dataclass(frozen=True, slots=True)
class Usual:
    """What is usual for one behaviour on one kind of day."""

    median: float
    spread: float  # robust standard deviation, at least the behaviour's floor
    values: int  # how many values it rests on
    kind: str  # "weekday", "weekend" or "all"
    # The values it rests on, in order: a day's score is where it falls among them.
    ranked: tuple[float, ...] = ()

    def z(self, value: float) -> float:
        return (value - self.median) / self.spread

    def score(self, value: float) -> float:
        """Where `value` falls among the usual days, as a standard normal deviate.

        Inside the usual days' range it is the normal quantile of the value's
        mid-rank among them, (below + equal / 2 + 1/2) / (m + 1): for days
        drawn as the usual ones were, scores average 0 and vary by 1 whatever
        the shape of the person's days, skewed (a lie-in now and then),
        lumpy (out all day or not at all) or mostly zero (no outing on a third
        of the days: a robust z called such a day -0.7, so weeks of staying in
        never added up to a change). Beyond the range it carries on from the
        extreme day's quantile by the distance in spreads, up to
        +-`SCORE_LIMIT`: one wild day weighs no more than that.
        """
        ranked = self.ranked
        if not ranked:
            return max(-SCORE_LIMIT, min(SCORE_LIMIT, self.z(value)))
        below = bisect.bisect_left(ranked, value)
        equal = bisect.bisect_right(ranked, value) - below
        quantile = _STANDARD_NORMAL.inv_cdf((below + equal / 2 + 0.5) / (len(ranked) + 1))
        if value < ranked[0]:
            quantile -= (ranked[0] - value) / self.spread
        elif value > ranked[-1]:
            quantile += (value - ranked[-1]) / self.spread
        return max(-SCORE_LIMIT, min(SCORE_LIMIT, quantile))


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def median_and_mad(values: Sequence[float]) -> tuple[float, float]:
    """The median and the median absolute deviation from it."""
    middle = statistics.median(values)
    return middle, statistics.median(abs(v - middle) for v in values)


def usual_for(
    kept: Sequence[Kept], day: date, floor_of: FloorOf, *, window: int = WINDOW
) -> Usual | None:
    """The usual value for `day` from the kept values (oldest first), or None while too few."""
    recent = list(kept[-window:])
    if len(recent) < MIN_VALUES:
        return None
    weekend = is_weekend(day)
    # Same-kind values may come from further back than the window: weekends are rarer.
    same: list[Kept] = []
    for value in reversed(kept):
        if value.weekend == weekend:
            same.append(value)
            if len(same) == window:
                break
    same.reverse()
    if len(same) < MIN_SAME_KIND:
        return _usual([k.value for k in recent], floor_of, "all")
    values = [k.value for k in same]
    usual = _usual(values, floor_of, "weekend" if weekend else "weekday")
    if len(same) < SURE_SAME_KIND:
        # Two or three weekends say where the weekend is, not yet how much it varies.
        wide = _usual([k.value for k in recent], floor_of, "all")
        usual = _usual(values, floor_of, usual.kind, at_least=wide.spread)
    return usual


def _usual(values: list[float], floor_of: FloorOf, kind: str, *, at_least: float = 0.0) -> Usual:
    middle = statistics.median(values)
    spread = max(spread_of(values, floor_of), at_least)
    return Usual(middle, spread, len(values), kind, tuple(sorted(values)))


def spread_of(values: Sequence[float], floor_of: FloorOf) -> float:
    """How much the values vary, robustly: the MAD's or the deciles' spread, at least the floor."""
    middle, mad = median_and_mad(values)
    return max(MAD_TO_SD * mad, tail_spread(values), floor_of(middle))


def tail_spread(values: Sequence[float]) -> float:
    """The spread the 10th to 90th percentiles imply (equal to the SD on normal data).

    The MAD sees only the middle half: for a person whose late mornings or
    long naps come every week or two, it is far narrower than the days really
    vary, and every such day looked like evidence of a change.
    """
    if len(values) < TAIL_MIN_VALUES:
        return 0.0
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return (deciles[-1] - deciles[0]) / DECILES_TO_SD


def keep(kept: Sequence[Kept], value: Kept, *, limit: int = 4 * WINDOW) -> tuple[Kept, ...]:
    """The kept values with `value` added; old ones beyond `limit` dropped."""
    return (*kept, value)[-limit:]
