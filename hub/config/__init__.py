"""The home's configuration: models, loading with line-accurate problems, and secrets.

`load_config(path)` is the way in; it raises `ConfigError`, whose `problems`
each print as one line: `home.yaml:42: sensors[3].room: room 'kitchn' is not in rooms`.
"""

from hub.config.errors import ConfigError, Problem
from hub.config.loader import load_config, validate_config
from hub.config.models import (
    Broker,
    HearthConfig,
    Home,
    Ingest,
    Match,
    Producers,
    Resident,
    Role,
    Room,
    Sensor,
    Storage,
    Tls,
    cross_check,
)
from hub.config.secrets import SecretError, password_source, read_broker_password

__all__ = [
    "Broker",
    "ConfigError",
    "HearthConfig",
    "Home",
    "Ingest",
    "Match",
    "Problem",
    "Producers",
    "Resident",
    "Role",
    "Room",
    "SecretError",
    "Sensor",
    "Storage",
    "Tls",
    "cross_check",
    "load_config",
    "password_source",
    "read_broker_password",
    "validate_config",
]
