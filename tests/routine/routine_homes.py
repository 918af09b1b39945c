"""Hand-built homes and events for the routine tests: local wall times in, UTC events out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig, Home, Match, Role, Room, Sensor
from hub.events import Event, Kind, Source, Value

# id: (kind, room, role)
FULL_HOME: dict[str, tuple[Kind, str, Role]] = {
    "bed": (Kind.PRESSURE, "bedroom", Role.BED),
    "bedroom_pir": (Kind.MOTION, "bedroom", Role.ROOM),
    "bath_pir": (Kind.MOTION, "bathroom", Role.ROOM),
    "flush": (Kind.FLUSH, "bathroom", Role.TOILET),
    "kitchen_pir": (Kind.MOTION, "kitchen", Role.ROOM),
    "fridge": (Kind.CONTACT, "kitchen", Role.FRIDGE),
    "kettle": (Kind.POWER, "kitchen", Role.KETTLE),
    "front_door": (Kind.CONTACT, "hall", Role.FRONT_DOOR),
    "hall_pir": (Kind.MOTION, "hall", Role.ROOM),
    "lounge_pir": (Kind.MOTION, "lounge", Role.ROOM),
    "chair": (Kind.PRESSURE, "lounge", Role.CHAIR),
}


def home(
    zone: str = "Europe/London", *, without: tuple[str, ...] = (), only: tuple[str, ...] = ()
) -> HearthConfig:
    """FULL_HOME, less the sensors in `without` (or only those in `only`)."""
    chosen = {
        name: spec
        for name, spec in FULL_HOME.items()
        if name not in without and (not only or name in only)
    }
    return config_with(chosen, zone)


def config_with(
    sensors: Mapping[str, tuple[Kind, str, Role]], zone: str, **config: object
) -> HearthConfig:
    """A home with these sensors (name: kind, room, role), each on a generic topic."""
    return HearthConfig(
        home=Home(id="test-home", timezone=zone),
        rooms=[Room(id=room) for room in sorted({room for _, room, _ in sensors.values()})],
        sensors=[
            Sensor(
                id=name,
                match=Match(source=Source.GENERIC, topic=f"test/{name}"),
                kind=kind,
                room=room,
                role=role,
            )
            for name, (kind, room, role) in sensors.items()
        ],
        **config,  # type: ignore[arg-type]
    )


class Recorder:
    """Collects events written as local wall-clock times: `at("2024-03-05 07:30", "bed", False)`."""

    def __init__(self, zone: str = "Europe/London") -> None:
        self.zone = ZoneInfo(zone)
        self.events: list[Event] = []

    def at(self, wall: str, sensor: str, value: Value, *, fold: int = 0) -> None:
        kind = FULL_HOME[sensor][0]
        if kind is Kind.POWER and not isinstance(value, float):
            value = float(value)
        local = datetime.fromisoformat(wall).replace(tzinfo=self.zone, fold=fold)
        self.events.append(Event(local.astimezone(UTC), sensor, kind, value, Source.GENERIC))

    def move(self, wall: str, sensor: str, *, fold: int = 0) -> None:
        """A PIR firing: ON, then OFF 30 seconds later, as a real one does."""
        self.at(wall, sensor, True, fold=fold)
        off = datetime.fromisoformat(wall) + timedelta(seconds=30)
        self.at(off.isoformat(sep=" "), sensor, False, fold=fold)

    def busy(self, start: str, end: str, sensor: str, every_minutes: int = 5) -> None:
        """The PIR fires every few minutes from `start` to `end`."""
        moment, stop = datetime.fromisoformat(start), datetime.fromisoformat(end)
        while moment <= stop:
            self.move(moment.isoformat(sep=" "), sensor)
            moment += timedelta(minutes=every_minutes)

    def sorted(self) -> list[Event]:
        return sorted(self.events, key=lambda event: event.time)
