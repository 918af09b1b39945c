"""Fridge and kettle unused: by `by` local time, neither has been used today, at home.

Whichever of the two the home has; a home with neither has no such rule.
Only a day the hub watched from its midnight is judged, and not while the
person is out. Holds until one is used, or the day ends. Paused in away mode.
"""

from __future__ import annotations

from datetime import time

from hub.alerts.model import Condition, Severity
from hub.rules.rule import ACTIVITY_PAUSES, Rule, RuleContext, wall_time


def check(context: RuleContext) -> list[Condition]:
    state = context.state
    present = state.appliances
    if not present:
        return []
    midnight = context.today_at(time(0))
    by = context.today_at(wall_time(context.config.rules.appliance_unused.by))
    if context.now < by or state.started is None or state.started > midnight:
        return []
    if state.out(context.now):
        return []
    uses = [state.last_use[role] for role in present if role in state.last_use]
    if any(use >= midnight for use in uses):
        return []
    checked = f"checked at {by.astimezone(context.zone):%H:%M}"
    if len(present) == 1:
        summary = f"The {present[0].value} has not been used today ({checked})."
    else:
        summary = f"Neither the fridge nor the kettle has been used today ({checked})."
    return [Condition(RULE.name, "home", RULE.severity, midnight, summary)]


RULE = Rule("appliance_unused", Severity.WARNING, False, ACTIVITY_PAUSES, check)
