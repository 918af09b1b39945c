"""The simulated person: a profile of habits, read from YAML or taken from the built-in ones.

A profile says how a person usually lives (when they get up and go to bed,
how they eat, go out, receive visitors), how much one day differs from the
next, and how the home's sensors misbehave. Every field has a default, so an
empty profile is the `typical` person, whose figures are tuned so that the
simulated home's daily features sit inside the range of the real dataset
homes (docs/simulator.md has the table).

Times are local wall-clock times, "HH:MM"; spreads are standard deviations in
minutes of a normal draw made afresh each day.
"""

from __future__ import annotations

from datetime import time
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from hub.config.document import parse, syntax_message
from hub.config.errors import key_path
from hub.config.messages import describe


class ProfileError(ValueError):
    """A profile cannot be used: unknown name, unreadable file, or invalid values."""


def _clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads 07:30 unquoted as a sexagesimal number
        value = f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and len(value.strip()) == 5:
            return parsed
    raise ValueError(f"write a time of day as 'HH:MM', such as '07:30', not {value!r}")


Clock = Annotated[time, BeforeValidator(_clock)]
"""A local wall-clock time written 'HH:MM'."""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meal(_Part):
    at: Clock | None = Field(
        default=None,
        description="Usual start of the meal; leave out for breakfast to start "
        "`after_wake_min` after getting up.",
    )
    after_wake_min: float = Field(
        default=25, ge=0, description="Minutes after getting up the meal starts, when `at` is out."
    )
    spread_min: float = Field(default=20, ge=0, description="Day-to-day spread of the start.")
    minutes: float = Field(default=8, gt=0, description="Usual time spent in the kitchen.")
    fridge_opens: float = Field(default=1.5, ge=0, description="Fridge openings, on average.")
    kettle: float = Field(
        default=0.7, ge=0, le=1, description="Probability that the kettle is boiled."
    )
    skip: float = Field(default=0.03, ge=0, le=1, description="Probability the meal is skipped.")


class Outings(_Part):
    per_day: float = Field(default=1.0, ge=0, description="Outings per day, on average.")
    earliest: Clock = Field(default=time(9, 30), description="No outing starts before this.")
    latest: Clock = Field(default=time(17, 0), description="No outing starts after this.")
    minutes: float = Field(default=100, gt=0, description="Usual length of an outing.")
    spread_min: float = Field(default=50, ge=0, description="Spread of an outing's length.")


class Visitors(_Part):
    days_per_week: float = Field(
        default=1.0, ge=0, le=7, description="Days a week with a visitor, on average."
    )
    earliest: Clock = Field(default=time(10, 30), description="No visit starts before this.")
    latest: Clock = Field(default=time(17, 0), description="No visit starts after this.")
    minutes: float = Field(default=90, gt=0, description="Usual length of a visit.")
    trips: float = Field(
        default=3,
        ge=0,
        description="Visitor's trips to the kitchen or bathroom per visit, "
        "made while the person stays seated: two distant rooms active at once.",
    )


class Pet(_Part):
    trips_per_day: float = Field(
        default=0, ge=0, description="Pet movements seen per day (0: no pet), at any hour."
    )
    rooms: list[str] = Field(
        default_factory=list,
        description="Room ids the pet is seen in; empty means every room except the "
        "bedroom and bathrooms. A pet never presses the bed mat or opens doors.",
    )


class Medication(_Part):
    with_meals: list[str] = Field(
        default_factory=lambda: ["breakfast", "dinner"],
        description="Meals (breakfast, lunch, dinner) a dose is taken with: the pill box opens.",
    )
    late: float = Field(default=0.1, ge=0, le=1, description="Probability a dose is late.")
    late_min: float = Field(default=60, gt=0, description="How late a late dose is, on average.")
    missed: float = Field(default=0.05, ge=0, le=1, description="Probability a dose is missed.")

    @model_validator(mode="after")
    def _known_meals(self) -> Self:
        unknown = [m for m in self.with_meals if m not in ("breakfast", "lunch", "dinner")]
        if unknown:
            raise ValueError(f"with_meals: {unknown[0]!r} is not breakfast, lunch or dinner")
        return self


