"""The maintenance rules: silent sensor, stuck sensor, low battery. Never paused."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.events import Kind
from hub.modes import Mode
from tests.rules.scene import Scene


def test_silent_sensor_after_factor_times_its_interval() -> None:
    scene = Scene()
    scene.at("2024-03-05 10:00", "lounge_temp", 20.0)  # reports every 600 s
    assert "sensor_silent" not in scene.rules("2024-03-05 10:20")
    condition = scene.only("2024-03-05 10:21", "sensor_silent", Mode.AWAY)
    assert condition.subject == "lounge_temp"
    assert condition.severity is Severity.INFO
    assert condition.summary == (
        "Sensor 'lounge_temp' (lounge) has sent nothing since 10:00 (21 min); "
        "it normally reports every 10 min."
    )
    scene.at("2024-03-05 10:25", "lounge_temp", 20.0)
    assert "sensor_silent" not in scene.rules("2024-03-05 10:26")


def silent(scene: Scene, wall: str) -> dict[str, str]:
    return {c.subject: c.summary for c in scene.check(wall) if c.rule == "sensor_silent"}


def test_offline_device() -> None:
    scene = Scene()
    scene.at("2024-03-05 10:00", "kitchen_pir", False, Kind.AVAILABILITY)
    assert "kitchen_pir" not in silent(scene, "2024-03-05 10:59")
    assert "offline since 10:00 (1 h)" in silent(scene, "2024-03-05 11:00")["kitchen_pir"]
    scene.at("2024-03-05 11:05", "kitchen_pir", True, Kind.AVAILABILITY)
    assert "kitchen_pir" not in silent(scene, "2024-03-05 11:06")


def test_a_sensor_never_heard_is_silent_from_the_start() -> None:
    scene = Scene()
    scene.move("2024-03-05 10:00", "kitchen_pir")
    assert "lounge_temp" not in silent(scene, "2024-03-05 10:20")
    assert "since 10:00 (21 min)" in silent(scene, "2024-03-05 10:21")["lounge_temp"]


def test_stuck_motion_and_stuck_mat() -> None:
    scene = Scene()
    scene.at("2024-03-05 08:00", "hall_pir", True)
    scene.at("2024-03-05 09:00", "chair", True)
    assert "stuck_sensor" not in scene.rules("2024-03-05 13:59")
    condition = scene.only("2024-03-05 14:00", "stuck_sensor", Mode.AWAY)
    assert condition.subject == "hall_pir"
    assert condition.summary == (
        "Sensor 'hall_pir' (hall) has said 'motion' without a break since 08:00 (6 h); "
        "it may be stuck."
    )
    subjects = {c.subject for c in scene.check("2024-03-06 01:00") if c.rule == "stuck_sensor"}
    assert subjects == {"hall_pir", "chair"}  # the mat after 16 h
    scene.at("2024-03-06 01:10", "hall_pir", False)
    subjects = {c.subject for c in scene.check("2024-03-06 01:11") if c.rule == "stuck_sensor"}
    assert subjects == {"chair"}


def test_low_battery_with_hysteresis() -> None:
    scene = Scene()
    scene.at("2024-03-05 10:00", "fridge", 40.0, Kind.BATTERY)
    assert "low_battery" not in scene.rules("2024-03-05 10:01")
    scene.at("2024-03-05 11:00", "fridge", 12.0, Kind.BATTERY)
    condition = scene.only("2024-03-05 11:01", "low_battery", Mode.AWAY)
    assert condition.since == scene.time("2024-03-05 11:00")
    assert condition.summary == "Sensor 'fridge' (kitchen) needs a new battery: 12% left."
    scene.at("2024-03-05 12:00", "fridge", 16.0, Kind.BATTERY)  # wobbles back over the line
    assert "low_battery" in scene.rules("2024-03-05 12:01")
    scene.at("2024-03-06 12:00", "fridge", 100.0, Kind.BATTERY)  # a new battery
    assert "low_battery" not in scene.rules("2024-03-06 12:01")
