"""Silent sensor: one with `expected_interval_s` has said nothing for `factor` intervals,
or a device has reported itself offline for `offline_min`.

Only sensors that promise a report interval can be silent; the others speak
only on change and a quiet one may just be unused. Silence is counted from
the sensor's last report, or from when the hub began listening. Never paused:
a dead sensor matters most when nobody is watching.
"""

from __future__ import annotations

from datetime import timedelta

from hub.alerts.model import Condition, Severity
from hub.rules.rule import Rule, RuleContext, lasted


def check(context: RuleContext) -> list[Condition]:
    settings = context.config.rules.sensor_silent
    state = context.state
    if state.started is None:
        return []
    found = []
    offline_wait = timedelta(minutes=settings.offline_min)
    for sensor in context.config.sensors:
        heard = state.sensors[sensor.id]
        offline = heard.offline_since
        if offline is not None and context.now - offline >= offline_wait:
            where = f"'{sensor.id}' ({context.room_name(sensor.room)})"
            summary = (
                f"Sensor {where} has been offline since {context.clock(offline)} "
                f"({lasted(context.now - offline)})."
            )
            found.append(Condition(RULE.name, sensor.id, RULE.severity, offline, summary))
            continue
        if sensor.expected_interval_s is None:
            continue
        interval = timedelta(seconds=sensor.expected_interval_s)
        last = heard.last_heard or state.started
        if context.now - last > settings.factor * interval:
            where = f"'{sensor.id}' ({context.room_name(sensor.room)})"
            summary = (
                f"Sensor {where} has sent nothing since {context.clock(last)} "
                f"({lasted(context.now - last)}); it normally reports every {lasted(interval)}."
            )
            found.append(Condition(RULE.name, sensor.id, RULE.severity, last, summary))
    return found


RULE = Rule("sensor_silent", Severity.INFO, False, frozenset(), check)
