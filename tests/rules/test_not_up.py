"""not_up: fires by the usual time up plus a margin (learned) or default_by (learning)."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from hub.rules import Expectations
from tests.rules.scene import Scene, night_then_morning

LEARNED = Expectations(days=14, time_up=8 * 60, latest_time_up=8 * 60 + 30)


def still_in_bed(scene: Scene) -> None:
    scene.busy("2024-03-04 20:00", "2024-03-04 22:20", "lounge_pir", 10)
    scene.at("2024-03-04 22:30", "bed", True)


def test_fires_at_the_default_time_while_learning_as_a_warning() -> None:
    scene = Scene()
    still_in_bed(scene)
    assert "not_up" not in scene.rules("2024-03-05 10:29")
    condition = scene.only("2024-03-05 10:30", "not_up")
    assert condition.severity is Severity.WARNING
    assert condition.asks_resident
    assert condition.since == scene.time("2024-03-04 22:30")
    assert condition.summary == (
        "Not up by 10:30 (the limit while the routine is being learned); "
        "last movement yesterday at 22:30 in the bedroom."
    )


def test_fires_at_the_learned_time_plus_margin_as_urgent() -> None:
    scene = Scene(expectations=LEARNED)
    still_in_bed(scene)
    assert "not_up" not in scene.rules("2024-03-05 09:29")
    condition = scene.only("2024-03-05 09:30", "not_up")
    assert condition.severity is Severity.URGENT
    assert condition.summary.startswith("Not up by 09:30 (usually up by 08:00)")


def test_quiet_when_up_and_about() -> None:
    scene = Scene(expectations=LEARNED)
    night_then_morning(scene, "2024-03-05", up="07:30")
    assert "not_up" not in scene.rules("2024-03-05 12:00")


def test_a_night_toilet_trip_is_not_getting_up() -> None:
    scene = Scene(expectations=LEARNED)
    still_in_bed(scene)
    scene.at("2024-03-05 05:00", "bed", False)
    scene.move("2024-03-05 05:02", "bath_pir")
    scene.at("2024-03-05 05:05", "flush", True)
    scene.at("2024-03-05 05:06", "flush", False)
    scene.at("2024-03-05 05:09", "bed", True)
    assert "not_up" in scene.rules("2024-03-05 09:30")


def test_movement_after_the_deadline_clears_it() -> None:
    scene = Scene(expectations=LEARNED)
    still_in_bed(scene)
    assert "not_up" in scene.rules("2024-03-05 09:45")
    scene.at("2024-03-05 09:50", "bed", False)
    scene.move("2024-03-05 09:51", "kitchen_pir")
    assert "not_up" not in scene.rules("2024-03-05 09:52")


def test_im_ok_press_clears_it() -> None:
    scene = Scene(expectations=LEARNED)
    still_in_bed(scene)
    scene.at("2024-03-05 09:40", "ok", "single")
    assert "not_up" not in scene.rules("2024-03-05 09:45")


def test_a_late_riser_seen_while_learning_moves_the_default_later() -> None:
    scene = Scene(expectations=Expectations(days=3, latest_time_up=11 * 60 + 30))
    still_in_bed(scene)
    assert "not_up" not in scene.rules("2024-03-05 12:59")
    assert "not_up" in scene.rules("2024-03-05 13:00")  # 11:30 + 90 min


def test_quiet_when_out_and_in_away_mode() -> None:
    scene = Scene(expectations=LEARNED)
    still_in_bed(scene)
    assert "not_up" not in scene.rules("2024-03-05 09:45", Mode.AWAY)
    scene.at("2024-03-05 06:00", "bed", False)
    scene.at("2024-03-05 06:03", "front_door", True)
    scene.at("2024-03-05 06:04", "front_door", False)
    assert "not_up" not in scene.rules("2024-03-05 09:45")


def test_dst_day_uses_the_wall_clock() -> None:
    # 2024-03-31: the UK clocks go forward at 01:00; 10:30 BST is 09:30 UTC.
    scene = Scene()
    scene.busy("2024-03-30 20:00", "2024-03-30 22:20", "lounge_pir", 10)
    scene.at("2024-03-30 22:30", "bed", True)
    assert "not_up" not in scene.rules("2024-03-31 10:29")
    condition = scene.only("2024-03-31 10:30", "not_up")
    assert scene.time("2024-03-31 10:30").hour == 9  # UTC
    assert condition.summary.startswith("Not up by 10:30")
