"""Alerts: can every recipient's channel be built (secrets readable), and is anyone on duty?

The secrets are read once for all of the doctor's checks (`hub.start_secrets`, as
`hearth check-config` reads them); this check reports those of the alerts section.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.alerts.model import Severity
from hub.alerts.routing import Policy, nobody_outside, reach
from hub.config.errors import key_path
from hub.config.models import HearthConfig
from hub.config.secrets import SecretError
from hub.doctor.findings import Finding, Level


def check_alerts(
    config: HearthConfig, day: datetime, secrets: Sequence[SecretError]
) -> list[Finding]:
    """`secrets`: `start_secret_problems(config)`, of which the alerts section's are reported."""
    zone = ZoneInfo(config.home.timezone)
    alerts = config.alerts
    findings = [secret_finding(exc) for exc in secrets if exc.loc[0] == "alerts"]
    unheard = nobody_outside(alerts, config.topic_prefix)
    if unheard is not None:
        # The same words the hub logs at start; the link key is read even then.
        return [*findings, Finding(Level.WARNING, "alerts", unheard, "add alerts.recipients")]
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


def secret_finding(exc: SecretError) -> Finding:
    """A secret the hub cannot read at start, under the check of its config section."""
    return Finding(
        Level.PROBLEM,
        str(exc.loc[0]),
        f"{key_path(exc.loc)}: {exc}",
        "fix the secret file or variable named there",
    )


def _hours_without(policy: Policy, day: datetime, zone: ZoneInfo) -> list[str]:
    """Local hours of `day` at which an urgent alert would reach nobody."""
    start = day.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    empty = []
    for hour in range(24):
        moment = (start + timedelta(hours=hour, minutes=30)).astimezone(UTC)
        if not reach(policy, Severity.URGENT, 0, moment).recipients:
            empty.append(f"{hour:02d}:00")
    return empty
