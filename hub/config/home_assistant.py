"""The `home_assistant:` section: how Hearth shows itself in Home Assistant."""

from __future__ import annotations

from pydantic import Field

from hub.config.base import _Model

# Home Assistant allows only these characters in a discovery topic's ids.
HA_ID_PATTERN = r"^[A-Za-z0-9_-]+$"


class HomeAssistant(_Model):
    enabled: bool = Field(
        default=True,
        title="Announce to Home Assistant",
        description="Publish MQTT discovery so a Home Assistant on the same broker shows "
        "Hearth's status, mode and open alerts without any setup. Harmless without one.",
    )
    discovery_prefix: str = Field(
        default="homeassistant",
        pattern=HA_ID_PATTERN,
        max_length=64,
        title="Discovery prefix",
        description="Home Assistant's MQTT discovery prefix; change it only if Home "
        "Assistant's MQTT options were changed too. Its birth message is read from "
        "<prefix>/status.",
    )
    node_id: str | None = Field(
        default=None,
        pattern=HA_ID_PATTERN,
        max_length=64,
        title="Device id",
        description="Id of this hub in Home Assistant (the discovery topic and the start "
        "of every unique id); empty means hearth_<home id>. Changing it later makes Home "
        "Assistant see a new device.",
    )
    expose_sensors: bool = Field(
        default=False,
        title="Expose sensors",
        description="Also show each configured sensor's battery level, named by sensor id. "
        "Off by default: Home Assistant may sync to a cloud, and sensor names and rooms "
        "say how the home is laid out. Raw motion, door and medication activity is never "
        "exposed.",
    )
    visitors_hours: int = Field(
        default=4,
        ge=1,
        le=72,
        title="Visitors from Home Assistant",
        description="Hours that 'visitors' chosen in Home Assistant lasts; the mode always "
        "needs an end, and a short one errs towards alerting.",
    )
    away_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 14,
        title="Away from Home Assistant",
        description="Hours that 'away' chosen in Home Assistant lasts; longer absences are "
        "set with `hearth mode away --until ...` or the mode control topic.",
    )
