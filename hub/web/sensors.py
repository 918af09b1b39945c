"""Sensor health for carers: which sensors are silent, never heard, or low on battery.

"Silent" is judged as `hearth doctor` judges it (hub/doctor/store.py): a
sensor that promises a report interval is silent after two intervals without
a word, any other after QUIET_SENSOR (it may speak only on change). A battery
is low below the low-battery rule's `below_percent`. Pure: what was last heard
in, one row per configured sensor out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig, Sensor
from hub.doctor.store import QUIET_SENSOR


class Health(StrEnum):
    OK = "ok"
    SILENT = "silent"
    NEVER = "never heard"


@dataclass(frozen=True, slots=True)
class SensorHealth:
    sensor: str
    room: str  # readable name
    role: str
    last_heard: datetime | None  # local
    health: Health
    battery: float | None  # percent, the last report; None: the device never sent one
    battery_low: bool

    def record(self) -> dict[str, object]:
        heard = self.last_heard
        return {
            "sensor": self.sensor,
            "room": self.room,
            "role": self.role,
            "last_heard": None if heard is None else heard.replace(microsecond=0).isoformat(),
            "health": self.health.value,
            "battery_percent": self.battery,
            "battery_low": self.battery_low,
        }


def quiet_limit(sensor: Sensor) -> timedelta:
    """How long the sensor may say nothing before it counts as silent."""
    if sensor.expected_interval_s is not None:
        return timedelta(seconds=2 * sensor.expected_interval_s)
    return QUIET_SENSOR


def sensor_health(
    config: HearthConfig,
    last_heard: Mapping[str, datetime],
    battery: Mapping[str, float],
    now: datetime,
) -> list[SensorHealth]:
    """One row per configured sensor, the ones needing attention first."""
    zone = ZoneInfo(config.home.timezone)
    rooms = {room.id: room.name or room.id for room in config.rooms}
    low_below = config.rules.low_battery.below_percent
    rows = []
    for sensor in config.sensors:
        heard = last_heard.get(sensor.id)
        if heard is None:
            health = Health.NEVER
        elif now - heard > quiet_limit(sensor):
            health = Health.SILENT
        else:
            health = Health.OK
        level = battery.get(sensor.id)
        rows.append(
            SensorHealth(
                sensor=sensor.id,
                room=rooms.get(sensor.room, sensor.room),
                role=sensor.role.value,
                last_heard=None if heard is None else heard.astimezone(zone),
                health=health,
                battery=level,
                battery_low=level is not None and level < low_below,
            )
        )
    return sorted(rows, key=lambda r: (r.health is Health.OK and not r.battery_low, r.sensor))
