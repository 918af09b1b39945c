"""config/example-home.yaml: loads cleanly and shows every option an installer can set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args, get_origin

import yaml
from pydantic import BaseModel

from hub.config import HearthConfig, load_config
from hub.config.messages import without_none
from hub.events import Source

EXAMPLE = Path(__file__).parents[2] / "config" / "example-home.yaml"

# Options deliberately left out of the example's YAML, and why. Each is still
# shown to the installer as a commented-out line (checked below).
COMMENTED_OUT = {
    "broker.tls": "the example broker is on the same box, where plain TCP is usual",
    "broker.tls.ca_file": "as broker.tls",
    "broker.tls.cert_file": "as broker.tls",
    "broker.tls.key_file": "as broker.tls",
    "broker.password_env": "the example uses password_file; the two cannot both be set",
    "home_assistant.node_id": "left out, it is made from the home id, which is what most want",
}


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key path of `model`, with list entries folded: sensors.match.device."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        keys.add(path)
        inner = without_none(field.annotation)
        if get_origin(inner) is list:
            inner = get_args(inner)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            keys |= model_keys(inner, f"{path}.")
    return keys


def written_keys(data: object, prefix: str = "") -> set[str]:
    """Every key path written in parsed YAML, with list entries folded the same way."""
    keys: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(f"{prefix}{key}")
            keys |= written_keys(value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for item in data:
            keys |= written_keys(item, prefix)
    return keys


def test_example_loads_without_problems() -> None:
    config = load_config(EXAMPLE)
    assert config.home.id == "flat-12"
    assert config.storage.path == Path("/var/lib/hearth/hearth.db")
    assert config.broker.password_file == Path("/etc/hearth/mqtt.pass")
    assert {room.id for room in config.rooms} == {
        "bedroom",
        "bathroom",
        "kitchen",
        "living_room",
        "hall",
    }


def test_example_shows_every_live_producer() -> None:
    sources = {sensor.match.source for sensor in load_config(EXAMPLE).sensors}
    live = {
        Source.ZIGBEE2MQTT,
        Source.TASMOTA,
        Source.SHELLY,
        Source.RTL433,
        Source.ESPHOME,
        Source.GENERIC,
    }
    assert live <= sources


def test_every_option_appears_in_the_example() -> None:
    written = written_keys(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    missing = model_keys(HearthConfig) - written - set(COMMENTED_OUT)
    assert not missing, f"add these to {EXAMPLE.name}, or to COMMENTED_OUT with a reason"


def test_options_left_out_are_shown_as_comments() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in COMMENTED_OUT:
        name = key.rsplit(".", 1)[-1]
        assert re.search(rf"^\s*#\s+{name}:", text, re.MULTILINE), key


def test_commented_out_list_is_not_stale() -> None:
    assert set(COMMENTED_OUT) <= model_keys(HearthConfig)
