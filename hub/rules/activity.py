"""Which events are signs of the person, and which state a sensor is in after one.

The same reading as the routine engine's timeline (`hub/routine/timeline.py`),
but one event at a time, so the live rules never look back at history:

- movement-like sensors (motion, presence, switches, flushes, appliances
  drawing power) are the person acting when they turn on, and until they turn
  off, but no longer than a stuck sensor's limit (`stuck_sensor.motion_h`):
  the routine's 10-minute cap (`LONGEST_ACTIVITY`) is right for counting
  active minutes, but a PIR on for an hour in a bathroom is someone moving
  there for an hour, which is no fall; a PIR saying "on" again while on is a
  fresh detection, so it counts too;
- state-holding sensors (doors, cupboards, mats) count at their changes;
- moments (a button pressed, a pill box opened) count when they happen, except
  the empty action Zigbee2MQTT sends after every button press.

Only a sensor's main kind counts: its battery or temperature reports are the
device talking, not the person. A fridge or freezer measured by its power
plug is left out: its compressor switches itself on and off all day, and
taking that for a person would hide a fall for ever.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.config.models import Role
from hub.events import Event, Kind
from hub.routine.layout import SensorInfo
from hub.routine.timeline import APPLIANCE_ON_WATTS

__all__ = ["activity_at", "begins_action", "is_pressed", "state_after"]

_MOVEMENT_KINDS = frozenset({Kind.MOTION, Kind.PRESENCE, Kind.SWITCH, Kind.FLUSH, Kind.POWER})
_STATE_KINDS = frozenset({Kind.CONTACT, Kind.PRESSURE})
_MOMENT_KINDS = frozenset({Kind.BUTTON, Kind.MEDICATION})
_SELF_SWITCHING = frozenset({Role.FRIDGE, Role.FREEZER})


def state_after(event: Event) -> bool | None:
    """On or off after `event`, or None when the event says nothing about it."""
    if isinstance(event.value, bool):
        return event.value
    if event.kind is Kind.POWER and isinstance(event.value, float):
        return event.value > APPLIANCE_ON_WATTS
    return None


def is_pressed(event: Event) -> bool:
    """A button or pull cord pressed: any action but "", or a contact/switch closing."""
    if event.kind is Kind.BUTTON:
        return event.value != ""
    return event.kind in (Kind.CONTACT, Kind.SWITCH) and event.value is True


def activity_at(
    event: Event, info: SensorInfo, on_since: datetime | None, longest: timedelta
) -> datetime | None:
    """When this event shows the person last acting, or None if it shows nothing.

    `on_since` is when the sensor turned on, if it was on before this event; a
    movement sensor's "on" counts as the person acting for at most `longest`.
    """
    if event.kind is not info.kind:
        return None
    if info.kind in _MOMENT_KINDS:
        acted = is_pressed(event) or info.kind is Kind.MEDICATION
        return event.time if acted else None
    state = state_after(event)
    if state is None or (info.kind is Kind.POWER and info.role in _SELF_SWITCHING):
        return None
    if info.kind in _STATE_KINDS:
        changed = state != (on_since is not None)
        return event.time if changed else None
    if info.kind not in _MOVEMENT_KINDS or (not state and on_since is None):
        return None  # an OFF with no ON before it: nothing happened
    return event.time if state else min(event.time, (on_since or event.time) + longest)


def begins_action(event: Event, info: SensorInfo) -> bool:
    """Whether the event starts an action where the sensor is (not a movement sensor's "off")."""
    return not (info.kind in _MOVEMENT_KINDS and state_after(event) is False)
