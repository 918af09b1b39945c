"""The `rules:` section: each real-time safety rule can be switched off or tuned per home.

Defaults are the safe values used while the routine is still being learned;
once it is learned, rules that depend on "usual" use the person's own figures
(see docs/rules.md).
"""

from __future__ import annotations

from pydantic import Field

from hub.config.base import Window, _Model, parse_window


class _Rule(_Model):
    enabled: bool = Field(default=True, title="Enabled", description="Run this rule.")


class NotUp(_Rule):
    default_by: str = Field(
        default="10:30",
        pattern=r"^\d{2}:\d{2}$",
        title="Latest time up while learning",
        description="Local time by which the resident is expected up before the routine is "
        "learned.",
    )
    margin_min: float = Field(
        default=90,
        ge=15,
        title="Margin",
        description="Minutes past the usual (learned) time up before the rule fires.",
    )


class NoMovement(_Rule):
    default_night: Window = Field(
        default_factory=lambda: parse_window("22:00-08:00"),
        title="Night while learning",
        description="'HH:MM-HH:MM' local time in which stillness is taken for sleep before the "
        "routine is learned; afterwards the night runs from an hour before the usual bedtime to "
        "the usual time up.",
    )
    default_max_min: float = Field(
        default=240,
        ge=30,
        title="Longest stillness while learning",
        description="Minutes without movement at home, awake, that raise an alert before the "
        "routine is learned.",
    )
    factor: float = Field(
        default=1.5,
        ge=1,
        title="Factor over usual",
        description="Once learned, the alert comes after this many times the longest usual "
        "still period for the hour.",
    )
    min_max_min: float = Field(
        default=120,
        ge=15,
        title="Never sooner than",
        description="Minutes of stillness below which this rule never fires, whatever was learned.",
    )


class LongBathroom(_Rule):
    default_max_min: float = Field(
        default=60,
        ge=10,
        title="Longest visit while learning",
        description="Minutes in the bathroom that raise an alert before the routine is learned.",
    )
    factor: float = Field(
        default=2.0,
        ge=1,
        title="Factor over usual",
        description="Once learned, the alert comes after this many times the usual longest visit.",
    )
    min_max_min: float = Field(
        default=45, ge=10, title="Never sooner than", description="Minutes; a floor on the limit."
    )


class NightExit(_Rule):
    night: Window = Field(
        default_factory=lambda: parse_window("23:00-06:00"),
        title="Night",
        description="'HH:MM-HH:MM' local time during which a front-door opening is watched.",
    )
    no_return_min: float = Field(
        default=20,
        ge=1,
        title="No movement after",
        description="Minutes without movement inside after the door opened before alerting.",
    )


class Temperature(_Rule):
    cold_c: float = Field(
        default=16, title="Too cold below", description="Degrees Celsius indoors."
    )
    hot_c: float = Field(default=30, title="Too hot above", description="Degrees Celsius indoors.")
    for_min: float = Field(
        default=120,
        ge=5,
        title="For how long",
        description="Minutes every indoor thermometer must stay beyond a limit before alerting.",
    )


class ApplianceUnused(_Rule):
    by: str = Field(
        default="20:00",
        pattern=r"^\d{2}:\d{2}$",
        title="Checked at",
        description="Local time at which a day without fridge or kettle use is reported.",
    )


class SensorSilent(_Rule):
    factor: float = Field(
        default=2.0,
        ge=1,
        title="Factor over interval",
        description="A sensor with an expected interval is silent after this many intervals.",
    )
    offline_min: float = Field(
        default=60,
        ge=1,
        title="Offline for",
        description="Minutes a device may report itself offline before it is reported.",
    )


class StuckSensor(_Rule):
    motion_h: float = Field(
        default=6, gt=0, title="Motion active for", description="Hours of unbroken 'motion'."
    )
    pressure_h: float = Field(
        default=16,
        gt=0,
        title="Pressure mat occupied for",
        description="Hours of unbroken 'occupied' on a bed or chair mat.",
    )


class LowBattery(_Rule):
    below_percent: float = Field(
        default=15, ge=1, le=100, title="Below", description="Battery percentage that is low."
    )


class HelpButton(_Rule):
    pass


class Rules(_Model):
    tick_s: float = Field(
        default=30,
        gt=0,
        le=300,
        title="Check every",
        description="Seconds between checks of the time-based rules when no event arrives.",
    )
    not_up: NotUp = Field(
        default_factory=NotUp, title="Not up", description="Not up by the usual time."
    )
    no_movement: NoMovement = Field(
        default_factory=NoMovement, title="No movement", description="Still for too long at home."
    )
    long_bathroom: LongBathroom = Field(
        default_factory=LongBathroom,
        title="Long bathroom visit",
        description="In the bathroom much longer than usual.",
    )
    night_exit: NightExit = Field(
        default_factory=NightExit,
        title="Night exit",
        description="Front door opened at night and no movement inside afterwards.",
    )
    temperature: Temperature = Field(
        default_factory=Temperature, title="Temperature", description="Too cold or too hot."
    )
    appliance_unused: ApplianceUnused = Field(
        default_factory=ApplianceUnused,
        title="Fridge and kettle unused",
        description="Neither the fridge nor the kettle used all day.",
    )
    sensor_silent: SensorSilent = Field(
        default_factory=SensorSilent,
        title="Silent sensor",
        description="A sensor stopped reporting or went offline.",
    )
    stuck_sensor: StuckSensor = Field(
        default_factory=StuckSensor,
        title="Stuck sensor",
        description="A sensor stuck in one state.",
    )
    low_battery: LowBattery = Field(
        default_factory=LowBattery, title="Low battery", description="A battery running low."
    )
    help_button: HelpButton = Field(
        default_factory=HelpButton,
        title="Help button",
        description="A help button or pull cord pressed.",
    )
