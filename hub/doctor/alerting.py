"""Alerts: can every recipient's channel be built (secrets readable), and is anyone on duty?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.alerts.channels.factory import channels_for
from hub.alerts.model import Severity
from hub.alerts.routing import Policy, reach
from hub.config.errors import key_path
from hub.config.models import HearthConfig
from hub.config.secrets import SecretError
from hub.doctor.findings import Finding, Level


def check_alerts(config: HearthConfig, day: datetime) -> list[Finding]:
    zone = ZoneInfo(config.home.timezone)
    alerts = config.alerts
    if not alerts.recipients:
        return [
            Finding(
                Level.WARNING,
                "alerts",
                "no recipients: alerts reach only the MQTT topic",
                "add alerts.recipients (docs/alerts.md)",
            )
        ]
    findings = []
    for recipient in alerts.recipients:
        try:
            channels_for(recipient, alerts, zone=zone)
        except SecretError as exc:
            found = Finding(
                Level.PROBLEM,
                "alerts",
                f"{key_path(exc.loc)}: {exc}",
                "fix the secret file or variable named there",
            )
            if found not in findings:  # the SMTP password is every e-mail channel's
                findings.append(found)
    uncovered = _hours_without(Policy(alerts, zone), day, zone)
    if uncovered:
        findings.append(
            Finding(
                Level.WARNING,
                "alerts",
                f"nobody receives urgent alerts at {', '.join(uncovered)}",
                "give someone those hours, or no hours limit",
            )
        )
    if not findings:
        findings.append(
            Finding(
                Level.OK,
                "alerts",
                f"{len(alerts.recipients)} recipients; urgent alerts reach someone at every hour",
            )
        )
    return findings


def _hours_without(policy: Policy, day: datetime, zone: ZoneInfo) -> list[str]:
    """Local hours of `day` at which an urgent alert would reach nobody."""
    start = day.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    empty = []
    for hour in range(24):
        moment = (start + timedelta(hours=hour, minutes=30)).astimezone(UTC)
        if not reach(policy, Severity.URGENT, 0, moment).recipients:
            empty.append(f"{hour:02d}:00")
    return empty
