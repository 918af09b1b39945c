"""Home Assistant's MQTT discovery message for this hub: pure, from the config alone.

One retained message on `<discovery prefix>/device/<node id>/config` in the
device-based form, which Home Assistant documents in
https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload
(read from home-assistant/home-assistant.io, source/_integrations/mqtt.markdown):

- `dev` and `o` are required at the root and cannot be overridden per component;
  `o` takes `name`, `sw` (sw_version) and `url` (support_url).
- each entry of `cmps` needs `p` (its platform) and, for entities, `unique_id`.
- `default_entity_id` replaced `object_id` in Home Assistant 2025.10 (object_id
  stops working in 2026.4, says Home Assistant's own deprecation warning); its
  value is a whole entity id with the platform, such as `sensor.hearth_home_mode`
  ("For example, `infrared.foobar`" in the MQTT platform pages' entry), and it is
  only used when the entity is first added (home-assistant/home-assistant.io
  pull request 40749; home-assistant/core issue 155819).
- Home Assistant renders `command_template` and `json_attributes_template` with
  its Jinja environment, which has `now()`, `timedelta` and `tojson`.
- entity names are shown after the device name ("Hearth" + "Open alerts").
- availability is per component here, not shared: the hub's own connectivity
  sensor must read "disconnected" when the hub is gone, not "unavailable".

What is exposed, and why no more: the hub's connection, the home's mode (with
a select to change it) and a count of open alerts. Home Assistant often syncs
to a cloud and to phones, so nothing here names a sensor, a room or a
medicine, no alert sentence is shown (they can name all three), and no raw
motion, door or medication activity is exposed; with
`home_assistant.expose_sensors` each sensor's battery level is added, named by
sensor id. docs/home_assistant.md is the user's view of the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hub.config.home_assistant import HomeAssistant
from hub.config.models import HearthConfig
from hub.home_assistant.summary import summary_topic
from hub.modes import Mode

MANUFACTURER = "Hearth"
MODEL = "Home hub"
ORIGIN = "hearth"
HA_BY = "home-assistant"  # the "by" of a mode set from Home Assistant, as `hearth alerts` shows it

STATE_JSON = "{{ value_json.state }}"
URGENT_ONLY = "{{ {'urgent': value_json.urgent} | tojson }}"
MODES = [mode.value for mode in Mode]


def node_id(config: HearthConfig, settings: HomeAssistant) -> str:
    """This hub's id in Home Assistant: the discovery topic's object id, each unique id's start."""
    return settings.node_id or f"hearth_{config.home.id}"


def discovery_topic(config: HearthConfig, settings: HomeAssistant) -> str:
    return f"{settings.discovery_prefix}/device/{node_id(config, settings)}/config"


def battery_topic(prefix: str, sensor_id: str) -> str:
    """Where the hub publishes a sensor's battery level (only with expose_sensors)."""
    return f"{prefix}/sensors/{sensor_id}/battery"


@dataclass(frozen=True, slots=True)
class _Ids:
    """Makes each component's ids from this hub's node id."""

    node: str

    def component(self, key: str, platform: str, name: str, **options: Any) -> dict[str, Any]:
        entity = f"{self.node}_{key}".lower().replace("-", "_")  # entity ids: a-z, 0-9 and _
        return {
            "p": platform,
            "unique_id": f"{self.node}_{key}",
            "default_entity_id": f"{platform}.{entity}",
            "name": name,
            **options,
        }


def discovery_message(
    config: HearthConfig, settings: HomeAssistant, version: str
) -> tuple[str, dict[str, Any]]:
    """The discovery topic and payload (a JSON object) announcing this hub."""
    ids = _Ids(node_id(config, settings))
    prefix = config.topic_prefix
    status = f"{prefix}/status"
    available = [
        {
            "topic": status,
            "value_template": STATE_JSON,
            "payload_available": "online",
            "payload_not_available": "offline",
        }
    ]
    components = {
        # No availability: when the hub is gone this reads "disconnected", which is
        # the point of it, rather than "unavailable".
        "hub": ids.component(
            "hub",
            "binary_sensor",
            "Hub",
            device_class="connectivity",
            state_topic=status,
            value_template=STATE_JSON,
            payload_on="online",
            payload_off="offline",
        ),
        "home_mode": ids.component(
            "home_mode",
            "sensor",
            "Home mode",
            device_class="enum",
            options=MODES,
            state_topic=f"{prefix}/mode",
            value_template="{{ value_json.mode }}",
            # until and set_by become attributes: "away until Friday, set by anna".
            json_attributes_topic=f"{prefix}/mode",
            icon="mdi:home-account",
            availability=available,
        ),
        "set_mode": ids.component(
            "set_mode",
            "select",
            "Set mode",
            options=MODES,
            state_topic=f"{prefix}/mode",
            value_template="{{ value_json.mode }}",
            command_topic=f"{prefix}/control/mode",
            command_template=mode_command_template(settings),
            icon="mdi:home-switch",
            availability=available,
        ),
        "open_alerts": ids.component(
            "open_alerts",
            "sensor",
            "Open alerts",
            state_topic=summary_topic(prefix),
            value_template="{{ value_json.open }}",
            state_class="measurement",
            # `urgent` as an attribute, for automations ("turn the hall light red").
            # Not `latest`: alert sentences name medicines ("Metformin (08:00 dose)
            # not confirmed"), rooms and sensors, which stay out of Home Assistant.
            json_attributes_topic=summary_topic(prefix),
            json_attributes_template=URGENT_ONLY,
            icon="mdi:alert-circle-outline",
            availability=available,
        ),
    }
    if settings.expose_sensors:
        for sensor in config.sensors:
            key = f"battery_{sensor.id}"
            components[key] = ids.component(
                key,
                "sensor",
                f"{sensor.id} battery",
                device_class="battery",
                unit_of_measurement="%",
                state_class="measurement",
                entity_category="diagnostic",
                state_topic=battery_topic(prefix, sensor.id),
                availability=available,
            )
    payload = {
        "dev": {
            "identifiers": [ids.node],
            "name": "Hearth",
            "manufacturer": MANUFACTURER,
            "model": MODEL,
            "sw_version": version,
        },
        # No support URL ("url"): the project has no public address yet.
        "o": {"name": ORIGIN, "sw": version},
        "cmps": components,
        # QoS 1 for the select's commands: a mode change should not be lost.
        "qos": 1,
    }
    return discovery_topic(config, settings), payload


def mode_command_template(settings: HomeAssistant) -> str:
    """The select's command: the control topic's JSON, with the end time the mode needs.

    Every mode but home needs an "until" (a forgotten "away" must not silence the
    hub for ever), and a select can only send its option. Home Assistant renders
    this template with its own `now()` and `timedelta`, so "visitors" lasts
    `visitors_hours` and "away" `away_hours` from the moment it is chosen; the end
    shows as the mode sensor's `until` attribute. Short by design: a mode that ends
    too early gives an alert too many, one that ends too late may miss one.
    """
    hours = {Mode.VISITORS.value: settings.visitors_hours, Mode.AWAY.value: settings.away_hours}
    return (
        f"{{% set hours = {json.dumps(hours)}.get(value) %}}"
        "{{ {'mode': value, "
        "'until': (now() + timedelta(hours=hours)).isoformat() if hours else none, "
        f"'by': '{HA_BY}'}} | tojson }}}}"
    )


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the discovery payload goes to every Home Assistant start."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
