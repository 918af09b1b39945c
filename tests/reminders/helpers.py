"""A small home with a pill box, events built by hand, and the engine driven like the hub."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.config.models import HearthConfig
from hub.events import Event, Kind, Source
from hub.modes import ModeSetting
from hub.reminders.engine import Step
from hub.reminders.history import Mark, run

ZONE = ZoneInfo("Europe/London")


def home_data(medicines: list[dict[str, Any]], **medication: Any) -> dict[str, Any]:
    def sensor(sid: str, kind: str, room: str, role: str = "room") -> dict[str, Any]:
        match = {"source": "zigbee2mqtt", "device": sid}
        return {"id": sid, "match": match, "kind": kind, "room": room, "role": role}

    return {
        "home": {"id": "flat", "timezone": "Europe/London"},
        "rooms": [{"id": r} for r in ("bedroom", "kitchen", "living_room", "hall")],
        "sensors": [
            sensor("bed", "pressure", "bedroom", "bed"),
            sensor("bedroom_motion", "motion", "bedroom"),
            sensor("kitchen_motion", "motion", "kitchen"),
            sensor("kettle", "power", "kitchen", "kettle"),
            sensor("living_motion", "motion", "living_room"),
            sensor("pillbox_lid", "contact", "kitchen", "pillbox"),
            sensor("pill_button", "button", "kitchen", "pillbox"),
            {
                "id": "pillbox",
                "match": {"source": "bridge", "device": "pillbox/0"},
                "kind": "medication",
                "room": "kitchen",
                "role": "pillbox",
            },
        ],
        "bridge": {"ports": [{"id": "pillbox", "path": "/dev/serial/by-id/usb-pillbox"}]},
        "medication": {"medicines": medicines, **medication},
    }


def home(medicines: list[dict[str, Any]], **medication: Any) -> HearthConfig:
    return HearthConfig.model_validate(home_data(medicines, **medication))


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ZONE) -> datetime:
    """The UTC instant of local wall time day hour:minute (fold=0)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def event(moment: datetime, sensor: str, kind: Kind, value: bool | float | str) -> Event:
    return Event(moment, sensor, kind, value, Source.ZIGBEE2MQTT)


def lid(moment: datetime) -> list[Event]:
    """The pill box lid opened and closed a minute later."""
    return [
        event(moment, "pillbox_lid", Kind.CONTACT, True),
        event(moment + timedelta(minutes=1), "pillbox_lid", Kind.CONTACT, False),
    ]


def morning(day: date, up: tuple[int, int], zone: ZoneInfo = ZONE) -> list[Event]:
    """Out of bed at `up`, then about the living room and kitchen for half an hour."""
    start = local(day, *up, zone=zone)
    events = [event(start - timedelta(hours=7), "bed", Kind.PRESSURE, True)]
    events.append(event(start, "bed", Kind.PRESSURE, False))
    events.append(event(start + timedelta(minutes=1), "living_motion", Kind.MOTION, True))
    for minutes in range(5, 35, 5):
        room = "kitchen_motion" if minutes >= 20 else "living_motion"
        events.append(event(start + timedelta(minutes=minutes), room, Kind.MOTION, True))
    return events


def dinner(day: date, at: tuple[int, int]) -> list[Event]:
    start = local(day, *at)
    return [
        event(start + timedelta(minutes=m), "kitchen_motion", Kind.MOTION, True) for m in (0, 3, 8)
    ]


def steps(
    config: HearthConfig,
    events: Iterable[Event],
    *,
    start: datetime,
    until: datetime,
    marks: Sequence[Mark] = (),
    modes: Sequence[ModeSetting] = (),
) -> list[tuple[datetime, Step]]:
    ordered = sorted(events, key=lambda e: e.time)
    return list(run(config, ordered, start=start, until=until, marks=marks, modes=modes))
