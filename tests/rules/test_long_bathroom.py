"""long_bathroom: last seen in the bathroom, still, for much longer than usual."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from hub.rules import Expectations
from tests.rules.scene import Scene, rule_home


def into_bathroom(scene: Scene) -> None:
    scene.busy("2024-03-05 08:00", "2024-03-05 09:50", "lounge_pir", 10)
    scene.move("2024-03-05 10:00", "bath_pir")
    scene.at("2024-03-05 10:03", "flush", True)
    scene.at("2024-03-05 10:04", "flush", False)


def test_fires_after_the_default_limit_while_learning() -> None:
    scene = Scene()
    into_bathroom(scene)
    assert "long_bathroom" not in scene.rules("2024-03-05 10:59")
    condition = scene.only("2024-03-05 11:00", "long_bathroom")
    assert condition.severity is Severity.URGENT
    assert condition.asks_resident
    assert condition.since == scene.time("2024-03-05 10:00")
    assert condition.summary == (
        "In the bathroom since 10:00 (1 h) with no movement elsewhere; "
        "the limit is 1 h while the routine is being learned."
    )


def test_learned_limit_is_factor_times_the_usual_bathroom_time() -> None:
    scene = Scene(expectations=Expectations(days=14, time_up=480, bathroom_minutes=40))
    into_bathroom(scene)
    assert "long_bathroom" not in scene.rules("2024-03-05 11:19")
    assert "long_bathroom" in scene.rules("2024-03-05 11:20")  # 2 x 40 min


def test_quiet_once_seen_elsewhere_or_still_moving() -> None:
    scene = Scene()
    into_bathroom(scene)
    scene.at("2024-03-05 10:30", "bath_pir", True)  # still moving about in there
    assert "long_bathroom" not in scene.rules("2024-03-05 11:10")
    scene.at("2024-03-05 11:15", "bath_pir", False)
    scene.move("2024-03-05 11:16", "kitchen_pir")
    assert "long_bathroom" not in scene.rules("2024-03-05 12:30")


def test_silent_where_no_sensor_sees_the_sleep_room() -> None:
    scene = Scene(rule_home(without=("bed", "bedroom_pir", "help", "bedroom_temp")))
    into_bathroom(scene)
    assert "long_bathroom" not in scene.rules("2024-03-05 12:00")


def test_paused_in_away_and_visitors_modes() -> None:
    scene = Scene()
    into_bathroom(scene)
    assert "long_bathroom" not in scene.rules("2024-03-05 11:30", Mode.AWAY)
    assert "long_bathroom" not in scene.rules("2024-03-05 11:30", Mode.VISITORS)
    assert "long_bathroom" in scene.rules("2024-03-05 11:30", Mode.HOME)
