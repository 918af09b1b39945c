"""The sensor model: what a home's configured sensors report about a day plan.

Places of the plan are the home's rooms, found from the config as the routine
engine finds them (`hub.routine.layout`): the bedroom holds the bed, the
kitchen the fridge, the living room the chair, the hall the front door. A
place the home has no room for, or a room without a sensor, reports nothing,
as in a real home. What each kind of sensor says:

- **motion / presence** (role `room`): busy in the room, the sensor is on in
  stretches of one to three minutes with short lapses (a PIR clears when the
  person stands still); seated, it sees a movement now and then; asleep,
  nothing. The person, a visitor and the pet are all seen; overlapping
  sightings make one "on" stretch, never an ON twice.
- **pressure** (bed, chair): pressed from the start to the end of the stay
  (in bed asleep, seated in the chair).
- **appliances, doors, flush, pill box**: a touch of the plan turns every
  sensor of that role on for its seconds: contact opens then closes, a power
  plug draws watts then falls to standby, a medication sensor says "taken".

Faults come last (`faults.py`). Values are what the live hub would store
(the config's `invert` is already undone), and each event's source is the
sensor's configured producer.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.config.models import HearthConfig, Role, Sensor
from hub.events import Event, Kind, Source
from hub.routine.layout import layout_of
from hub.simulate.plan import DayPlan, Doing, Place, Stay, Who, stream

SECOND = timedelta(seconds=1)
WATTS_ON = {Role.KETTLE: 2200.0, Role.COOKER: 1500.0, Role.MICROWAVE: 900.0}
WATTS_STANDBY = 0.4
_MOVEMENT = frozenset({Kind.MOTION, Kind.PRESENCE})


class HomeError(ValueError):
    """The config cannot be simulated (no sensors, a pet room that is not in it)."""


@dataclass(frozen=True)
class Home:
    """The config's rooms for each place and its sensors by room and role."""

    rooms: dict[Place, str]
    motion_by_room: dict[str, list[Sensor]]
    by_role: dict[Role, list[Sensor]]
    pet_rooms: list[str]
    sensors: list[Sensor]


def home_of(config: HearthConfig, pet_rooms: Iterable[str] = ()) -> Home:
    """Where each place is in this home; HomeError when it has no sensor to simulate."""
    if not config.sensors:
        raise HomeError(f"home {config.home.id!r} has no sensors to simulate")
    layout = layout_of(config)

    def room_of(*roles: Role) -> str | None:
        return next((s.room for s in config.sensors if s.role in roles), None)

    def named(*words: str) -> str | None:
        rooms = [r.id for r in config.rooms if any(w in f"{r.id} {r.name}".lower() for w in words)]
        return rooms[0] if rooms else None

    found: dict[Place, str | None] = {
        Place.BEDROOM: layout.sleep_room,
        Place.BATHROOM: room_of(Role.TOILET) or min(layout.bathrooms, default=None),
        Place.KITCHEN: room_of(Role.FRIDGE, Role.KETTLE) or min(layout.kitchens, default=None),
        Place.LIVING: room_of(Role.CHAIR, Role.TV) or named("living", "lounge", "sitting"),
        Place.HALL: room_of(Role.FRONT_DOOR, Role.BACK_DOOR) or named("hall", "entr"),
    }
    rooms = {place: room for place, room in found.items() if room is not None}
    motion: dict[str, list[Sensor]] = defaultdict(list)
    by_role: dict[Role, list[Sensor]] = defaultdict(list)
    for sensor in config.sensors:
        if sensor.kind in _MOVEMENT and sensor.role is Role.ROOM:
            motion[sensor.room].append(sensor)
        else:
            by_role[sensor.role].append(sensor)
    known = {room.id for room in config.rooms}
    chosen = list(pet_rooms)
    unknown = [room for room in chosen if room not in known]
    if unknown:
        raise HomeError(
            f"pet.rooms: {unknown[0]!r} is not a room of home {config.home.id!r} "
            f"(rooms: {', '.join(sorted(known))})"
        )
    if not chosen:
        private = {layout.sleep_room, *layout.bathrooms}
        chosen = [room for room in sorted(motion) if room not in private]
    return Home(rooms, dict(motion), dict(by_role), chosen, list(config.sensors))


