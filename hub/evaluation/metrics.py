"""The evaluation's figures over plain values: AUC, detection delay, false alerts per 30 days.

- **AUC** (per day): the chance that a changed day scores higher than an
  unchanged one (the Mann-Whitney statistic; ties count half). 0.5 is
  guessing, 1 is perfect separation.
- **Detected**: an alert raised on a date from the onset to the deadline
  (abrupt: `ABRUPT_WITHIN` days after the onset; gradual: `GRADUAL_WITHIN`
  days after the ramp's last day). **Delay**: days from the onset to the first
  such alert.
- **False alerts per 30 days**: alerts on unchanged streams after the
  learning period, per 30 days watched.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import date

ABRUPT_WITHIN = 3
GRADUAL_WITHIN = 7


def auc(changed: Sequence[float], unchanged: Sequence[float]) -> float | None:
    """P(changed > unchanged) + P(equal) / 2; None when either side is empty."""
    if not changed or not unchanged:
        return None
    ordered = sorted([(v, 1) for v in changed] + [(v, 0) for v in unchanged])
    rank_sum = 0.0
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][0] == ordered[i][0]:
            j += 1
        middle = (i + j) / 2 + 1  # the average rank of a run of ties
        rank_sum += middle * sum(label for _, label in ordered[i : j + 1])
        i = j + 1
    n1, n0 = len(changed), len(unchanged)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)


def deadline_days(ramp_days: int) -> int:
    """Days after the onset by which a change must be found."""
    if ramp_days <= 0:
        return ABRUPT_WITHIN
    return ramp_days - 1 + GRADUAL_WITHIN


def first_alert_delay(alert_dates: Iterable[date], onset: date) -> int | None:
    """Days from the onset to the first alert on or after it, or None."""
    after = [(d - onset).days for d in alert_dates if d >= onset]
    return min(after) if after else None


def detected(delay: int | None, ramp_days: int) -> bool:
    return delay is not None and delay <= deadline_days(ramp_days)


def per_30_days(count: int, days: int) -> float:
    return count * 30 / days if days else 0.0


def median_or_none(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
