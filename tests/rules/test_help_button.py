"""help_button: urgent at once, until the resident presses "I'm OK"."""

from __future__ import annotations

from hub.alerts.model import Severity
from hub.modes import Mode
from tests.rules.scene import Scene


def test_a_press_holds_until_im_ok() -> None:
    scene = Scene()
    scene.at("2024-03-06 02:10", "help", "single")
    scene.at("2024-03-06 02:10", "help", "")
    condition = scene.only("2024-03-06 02:10", "help_button", Mode.AWAY)
    assert condition.severity is Severity.URGENT
    assert not condition.asks_resident
    assert condition.subject == "help"
    assert condition.since == scene.time("2024-03-06 02:10")
    assert condition.summary == "Help was asked for with the button in the bedroom at 02:10."
    assert "help_button" in scene.rules("2024-03-06 05:00")
    scene.at("2024-03-06 05:01", "ok", "single")
    assert "help_button" not in scene.rules("2024-03-06 05:02")


def test_the_empty_action_alone_is_no_press() -> None:
    scene = Scene()
    scene.at("2024-03-06 02:10", "help", "")
    assert "help_button" not in scene.rules("2024-03-06 02:11")


def test_a_pull_cord_contact() -> None:
    scene = Scene()
    scene.at("2024-03-06 02:10", "cord", True)
    scene.at("2024-03-06 02:10:05", "cord", False)
    condition = scene.only("2024-03-06 02:11", "help_button")
    assert condition.subject == "cord"
    assert "in the bathroom at 02:10" in condition.summary
