"""appliance_unused: neither fridge nor kettle used all day, by `by`, at home."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from tests.rules.scene import Scene, rule_home


def day_without_kitchen(scene: Scene) -> None:
    scene.move("2024-03-04 23:00", "bedroom_pir")  # the hub was watching before midnight
    scene.busy("2024-03-05 08:00", "2024-03-05 21:00", "lounge_pir", 30)


def test_fires_at_the_check_time() -> None:
    scene = Scene()
    day_without_kitchen(scene)
    assert "appliance_unused" not in scene.rules("2024-03-05 19:59")
    condition = scene.only("2024-03-05 20:00", "appliance_unused")
    assert condition.severity is Severity.WARNING
    assert condition.since == scene.time("2024-03-05 00:00")
    assert condition.summary == (
        "Neither the fridge nor the kettle has been used today (checked at 20:00)."
    )
    assert "appliance_unused" not in scene.rules("2024-03-05 20:30", Mode.AWAY)


def test_one_use_is_enough_and_a_new_day_clears_it() -> None:
    scene = Scene()
    day_without_kitchen(scene)
    assert "appliance_unused" in scene.rules("2024-03-05 21:00")
    assert "appliance_unused" not in scene.rules("2024-03-06 00:01")
    scene.at("2024-03-06 08:00", "kettle", 2000)
    scene.at("2024-03-06 08:03", "kettle", 0)
    assert "appliance_unused" not in scene.rules("2024-03-06 20:30")


def test_only_the_appliances_the_home_has() -> None:
    scene = Scene(rule_home(without=("kettle",)))
    day_without_kitchen(scene)
    condition = scene.only("2024-03-05 20:00", "appliance_unused")
    assert condition.summary == "The fridge has not been used today (checked at 20:00)."
    none = Scene(rule_home(without=("kettle", "fridge")))
    day_without_kitchen(none)
    assert "appliance_unused" not in none.rules("2024-03-05 20:00")


def test_not_judged_on_a_day_the_hub_did_not_watch_from_midnight() -> None:
    scene = Scene()
    scene.busy("2024-03-05 08:00", "2024-03-05 21:00", "lounge_pir", 30)
    assert "appliance_unused" not in scene.rules("2024-03-05 20:30")
