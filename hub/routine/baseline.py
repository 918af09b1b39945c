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
  detector (`detect.py`): values of unusual days, of days inside a detected
  change, and of days while evidence of a shift is building are not kept.
  A change that lasts `ACCEPT_AFTER_DAYS` becomes the new normal: the
  baseline then restarts from the values since its onset.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

LEARNING_DAYS = 14
MIN_VALUES = 7
WINDOW = 28
MIN_SAME_KIND = 4  # two weekends: what the learning fortnight holds
SURE_SAME_KIND = 8
ACCEPT_AFTER_DAYS = 14
MAD_TO_SD = 1.4826
DECILES_TO_SD = 2.5631  # the 10th to 90th percentile range of a normal distribution, in SDs
TAIL_MIN_VALUES = 10

# The smallest spread to assume around a usual value (a Behaviour's `floor`).
FloorOf = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Kept:
    """One value the baseline keeps."""

    date: date
    value: float

    @property
    def weekend(self) -> bool:
        return is_weekend(self.date)


@dataclass(frozen=True, slots=True)
class Usual:
    """What is usual for one behaviour on one kind of day."""

    median: float
    spread: float  # robust standard deviation, at least the behaviour's floor
    values: int  # how many values it rests on
    kind: str  # "weekday", "weekend" or "all"

    def z(self, value: float) -> float:
        return (value - self.median) / self.spread


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
    same = [k for k in kept if k.weekend == weekend][-window:]
    if len(same) < MIN_SAME_KIND:
        return _usual([k.value for k in recent], floor_of, "all")
    usual = _usual([k.value for k in same], floor_of, "weekend" if weekend else "weekday")
    if len(same) < SURE_SAME_KIND:
        # Two or three weekends say where the weekend is, not yet how much it varies.
        wide = _usual([k.value for k in recent], floor_of, "all")
        usual = Usual(usual.median, max(usual.spread, wide.spread), usual.values, usual.kind)
    return usual


def _usual(values: list[float], floor_of: FloorOf, kind: str) -> Usual:
    middle, mad = median_and_mad(values)
    spread = max(MAD_TO_SD * mad, tail_spread(values), floor_of(middle))
    return Usual(middle, spread, len(values), kind)


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
