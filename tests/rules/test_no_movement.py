"""no_movement: still at home and awake for longer than usual for the hour."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from hub.rules import Expectations
from tests.rules.scene import Scene

LEARNED = Expectations(
    days=14, time_up=480, latest_time_up=500, night=(22 * 60, 7 * 60), still_by_hour=(60.0,) * 24
)


def afternoon(scene: Scene) -> None:
    scene.busy("2024-03-05 08:00", "2024-03-05 13:00", "lounge_pir", 10)
    scene.move("2024-03-05 13:05", "kitchen_pir")


def test_fires_after_the_default_limit_while_learning() -> None:
    scene = Scene()
    afternoon(scene)
    assert "no_movement" not in scene.rules("2024-03-05 17:05")
    condition = scene.only("2024-03-05 17:06", "no_movement")
    assert condition.severity is Severity.URGENT
    assert condition.asks_resident
    assert condition.since == scene.time("2024-03-05 13:05:30")
    assert condition.summary == (
        "No movement seen at home since 13:05 (4 h); "
        "the limit is 4 h while the routine is being learned."
    )


def test_fires_after_factor_times_usual_once_learned() -> None:
    scene = Scene(expectations=LEARNED)
    afternoon(scene)
    # usual 60 min x 1.5 = 90 min, raised to the 120-minute floor
    assert "no_movement" not in scene.rules("2024-03-05 15:05")
    condition = scene.only("2024-03-05 15:06", "no_movement")
    assert condition.summary == (
        "No movement seen at home since 13:05 (2 h); usually at most 1 h at this time of day."
    )


def test_a_long_usual_stillness_raises_the_limit() -> None:
    learned = Expectations(
        days=14, time_up=480, night=(22 * 60, 7 * 60), still_by_hour=(180.0,) * 24
    )
    scene = Scene(expectations=learned)
    afternoon(scene)
    assert "no_movement" not in scene.rules("2024-03-05 17:30")
    assert "no_movement" in scene.rules("2024-03-05 17:36")  # 4 h 30 min


def test_movement_resolves_it_and_an_ok_press_counts() -> None:
    scene = Scene(expectations=LEARNED)
    afternoon(scene)
    assert "no_movement" in scene.rules("2024-03-05 15:10")
    scene.at("2024-03-05 15:11", "ok", "single")
    assert "no_movement" not in scene.rules("2024-03-05 15:12")
    scene.at("2024-03-05 15:12", "ok", "")  # Zigbee2MQTT's empty action after a press
    assert "no_movement" not in scene.rules("2024-03-05 17:10")


def test_quiet_at_night_in_bed_and_when_out() -> None:
    scene = Scene(expectations=LEARNED)
    scene.busy("2024-03-05 19:00", "2024-03-05 22:10", "lounge_pir", 10)
    assert "no_movement" not in scene.rules("2024-03-06 03:00")  # stillness began at night
    scene.at("2024-03-06 12:00", "bed", True)  # a nap
    assert "no_movement" not in scene.rules("2024-03-06 16:00")
    scene.at("2024-03-06 16:01", "bed", False)
    scene.at("2024-03-06 16:02", "front_door", True)
    scene.at("2024-03-06 16:03", "front_door", False)
    assert "no_movement" not in scene.rules("2024-03-06 20:00")


def test_the_count_stops_when_the_night_begins() -> None:
    scene = Scene(expectations=LEARNED)
    scene.busy("2024-03-05 08:00", "2024-03-05 20:30", "lounge_pir", 10)
    # Still from 20:30: 90 minutes awake before the 22:00 night, never 2 h.
    assert "no_movement" not in scene.rules("2024-03-06 02:00")


def test_sitting_on_a_chair_mat_doubles_the_limit() -> None:
    scene = Scene(expectations=LEARNED)
    afternoon(scene)
    scene.at("2024-03-05 13:10", "chair", True)
    assert "no_movement" not in scene.rules("2024-03-05 17:00")
    condition = scene.only("2024-03-05 17:11", "no_movement")
    assert "sitting on the chair; the limit there is 4 h" in condition.summary


def test_paused_in_away_mode_not_with_visitors() -> None:
    scene = Scene(expectations=LEARNED)
    afternoon(scene)
    assert "no_movement" not in scene.rules("2024-03-05 16:00", Mode.AWAY)
    assert "no_movement" in scene.rules("2024-03-05 16:00", Mode.VISITORS)


def test_dst_day_counts_real_time_and_speaks_wall_time() -> None:
    # 2024-10-27: the UK clocks go back at 02:00; the night ends at 08:00 GMT.
    scene = Scene()
    scene.busy("2024-10-27 08:00", "2024-10-27 13:00", "lounge_pir", 10)
    scene.move("2024-10-27 13:05", "kitchen_pir")
    assert "no_movement" not in scene.rules("2024-10-27 17:05")
    condition = scene.only("2024-10-27 17:06", "no_movement")
    assert scene.time("2024-10-27 17:06").hour == 17  # GMT again: local = UTC
    assert condition.summary.startswith("No movement seen at home since 13:05 (4 h)")
