"""Long bathroom visit: the last sign of the person is in a bathroom, and it began long ago.

The visit runs from the first sign in the bathroom after signs elsewhere;
any sign in another room ends it. Bathrooms are the rooms holding a toilet,
shower or basin sensor, else rooms named so (`hub/routine/layout.py`), less
any that is also a kitchen (a kitchen sink is not a bathroom). A home whose
sleep room no sensor sees cannot tell a long visit from going to bed after
it, so there the rule is silent. While a bathroom motion sensor still says
"moving" (and is not stuck, see `stuck_sensor`), or while the last sign of
the person is less than `QUIET_FOR` old, they are moving: a long visit, but
not lying still, which is what this rule is for.

Once learned, the limit is `factor` x the usual daily bathroom time (the
late end of recent days' minutes in the bathroom, `expectations.py`): the
features hold no single visit's length, and a day's total is never shorter
than its longest visit, so this limit is never earlier than `factor` x the
longest usual visit. Never below `min_max_min`; `default_max_min` while
learning. Paused in away mode, and with visitors: a visitor in the bathroom
while the resident sits still elsewhere looks just like a long visit.
"""

from __future__ import annotations

from datetime import timedelta

from hub.alerts.model import Condition, Severity
from hub.modes import Mode
from hub.rules.rule import ACTIVITY_PAUSES, Rule, RuleContext, lasted


def limit_for(context: RuleContext) -> tuple[timedelta, timedelta | None]:
    settings = context.config.rules.long_bathroom
    usual_minutes = context.expected.bathroom_minutes
    if usual_minutes is None:
        return timedelta(minutes=settings.default_max_min), None
    usual = timedelta(minutes=usual_minutes)
    return max(timedelta(minutes=settings.min_max_min), settings.factor * usual), usual


def check(context: RuleContext) -> list[Condition]:
    state = context.state
    entered = state.room_entered
    if (
        entered is None
        or not state.in_bathroom(context.now)
        or state.out(context.now)
        or state.layout.sleep_room is None
    ):
        return []
    stay = context.now - entered
    limit, usual = limit_for(context)
    stuck = timedelta(hours=context.config.rules.stuck_sensor.motion_h)
    if stay < limit or state.moving_in(state.bathrooms, context.now, stuck):
        return []
    if state.last_activity is not None and context.now - state.last_activity < QUIET_FOR:
        return []
    if usual is None:
        norm = f"the limit is {lasted(limit)} while the routine is being learned"
    else:
        norm = f"a whole usual day's bathroom time is about {lasted(usual)}"
    summary = (
        f"In the bathroom since {context.clock(entered)} ({lasted(stay)}) "
        f"with no movement elsewhere; {norm}."
    )
    return [Condition(RULE.name, "home", RULE.severity, entered, summary, RULE.asks_resident)]


QUIET_FOR = timedelta(minutes=5)

RULE = Rule("long_bathroom", Severity.URGENT, True, ACTIVITY_PAUSES | {Mode.VISITORS}, check)
