"""The moments of the person's day that relative doses follow, found live, one event at a time.

- **Getting up**: the first sign of the person outside the sleep room after
  `MORNING` that is *sustained*: another sign outside it at least `SUSTAINED`
  later, with no quiet gap of `BACK_TO_BED` or more in between. A toilet trip
  at 05:00 followed by two more hours in bed is therefore not getting up: the
  long gap starts a new candidate. This is the live counterpart of the routine
  engine's `time_up` (`hub/routine/sleep.py`), which looks back over the whole
  night; `tests/reminders/test_anchor_dataset_homes.py` measures how often
  they agree on the dataset homes. With a bed mat, the moment is leaving the
  bed when that came at most `LEFT_BED_BEFORE` before the first sign outside
  the sleep room. It is known `SUSTAINED` after the moment
  itself, so "on getting up" is reminded about a quarter of an hour late.
- **Breakfast**: the first kitchen activity at or after getting up (before
  `MORNING_ENDS`).
- **Evening meal**: the first kitchen activity in the dinner window (16:00 to
  23:00, `hub/routine/kitchen.py`) that is followed by more kitchen activity
  within `MEAL_CONFIRMS` (passing through the kitchen is not cooking).

Each moment is found at most once per local date. What counts as a sign of
the person is the routine engine's reading: movement-like sensors turning on,
doors and mats changing, buttons pressed; a fridge's own compressor is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hub.config.medication import Anchor
from hub.config.models import Role
from hub.events import Event, Kind
from hub.routine.kitchen import MEAL_WINDOWS
from hub.routine.layout import KITCHEN_ROLES, Layout, SensorInfo
from hub.routine.timeline import APPLIANCE_ON_WATTS

MORNING = time(4, 0)  # signs before this belong to the night
MORNING_ENDS = time(14, 0)  # the routine's night window ends here: no getting up after it
SUSTAINED = timedelta(minutes=15)
BACK_TO_BED = timedelta(minutes=45)  # the routine's longest night-time gap
MEAL_CONFIRMS = timedelta(minutes=30)
LEFT_BED_BEFORE = timedelta(minutes=10)
KEEP_DAYS = timedelta(days=31)  # days of moments kept: the usual times need the last 14
_SAME_MOMENT = timedelta(minutes=1)  # kitchen signs closer than this are one action
_SELF_SWITCHING = frozenset({Role.FRIDGE, Role.FREEZER})


def is_sign_of_person(event: Event, info: SensorInfo) -> bool:
    """True when `event` shows the person doing something (see the module's docstring)."""
    if event.kind is not info.kind:
        return False  # a battery or temperature report is the device talking
    if event.kind in (Kind.MOTION, Kind.PRESENCE, Kind.SWITCH, Kind.FLUSH):
        return event.value is True
    if event.kind is Kind.POWER:
        above = isinstance(event.value, float) and event.value > APPLIANCE_ON_WATTS
        return above and info.role not in _SELF_SWITCHING
    if event.kind in (Kind.CONTACT, Kind.PRESSURE):
        return True  # opening or closing, sitting down or getting up
    if event.kind is Kind.BUTTON:
        return event.value != ""  # Zigbee2MQTT's empty reset after a press
    return event.kind is Kind.MEDICATION


@dataclass
class _Day:
    """What has been found on one local date so far."""

    date: date
    found: dict[Anchor, datetime] = field(default_factory=dict)
    known_at: dict[Anchor, datetime] = field(default_factory=dict)  # when each was confirmed
    candidate: datetime | None = None  # first sign outside the sleep room of this try
    left_bed: datetime | None = None  # the bed mat's last "empty"
    last_outside: datetime | None = None
    kitchen_since_candidate: datetime | None = None
    meal_start: datetime | None = None  # first kitchen sign in the dinner window, unconfirmed


class DayMoments:
    """Getting up, breakfast and the evening meal of the current local date, found live."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._day: _Day | None = None
        self.history: dict[date, dict[Anchor, datetime]] = {}  # every date seen, for "usual"
        self.known: dict[date, dict[Anchor, datetime]] = {}  # when each moment was confirmed

    def found(self, day: date) -> dict[Anchor, datetime]:
        """The moments found on local date `day` (UTC times)."""
        return self.history.get(day, {})

    def pending(self, day: date, anchor: Anchor, now: datetime) -> bool:
        """True when `anchor` may be about to be confirmed on `day` (so a fallback should wait):
        the person was seen outside the sleep room within `SUSTAINED` of a getting-up
        candidate, or the evening meal has begun and is not yet confirmed."""
        current = self._day
        if current is None or current.date != day or anchor in current.found:
            return False
        if anchor is Anchor.EVENING_MEAL:
            start = current.meal_start
            return start is not None and now - start <= MEAL_CONFIRMS
        last = current.last_outside
        waiting_up = Anchor.GETTING_UP not in current.found
        return (
            waiting_up
            and current.candidate is not None
            and last is not None
            and (now - last < SUSTAINED)
        )

    def observe(self, event: Event) -> None:
        info = self.layout.sensors.get(event.sensor)
        if info is None or not is_sign_of_person(event, info):
            return
        local = event.time.astimezone(self.layout.zone)
        if self._day is None or self._day.date != local.date():
            self._day = _Day(local.date())
            self.history[local.date()] = self._day.found
            self.known[local.date()] = self._day.known_at
            for old in [day for day in self.history if day < local.date() - KEEP_DAYS]:
                del self.history[old], self.known[old]
        day = self._day
        kitchen = info.room in self.layout.kitchens or info.role in KITCHEN_ROLES
        if info.role is Role.BED and event.value is False:
            day.left_bed = event.time
        if MORNING <= local.time() < MORNING_ENDS:
            self._towards_up(day, event.time, info.room, kitchen=kitchen)
        if kitchen:
            self._towards_meals(day, event.time, local.time())

    def _towards_up(self, day: _Day, moment: datetime, room: str, *, kitchen: bool) -> None:
        if Anchor.GETTING_UP in day.found:
            return
        if room == self.layout.sleep_room:
            return
        last = day.last_outside
        if day.candidate is None or last is None or moment - last >= BACK_TO_BED:
            # With a bed mat, getting up is leaving the bed just before (as the routine says).
            left = day.left_bed
            recent = left is not None and timedelta(0) <= moment - left <= LEFT_BED_BEFORE
            day.candidate = left if recent and left is not None else moment
            day.kitchen_since_candidate = None
        elif moment - day.candidate >= SUSTAINED:
            self._found(day, Anchor.GETTING_UP, day.candidate, moment)
            if day.kitchen_since_candidate is not None:
                self._found(day, Anchor.BREAKFAST, day.kitchen_since_candidate, moment)
        day.last_outside = moment
        if kitchen and day.kitchen_since_candidate is None:
            day.kitchen_since_candidate = moment

    def _towards_meals(self, day: _Day, moment: datetime, wall: time) -> None:
        if (
            Anchor.GETTING_UP in day.found
            and Anchor.BREAKFAST not in day.found
            and wall < MORNING_ENDS
        ):
            self._found(day, Anchor.BREAKFAST, moment, moment)
        low, high = MEAL_WINDOWS["dinner"]
        if Anchor.EVENING_MEAL in day.found or not low <= wall < high:
            return
        start = day.meal_start
        if start is None or moment - start > MEAL_CONFIRMS:
            day.meal_start = moment
        elif moment - start >= _SAME_MOMENT:
            self._found(day, Anchor.EVENING_MEAL, start, moment)

    @staticmethod
    def _found(day: _Day, anchor: Anchor, moment: datetime, confirmed: datetime) -> None:
        day.found[anchor] = moment
        day.known_at[anchor] = confirmed
