"""Shared by the Home Assistant tests: the example home's config, and alerts to summarise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub.alerts.model import Alert, AlertState, Severity
from hub.config.loader import load_config
from hub.config.models import HearthConfig

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def example_config() -> HearthConfig:
    """The example home: rooms, a dozen sensors, medicines, a resident's name."""
    return load_config(ROOT / "config" / "example-home.yaml")


def private_words(config: HearthConfig) -> list[str]:
    """Everything about the home that must not reach Home Assistant by default."""
    words = [s.id for s in config.sensors]
    words += [r.id for r in config.rooms] + [r.name for r in config.rooms if r.name]
    words += [m.name for m in config.medication.medicines]
    words += [s.match.device for s in config.sensors if s.match.device]
    words += [s.match.topic for s in config.sensors if s.match.topic]
    if config.resident.name:
        words.append(config.resident.name)
    return sorted(set(words))


def alert(
    alert_id: int,
    state: AlertState,
    severity: Severity = Severity.WARNING,
    *,
    minutes: int = 0,
    summary: str = "",
) -> Alert:
    return Alert(
        id=alert_id,
        key=f"rule{alert_id}:home",
        rule=f"rule{alert_id}",
        subject="home",
        severity=severity,
        summary=summary or f"alert {alert_id}",
        since=T0,
        raised_at=T0 + timedelta(minutes=minutes),
        state=state,
    )
