"""The home's mode: at home as usual, away (holiday, hospital), or with visitors.

Rules that would misfire in a mode are paused while it lasts (docs/rules.md
lists which). Every mode but `home` has an end time, so a forgotten "away"
cannot silence the hub for ever.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Mode(StrEnum):
    HOME = "home"
    AWAY = "away"  # nobody lives here for now: activity rules are paused
    VISITORS = "visitors"  # someone else is in the home: rules that others' movement fools pause


@dataclass(frozen=True, slots=True)
class ModeSetting:
    """A mode from `since` until `until` (None only for HOME), set by whom and how."""

    mode: Mode
    since: datetime
    until: datetime | None
    set_by: str
    via: str

    def in_force(self, now: datetime) -> Mode:
        """The mode at `now`: this one while it lasts, HOME after its end."""
        if self.until is not None and now >= self.until:
            return Mode.HOME
        return self.mode

    def after_clock_step(self, size: timedelta) -> ModeSetting:
        """This setting, made on a clock that then stepped by `size` (hub/clock_guard.py).

        `since` was read from that clock, so it moves with it. `until` is either
        a person's own end time (right whatever the hub's clock said) or a length
        added to the wrong clock (`hearth mode away --for 3d`), and which is not
        stored: it takes the earlier of the two readings, because a mode that
        pauses rules must never last longer than meant.
        """
        until = None if self.until is None else min(self.until, self.until + size)
        return replace(self, since=self.since + size, until=until)
