"""What the routine engine needs to know about a home, read once from its config.

Features reason about roles and rooms, never device brands or dataset names.
Rooms carry no type in the config, so three rooms are recognised as follows,
first by the sensors in them and only then by their id or name:

- the sleep room holds a bed sensor, else is named like a bedroom and has a sensor;
- bathrooms hold a toilet, shower or basin sensor, else are named like one;
- kitchens hold a kitchen appliance (fridge, kettle, cooker ...), else are named so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig, Role, Room
from hub.events import Kind

KITCHEN_ROLES = frozenset(
    {
        Role.FRIDGE,
        Role.FREEZER,
        Role.KETTLE,
        Role.COOKER,
        Role.MICROWAVE,
        Role.TOASTER,
        Role.DISHWASHER,
    }
)
BATHROOM_ROLES = frozenset({Role.TOILET, Role.SHOWER, Role.BASIN})
EXIT_ROLES = frozenset({Role.FRONT_DOOR, Role.BACK_DOOR})
# Roles whose absence the features report, because some feature rests on them.
FEATURE_ROLES = (Role.BED, Role.TOILET, Role.FRIDGE, Role.KETTLE, Role.FRONT_DOOR)


@dataclass(frozen=True, slots=True)
class SensorInfo:
    id: str
    kind: Kind
    room: str
    role: Role


@dataclass(frozen=True)
class Layout:
    zone: ZoneInfo
    sensors: dict[str, SensorInfo]
    sleep_room: str | None
    bathrooms: frozenset[str]
    kitchens: frozenset[str]

    def with_role(self, *roles: Role) -> list[SensorInfo]:
        return [s for s in self.sensors.values() if s.role in roles]

    def has_role(self, role: Role) -> bool:
        return any(s.role is role for s in self.sensors.values())


def layout_of(config: HearthConfig) -> Layout:
    sensors = {
        s.id: SensorInfo(id=s.id, kind=s.kind, room=s.room, role=s.role) for s in config.sensors
    }
    infos = list(sensors.values())
    beds = _rooms_of(infos, {Role.BED})
    # A bedroom with no sensor in it cannot say whether the person is there.
    watched = {s.room for s in infos}
    named_bedrooms = [room for room in _named(config.rooms, ("bed",)) if room in watched]
    sleep_room = beds[0] if beds else next(iter(named_bedrooms), None)
    bathrooms = _rooms_of(infos, BATHROOM_ROLES) or _named(config.rooms, ("bath", "toilet", "wc"))
    kitchens = _rooms_of(infos, KITCHEN_ROLES) or _named(config.rooms, ("kitchen",))
    return Layout(
        zone=ZoneInfo(config.home.timezone),
        sensors=sensors,
        sleep_room=sleep_room,
        bathrooms=frozenset(bathrooms),
        kitchens=frozenset(kitchens),
    )


def _rooms_of(sensors: Iterable[SensorInfo], roles: Iterable[Role]) -> list[str]:
    wanted = set(roles)
    rooms: list[str] = []
    for sensor in sensors:
        if sensor.role in wanted and sensor.room not in rooms:
            rooms.append(sensor.room)
    return rooms


def _named(rooms: Iterable[Room], words: tuple[str, ...]) -> list[str]:
    return [
        room.id for room in rooms if any(word in f"{room.id} {room.name}".lower() for word in words)
    ]
