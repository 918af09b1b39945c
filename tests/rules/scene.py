"""A hand-built home for the rule tests: local wall times in, conditions out.

`Scene` feeds events straight into a `RuleEngine` as the hub would, one at a
time, and asks it what holds at a local wall time; nothing else runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.alerts.model import Condition
from hub.config.models import HearthConfig, Match, Role, Sensor
from hub.events import Event, Kind, Source, Value
from hub.modes import Mode
from hub.rules import Expectations, RuleEngine
from tests.routine.routine_homes import FULL_HOME, home

# id: (kind, room, role, expected interval in seconds)
EXTRA: dict[str, tuple[Kind, str, Role, int | None]] = {
    "ok": (Kind.BUTTON, "lounge", Role.OK_BUTTON, None),
    "help": (Kind.BUTTON, "bedroom", Role.HELP_BUTTON, None),
    "cord": (Kind.CONTACT, "bathroom", Role.HELP_BUTTON, None),
    "lounge_temp": (Kind.TEMPERATURE, "lounge", Role.THERMOMETER, 600),
    "bedroom_temp": (Kind.TEMPERATURE, "bedroom", Role.THERMOMETER, None),
}
KINDS = {**{name: spec[0] for name, spec in FULL_HOME.items()},
         **{name: spec[0] for name, spec in EXTRA.items()}}  # fmt: skip


def rule_home(zone: str = "Europe/London", *, without: tuple[str, ...] = ()) -> HearthConfig:
    """The routine tests' full home, with buttons and thermometers, less `without`."""
    base = home(zone, without=without)
    extra = [
        Sensor(
            id=name,
            match=Match(source=Source.GENERIC, topic=f"test/{name}"),
            kind=kind,
            room=room,
            role=role,
            expected_interval_s=interval,
        )
        for name, (kind, room, role, interval) in EXTRA.items()
        if name not in without
    ]
    return base.model_copy(update={"sensors": [*base.sensors, *extra]})


class Scene:
    def __init__(
        self,
        config: HearthConfig | None = None,
        expectations: Expectations | None = None,
        zone: str = "Europe/London",
    ) -> None:
        self.config = config or rule_home(zone)
        self.zone = ZoneInfo(self.config.home.timezone)
        self.engine = RuleEngine(self.config, expectations)

    def time(self, wall: str, fold: int = 0) -> datetime:
        return datetime.fromisoformat(wall).replace(tzinfo=self.zone, fold=fold).astimezone(UTC)

    def at(self, wall: str, sensor: str, value: Value, kind: Kind | None = None) -> None:
        kind = kind or KINDS[sensor]
        if kind in (Kind.POWER, Kind.TEMPERATURE, Kind.BATTERY) and isinstance(value, int):
            value = float(value)
        self.engine.observe(Event(self.time(wall), sensor, kind, value, Source.GENERIC))

    def move(self, wall: str, sensor: str) -> None:
        """A PIR firing: on, then off 30 s later."""
        self.at(wall, sensor, True)
        off = datetime.fromisoformat(wall) + timedelta(seconds=30)
        self.at(off.isoformat(sep=" "), sensor, False)

    def busy(self, start: str, end: str, sensor: str, every_minutes: int = 5) -> None:
        moment, stop = datetime.fromisoformat(start), datetime.fromisoformat(end)
        while moment <= stop:
            self.move(moment.isoformat(sep=" "), sensor)
            moment += timedelta(minutes=every_minutes)

    def check(self, wall: str, mode: Mode = Mode.HOME) -> list[Condition]:
        return self.engine.evaluate(self.time(wall), mode)

    def rules(self, wall: str, mode: Mode = Mode.HOME) -> set[str]:
        return {condition.rule for condition in self.check(wall, mode)}

    def only(self, wall: str, rule: str, mode: Mode = Mode.HOME) -> Condition:
        """The one condition of `rule` that holds at `wall` (fails if none or several)."""
        found = [c for c in self.check(wall, mode) if c.rule == rule]
        assert len(found) == 1, found
        return found[0]


def night_then_morning(scene: Scene, day: str, *, up: str = "07:30") -> None:
    """In bed from 22:30 the evening before `day`; up at `up`, bathroom, then breakfast."""
    previous = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
    scene.busy(f"{previous} 20:00", f"{previous} 22:20", "lounge_pir", 10)
    scene.at(f"{previous} 22:30", "bed", True)
    hour, minute = (int(part) for part in up.split(":"))
    start = datetime.fromisoformat(day).replace(hour=hour, minute=minute)
    scene.at(start.isoformat(sep=" "), "bed", False)

    def later(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).isoformat(sep=" ")

    scene.move(later(2), "bath_pir")
    scene.at(later(5), "flush", True)
    scene.at(later(6), "flush", False)
    scene.busy(later(10), later(40), "kitchen_pir", 5)
    scene.at(later(15), "fridge", True)
    scene.at(later(16), "fridge", False)
