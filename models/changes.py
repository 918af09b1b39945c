"""The issue's change kinds, injected into a day's pattern (active minutes per channel and hour).

Used by the validation in `train.py` and by the tests. Each function takes
one day's minutes (`hub.routine.pattern.channel_minutes`, as floats) and
returns the changed day; the input is not modified. These act on the model's
input only: they say whether the model can see a change of that shape, not
how the whole pipeline detects it (that is `hearth evaluate`'s job, on events).
"""

from __future__ import annotations

from collections.abc import Callable

from hub.routine.pattern import HOURS

Minutes = dict[str, list[float]]
NIGHT = range(0, 6)


def _copy(day: Minutes) -> Minutes:
    return {channel: list(hours) for channel, hours in day.items()}


def later_90_min(day: Minutes) -> Minutes:
    """Time up +90 min: the whole day's pattern moves 90 minutes later (half-hour split)."""
    out = _copy(day)
    for channel, hours in day.items():
        out[channel] = [
            0.5 * (hours[h - 1] if h >= 1 else 0.0) + 0.5 * (hours[h - 2] if h >= 2 else 0.0)
            for h in range(HOURS)
        ]
    return out


def less_activity_40(day: Minutes) -> Minutes:
    """Total activity -40%: every channel's minutes x0.6."""
    return {channel: [0.6 * m for m in hours] for channel, hours in day.items()}


def kitchen_less_50(day: Minutes) -> Minutes:
    """Kitchen activity -50%: kitchen minutes halved, and the whole day loses what it lost."""
    out = _copy(day)
    for h in range(HOURS):
        lost = 0.5 * day["kitchen"][h]
        out["kitchen"][h] -= lost
        out["all"][h] = max(0.0, out["all"][h] - lost)
    return out


def night_toilet_x2_5(day: Minutes) -> Minutes:
    """Night toilet visits x2.5: bathroom minutes 00:00-06:00 x2.5 (nothing if there were none)."""
    out = _copy(day)
    for h in NIGHT:
        added = 1.5 * day["bathroom"][h]
        out["bathroom"][h] += added
        out["all"][h] += added
    return out


def outings_stop(day: Minutes) -> Minutes:
    """Outings stop: no outside-door activity at all."""
    out = _copy(day)
    for h in range(HOURS):
        out["all"][h] = max(0.0, out["all"][h] - day["exit"][h])
        out["exit"][h] = 0.0
    return out


def night_door(day: Minutes) -> Minutes:
    """Front door at night: out and back in between 02:00 and 04:00 (a minute each way)."""
    out = _copy(day)
    for h in (2, 3):
        out["exit"][h] += 1.0
        out["all"][h] += 1.0
    return out


CHANGES: dict[str, Callable[[Minutes], Minutes]] = {
    "time_up_+90min": later_90_min,
    "activity_-40%": less_activity_40,
    "kitchen_-50%": kitchen_less_50,
    "night_toilet_x2.5": night_toilet_x2_5,
    "outings_stop": outings_stop,
    "night_door": night_door,
}
