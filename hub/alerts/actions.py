"""What a person does to an alert from outside the running hub (`hearth alerts ack`).

The change is written to the database with its messages queued in the
outbox; the running hub's dispatcher sends them within a few seconds, and its
next step sees the new state. Without a running hub they wait in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.alerts import lifecycle
from hub.alerts.lifecycle import Change
from hub.alerts.messages import link_key, renderer
from hub.alerts.model import Alert, Via
from hub.alerts.routing import Policy
from hub.alerts.store import AlertStore
from hub.config.models import HearthConfig


def acknowledge(
    config: HearthConfig, store: AlertStore, alert_id: int, *, by: str, via: Via, now: datetime
) -> Alert:
    """Raises LookupError (no such alert) or LifecycleError (not open)."""
    return _one(
        config,
        store,
        alert_id,
        now,
        lambda alert, policy: lifecycle.acknowledge(alert, by, via, now, policy),
    )


def resolve(
    config: HearthConfig, store: AlertStore, alert_id: int, *, by: str, via: Via, now: datetime
) -> Alert:
    return _one(
        config,
        store,
        alert_id,
        now,
        lambda alert, policy: lifecycle.resolve(alert, by, via, now, policy),
    )


def _one(
    config: HearthConfig,
    store: AlertStore,
    alert_id: int,
    now: datetime,
    plan: Callable[[Alert, Policy], Change],
) -> Alert:
    policy = Policy(config.alerts, ZoneInfo(config.home.timezone))
    render = renderer(config, policy, link_key(config, store), now)
    _, done = store.apply_to(alert_id, lambda alert: plan(alert, policy), now, render)
    return done
