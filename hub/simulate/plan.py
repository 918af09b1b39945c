"""The day plan: where the person is, what they do and touch, from getting up to getting up.

One plan covers the local date D from the person's getting up on D to their
getting up on D+1, so that the night belongs to the evening before it, as
people live it. It is built in three passes, all drawn from random streams
keyed by (seed, date, purpose), so a day is the same whichever days are
simulated around it:

1. anchors on the wall clock: time up, meals, outings, a visit, toilet visits,
   snacks and short trips, bedtime; each drawn around the profile's figure with
   its day-to-day spread, and converted to UTC in the home's zone (so a 07:45
   time up stays 07:45 across a clock change);
2. the person's stays, laid end to end from time up: each appointment starts at
   its anchor or when the previous one ends, whichever is later, and the gaps
   are spent seated in the living room;
3. the night: in bed from bedtime to the next time up, broken by toilet visits
   and, on some nights, a walk to the front door.

The plan knows places (bedroom, kitchen ...) and roles (fridge, kettle ...),
never sensor ids: `sensors.py` turns it into a home's events.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hub.config.models import Role
from hub.simulate.profile import Meal, Profile

MINUTE = timedelta(minutes=1)
# Night-time trips are kept this far apart, so that each counts as its own
# (the features join activity closer than 10 minutes into one visit).
NIGHT_TRIP_GAP = timedelta(minutes=12)
SHORTEST_SLEEP = timedelta(hours=4)


class Place(StrEnum):
    BEDROOM = "bedroom"
    BATHROOM = "bathroom"
    KITCHEN = "kitchen"
    LIVING = "living"
    HALL = "hall"
    OUT = "out"


class Doing(StrEnum):
    SLEEP = "sleep"  # in bed: the bed mat is pressed, nothing moves
    BUSY = "busy"  # on the move: the room's motion sensor sees it throughout
    SEATED = "seated"  # in the chair: the chair mat is pressed, now and then a movement
    OUT = "out"  # not at home


class Who(StrEnum):
    PERSON = "person"
    VISITOR = "visitor"


@dataclass(frozen=True, slots=True)
class Stay:
    start: datetime  # UTC
    end: datetime
    place: Place
    doing: Doing
    who: Who = Who.PERSON


@dataclass(frozen=True, slots=True)
class Touch:
    """An appliance, door or pill box used at `time` for `seconds` (its sensor's role)."""

    time: datetime
    role: Role
    seconds: float


@dataclass(frozen=True, slots=True)
class PetMove:
    """The pet seen moving at `time` for `seconds`, in the `pick`-th of the pet's rooms."""

    time: datetime
    seconds: float
    pick: int


@dataclass(frozen=True)
class DayPlan:
    date: date
    start: datetime  # UTC: getting up on `date`
    end: datetime  # UTC: getting up on the next date
    stays: list[Stay]
    touches: list[Touch]
    pet: list[PetMove]
    visitors: bool  # a visitor came
    night_door: bool  # the front door was opened in the night that ends this plan
    seated_every_s: float  # mean time between movements seen while seated


def stream(seed: int, day: date, purpose: str) -> random.Random:
    """The random stream of one purpose on one day (string seeds are hashed with SHA-512)."""
    return random.Random(f"{seed}/{day.isoformat()}/{purpose}")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def wall(day: date, minutes: float, zone: ZoneInfo) -> datetime:
    """UTC instant at which the home's clock reads `minutes` past midnight starting `day`.

    Minutes may pass 1440 (after midnight). Counted on the wall clock, so
    07:45 is 07:45 on the days the clocks change; a wall time the clocks skip
    takes the offset before the change (fold=0), as `hub.routine.days` does.
    """
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute


def _weekend(day: date) -> bool:
    return day.weekday() >= 5


def _drawn(rng: random.Random, mean: float, spread: float) -> float:
    """A normal draw cut at three spreads: no 03:00 breakfast from a long tail."""
    return mean + max(-3.0, min(3.0, rng.gauss(0.0, 1.0))) * spread


def wake_time(day: date, profile: Profile, zone: ZoneInfo, seed: int) -> datetime:
    """When the person gets out of bed on `day` (UTC)."""
    rng = stream(seed, day, "wake")
    mean = _minutes(profile.wake) + (profile.weekend_later_min if _weekend(day) else 0.0)
    return wall(day, _drawn(rng, mean, profile.wake_spread_min), zone)


def bedtime(day: date, profile: Profile, zone: ZoneInfo, seed: int) -> datetime:
    """When the person gets into bed on the evening of `day` (UTC); may be after midnight."""
    rng = stream(seed, day, "bedtime")
    mean = _minutes(profile.bedtime)
    if mean < 12 * 60:
        mean += 24 * 60  # an 00:45 bedtime is the next calendar day's
    # Friday and Saturday evenings run late, before the weekend's lie-ins.
    if day.weekday() in (4, 5):
        mean += profile.weekend_later_min
    return wall(day, _drawn(rng, mean, profile.bedtime_spread_min), zone)


@dataclass(order=True)
class _Appointment:
    anchor: datetime
    order: int
    kind: str = field(compare=False)
    minutes: float = field(compare=False, default=0.0)
    meal: str = field(compare=False, default="")


class _Builder:
    """Lays stays end to end from a cursor; every `stay` call starts where the last ended."""

    def __init__(self, start: datetime, profile: Profile, rng: random.Random) -> None:
        self.cursor = start
        self.profile = profile
        self.rng = rng
        self.stays: list[Stay] = []
        self.touches: list[Touch] = []

    def stay(self, place: Place, doing: Doing, minutes: float) -> tuple[datetime, datetime]:
        start = self.cursor
        self.cursor = start + max(minutes, 0.25) * MINUTE
        self.stays.append(Stay(start, self.cursor, place, doing))
        return start, self.cursor

    def busy(self, place: Place, low: float, high: float) -> tuple[datetime, datetime]:
        """Busy in `place` for a uniform low..high minutes, scaled by the activity level."""
        minutes = self.rng.uniform(low, high) * max(self.profile.activity, 0.1)
        return self.stay(place, Doing.BUSY, minutes)

    def seated_until(self, moment: datetime) -> None:
        if moment > self.cursor + MINUTE:
            self.stay(Place.LIVING, Doing.SEATED, (moment - self.cursor) / MINUTE)

    def touch(self, moment: datetime, role: Role, low: float, high: float) -> None:
        self.touches.append(Touch(moment, role, self.rng.uniform(low, high)))

    def toilet(self, low: float = 3, high: float = 7) -> None:
        start, end = self.busy(Place.BATHROOM, low, high)
        self.touch(max(start, end - 0.5 * MINUTE), Role.TOILET, 6, 12)


def plan_day(
    day: date,
    profile: Profile,
    next_wake: datetime,
    zone: ZoneInfo,
    seed: int,
) -> DayPlan:
    """The plan of local date `day` for `profile`, up to the getting up at `next_wake`."""
    rng = stream(seed, day, "day")
    start = wake_time(day, profile, zone, seed)
    build = _Builder(start, profile, rng)
    # Getting up: out of the bedroom, the bathroom, back to dress.
    build.busy(Place.BEDROOM, 1, 3)
    build.toilet(4, 10)
    build.busy(Place.BEDROOM, 3, 8)
    to_bed = min(bedtime(day, profile, zone, seed), next_wake - SHORTEST_SLEEP)
    to_bed = max(to_bed, build.cursor + 4 * 60 * MINUTE)
    appointments = _appointments(
        day, profile=profile, zone=zone, rng=rng, start=start, to_bed=to_bed
    )
    visitor_stays = _walk(build, appointments, to_bed)
    # The evening: a last visit to the bathroom and the bedroom, timed to be in bed at `to_bed`.
    washing = rng.uniform(4, 8) * max(profile.activity, 0.1)
    undressing = rng.uniform(2, 5) * max(profile.activity, 0.1)
    build.seated_until(to_bed - (washing + undressing) * MINUTE)
    wash_start, wash_end = build.stay(Place.BATHROOM, Doing.BUSY, washing)
    build.touch(max(wash_start, wash_end - 0.5 * MINUTE), Role.TOILET, 6, 12)
    build.stay(Place.BEDROOM, Doing.BUSY, undressing)
    night_door = _night(build, day, zone=zone, seed=seed, next_wake=next_wake)
    stays = sorted(build.stays + visitor_stays, key=lambda s: s.start)
    pet = [
        PetMove(start + (next_wake - start) * rng.random(), rng.uniform(20, 90), rng.randrange(64))
        for _ in range(poisson(rng, profile.pet.trips_per_day))
    ]
    return DayPlan(
        date=day,
        start=start,
        end=next_wake,
        stays=stays,
        touches=sorted(build.touches, key=lambda t: t.time),
        pet=sorted(pet, key=lambda p: p.time),
        visitors=bool(visitor_stays),
        night_door=night_door,
        seated_every_s=profile.seated_motion_every_min * 60 / max(profile.activity, 0.05),
    )


def _appointments(
    day: date,
    *,
    profile: Profile,
    zone: ZoneInfo,
    rng: random.Random,
    start: datetime,
    to_bed: datetime,
) -> list[_Appointment]:
    out: list[_Appointment] = []

    def add(anchor: datetime, kind: str, minutes: float = 0.0, meal: str = "") -> None:
        out.append(_Appointment(anchor, len(out), kind, minutes, meal))

    def uniform_wall(low: time, high: time) -> datetime:
        return wall(day, rng.uniform(_minutes(low), max(_minutes(low), _minutes(high))), zone)

    for name in ("breakfast", "lunch", "dinner"):
        meal: Meal = profile.meal(name)
        if rng.random() < meal.skip:
            continue
        if meal.at is None:
            anchor = start + _drawn(rng, meal.after_wake_min, meal.spread_min / 2) * MINUTE
        else:
            anchor = wall(day, _drawn(rng, _minutes(meal.at), meal.spread_min), zone)
        add(anchor, "meal", _drawn(rng, meal.minutes, meal.minutes / 4), name)
    for _ in range(poisson(rng, profile.outings.per_day)):
        length = max(15.0, _drawn(rng, profile.outings.minutes, profile.outings.spread_min))
        add(uniform_wall(profile.outings.earliest, profile.outings.latest), "outing", length)
    if rng.random() < profile.visitors.days_per_week / 7:
        length = max(30.0, _drawn(rng, profile.visitors.minutes, profile.visitors.minutes / 4))
        add(uniform_wall(profile.visitors.earliest, profile.visitors.latest), "visit", length)
    awake = (to_bed - start) / MINUTE
    counted = (
        ("toilet", profile.day_toilet),
        ("snack", profile.snacks * profile.kitchen),
        ("trip", profile.trips * profile.activity),
    )
    for kind, mean in counted:
        for _ in range(poisson(rng, mean)):
            add(start + rng.uniform(60, max(60.0, awake - 30)) * MINUTE, kind)
    return out


def _walk(build: _Builder, appointments: list[_Appointment], to_bed: datetime) -> list[Stay]:
    """Carry out the appointments in time order; returns the visitor's stays."""
    profile, rng = build.profile, build.rng
    queue = list(appointments)
    heapq.heapify(queue)
    visitor: list[Stay] = []
    order = len(queue)
    while queue:
        item = heapq.heappop(queue)
        if max(item.anchor, build.cursor) > to_bed - 30 * MINUTE:
            continue  # too late today: the evening routine comes first
        build.seated_until(item.anchor)
        if item.kind == "meal":
            for late in _meal(build, item.meal, item.minutes):
                order += 1
                heapq.heappush(queue, _Appointment(late, order, "dose"))
        elif item.kind == "dose":
            build.busy(Place.KITCHEN, 1, 2)
            build.touch(build.cursor - 0.5 * MINUTE, Role.PILLBOX, 5, 20)
        elif item.kind == "outing":
            _outing(build, item.minutes)
        elif item.kind == "visit":
            visitor += _visit(build, item.minutes)
        elif item.kind == "toilet":
            build.toilet()
        elif item.kind == "snack":
            kitchen_start, _ = build.busy(Place.KITCHEN, 1, 4)
            if rng.random() < 0.5:
                build.touch(kitchen_start + 0.3 * MINUTE, Role.FRIDGE, 5, 25)
            if rng.random() < 0.3 * profile.kitchen:
                build.touch(kitchen_start + 0.2 * MINUTE, Role.KETTLE, 100, 180)
        elif item.kind == "trip":
            build.busy(Place.BEDROOM if rng.random() < 0.6 else Place.HALL, 1, 3)
    return visitor


def _meal(build: _Builder, name: str, minutes: float) -> list[datetime]:
    """A meal in the kitchen; returns the times of doses taken late, after it."""
    profile, rng = build.profile, build.rng
    meal = profile.meal(name)
    scale = profile.kitchen * max(profile.activity, 0.1)
    start, end = build.stay(Place.KITCHEN, Doing.BUSY, max(minutes * scale, 1.0))

    def during() -> datetime:
        return start + (end - start) * rng.uniform(0.05, 0.9)

    for _ in range(poisson(rng, meal.fridge_opens * profile.kitchen)):
        build.touch(during(), Role.FRIDGE, 8, 40)
    if rng.random() < min(1.0, meal.kettle * profile.kitchen):
        build.touch(start + 0.5 * MINUTE, Role.KETTLE, 110, 200)
    for _ in range(poisson(rng, 1.2 * profile.kitchen)):
        build.touch(during(), Role.CUPBOARD, 4, 20)
    cooking = {"breakfast": Role.TOASTER, "lunch": Role.MICROWAVE, "dinner": Role.COOKER}[name]
    if rng.random() < 0.6 * min(1.0, profile.kitchen):
        build.touch(start + 1.0 * MINUTE, cooking, 60, min(900.0, (end - start) / 2 / MINUTE * 60))
    late: list[datetime] = []
    if name in profile.medication.with_meals and rng.random() >= profile.medication.missed:
        if rng.random() < profile.medication.late:
            late.append(end + rng.expovariate(1 / profile.medication.late_min) * MINUTE)
        else:
            build.touch(during(), Role.PILLBOX, 5, 20)
    return late


def _outing(build: _Builder, minutes: float) -> None:
    rng = build.rng
    _, hall_end = build.busy(Place.HALL, 1, 2)
    build.touch(hall_end - rng.uniform(10, 25) / 60 * MINUTE, Role.FRONT_DOOR, 4, 12)
    build.stay(Place.OUT, Doing.OUT, minutes)
    # Coming back: the door opens the moment the person is back in the hall.
    back, _ = build.busy(Place.HALL, 1, 2)
    build.touch(back + 2.0 / 60 * MINUTE, Role.FRONT_DOOR, 4, 12)


def _visit(build: _Builder, minutes: float) -> list[Stay]:
    """A visitor: let in at the front door, seated together, their own trips while the
    person stays put (two distant rooms busy at once), let out again."""
    rng, profile = build.rng, build.profile
    arrive, _ = build.busy(Place.HALL, 1, 2)
    build.touch(arrive + 0.2 * MINUTE, Role.FRONT_DOOR, 5, 15)
    begin = build.cursor
    until = begin + minutes * MINUTE
    visitor = [Stay(arrive, begin, Place.HALL, Doing.BUSY, Who.VISITOR)]
    trips = sorted(
        begin + rng.uniform(5, max(5.0, minutes - 10)) * MINUTE
        for _ in range(poisson(rng, profile.visitors.trips))
    )
    seat_from = begin
    for trip in trips:
        if trip < seat_from:
            continue
        place = Place.KITCHEN if rng.random() < 0.65 else Place.BATHROOM
        length = rng.uniform(3, 7)
        trip_end = trip + length * MINUTE
        visitor.append(Stay(seat_from, trip, Place.LIVING, Doing.SEATED, Who.VISITOR))
        visitor.append(Stay(trip, trip_end, place, Doing.BUSY, Who.VISITOR))
        if place is Place.KITCHEN:
            build.touch(trip + 0.5 * MINUTE, Role.KETTLE, 110, 200)
            build.touch(trip + 1.5 * MINUTE, Role.FRIDGE, 8, 30)
        else:
            build.touch(trip_end - 0.5 * MINUTE, Role.TOILET, 6, 12)
        # The person, still in the living room, moves while the visitor is away.
        build.seated_until(trip + 1 * MINUTE)
        build.stay(Place.LIVING, Doing.BUSY, rng.uniform(1.5, 3))
        seat_from = trip_end
    build.seated_until(until)
    visitor.append(Stay(seat_from, build.cursor, Place.LIVING, Doing.SEATED, Who.VISITOR))
    leave, leave_end = build.busy(Place.HALL, 1, 2)
    visitor.append(Stay(leave, leave_end, Place.HALL, Doing.BUSY, Who.VISITOR))
    build.touch(leave + 0.3 * MINUTE, Role.FRONT_DOOR, 5, 15)
    return visitor


def _night(build: _Builder, day: date, *, zone: ZoneInfo, seed: int, next_wake: datetime) -> bool:
    """In bed until `next_wake`, with the night's trips; True when the front door was opened."""
    profile = build.profile
    rng = stream(seed, day, "night")
    asleep = build.cursor
    span = (next_wake - asleep) / MINUTE
    trips = [
        (asleep + rng.uniform(30, max(30.0, span - 25)) * MINUTE, "toilet")
        for _ in range(poisson(rng, profile.night_toilet))
    ]
    door_night = rng.random() < profile.night_door_per_week / 7
    night_door = False
    if door_night:
        door_at = wall(day, rng.uniform(25 * 60, 28 * 60), zone)  # 01:00-04:00
        door_at = min(max(door_at, asleep + 20 * MINUTE), next_wake - 30 * MINUTE)
        trips.append((door_at, "door"))
    for moment, what in sorted(trips):
        begin = max(moment, build.cursor + NIGHT_TRIP_GAP)
        if begin > next_wake - 20 * MINUTE:
            continue
        build.stay(Place.BEDROOM, Doing.SLEEP, (begin - build.cursor) / MINUTE)
        build.stay(Place.BEDROOM, Doing.BUSY, rng.uniform(0.5, 1.5))
        if what == "toilet":
            build.toilet(2, 5)
        else:
            night_door = True
            _, hall_end = build.stay(Place.HALL, Doing.BUSY, rng.uniform(2, 5))
            build.touch(hall_end - 1.5 * MINUTE, Role.FRONT_DOOR, 10, 40)
        build.stay(Place.BEDROOM, Doing.BUSY, rng.uniform(0.5, 1.5))
    if next_wake > build.cursor:
        build.stay(Place.BEDROOM, Doing.SLEEP, (next_wake - build.cursor) / MINUTE)
    return night_door
