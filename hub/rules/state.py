"""The home as the rules see it now, kept up to date one event at a time.

`HomeState.observe` does a constant amount of work per event (a few dict
look-ups and comparisons), because it runs for every event the hub ingests.
It keeps only what the rules ask about: when the person last did something and
where, whether they went out, when they got up, each sensor's last report,
state, battery and temperature. Rules read it; only `observe` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from hub.config.models import HearthConfig, Role
from hub.events import Event, Kind
from hub.routine.days import local_instant
from hub.routine.layout import EXIT_ROLES, Layout, layout_of
from hub.routine.outings import DOOR_MARGIN, STRAY_EVENTS
from hub.rules.activity import activity_at, begins_action, is_pressed, state_after

# Activity outside the sleep room this long after the morning's first is "up", not a
# toilet trip; activity before MORNING belongs to the night.
UP_SUSTAINED = timedelta(minutes=15)
MORNING = time(4, 0)
# Signs inside closer together than this are one stray event (see `out`).
STRAY_APART = timedelta(minutes=1)
# A bed or chair mat occupied for less than this was the mat settling, not a person.
MAT_BLIP = timedelta(seconds=10)
# A battery reading must rise this far above the limit to count as replaced.
BATTERY_HYSTERESIS = 5.0
_SEATS = frozenset({Role.BED, Role.CHAIR})


@dataclass
class SensorState:
    """What one sensor last said."""

    last_heard: datetime | None = None
    on_since: datetime | None = None  # main kind on (motion, open, occupied) since
    offline_since: datetime | None = None
    battery: float | None = None
    battery_low_since: datetime | None = None
    temperature: float | None = None
    cold_since: datetime | None = None
    hot_since: datetime | None = None


@dataclass
class HomeState:
    """Everything the rules know about the home at the latest event."""

    config: HearthConfig
    layout: Layout = field(init=False)
    started: datetime | None = None  # the first event seen: nothing is known before it
    sensors: dict[str, SensorState] = field(init=False)
    last_activity: datetime | None = None  # any sign of the person, "I'm OK" included
    last_room: str | None = None  # the room of that sign
    room_entered: datetime | None = None  # first sign in `last_room` after one elsewhere
    last_inside: datetime | None = None  # last sign not on an outside door
    last_exit: datetime | None = None  # last use of an outside door
    inside_since_exit: int = 0  # signs inside after the door (past the door margin)
    _counted_inside: datetime | None = None  # the last of them
    up_at: datetime | None = None  # today's first activity out of the sleep room, once sustained
    _first_up: datetime | None = None  # the first activity out of the sleep room this morning
    last_outside: datetime | None = None  # the last activity begun out of the sleep room
    ok_pressed: datetime | None = None
    help_pressed: dict[str, datetime] = field(default_factory=dict)
    last_use: dict[Role, datetime] = field(default_factory=dict)  # fridge, kettle ...
    night_door_at: datetime | None = None  # outside door opened at night, not yet back

    def __post_init__(self) -> None:
        self.layout = layout_of(self.config)
        self.sensors = {sensor_id: SensorState() for sensor_id in self.layout.sensors}
        self._exits = frozenset(s.id for s in self.layout.with_role(*EXIT_ROLES))
        self._beds = frozenset(s.id for s in self.layout.with_role(Role.BED))
        self._seats = frozenset(s.id for s in self.layout.with_role(*_SEATS))
        self._occupied: set[str] = set()
        # The fridge and kettle the home has, for `appliance_unused`.
        self.appliances = [r for r in (Role.FRIDGE, Role.KETTLE) if self.layout.has_role(r)]
        self._longest_on = timedelta(hours=self.config.rules.stuck_sensor.motion_h)
        never = datetime.min.replace(tzinfo=UTC)
        self._day_cache = (never, never, never)
        # A room with kitchen appliances is a kitchen, whatever basin (its sink) it holds.
        self.bathrooms = self.layout.bathrooms - self.layout.kitchens
        self._motion: dict[str, list[str]] = {}
        for info in self.layout.sensors.values():
            if info.kind in (Kind.MOTION, Kind.PRESENCE):
                self._motion.setdefault(info.room, []).append(info.id)

    def occupied(self, now: datetime) -> list[str]:
        """Bed and chair mats occupied at `now`, less those occupied so long they are stuck."""
        stuck = timedelta(hours=self.config.rules.stuck_sensor.pressure_h)
        return [
            sensor
            for sensor in self._occupied
            if now - (self.sensors[sensor].on_since or now) < stuck
        ]

    def in_bed(self, now: datetime) -> bool:
        return any(sensor in self._beds for sensor in self.occupied(now))

    def seated(self, now: datetime) -> bool:
        """On a chair mat (a bed mat is `in_bed`)."""
        return any(sensor not in self._beds for sensor in self.occupied(now))

    def out(self, now: datetime) -> bool:
        """Gone out: an outside door was used and (almost) nothing moved inside since.

        As in `hub/routine/outings.py`: up to `STRAY_EVENTS` lone events inside
        are an empty home's noise, and an occupied bed or chair mat means someone
        is in.
        """
        return (
            self.last_exit is not None
            and self.inside_since_exit <= STRAY_EVENTS
            and not self.occupied(now)
        )

    def observe(self, event: Event) -> None:
        info = self.layout.sensors.get(event.sensor)
        if info is None:
            return
        if self.started is None:
            self.started = event.time
        sensor = self.sensors[event.sensor]
        sensor.last_heard = event.time
        if event.kind is Kind.AVAILABILITY:
            self._availability(sensor, event)
            return
        if event.kind is Kind.BATTERY and isinstance(event.value, float):
            self._battery(sensor, event.time, event.value)
            return
        if event.kind is Kind.TEMPERATURE and isinstance(event.value, float):
            self._temperature(sensor, event.time, event.value)
        if event.kind is not info.kind:
            return
        sensor.offline_since = None  # a reading means it is online
        acted = activity_at(event, info, sensor.on_since, self._longest_on)
        self._track_state(sensor, event, info.role)
        if info.role is Role.OK_BUTTON and is_pressed(event):
            self.ok_pressed = event.time
            self.help_pressed.clear()  # the resident says they are fine
        if info.role is Role.HELP_BUTTON and is_pressed(event):
            self.help_pressed.setdefault(event.sensor, event.time)
        if acted is not None:
            # An "off" only says how long the last action lasted; where the person is
            # now follows the newest action begun (a flush ending after they sat down).
            began = begins_action(event, info)
            self._acted(acted, event, info.room, began=began)

    def _track_state(self, sensor: SensorState, event: Event, role: Role) -> None:
        state = state_after(event)
        if state is None:
            if is_pressed(event):
                self.last_use[role] = event.time
            return
        if state and sensor.on_since is None:
            sensor.on_since = event.time
            self.last_use[role] = event.time
            if event.sensor in self._seats:
                self._occupied.add(event.sensor)
        elif not state:
            if (
                event.sensor in self._seats
                and sensor.on_since is not None
                and event.time - sensor.on_since < MAT_BLIP
                and self._counted_inside == sensor.on_since
                and self.inside_since_exit > 0
            ):
                # Nobody sat down: a mat "occupied" for a second or two is the mat
                # settling (seen for days in van Kasteren house C), not someone home.
                self.inside_since_exit -= 1
            sensor.on_since = None
            self._occupied.discard(event.sensor)

    def _acted(self, moment: datetime, event: Event, room: str, *, began: bool) -> None:
        if self.last_activity is None or moment >= self.last_activity:
            self.last_activity = moment
        if began and room != self.last_room:
            self.room_entered, self.last_room = moment, room
        if event.sensor in self._exits:
            self._door(event)
        elif began:  # a sensor going quiet after the person left is not a sign they are in
            self._inside(moment)
        if began:
            self._towards_up(moment, room)

    def _door(self, event: Event) -> None:
        # Coming home at night is not a night exit: only an opening from inside counts.
        was_out = self.out(event.time)
        self.last_exit = event.time
        self.inside_since_exit = 0
        self._counted_inside = None
        if (
            self.night_door_at is None
            and not was_out
            and state_after(event) is True
            and self.config.rules.night_exit.night.contains(
                event.time.astimezone(self.layout.zone).time()
            )
        ):
            self.night_door_at = event.time

    def _inside(self, moment: datetime) -> None:
        self.last_inside = moment if self.last_inside is None else max(self.last_inside, moment)
        # Seen leaving by the hall sensor just after the door is not being back in.
        if self.last_exit is not None and moment > self.last_exit + DOOR_MARGIN:
            # A contact chattering for a few seconds is one stray event, not a person back.
            counted = self._counted_inside
            if counted is None or moment - counted >= STRAY_APART:
                self.inside_since_exit += 1
                self._counted_inside = moment
            if self.night_door_at is not None and moment > self.night_door_at + DOOR_MARGIN:
                self.night_door_at = None

    def _towards_up(self, moment: datetime, room: str) -> None:
        if room == self.layout.sleep_room:
            return
        self.last_outside = moment
        morning = self._morning_of(moment)
        if moment < morning:
            return  # a night-time trip; the morning starts at MORNING
        if self._first_up is None or self._first_up < morning:
            self._first_up = moment
        elif moment - self._first_up >= UP_SUSTAINED:
            self.up_at = self._first_up

    def _morning_of(self, moment: datetime) -> datetime:
        """MORNING on the local date of `moment`, cached per date: zone arithmetic is the
        dearest step of `observe`."""
        start, end, morning = self._day_cache
        if not start <= moment < end:
            zone = self.layout.zone
            day = moment.astimezone(zone).date()
            start = local_instant(day, time(0), zone)
            end = local_instant(day + timedelta(days=1), time(0), zone)
            morning = local_instant(day, MORNING, zone)
            self._day_cache = (start, end, morning)
        return morning

    def up_since(self, morning: datetime, deadline: datetime, now: datetime) -> bool:
        """Up since `morning`: activity out of the sleep room lasting `UP_SUSTAINED`, any
        after `deadline` (a late riser, or a sign of life once the alert is out), an "I'm OK"
        press, or the person is out of the sleep room right now (getting up)."""
        for sign, since in (
            (self.up_at, morning),
            (self.ok_pressed, morning),
            (self.last_outside, deadline),
        ):
            if sign is not None and sign >= since:
                return True
        last = self.last_activity
        return (
            last is not None
            and last >= morning
            and self.last_room != self.layout.sleep_room
            and not self.in_bed(now)
        )

    def in_bathroom(self, now: datetime) -> bool:
        """Last seen in a bathroom, and not sitting on a bed or chair mat elsewhere."""
        return self.last_room in self.bathrooms and not self.occupied(now)

    def moving_in(self, rooms: frozenset[str], now: datetime, stuck_after: timedelta) -> bool:
        """A motion or presence sensor in `rooms` says "moving" now, and not for so long
        that it is stuck."""
        for sensor_id in (s for room in rooms for s in self._motion.get(room, ())):
            since = self.sensors[sensor_id].on_since
            if since is not None and now - since < stuck_after:
                return True
        return False

    def _availability(self, sensor: SensorState, event: Event) -> None:
        if event.value is False:
            if sensor.offline_since is None:
                sensor.offline_since = event.time
        else:
            sensor.offline_since = None

    def _battery(self, sensor: SensorState, moment: datetime, value: float) -> None:
        low = self.config.rules.low_battery.below_percent
        sensor.battery = value
        if value < low:
            if sensor.battery_low_since is None:
                sensor.battery_low_since = moment
        elif value >= low + BATTERY_HYSTERESIS:
            # Readings wobble around the limit; only a clearly better one (a new battery) clears.
            sensor.battery_low_since = None

    def _temperature(self, sensor: SensorState, moment: datetime, value: float) -> None:
        limits = self.config.rules.temperature
        sensor.temperature = value
        sensor.cold_since = (sensor.cold_since or moment) if value < limits.cold_c else None
        sensor.hot_since = (sensor.hot_since or moment) if value > limits.hot_c else None
