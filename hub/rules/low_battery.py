"""Low battery: a device's last battery report is below `below_percent`.

It clears only when a report comes back clearly higher (a new battery), since
readings wobble around the limit for days. Never paused.
"""

from __future__ import annotations

from hub.alerts.model import Condition, Severity
from hub.rules.rule import Rule, RuleContext


def check(context: RuleContext) -> list[Condition]:
    found = []
    for sensor in context.config.sensors:
        heard = context.state.sensors[sensor.id]
        since = heard.battery_low_since
        if since is None or heard.battery is None:
            continue
        summary = (
            f"Sensor '{sensor.id}' ({context.room_name(sensor.room)}) needs a new battery: "
            f"{heard.battery:.0f}% left."
        )
        found.append(Condition(RULE.name, sensor.id, RULE.severity, since, summary))
    return found


RULE = Rule("low_battery", Severity.INFO, False, frozenset(), check)
