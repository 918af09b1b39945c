"""Temperature: every indoor thermometer below `cold_c` (or above `hot_c`) for `for_min`.

Every one, so a thermometer by an open window or on a sunny sill alone is not
the home being cold or hot; `since` is when the last of them crossed the
limit. Not paused by any mode: an empty home can freeze too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.alerts.model import Condition, Severity
from hub.config.models import Role
from hub.rules.rule import Rule, RuleContext, lasted


def check(context: RuleContext) -> list[Condition]:
    settings = context.config.rules.temperature
    states = [context.state.sensors[s.id] for s in context.state.layout.with_role(Role.THERMOMETER)]
    read = [s for s in states if s.temperature is not None]
    if not read:
        return []
    wait = timedelta(minutes=settings.for_min)
    found = []
    for subject, sinces, limit, word in (
        ("cold", [s.cold_since for s in read], settings.cold_c, "below"),
        ("hot", [s.hot_since for s in read], settings.hot_c, "above"),
    ):
        since = _all_since(sinces)
        if since is None or context.now - since < wait:
            continue
        # The room nearest to comfort says how far the whole home is from it.
        values = [s.temperature for s in read if s.temperature is not None]
        nearest = max(values) if subject == "cold" else min(values)
        extreme = "warmest" if subject == "cold" else "coolest"
        summary = (
            f"Too {subject} at home since {context.clock(since)} ({lasted(context.now - since)}): "
            f"every thermometer {word} {limit:g} °C, the {extreme} now {nearest:.1f} °C."
        )
        found.append(Condition(RULE.name, subject, RULE.severity, since, summary))
    return found


def _all_since(sinces: list[datetime | None]) -> datetime | None:
    if any(since is None for since in sinces):
        return None
    return max(since for since in sinces if since is not None)


RULE = Rule("temperature", Severity.WARNING, False, frozenset(), check)
