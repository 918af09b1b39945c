"""temperature: every indoor thermometer beyond a limit for for_min."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from tests.rules.scene import Scene


def test_cold_when_every_thermometer_is_cold_for_two_hours() -> None:
    scene = Scene()
    scene.at("2024-01-10 01:00", "lounge_temp", 15.5)
    scene.at("2024-01-10 01:30", "bedroom_temp", 14.0)
    assert "temperature" not in scene.rules("2024-01-10 03:29")
    condition = scene.only("2024-01-10 03:30", "temperature", Mode.AWAY)  # never paused
    assert condition.subject == "cold"
    assert condition.severity is Severity.WARNING
    assert condition.since == scene.time("2024-01-10 01:30")
    assert condition.summary == (
        "Too cold at home since 01:30 (2 h): every thermometer below 16 °C, "
        "the warmest now 15.5 °C."
    )


def test_one_warm_room_is_not_a_cold_home_and_warming_clears() -> None:
    scene = Scene()
    scene.at("2024-01-10 01:00", "lounge_temp", 15.0)
    scene.at("2024-01-10 01:00", "bedroom_temp", 18.0)
    assert "temperature" not in scene.rules("2024-01-10 05:00")
    scene.at("2024-01-10 05:00", "bedroom_temp", 15.0)
    assert "temperature" in scene.rules("2024-01-10 07:00")
    scene.at("2024-01-10 07:10", "lounge_temp", 17.0)
    assert "temperature" not in scene.rules("2024-01-10 07:11")


def test_hot() -> None:
    scene = Scene()
    scene.at("2024-07-10 13:00", "lounge_temp", 31.0)
    scene.at("2024-07-10 13:00", "bedroom_temp", 32.5)
    condition = scene.only("2024-07-10 15:00", "temperature")
    assert condition.subject == "hot"
    assert "every thermometer above 30 °C, the coolest now 31.0 °C" in condition.summary
