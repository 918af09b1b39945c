"""The `medication:` section: each medicine, when it is due, and how the home reminds and confirms.

A dose time is written the way a carer would say it: a clock time ("08:00"),
or relative to the person's actual day ("30 minutes after getting up", "with
breakfast", "with the evening meal"). Relative times follow what the hub sees
on the day (docs/medication.md says how each moment is found); when that
moment does not come (the person stayed in bed), a clock time is used instead.

Checks that need the rest of the config (the sensors and bridge ports named
here exist) are in `check_medication`, so the loader can point at their lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from hub.config.base import Identifier, Loc, _Model

if TYPE_CHECKING:
    from hub.config.models import HearthConfig


class Anchor(StrEnum):
    """What a dose time is measured from."""

    CLOCK = "clock"  # a wall-clock time
    GETTING_UP = "getting up"
    BREAKFAST = "breakfast"
    EVENING_MEAL = "the evening meal"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday 0 .. Sunday 6, as `date.weekday()`."""
        return list(Weekday).index(self)


@dataclass(frozen=True, slots=True)
class DoseTime:
    """When a dose is due: `offset` after `anchor`, or at `clock` for Anchor.CLOCK."""

    anchor: Anchor
    offset: timedelta = timedelta(0)
    clock: time | None = None

    def __str__(self) -> str:
        if self.clock is not None:
            return f"{self.clock:%H:%M}"
        minutes = int(self.offset.total_seconds() // 60)
        if minutes == 0 and self.anchor is Anchor.GETTING_UP:
            return "on getting up"
        if minutes == 0:
            return f"with {self.anchor.value}"
        return f"{minutes} minutes after {self.anchor.value}"


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_AFTER = re.compile(
    r"^(?:(\d+)\s*(minutes?|mins?|hours?|h)\s+)?after\s+"
    r"(getting up|breakfast|(?:the\s+)?evening meal)$"
)
_WITH = re.compile(r"^(?:with|at)\s+(breakfast|(?:the\s+)?evening meal)$|^on getting up$")
_ANCHORS = {
    "getting up": Anchor.GETTING_UP,
    "breakfast": Anchor.BREAKFAST,
    "evening meal": Anchor.EVENING_MEAL,
    "the evening meal": Anchor.EVENING_MEAL,
}
_LONGEST_OFFSET = timedelta(hours=12)


def parse_clock(value: object) -> time:
    """'HH:MM' -> time; a readable ValueError for anything else."""
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"write a time of day as 'HH:MM', such as '08:00', not {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{value!r} is not a time of day (hours 00-23, minutes 00-59)")
    return time(hours, minutes)


def parse_dose_time(value: object) -> DoseTime:
    """'08:00', '30 minutes after getting up', 'with breakfast' ... -> DoseTime."""
    if isinstance(value, DoseTime):
        return value
    if not isinstance(value, str):
        raise ValueError(  # noqa: TRY004 (pydantic reports ValueError, not TypeError, as a problem)
            f"write a dose time as text such as '08:00' or 'with breakfast', not {value!r}"
        )
    text = " ".join(value.lower().split())
    if _CLOCK.match(text):
        return DoseTime(Anchor.CLOCK, clock=parse_clock(text))
    if " before " in f" {text} ":
        # The hub learns of getting up or a meal when it happens, never before.
        raise ValueError(
            f"{value!r}: a time before getting up or a meal cannot be known in advance; "
            "use a clock time or 'with ...' instead"
        )
    match = _WITH.match(text)
    if match is not None:
        return DoseTime(_ANCHORS[match.group(1) or "getting up"])
    match = _AFTER.match(text)
    if match is None:
        raise ValueError(
            f"{value!r} is not a dose time: write '08:00', 'on getting up', "
            "'30 minutes after getting up', 'with breakfast' or 'with the evening meal'"
        )
    amount = int(match.group(1) or 0)
    unit = match.group(2) or "minutes"
    offset = timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount)
    if offset > _LONGEST_OFFSET:
        raise ValueError(f"{value!r}: at most 12 hours after; use a clock time instead")
    return DoseTime(_ANCHORS[match.group(3)], offset=offset)


DoseTimeField = Annotated[DoseTime, BeforeValidator(parse_dose_time), PlainSerializer(str)]
ClockTime = Annotated[time, BeforeValidator(parse_clock), PlainSerializer(lambda t: f"{t:%H:%M}")]


class ScheduledTime(_Model):
    at: DoseTimeField = Field(
        title="When",
        description="'08:00', 'on getting up', '30 minutes after getting up', 'with breakfast', "
        "'1 hour after breakfast' or 'with the evening meal' (docs/medication.md).",
    )
    window_min: int = Field(
        default=60,
        ge=5,
        le=720,
        title="Window",
        description="Minutes after the dose is due in which taking it counts as on time; "
        "after it the dose is late, and a missed-dose warning goes to the carers.",
    )
    repeats: int = Field(
        default=3,
        ge=1,
        le=20,
        title="Prompts",
        description="How many times the resident is reminded within the window (the first "
        "when the dose is due), until it is taken.",
    )
    repeat_every_min: int = Field(
        default=15,
        ge=1,
        le=240,
        title="Prompt spacing",
        description="Minutes between reminders; reminders that would fall after the window "
        "are not given.",
    )
    fallback: ClockTime | None = Field(
        default=None,
        title="Fallback time",
        description="For a relative time: the clock time 'HH:MM' to remind at when getting up "
        "or the meal has not been seen by then. Empty: the person's usual time for it plus "
        "medication.fallback_margin_min, learned from the last 14 days (until 3 days are "
        "known: 10:00 for getting up, 10:30 for breakfast, 19:30 for the evening meal).",
    )

    @model_validator(mode="after")
    def _fallback_only_when_relative(self) -> Self:
        if self.fallback is not None and self.at.anchor is Anchor.CLOCK:
            raise ValueError("'fallback' is only for times relative to getting up or a meal")
        return self


