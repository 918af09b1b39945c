"""Plain sentences for changes, in words a family carer reads at a glance.

Times of day as HH:MM, counts as numbers, durations as "2 h 10 min". One
sentence says what changed, how it is now and what is usual, e.g.
"Getting up later: 09:40 on average over the last 4 days; usually 07:55."
"""

from __future__ import annotations

from hub.routine.behaviours import BY_NAME, Unit

# behaviour: (when higher, when lower)
HEADLINES: dict[str, tuple[str, str]] = {
    "time_up": ("Getting up later", "Getting up earlier"),
    "bedtime": ("Going to bed later", "Going to bed earlier"),
    "night_toilet_visits": ("More toilet visits at night", "Fewer toilet visits at night"),
    "first_kitchen_activity": ("First in the kitchen later", "First in the kitchen earlier"),
    "kitchen_minutes": ("More time in the kitchen", "Less time in the kitchen"),
    "fridge_uses": ("Opening the fridge more often", "Opening the fridge less often"),
    "outings": ("Going out more often", "Going out less often"),
    "minutes_out": ("More time out of the house", "Less time out of the house"),
    "active_minutes": ("More active at home", "Less active at home"),
    "longest_still_minutes": ("Longer spells without moving", "Shorter spells without moving"),
    "night_exits": (
        "Outside door opened at night more often",
        "Outside door opened at night less often",
    ),
    "activity_pattern": (
        "The day's pattern of activity is unusual",
        "The day's pattern of activity is more regular than usual",
    ),
}


def show(behaviour: str, value: float) -> str:
    """A behaviour's value as a person would say it."""
    unit = BY_NAME[behaviour].unit
    if unit is Unit.CLOCK:
        return clock(value)
    if unit is Unit.MINUTES:
        return duration(value)
    if unit is Unit.SCORE:
        return f"unusualness {count(value)}"
    return count(value)


def clock(minutes_after_midnight: float) -> str:
    """-10 (ten to midnight the evening before) is "23:50"; 475 is "07:55"."""
    whole = round(minutes_after_midnight) % 1440
    return f"{whole // 60:02d}:{whole % 60:02d}"


def duration(minutes: float) -> str:
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def count(value: float) -> str:
    rounded = round(value, 1)
    return f"{rounded:g}"


def headline(behaviour: str, higher: bool) -> str:
    up, down = HEADLINES[behaviour]
    return up if higher else down


def sentence(
    behaviour: str, *, higher: bool, shape: str, usual: float, recent: float, recent_days: int
) -> str:
    """One sentence for a change of `shape` ("unusual_day", "shift" or "drift")."""
    now, before = show(behaviour, recent), show(behaviour, usual)
    if shape == "unusual_day":
        return f"{headline(behaviour, higher)} today: {now}; usually {before}."
    lead = headline(behaviour, higher)
    if BY_NAME[behaviour].rare:
        # `usual` is the count the same number of nights usually hold.
        nights = "night" if recent_days == 1 else f"{recent_days} nights"
        times = {"0": "never", "1": "once"}.get(now, f"{now} times")
        usually = "none" if before == "0" else before
        return f"{lead}: {times} in the last {nights}; usually {usually}."
    if BY_NAME[behaviour].habit and not higher and recent == 0 and shape == "shift":
        # "0 on average" reads as a sum; say it as a carer would.
        days = "today" if recent_days == 1 else f"in the last {recent_days} days"
        return f"{lead}: none {days}; usually {before} a day."
    if shape == "drift":
        lead = f"{lead}, little by little"
    span = "today" if recent_days == 1 else f"on average over the last {recent_days} days"
    return f"{lead}: {now} {span}; usually {before}."
