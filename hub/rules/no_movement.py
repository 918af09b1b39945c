"""No movement: still at home, awake, for longer than is usual at this time of day.

The stillness runs from the last sign of the person (an "I'm OK" press
included). It counts only while awake: stillness that began in the night
(asleep) is left to `not_up`, and the count stops when the night begins, so
dozing off in the evening is not an alarm. The night is learned (an hour before
the usual bedtime to the usual time up) or `default_night` while learning.
Quiet while the person is out, lies on an occupied bed mat, and in away mode.
On an occupied chair mat the person is resting, not lying on the floor: the
limit doubles (`SEATED_FACTOR`), so dozing through a film is not an alarm but
someone unconscious in the chair is still found.

The limit, once learned, is `factor` x the usual longest stillness beginning
in that hour (`expectations.py`), never below `min_max_min`; while learning it
is `default_max_min`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.alerts.model import Condition, Severity
from hub.config.base import DailyWindow
from hub.routine.days import local_instant
from hub.rules.rule import ACTIVITY_PAUSES, Rule, RuleContext, lasted, wall_minutes


def night_of(context: RuleContext) -> DailyWindow:
    night = context.expected.night
    if night is None:
        return context.config.rules.no_movement.default_night
    return DailyWindow(wall_minutes(night[0]), wall_minutes(night[1]))


def limit_for(context: RuleContext, hour: int) -> tuple[timedelta, timedelta | None]:
    """The stillness that raises the alert when it begins in local `hour`, and the usual one."""
    settings = context.config.rules.no_movement
    still = context.expected.still_by_hour
    if still is None:
        return timedelta(minutes=settings.default_max_min), None
    usual = timedelta(minutes=still[hour])
    return max(timedelta(minutes=settings.min_max_min), settings.factor * usual), usual


def check(context: RuleContext) -> list[Condition]:
    state = context.state
    start = state.last_activity
    if start is None or state.out(context.now) or state.in_bed(context.now):
        return []
    night = night_of(context)
    local_start = context.local(start)
    if night.contains(local_start.time()):
        return []
    awake = min(context.now, _night_after(start, night, context)) - start
    limit, usual = limit_for(context, local_start.hour)
    if state.seated(context.now):
        limit *= SEATED_FACTOR
    if awake < limit:
        return []
    if state.seated(context.now):
        norm = f"sitting on the chair; the limit there is {lasted(limit)}"
    elif usual is None:
        norm = f"the limit is {lasted(limit)} while the routine is being learned"
    else:
        norm = f"usually at most {lasted(usual)} at this time of day"
    summary = (
        f"No movement seen at home since {context.clock(start)} "
        f"({lasted(context.now - start)}); {norm}."
    )
    return [Condition(RULE.name, "home", RULE.severity, start, summary, RULE.asks_resident)]


def _night_after(start: datetime, night: DailyWindow, context: RuleContext) -> datetime:
    """When the first night after `start` begins (UTC)."""
    day = context.local(start).date()
    begins = local_instant(day, night.start, context.zone)
    if begins <= start:
        begins = local_instant(day + timedelta(days=1), night.start, context.zone)
    return begins


SEATED_FACTOR = 2

RULE = Rule("no_movement", Severity.URGENT, True, ACTIVITY_PAUSES, check)
