"""The day's activity pattern by role and hour: the routine model's input vector.

`model_input(day)` turns one `DayFeatures` into `INPUT_SIZE` floats, five
channels of 24 wall-clock hours each (channel-major: all of channel 0's
hours 00..23, then channel 1's, ...):

- `all`: `hourly_activity`, every sensor, motion included;
- `kitchen`: fridge, freezer, kettle, cooker, microwave, toaster, dishwasher,
  cupboard (from `hourly_by_role`, as are the rest);
- `bathroom`: toilet, shower, basin;
- `exit`: front door, back door;
- `rest`: bed, chair (pressure mats: getting in and out).

**Normalisation**: each value is `sqrt(min(m, 60) / 60)`, `m` the active
minutes in that hour (the roles of a channel summed). So 0 minutes is 0.0, a
full hour is 1.0, and the square root lifts the short uses that matter (two
minutes at the toilet at 03:00 is 0.18, not 0.03). The cap at 60 is for the
day the clocks go back, whose repeated hour holds up to 120 minutes; the
skipped hour of the spring day is simply 0 (see `activity.py`). A channel
whose roles the home has no sensor for is all zeros, every day: each home
calibrates the model's score on its own days (`model.py`), so a home is only
ever compared with itself.

A day cannot be scored (None) when its data do not cover it (`partial`), when
nothing at all was active, or when it has no profile by role (a summary saved
before the field existed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from hub.config.models import Role
from hub.routine.features import DayFeatures
from hub.routine.layout import BATHROOM_ROLES, EXIT_ROLES, KITCHEN_ROLES

HOURS = 24
MINUTES_CAP = 60
CHANNEL_ROLES: Mapping[str, frozenset[Role]] = {
    # The features' kitchen appliances, and cupboards: opening one is a kitchen activity.
    "kitchen": KITCHEN_ROLES | {Role.CUPBOARD},
    "bathroom": BATHROOM_ROLES,
    "exit": EXIT_ROLES,
    "rest": frozenset({Role.BED, Role.CHAIR}),
}
CHANNELS: tuple[str, ...] = ("all", *CHANNEL_ROLES)
INPUT_SIZE = len(CHANNELS) * HOURS


def channel_minutes(day: DayFeatures) -> dict[str, tuple[int, ...]]:
    """Active minutes per hour of each channel, before normalisation."""
    channels: dict[str, tuple[int, ...]] = {"all": tuple(day.hourly_activity)}
    for channel, roles in CHANNEL_ROLES.items():
        rows = [hours for role, hours in day.hourly_by_role.items() if Role(role) in roles]
        channels[channel] = tuple(sum(column) for column in zip(*rows, strict=True)) or (
            (0,) * HOURS
        )
    return channels


def scorable(day: DayFeatures) -> bool:
    return not day.partial and day.active_minutes > 0 and bool(day.hourly_by_role)


def normalise(minutes: Mapping[str, Sequence[float]]) -> tuple[float, ...]:
    """The model input from per-channel minutes per hour (floats, so changes can be injected)."""
    return tuple(
        math.sqrt(min(max(value, 0.0), MINUTES_CAP) / MINUTES_CAP)
        for channel in CHANNELS
        for value in minutes[channel]
    )


def model_input(day: DayFeatures) -> tuple[float, ...] | None:
    """The day's pattern as `INPUT_SIZE` floats in [0, 1], or None if it cannot be scored."""
    if not scorable(day):
        return None
    return normalise({k: [float(v) for v in hours] for k, hours in channel_minutes(day).items()})