def plan_events(plan: DayPlan, home: Home, seed: int) -> list[Event]:
    """Every reading the home's sensors send about `plan`, in time order."""
    rng = stream(seed, plan.date, "sensors")
    out: list[Event] = []
    seen: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for stay in plan.stays:
        room = home.rooms.get(stay.place)
        if room is None:
            continue
        seen[room] += _sightings(stay, rng, plan.seated_every_s)
        if stay.who is Who.PERSON:
            out += _pressed(stay, home)
    for move in plan.pet:
        if home.pet_rooms:
            room = home.pet_rooms[move.pick % len(home.pet_rooms)]
            seen[room].append((move.time, move.time + move.seconds * SECOND))
    for room, stretches in seen.items():
        for sensor in home.motion_by_room.get(room, []):
            for start, end in _merged(stretches):
                out.append(_event(sensor, start, True))
                out.append(_event(sensor, end, False))
    for touch in plan.touches:
        for sensor in home.by_role.get(touch.role, []):
            out += _used(sensor, touch.role, touch.time, touch.seconds)
    out.sort(key=lambda event: event.time)
    return out


def _sightings(
    stay: Stay, rng: random.Random, seated_every_s: float
) -> list[tuple[datetime, datetime]]:
    """When a motion sensor in the stay's room sees movement during it."""
    if stay.doing is Doing.BUSY:
        stretches = []
        moment = stay.start
        while moment < stay.end:
            end = min(moment + rng.uniform(60, 180) * SECOND, stay.end)
            stretches.append((moment, end + 20 * SECOND))  # the PIR clears 20 s after
            moment = end + rng.uniform(15, 60) * SECOND
        return stretches
    if stay.doing is Doing.SEATED:
        every = seated_every_s
        stretches = [(stay.start, min(stay.end, stay.start + rng.uniform(40, 90) * SECOND))]
        moment = stay.start + rng.expovariate(1 / every) * SECOND
        while moment < stay.end - 60 * SECOND:
            stretches.append((moment, moment + rng.uniform(20, 120) * SECOND))
            moment += rng.expovariate(1 / every) * SECOND
        stretches.append((max(stay.start, stay.end - 40 * SECOND), stay.end))
        return stretches
    return []


def _pressed(stay: Stay, home: Home) -> list[Event]:
    role = {Doing.SLEEP: Role.BED, Doing.SEATED: Role.CHAIR}.get(stay.doing)
    place = {Role.BED: Place.BEDROOM, Role.CHAIR: Place.LIVING}
    if role is None or stay.place is not place[role]:
        return []
    out = []
    for sensor in home.by_role.get(role, []):
        if sensor.kind is Kind.PRESSURE:
            out += [_event(sensor, stay.start, True), _event(sensor, stay.end, False)]
    return out


def _used(sensor: Sensor, role: Role, start: datetime, seconds: float) -> list[Event]:
    end = start + seconds * SECOND
    if sensor.kind is Kind.POWER:
        watts = WATTS_ON.get(role, 1000.0)
        return [_event(sensor, start, watts), _event(sensor, end, WATTS_STANDBY)]
    if sensor.kind is Kind.MEDICATION:
        return [_event(sensor, start, "taken")]
    if sensor.kind in (Kind.CONTACT, Kind.SWITCH, Kind.FLUSH, Kind.MOTION, Kind.PRESENCE):
        return [_event(sensor, start, True), _event(sensor, end, False)]
    return []  # a button or a thermometer has nothing to say about a touch


def _merged(stretches: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _event(sensor: Sensor, moment: datetime, value: bool | float | str) -> Event:
    # Milliseconds, as a device or broker would stamp them.
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return Event(moment, sensor.id, sensor.kind, value, Source(sensor.match.source))
