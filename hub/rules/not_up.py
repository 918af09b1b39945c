"""Not up: by the usual time up plus a margin, no sustained activity out of the sleep room.

"Up" is activity outside the sleep room since `MORNING` today lasting
`UP_SUSTAINED` (a toilet trip is not getting up), any after the deadline,
being out of the sleep room right now, or an "I'm OK" press
(`HomeState.up_since`). Once learned, the usual time up is the late end of
this person's mornings (`expectations.py`); while learning it is
`default_by`, moved later when the person has already been seen getting up
later than that, since a default that the person's own mornings contradict
would only teach the family to ignore it. Quiet when the person went out,
when the hub has not watched the whole morning, and in away mode.

Urgent once learned; a warning while learning: a fixed time cannot know this
person's mornings (one dataset resident sleeps until 11:30), and the alert
still asks the resident first.
"""

from __future__ import annotations

from hub.alerts.model import Condition, Severity
from hub.rules.rule import ACTIVITY_PAUSES, Rule, RuleContext, wall_minutes, wall_time
from hub.rules.state import MORNING

LAST_DEADLINE = 23 * 60 + 59


def deadline_minutes(context: RuleContext) -> tuple[float, bool]:
    """Minutes after midnight by which the person should be up, and whether it is learned."""
    settings = context.config.rules.not_up
    expected = context.expected
    if expected.time_up is not None:
        return min(expected.time_up + settings.margin_min, LAST_DEADLINE), True
    by = wall_time(settings.default_by)
    default = by.hour * 60.0 + by.minute
    if expected.latest_time_up is not None:
        default = max(default, expected.latest_time_up + settings.margin_min)
    return min(default, LAST_DEADLINE), False


def check(context: RuleContext) -> list[Condition]:
    state = context.state
    morning = context.today_at(MORNING)
    if state.started is None or state.started > morning or state.out(context.now):
        return []
    minutes, learned = deadline_minutes(context)
    deadline = context.today_at(wall_minutes(minutes))
    if context.now < deadline:
        return []
    if state.up_since(morning, deadline, context.now):
        return []
    if learned:
        usual = context.expected.time_up or 0.0
        reason = f"usually up by {wall_minutes(usual):%H:%M}"
    else:
        reason = "the limit while the routine is being learned"
    last = state.last_activity
    seen = ""
    if last is not None:
        # Where matters: movement at 11:31 in the bedroom is not being up.
        room = context.room_name(state.last_room).lower() if state.last_room else ""
        seen = f"; last movement {context.clock(last)}" + (f" in the {room}" if room else "")
    since = last if last is not None and last < morning else morning
    summary = f"Not up by {deadline.astimezone(context.zone):%H:%M} ({reason}){seen}."
    return [
        Condition(
            rule=RULE.name,
            subject="home",
            severity=RULE.severity if learned else Severity.WARNING,
            since=since,
            summary=summary,
            asks_resident=RULE.asks_resident,
        )
    ]


RULE = Rule("not_up", Severity.URGENT, True, ACTIVITY_PAUSES, check)
