"""Shared pieces of the simulator tests: the simulated home, and a person who varies less.

Tests that check a feature against the profile use `steady`: no weekend
lie-in, no dropouts, no duplicates, no visitors, so one cause moves one
feature. Tests of those very effects switch them on explicitly.
"""

from __future__ import annotations

import pytest

from hub.config.loader import load_config
from hub.config.models import HearthConfig
from hub.simulate import Profile, builtin_profile
from tests.simulate.simulate_helpers import SIMULATED_HOME


@pytest.fixture(scope="session")
def home() -> HearthConfig:
    return load_config(SIMULATED_HOME)


@pytest.fixture(scope="session")
def typical() -> Profile:
    return builtin_profile("typical")


@pytest.fixture(scope="session")
def steady(typical: Profile) -> Profile:
    return typical.model_validate(
        {
            **typical.model_dump(),
            "weekend_later_min": 0,
            "visitors": {"days_per_week": 0},
            "sensors": {"dropouts_per_month": 0, "duplicates": 0},
        }
    )
