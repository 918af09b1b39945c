"""Changes in the person over time: what the evaluation injects and must detect.

A `Change` alters one habit from day `onset` (counted from the first simulated
day, 0-based). An abrupt change (`ramp_days` 0) is whole from its onset; a
gradual one grows linearly and is whole on day `onset + ramp_days`. The
person on day i is `profile_on(profile, changes, i)`: a pure function, so a
day can be re-simulated alone and gives the same result.

`MEANINGS` below says what each kind's size means; `EXAMPLE_SIZES` holds the
sizes the issue names (time up +90 minutes, night toilet visits x2.5 ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hub.simulate.profile import Profile


class ChangeKind(StrEnum):
    TIME_UP = "time_up"
    NIGHT_TOILET = "night_toilet"
    KITCHEN = "kitchen"
    OUTINGS = "outings"
    ACTIVITY = "activity"
    NIGHT_DOOR = "night_door"


# Sizes that are factors start from 1 (no change); the others from 0.
_FACTORS = frozenset(
    {ChangeKind.NIGHT_TOILET, ChangeKind.KITCHEN, ChangeKind.OUTINGS, ChangeKind.ACTIVITY}
)
# What each kind's size means, for people (docs/simulator.md shows this table).
MEANINGS: dict[ChangeKind, str] = {
    ChangeKind.TIME_UP: "minutes later out of bed (bedtime unchanged)",
    ChangeKind.NIGHT_TOILET: "factor on night-time toilet visits",
    ChangeKind.KITCHEN: "factor on kitchen time, snacks, fridge and kettle use",
    ChangeKind.OUTINGS: "factor on outings a day (0: they stop)",
    ChangeKind.ACTIVITY: "factor on all movement: busy time, trips, fidgeting while seated",
    ChangeKind.NIGHT_DOOR: "nights a week the front door is opened between 01:00 and 04:00",
}
EXAMPLE_SIZES: dict[ChangeKind, float] = {
    ChangeKind.TIME_UP: 90,
    ChangeKind.NIGHT_TOILET: 2.5,
    ChangeKind.KITCHEN: 0.5,
    ChangeKind.OUTINGS: 0,
    ChangeKind.ACTIVITY: 0.6,
    ChangeKind.NIGHT_DOOR: 2,
}


class ChangeError(ValueError):
    """A change that cannot be applied (a negative factor, an onset before the start)."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    size: float
    onset: int  # day index (0 = the first simulated day) the change starts on
    ramp_days: int = 0  # 0: abrupt; else it grows over this many days

    def __post_init__(self) -> None:
        if self.onset < 0 or self.ramp_days < 0:
            raise ChangeError(f"{self.kind.value}: onset and ramp_days must be 0 or more")
        if self.kind in _FACTORS and self.size < 0:
            raise ChangeError(f"{self.kind.value}: a factor cannot be negative ({self.size})")
        if self.kind is ChangeKind.NIGHT_DOOR and not 0 <= self.size <= 7:
            raise ChangeError(f"night_door: {self.size} is not a number of nights a week (0-7)")

    def fraction(self, day: int) -> float:
        """How much of the change is in force on day `day`: 0 before onset, 1 once whole."""
        if day < self.onset:
            return 0.0
        if self.ramp_days == 0:
            return 1.0
        return min(1.0, (day - self.onset + 1) / self.ramp_days)


def parse_change(text: str) -> Change:
    """'kind:size:onset[:ramp_days]', e.g. 'time_up:90:30' or 'kitchen:0.5:30:14'."""
    parts = text.split(":")
    kinds = ", ".join(k.value for k in ChangeKind)
    if len(parts) not in (3, 4):
        raise ChangeError(f"change {text!r}: write kind:size:onset[:ramp_days] ({kinds})")
    try:
        kind = ChangeKind(parts[0])
    except ValueError as exc:
        raise ChangeError(f"change {text!r}: unknown kind {parts[0]!r} ({kinds})") from exc
    try:
        size = float(parts[1])
        onset = int(parts[2])
        ramp = int(parts[3]) if len(parts) == 4 else 0
    except ValueError as exc:
        raise ChangeError(
            f"change {text!r}: size is a number, onset and ramp_days whole days"
        ) from exc
    return Change(kind, size, onset, ramp)


def profile_on(profile: Profile, changes: Sequence[Change], day: int) -> Profile:
    """The person on day `day` (0-based) with every change's part in force that day."""
    for change in changes:
        part = change.fraction(day)
        if part == 0.0:
            continue
        profile = _apply(profile, change, part)
    return profile


def _apply(profile: Profile, change: Change, part: float) -> Profile:
    factor = 1.0 + (change.size - 1.0) * part
    match change.kind:
        case ChangeKind.TIME_UP:
            # Minutes from midnight, moved on the wall clock (a day has no DST here).
            moved = datetime.combine(datetime.min.date(), profile.wake) + timedelta(
                minutes=change.size * part
            )
            return profile.model_copy(update={"wake": moved.time()})
        case ChangeKind.NIGHT_TOILET:
            return profile.model_copy(update={"night_toilet": profile.night_toilet * factor})
        case ChangeKind.KITCHEN:
            return profile.model_copy(update={"kitchen": profile.kitchen * factor})
        case ChangeKind.OUTINGS:
            outings = profile.outings.model_copy(
                update={"per_day": profile.outings.per_day * factor}
            )
            return profile.model_copy(update={"outings": outings})
        case ChangeKind.ACTIVITY:
            return profile.model_copy(update={"activity": profile.activity * factor})
        case ChangeKind.NIGHT_DOOR:
            nights = min(7.0, profile.night_door_per_week + change.size * part)
            return profile.model_copy(update={"night_door_per_week": nights})
