"""Kitchen features: the first kitchen activity, activity around meals, fridge and kettle use.

Kitchen activity is any activity in a kitchen room (see `layout.py`) or on a
kitchen appliance wherever it stands. Meal windows are wide, fixed local
hours, so that one home's habits (lunch at 14:30 in Spain) fall inside them;
the personal baseline, not these windows, decides what is usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from hub.config.models import Role
from hub.routine.activity import active_minutes, count
from hub.routine.days import RoutineDay
from hub.routine.layout import KITCHEN_ROLES, Layout
from hub.routine.timeline import Activity, Timeline, uses

MEAL_WINDOWS = {
    "breakfast": (time(5, 0), time(11, 0)),
    "lunch": (time(11, 0), time(16, 0)),
    "dinner": (time(16, 0), time(23, 0)),
}
EARLIEST_MORNING = time(4, 0)  # without a time up, kitchen activity before this is the night's
SAME_USE = timedelta(seconds=30)  # an appliance on again this soon is the same use


def kitchen_activity(activities: Sequence[Activity], layout: Layout) -> list[Activity]:
    return [a for a in activities if a.room in layout.kitchens or a.role in KITCHEN_ROLES]


def first_kitchen_activity(
    kitchen: Sequence[Activity], day: RoutineDay, time_up: datetime | None
) -> datetime | None:
    """The first kitchen activity of the day at or after getting up (UTC), or None."""
    since = time_up if time_up is not None else day.at(EARLIEST_MORNING)
    return next((a.start for a in kitchen if since <= a.start < day.end), None)


def meal_minutes(kitchen: Sequence[Activity], day: RoutineDay) -> dict[str, int]:
    """Active kitchen minutes in each meal window of the day."""
    return {
        meal: count(active_minutes(kitchen, day.at(low), day.at(high)))
        for meal, (low, high) in MEAL_WINDOWS.items()
    }


def appliance_uses(timeline: Timeline, layout: Layout, role: Role, day: RoutineDay) -> int | None:
    """Uses of the appliances with `role` during the calendar day; None if the home has none."""
    sensors = layout.with_role(role)
    if not sensors:
        return None
    spans = [span for s in sensors for span in timeline.spans.get(s.id, [])]
    return uses(spans, day.start, day.end, SAME_USE)
