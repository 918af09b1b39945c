"""Stuck sensor: motion "on" without a break for `motion_h`, or a bed or chair mat
"occupied" for `pressure_h`.

Nobody moves for six hours on end, and nobody sits for sixteen: the sensor is
stuck (or, for a mat, something heavy was left on it). Never paused.
"""

from __future__ import annotations

from datetime import timedelta

from hub.alerts.model import Condition, Severity
from hub.config.models import Role
from hub.events import Kind
from hub.rules.rule import Rule, RuleContext, lasted

_MOVEMENT = (Kind.MOTION, Kind.PRESENCE)
_SEATS = (Role.BED, Role.CHAIR)


def check(context: RuleContext) -> list[Condition]:
    settings = context.config.rules.stuck_sensor
    found = []
    for sensor in context.config.sensors:
        since = context.state.sensors[sensor.id].on_since
        if since is None:
            continue
        if sensor.kind in _MOVEMENT:
            limit, word = timedelta(hours=settings.motion_h), "motion"
        elif sensor.kind is Kind.PRESSURE and sensor.role in _SEATS:
            limit, word = timedelta(hours=settings.pressure_h), "occupied"
        else:
            continue
        if context.now - since < limit:
            continue
        summary = (
            f"Sensor '{sensor.id}' ({context.room_name(sensor.room)}) has said '{word}' "
            f"without a break since {context.clock(since)} ({lasted(context.now - since)}); "
            "it may be stuck."
        )
        found.append(Condition(RULE.name, sensor.id, RULE.severity, since, summary))
    return found


RULE = Rule("stuck_sensor", Severity.INFO, False, frozenset(), check)
