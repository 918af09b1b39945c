"""Constants and small helpers the simulator tests share (a unique name: tests/ has no packages)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from hub.config.models import HearthConfig
from hub.events import Event
from hub.routine import DayFeatures, daily_features

REPO = Path(__file__).resolve().parents[2]
SIMULATED_HOME = REPO / "config" / "simulated-home.yaml"
START = date(2026, 2, 2)  # a Monday, well clear of the clock changes


def whole_days(events: Sequence[Event], config: HearthConfig) -> list[DayFeatures]:
    return [day for day in daily_features(events, config) if not day.partial]


def minutes_of_day(day: DayFeatures) -> float:
    assert day.time_up is not None
    return day.time_up.hour * 60 + day.time_up.minute + day.time_up.second / 60