class SensorFaults(_Part):
    dropouts_per_month: float = Field(
        default=1.0, ge=0, description="Times a month each sensor goes silent, on average."
    )
    dropout_hours_min: float = Field(default=2, gt=0, description="Shortest dropout, hours.")
    dropout_hours_max: float = Field(default=72, gt=0, description="Longest dropout, hours.")
    duplicates: float = Field(
        default=0.01, ge=0, le=1, description="Probability a reading is sent twice."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.dropout_hours_max < self.dropout_hours_min:
            raise ValueError("dropout_hours_max is below dropout_hours_min")
        return self


class Profile(_Part):
    """How one simulated person lives; every field has a default (the `typical` person)."""

    name: str = Field(default="custom", description="A short name shown in reports.")
    description: str = Field(default="", description="One sentence about this person.")
    wake: Clock = Field(default=time(8, 0), description="Usual time up on weekdays.")
    wake_spread_min: float = Field(default=30, ge=0, description="Day-to-day spread of time up.")
    bedtime: Clock = Field(default=time(23, 15), description="Usual time to bed on weekdays.")
    bedtime_spread_min: float = Field(default=30, ge=0, description="Spread of time to bed.")
    weekend_later_min: float = Field(
        default=30, description="Time up and bedtime are this much later on Saturday and Sunday."
    )
    night_toilet: float = Field(
        default=0.8, ge=0, description="Toilet visits per night, on average."
    )
    day_toilet: float = Field(default=5, ge=0, description="Toilet visits while up, on average.")
    breakfast: Meal = Field(default_factory=Meal, description="Breakfast.")
    lunch: Meal = Field(
        default_factory=lambda: Meal(at=time(12, 45), minutes=7, fridge_opens=1.5, kettle=0.3),
        description="Lunch.",
    )
    dinner: Meal = Field(
        default_factory=lambda: Meal(at=time(18, 15), minutes=12, fridge_opens=2, kettle=0.3),
        description="The evening meal.",
    )
    snacks: float = Field(
        default=2, ge=0, description="Short kitchen trips between meals (a drink, a biscuit)."
    )
    kitchen: float = Field(
        default=1.0, ge=0, description="Scale of all kitchen time and fridge and kettle use."
    )
    activity: float = Field(
        default=1.0,
        ge=0,
        description="Scale of all movement: trips between rooms, fidgeting "
        "while seated, time spent busy.",
    )
    trips: float = Field(
        default=4, ge=0, description="Short trips to the bedroom or hall while up (pottering)."
    )
    seated_motion_every_min: float = Field(
        default=30, gt=0, description="While seated, a movement is seen this often on average."
    )
    night_door_per_week: float = Field(
        default=0, ge=0, le=7, description="Nights a week the front door is opened at night."
    )
    outings: Outings = Field(default_factory=Outings, description="Going out.")
    visitors: Visitors = Field(default_factory=Visitors, description="Visitors.")
    pet: Pet = Field(default_factory=Pet, description="A pet moving about the home.")
    medication: Medication = Field(default_factory=Medication, description="Pill-box doses.")
    sensors: SensorFaults = Field(
        default_factory=SensorFaults, description="Sensor dropouts and duplicated readings."
    )

    def meal(self, name: str) -> Meal:
        meal: Meal = getattr(self, name)
        return meal


MEALS = ("breakfast", "lunch", "dinner")

# Built-in people, as overrides of the typical one (each is a valid profile file's content).
BUILTIN: dict[str, dict[str, object]] = {
    "typical": {
        "name": "typical",
        "description": "Lives alone, up around 08:00, out once a day, a visitor once a week.",
    },
    "early-riser": {
        "name": "early-riser",
        "description": "Up at 06:30 and in bed by 21:45; no weekend lie-in.",
        "wake": "06:30",
        "bedtime": "21:45",
        "weekend_later_min": 0,
        "wake_spread_min": 12,
    },
    "night-owl": {
        "name": "night-owl",
        "description": "To bed after midnight, up mid-morning; lunch late, as in Spain.",
        "wake": "09:45",
        "bedtime": "00:45",
        "lunch": {"at": "14:30", "minutes": 15},
        "dinner": {"at": "21:00", "minutes": 20},
        "outings": {"earliest": "11:00", "latest": "19:00"},
    },
    "frail": {
        "name": "frail",
        "description": "Less active, rarely out, up more at night, misses doses more often.",
        "activity": 0.7,
        "night_toilet": 1.8,
        "outings": {"per_day": 0.3, "minutes": 60},
        "visitors": {"days_per_week": 3},
        "medication": {"late": 0.25, "missed": 0.15},
    },
    "with-cat": {
        "name": "with-cat",
        "description": "The typical person with a cat that roams the living room, kitchen "
        "and hall day and night.",
        "pet": {"trips_per_day": 25},
    },
}


def builtin_profile(name: str) -> Profile:
    """A built-in profile by name; ProfileError naming the known ones otherwise."""
    overrides = BUILTIN.get(name)
    if overrides is None:
        raise ProfileError(
            f"no built-in profile {name!r} (known: {', '.join(BUILTIN)}; or give a YAML file)"
        )
    return Profile.model_validate(overrides)


def load_profile(path: Path) -> Profile:
    """Read a profile YAML file; ProfileError with the file, line and key of the first problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the profile ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: not UTF-8 text") from exc
    try:
        document = parse(text)
    except yaml.YAMLError as exc:
        line, message = syntax_message(exc)
        raise ProfileError(f"{path}:{line}: {message}") from exc
    data = {} if document.data is None else document.data
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a set of keys (wake:, bedtime: ...)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        lines: list[tuple[int, str]] = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            line = document.line_of(loc)
            where = f"{path}:{line}" if line is not None else str(path)
            if error["type"] == "extra_forbidden":
                message = _unknown_key(loc)
            else:
                message = describe(error, document.written(loc))
            lines.append((line or 0, f"{where}: {key_path(loc) or 'profile'}: {message}"))
        raise ProfileError("\n".join(text for _, text in sorted(lines))) from exc


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    """'unknown key', with the nearest profile key as a suggestion (the config's wording)."""
    model: type[BaseModel] = Profile
    for part in loc[:-1]:
        inner = (
            model.model_fields[str(part)].annotation if str(part) in model.model_fields else None
        )
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return f"unknown key {loc[-1]!r}"
        model = inner
    message = f"unknown key {loc[-1]!r}"
    close = get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f"{message} (did you mean {close[0]!r}?)" if close else message


def profile_from(name_or_path: str) -> Profile:
    """A built-in profile's name, or the path of a profile YAML file."""
    if name_or_path in BUILTIN:
        return builtin_profile(name_or_path)
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_profile(path)
    return builtin_profile(name_or_path)


def reference() -> list[str]:
    """Every profile key with its default and description, as Markdown table rows."""
    rows = ["| key | default | what it is |", "|---|---|---|"]

    def walk(model: type[BaseModel], instance: BaseModel, prefix: str) -> None:
        for name, field in model.model_fields.items():
            value = getattr(instance, name)
            if isinstance(value, BaseModel):
                walk(type(value), value, f"{prefix}{name}.")
                continue
            shown = value.strftime("%H:%M") if isinstance(value, time) else value
            if shown is None or shown == "":
                shown = "(none)"
            rows.append(f"| `{prefix}{name}` | {shown} | {field.description} |")

    walk(Profile, Profile(), "")
    return rows
