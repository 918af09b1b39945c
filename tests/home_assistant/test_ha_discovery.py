"""The discovery message: the keys Home Assistant requires, stable ids, nothing private."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from hub.alerts.control import ControlError, parse_control
from hub.alerts.model import AlertState
from hub.config.home_assistant import HomeAssistant
from hub.home_assistant import alert_summary, discovery_message, mode_command_template
from hub.home_assistant.discovery import encode
from hub.modes import Mode, ModeSetting
from tests.home_assistant.ha_helpers import T0, alert, example_config, private_words

VERSION = "1.2.3"


def message(**settings: Any) -> tuple[str, dict[str, Any]]:
    return discovery_message(example_config(), HomeAssistant(**settings), VERSION)


def test_one_device_message_on_the_device_discovery_topic() -> None:
    topic, payload = message()
    assert topic == "homeassistant/device/hearth_flat-12/config"
    # Home Assistant's discovery topic ids allow only [a-zA-Z0-9_-].
    assert re.fullmatch(r"homeassistant/device/[A-Za-z0-9_-]+/config", topic)
    assert payload["dev"] == {
        "identifiers": ["hearth_flat-12"],
        "name": "Hearth",
        "manufacturer": "Hearth",
        "model": "Home hub",
        "sw_version": VERSION,
    }
    assert payload["o"] == {"name": "hearth", "sw": VERSION}
    assert set(payload["cmps"]) == {"hub", "home_mode", "set_mode", "open_alerts"}


def test_every_component_has_what_home_assistant_requires() -> None:
    _, payload = message(expose_sensors=True)
    for key, component in payload["cmps"].items():
        platform = component["p"]
        assert platform in {"binary_sensor", "sensor", "select"}, key
        assert component["unique_id"], key
        assert component["name"], key
        assert component["state_topic"].startswith("hearth/flat-12/"), key
        # The whole entity id, platform first, in Home Assistant's characters.
        assert re.fullmatch(rf"{platform}\.[a-z0-9_]+", component["default_entity_id"]), key
        # object_id is deprecated (Home Assistant 2025.10) and stops working in 2026.4.
        assert not {"object_id", "obj_id"} & set(component), key
        if key != "hub":
            assert component["availability"][0]["topic"] == "hearth/flat-12/status", key
    select = payload["cmps"]["set_mode"]
    assert select["command_topic"] == "hearth/flat-12/control/mode"
    assert select["options"] == ["home", "away", "visitors"]


def test_the_hub_sensor_reads_disconnected_not_unavailable() -> None:
    _, payload = message()
    hub = payload["cmps"]["hub"]
    assert hub["device_class"] == "connectivity"
    assert "availability" not in hub
    assert (hub["payload_on"], hub["payload_off"]) == ("online", "offline")


def test_unique_ids_are_stable_and_distinct() -> None:
    first = message(expose_sensors=True)[1]["cmps"]
    again = message(expose_sensors=True)[1]["cmps"]
    ids = [c["unique_id"] for c in first.values()]
    assert ids == [c["unique_id"] for c in again.values()]
    assert len(set(ids)) == len(ids)
    entity_ids = [c["default_entity_id"] for c in first.values()]
    assert len(set(entity_ids)) == len(entity_ids)
    assert first["open_alerts"]["unique_id"] == "hearth_flat-12_open_alerts"
    assert first["open_alerts"]["default_entity_id"] == "sensor.hearth_flat_12_open_alerts"


def test_node_id_and_prefix_from_the_config() -> None:
    topic, payload = message(discovery_prefix="ha", node_id="Gran")
    assert topic == "ha/device/Gran/config"
    assert payload["dev"]["identifiers"] == ["Gran"]
    assert payload["cmps"]["hub"]["default_entity_id"] == "binary_sensor.gran_hub"


def test_a_node_id_home_assistant_would_refuse_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="node_id"):
        HomeAssistant(node_id="gran's/house")


def test_nothing_private_reaches_home_assistant_by_default() -> None:
    config = example_config()
    words = private_words(config)
    assert {"Metformin", "kitchen", "front_door", "Margaret"} <= set(words)
    text = encode(discovery_message(config, HomeAssistant(), VERSION)[1]).decode()
    leaked = [w for w in words if _mentions(text, w)]
    assert leaked == []


def test_exposing_sensors_names_them_and_adds_battery_levels() -> None:
    # The other side of the privacy test: the check does find ids when they are there.
    config = example_config()
    text = encode(discovery_message(config, HomeAssistant(expose_sensors=True), VERSION)[1])
    assert [s.id for s in config.sensors if not _mentions(text.decode(), s.id)] == []
    battery = json.loads(text)["cmps"]["battery_front_door"]
    assert battery["device_class"] == "battery"
    assert battery["state_topic"] == "hearth/flat-12/sensors/front_door/battery"
    assert battery["entity_category"] == "diagnostic"
    # Still no medicine names or rooms: only sensor ids.
    assert not _mentions(text.decode(), "Metformin")
    assert not _mentions(text.decode(), "Kitchen")


def test_alert_sentences_stay_out_of_home_assistant() -> None:
    # The summary topic's `latest` may name a medicine; Home Assistant is pointed at
    # the count and the urgent count only.
    summary = alert_summary([alert(1, AlertState.OPEN, summary="Metformin (08:00 dose) missed.")])
    component = message()[1]["cmps"]["open_alerts"]
    state = render(component["value_template"], value_json=summary)
    attributes = json.loads(render(component["json_attributes_template"], value_json=summary))
    assert (state, attributes) == (b"1", {"urgent": 0})


def _mentions(text: str, word: str) -> bool:
    return (
        re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text, re.IGNORECASE) is not None
    )


# The select's command template, rendered the way Home Assistant renders it -----------


def render(template: str, **variables: Any) -> bytes:
    """Jinja as in Home Assistant's templates: `now()` (aware, local) and `timedelta`."""
    env = ImmutableSandboxedEnvironment()
    env.globals |= {"now": lambda: T0, "timedelta": timedelta}
    return env.from_string(template).render(**variables).encode()


@pytest.mark.parametrize(("option", "hours"), [("home", None), ("visitors", 4), ("away", 24)])
def test_the_select_sends_what_the_control_topic_accepts(option: str, hours: int | None) -> None:
    settings = HomeAssistant()
    payload = render(mode_command_template(settings), value=option)
    request = parse_control("hearth/flat-12", "hearth/flat-12/control/mode", payload, T0)
    assert isinstance(request, ModeSetting)
    assert request.mode is Mode(option)
    assert request.set_by == "home-assistant"
    expected = None if hours is None else T0 + timedelta(hours=hours)
    assert request.until == expected


def test_the_select_durations_come_from_the_config() -> None:
    payload = render(mode_command_template(HomeAssistant(away_hours=72)), value="away")
    assert json.loads(payload)["until"] == "2026-07-04T08:00:00+00:00"


def test_a_mode_without_an_end_would_be_refused() -> None:
    # Why the template computes "until": the control topic refuses "away" without one.
    with pytest.raises(ControlError, match="end time"):
        parse_control(
            "hearth/flat-12",
            "hearth/flat-12/control/mode",
            b'{"mode": "away", "by": "home-assistant"}',
            T0,
        )
