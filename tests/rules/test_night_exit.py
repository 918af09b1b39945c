"""night_exit: the front door opened at night and nothing moved inside afterwards."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from tests.rules.scene import Scene


def leaves_at_night(scene: Scene, when: str = "2024-03-06 02:03") -> None:
    scene.busy("2024-03-05 19:00", "2024-03-05 22:20", "lounge_pir", 10)
    scene.at("2024-03-05 22:30", "bed", True)
    scene.at("2024-03-06 02:00", "bed", False)
    scene.move("2024-03-06 02:01", "hall_pir")
    scene.at(when, "front_door", True)
    scene.move(when, "hall_pir")  # the hall sensor sees them go: not a return
    scene.at(when.replace(":03", ":04"), "front_door", False)


def test_fires_when_nobody_moves_inside_afterwards() -> None:
    scene = Scene()
    leaves_at_night(scene)
    assert "night_exit" not in scene.rules("2024-03-06 02:22")
    condition = scene.only("2024-03-06 02:23", "night_exit")
    assert condition.severity is Severity.URGENT
    assert not condition.asks_resident
    assert condition.since == scene.time("2024-03-06 02:03")
    assert condition.summary == (
        "The front door opened at 02:03 at night and nothing has moved inside since (20 min)."
    )


def test_movement_inside_ends_it() -> None:
    scene = Scene()
    leaves_at_night(scene)
    assert "night_exit" in scene.rules("2024-03-06 02:30")
    scene.move("2024-03-06 02:40", "kitchen_pir")
    assert "night_exit" not in scene.rules("2024-03-06 02:41")


def test_quiet_in_the_evening_and_on_coming_home() -> None:
    scene = Scene()
    scene.busy("2024-03-05 18:00", "2024-03-05 20:00", "lounge_pir", 10)
    scene.at("2024-03-05 20:03", "front_door", True)
    scene.at("2024-03-05 20:04", "front_door", False)
    assert "night_exit" not in scene.rules("2024-03-05 21:00")
    # Back at 23:30: the door opens from outside, which is no exit.
    scene.at("2024-03-05 23:30", "front_door", True)
    scene.at("2024-03-05 23:31", "front_door", False)
    assert "night_exit" not in scene.rules("2024-03-06 00:10")


def test_paused_in_away_and_visitors_modes() -> None:
    scene = Scene()
    leaves_at_night(scene)
    assert "night_exit" not in scene.rules("2024-03-06 02:30", Mode.AWAY)
    assert "night_exit" not in scene.rules("2024-03-06 02:30", Mode.VISITORS)
