"""Routine changes as alert conditions: "Getting up later ..." reaches the carers once.

The live hub scores the stored days once a day (`hub/safety.py`) and hands
the open changes of the latest normal day to the alert service as
conditions, keyed by behaviour. A change stays open (and is reported again
each day) until it recovers or becomes the new normal, so it is one alert
for its whole run; days that are not judged (away, low coverage) leave the
conditions as they were rather than resolving them, and after a week with no
normal day they lapse.

Only persistent changes (shifts and drifts) become alerts. A single unusual
day is shown in the results (`hearth routine`, the weekly summary) but does
not reach the carers: on resampled real days, single unusual days were most
of the false alerts (a late morning or a long afternoon nap that the person
has every few weeks), and the acute single-day dangers (not up, no movement,
a night exit) are the real-time safety rules' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hub.alerts.model import Condition, Severity
from hub.routine.day_types import DayType
from hub.routine.days import local_instant
from hub.routine.detect import Shape
from hub.routine.score import RoutineDayResult

RULE = "routine_change"
LAPSE_AFTER = timedelta(days=7)
ALERTING_SHAPES = frozenset({Shape.SHIFT, Shape.DRIFT})


def routine_conditions(
    results: Sequence[RoutineDayResult], today: date, zone: ZoneInfo
) -> list[Condition]:
    """The changes open on the latest normal day before `today` (results oldest first)."""
    latest = next(
        (r for r in reversed(results) if r.date < today and r.day_type is DayType.NORMAL), None
    )
    if latest is None or today - latest.date > LAPSE_AFTER:
        return []
    return [
        Condition(
            rule=RULE,
            subject=change.behaviour,
            # Not an emergency: an early warning for the family and co-ordinator,
            # which waits through quiet hours.
            severity=Severity.WARNING,
            since=local_instant(change.onset, time(0), zone),
            summary=change.sentence,
        )
        for change in latest.changes
        if change.shape in ALERTING_SHAPES
    ]
