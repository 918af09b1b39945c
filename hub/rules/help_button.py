"""Help button: a help button or pull cord was pressed, and no "I'm OK" press came after.

Any button action but the empty one Zigbee2MQTT sends after each press, or a
pull cord's contact or switch closing (`activity.is_pressed`). It holds until
the resident presses the "I'm OK" button; a carer's acknowledgement is the
alert lifecycle's business. Urgent, never paused, and the resident is not
asked first: they asked for help.
"""

from __future__ import annotations

from hub.alerts.model import Condition, Severity
from hub.rules.rule import Rule, RuleContext


def check(context: RuleContext) -> list[Condition]:
    found = []
    for sensor_id, pressed in context.state.help_pressed.items():
        room = context.state.layout.sensors[sensor_id].room
        summary = (
            f"Help was asked for with the button in the {context.room_name(room).lower()} "
            f"at {context.clock(pressed)}."
        )
        found.append(Condition(RULE.name, sensor_id, RULE.severity, pressed, summary))
    return found


RULE = Rule("help_button", Severity.URGENT, False, frozenset(), check)
