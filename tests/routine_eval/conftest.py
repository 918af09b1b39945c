"""Real days of the committed Ordonez homes, resampled, shared by the evaluation tests."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.evaluate import COMMITTED, CONFIGS, home_events
from hub.evaluation.pipeline import Prepared, prepare
from hub.evaluation.resample import resample
from hub.events import Event


@pytest.fixture(scope="session")
def ordonez_b() -> tuple[HearthConfig, list[Event]]:
    config = load_config(CONFIGS / "ordonez-b.yaml")
    return config, home_events(config, COMMITTED / "OrdonezB_Sensors.txt")


@pytest.fixture(scope="session")
def ordonez_b_stream(ordonez_b: tuple[HearthConfig, list[Event]]) -> Prepared:
    """70 resampled days of Ordonez B, features and signs computed once."""
    config, events = ordonez_b
    stream = resample("ordonez-b", events, ZoneInfo(config.home.timezone), days=70, seed=7)
    return prepare(config, stream, seed=7)