class PillboxCommand(_Model):
    port: Identifier = Field(
        title="Bridge port",
        description="The bridge port id (bridge.ports) of the pill box to light or sound.",
    )
    action: Literal["led_on", "blink", "buzzer_on"] = Field(
        default="blink",
        title="Action",
        description="What the pill box does at each reminder: led_on, blink or buzzer_on "
        "(firmware_bridge/PROTOCOL.md).",
    )
    argument: int = Field(
        default=30,
        ge=0,
        le=65535,
        title="Argument",
        description="For blink and buzzer_on: seconds (0 = until switched off).",
    )


class Medicine(_Model):
    name: str = Field(
        min_length=1,
        max_length=64,
        title="Name",
        description="The medicine as the resident knows it; it is said aloud in the home. "
        "Personal: it leaves the home only in a missed-dose alert to a chosen recipient.",
    )
    dose: str = Field(
        default="",
        max_length=100,
        title="Dose",
        description="What to take, as it should be said: 'one tablet', '10 ml'.",
    )
    days: list[Weekday] = Field(
        default_factory=lambda: list(Weekday),
        min_length=1,
        title="Days",
        description="Days of the week it is taken on (mon ... sun); every day by default.",
    )
    start: date | None = Field(
        default=None,
        title="Course start",
        description="First local date of the course, YYYY-MM-DD; empty: already running.",
    )
    end: date | None = Field(
        default=None,
        title="Course end",
        description="Last local date of the course (included); empty: no end.",
    )
    times: list[ScheduledTime] = Field(
        min_length=1, title="Times", description="When each of the day's doses is due."
    )
    sensors: list[Identifier] = Field(
        default_factory=list,
        title="Confirming sensors",
        description="Sensor ids whose opening (or button press, or 'taken' report) confirms "
        "this medicine; empty means every sensor with role pillbox or medicine_cabinet.",
    )
    pillbox: PillboxCommand | None = Field(
        default=None,
        title="Pill box command",
        description="Light or sound a pill box served by the firmware bridge at each reminder.",
    )

    @model_validator(mode="after")
    def _course_in_order(self) -> Self:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"the course ends ({self.end}) before it starts ({self.start})")
        return self


class Medication(_Model):
    medicines: list[Medicine] = Field(
        default_factory=list,
        title="Medicines",
        description="Each medicine and when it is due; empty: no reminders.",
    )
    early_min: int = Field(
        default=30,
        ge=0,
        le=240,
        title="Early allowance",
        description="Minutes before a dose is due in which taking it still counts as on time "
        "(and no reminder is given).",
    )
    doubled_within_min: int = Field(
        default=180,
        ge=5,
        le=720,
        title="Second-dose watch",
        description="Minutes after a dose was taken in which another opening of its pill box "
        "is answered with a spoken warning and recorded as a doubled dose.",
    )
    fallback_margin_min: int = Field(
        default=60,
        ge=0,
        le=360,
        title="Fallback margin",
        description="Minutes after the person's usual time for getting up or a meal at which "
        "a relative dose is reminded anyway when that moment has not been seen.",
    )
    speak: bool = Field(
        default=True,
        title="Speak reminders",
        description="Say reminders aloud with espeak-ng (voice, speed and volume from "
        "alerts.voice) when alerts.voice is enabled.",
    )
    topic: str = Field(
        default="{prefix}/reminders",
        title="Reminder topic",
        description="MQTT topic on which each reminder is published as JSON for a display or "
        "smart speaker; {prefix} is the hub's prefix.",
    )

    @model_validator(mode="after")
    def _names_unique(self) -> Self:
        seen: set[str] = set()
        for medicine in self.medicines:
            folded = medicine.name.casefold()
            if folded in seen:
                raise ValueError(f"medicine {medicine.name!r} is listed twice")
            seen.add(folded)
        return self


def check_medication(config: HearthConfig) -> list[tuple[Loc, str]]:
    """Sensors and bridge ports the medicines name exist (for `models.cross_check`)."""
    problems: list[tuple[Loc, str]] = []
    roles = {sensor.id: sensor.role for sensor in config.sensors}
    ports = {port.id for port in config.bridge.ports}
    for index, medicine in enumerate(config.medication.medicines):
        base: Loc = ("medication", "medicines", index)
        for n, sensor in enumerate(medicine.sensors):
            if sensor not in roles:
                problems.append(((*base, "sensors", n), f"sensor {sensor!r} is not in sensors"))
        if medicine.pillbox is not None and medicine.pillbox.port not in ports:
            message = f"port {medicine.pillbox.port!r} is not in bridge.ports"
            problems.append(((*base, "pillbox", "port"), message))
    return problems
