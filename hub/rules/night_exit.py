"""Night exit: an outside door opened at night, and nothing has moved inside since.

The opening is recorded by `HomeState` when it falls in `night`; any sign
inside more than the door margin later (the hall sensor sees the person
leave) means they are back in, or never left. Holds from `no_return_min`
after the opening until then. Paused in away mode, and with visitors, who
may well leave late at night. Urgent, but a warning for a person whose
doors are opened on one night in five or more (`Expectations.night_exits_usual`).
"""

from __future__ import annotations

from datetime import timedelta

from hub.alerts.model import Condition, Severity
from hub.modes import Mode
from hub.rules.rule import ACTIVITY_PAUSES, Rule, RuleContext, lasted


def check(context: RuleContext) -> list[Condition]:
    opened = context.state.night_door_at
    wait = timedelta(minutes=context.config.rules.night_exit.no_return_min)
    if opened is None or context.now - opened < wait:
        return []
    summary = (
        f"The front door opened at {context.clock(opened)} at night and nothing has moved "
        f"inside since ({lasted(context.now - opened)})."
    )
    severity = RULE.severity
    if context.expected.night_exits_usual:
        # Still told, but not as an alarm: this person often goes out at night.
        severity = Severity.WARNING
        summary += " The door is often used at night here."
    return [Condition(RULE.name, "home", severity, opened, summary, RULE.asks_resident)]


RULE = Rule("night_exit", Severity.URGENT, False, ACTIVITY_PAUSES | {Mode.VISITORS}, check)
