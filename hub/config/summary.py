"""The `summary:` section: the weekly summary e-mailed to care co-ordinators."""

from __future__ import annotations

from pydantic import Field

from hub.config.base import _Model
from hub.config.medication import ClockTime, Weekday


class WeeklyEmail(_Model):
    enabled: bool = Field(
        default=False,
        title="Send",
        description="E-mail each week's summary (a PDF) to the alert recipients whose role is "
        "coordinator, through alerts.smtp. Off by default: the summary is personal and leaves "
        "the home only when someone chooses so.",
    )
    day: Weekday = Field(
        default=Weekday.MON,
        title="Day",
        description="Day of the week after the summarised week (mon .. sun) it is sent on.",
    )
    at: ClockTime = Field(
        # Written as in YAML (the reference page shows it so) and parsed like any value.
        default="08:00",
        validate_default=True,
        title="Time",
        description="Local time it is sent at, 'HH:MM'.",
    )


class Summary(_Model):
    email: WeeklyEmail = Field(
        default_factory=WeeklyEmail,
        title="Weekly e-mail",
        description="When the weekly summary goes to co-ordinators, and whether it does.",
    )
