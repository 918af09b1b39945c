"""What every rule is: a name, what it watches, how urgent, which modes pause it, a check.

A rule's `check` is a pure function of a `RuleContext` (the time, the mode,
the home's state and what is usual), returning the conditions that hold now.
The context offers the few helpers several rules need: local time, and the
sentences' words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from hub.alerts.model import Condition, Severity
from hub.config.models import HearthConfig
from hub.modes import Mode
from hub.routine.days import local_instant
from hub.routine.explain import duration
from hub.rules.expectations import Expectations
from hub.rules.state import HomeState


@dataclass(frozen=True)
class RuleContext:
    now: datetime  # UTC, event time
    mode: Mode
    config: HearthConfig
    state: HomeState
    expected: Expectations

    @property
    def zone(self) -> ZoneInfo:
        return self.state.layout.zone

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    @cached_property
    def today(self) -> date:
        """The home's local date at `now` (worked out once per evaluation)."""
        return self.local(self.now).date()

    def today_at(self, wall: time) -> datetime:
        """The UTC instant of local wall time `wall` on today's local date."""
        return local_instant(self.today, wall, self.zone)

    def clock(self, moment: datetime) -> str:
        """A moment as the home's wall clock shows it: "13:05" today, else "yesterday at 18:07"
        or "on 2 Mar at 18:07"."""
        local = self.local(moment)
        days = (self.today - local.date()).days
        if days == 0:
            return f"{local:%H:%M}"
        if days == 1:
            return f"yesterday at {local:%H:%M}"
        return f"on {local.day} {local:%b} at {local:%H:%M}"

    def room_name(self, room: str | None) -> str:
        for entry in self.config.rooms:
            if entry.id == room:
                return entry.name or entry.id.replace("_", " ")
        return room or "an unknown room"


def lasted(delta: timedelta) -> str:
    """A duration in a carer's words: 45 min, 3 h 10 min."""
    return duration(delta / timedelta(minutes=1))


def wall_time(text: str) -> time:
    """'HH:MM' (validated by the config) as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def wall_minutes(minutes: float) -> time:
    """Minutes after midnight (any number, wrapped to one day) as a time of day."""
    whole = round(minutes) % 1440
    return time(whole // 60, whole % 60)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # also the key of its section under `rules:` in the config
    severity: Severity
    asks_resident: bool
    paused_in: frozenset[Mode]
    check: Callable[[RuleContext], list[Condition]]


ACTIVITY_PAUSES = frozenset({Mode.AWAY})
"""Activity rules assume someone lives here now: away mode pauses them."""
