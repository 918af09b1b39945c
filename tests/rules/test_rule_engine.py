"""The engine: which rules run, which modes pause them, and level-based conditions."""

from __future__ import annotations

from hub.config.rules import Rules
from hub.modes import Mode
from hub.rules import RULES, RuleEngine
from tests.rules.scene import Scene, rule_home

ACTIVITY = {"not_up", "no_movement", "long_bathroom", "night_exit", "appliance_unused"}


def test_away_pauses_the_activity_rules_only() -> None:
    paused = {rule.name for rule in RULES if Mode.AWAY in rule.paused_in}
    assert paused == ACTIVITY


def test_visitors_pause_what_others_movement_fools() -> None:
    paused = {rule.name for rule in RULES if Mode.VISITORS in rule.paused_in}
    assert paused == {"night_exit", "long_bathroom"}


def test_home_mode_pauses_nothing_and_every_rule_has_a_config_section() -> None:
    assert all(Mode.HOME not in rule.paused_in for rule in RULES)
    assert {rule.name for rule in RULES} == set(Rules.model_fields) - {"tick_s"}


def test_a_disabled_rule_does_not_run() -> None:
    config = rule_home()
    rules = config.rules.model_copy(
        update={"help_button": config.rules.help_button.model_copy(update={"enabled": False})}
    )
    scene = Scene(config.model_copy(update={"rules": rules}))
    scene.at("2024-03-06 02:10", "help", "single")
    assert "help_button" not in scene.rules("2024-03-06 02:11")
    assert "help_button" not in {rule.name for rule in RuleEngine(scene.config).rules}


def test_a_lasting_situation_keeps_its_key_and_since() -> None:
    scene = Scene()
    scene.busy("2024-03-05 08:00", "2024-03-05 13:00", "lounge_pir", 10)
    first = scene.only("2024-03-05 17:10", "no_movement")
    later = scene.only("2024-03-05 19:40", "no_movement")
    assert first.key == later.key == "no_movement:home"
    assert first.since == later.since
    assert first.summary != later.summary  # the duration grows; the key does not


def test_events_from_unknown_sensors_are_ignored() -> None:
    from hub.events import Event, Kind, Source

    scene = Scene()
    scene.engine.observe(Event(scene.time("2024-03-05 10:00"), "nobody", Kind.MOTION, True,
                               Source.GENERIC))  # fmt: skip
    assert scene.engine.state.started is None
    assert scene.check("2024-03-05 20:00") == []
