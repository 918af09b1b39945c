"""The rule engine: feeds events into the home's state and asks every rule what holds now.

`observe` is called for every event and `evaluate` after events and on the
clock tick; both do work in proportion to the sensors at most, never to
history. `evaluate` is level-based: it returns every condition that holds at
`now`; the alert lifecycle raises an alert when a condition's key appears
and resolves it when the key goes away.
"""

from __future__ import annotations

from datetime import datetime

from hub.alerts.model import Condition
from hub.config.models import HearthConfig
from hub.events import Event
from hub.modes import Mode
from hub.rules import (
    appliance_unused,
    help_button,
    long_bathroom,
    low_battery,
    night_exit,
    no_movement,
    not_up,
    sensor_silent,
    stuck_sensor,
    temperature,
)
from hub.rules.expectations import Expectations
from hub.rules.rule import Rule, RuleContext
from hub.rules.state import HomeState

RULES: tuple[Rule, ...] = (
    help_button.RULE,
    not_up.RULE,
    no_movement.RULE,
    long_bathroom.RULE,
    night_exit.RULE,
    temperature.RULE,
    appliance_unused.RULE,
    sensor_silent.RULE,
    stuck_sensor.RULE,
    low_battery.RULE,
)


class RuleEngine:
    def __init__(self, config: HearthConfig, expectations: Expectations | None = None) -> None:
        self.config = config
        self.state = HomeState(config)
        self.expectations = expectations or Expectations()
        self.rules = tuple(r for r in RULES if getattr(config.rules, r.name).enabled)

    def observe(self, event: Event) -> None:
        """Update the home's state with one event (in time order)."""
        self.state.observe(event)

    def set_expectations(self, expectations: Expectations) -> None:
        """Use newly learned figures (the hub calls this once a day)."""
        self.expectations = expectations

    def evaluate(self, now: datetime, mode: Mode) -> list[Condition]:
        """Every condition that holds at `now` (UTC, event time) in `mode`."""
        context = RuleContext(now, mode, self.config, self.state, self.expectations)
        found: list[Condition] = []
        for rule in self.rules:
            if mode not in rule.paused_in:
                found.extend(rule.check(context))
        return found
