"""Who is told about an alert at each step of its escalation chain, and when not to tell.

Pure functions over the `alerts:` config. A step whose people are all off duty
(or who do not take this severity) is passed over at once, so an urgent alert
at 03:00 goes straight to whoever is on duty rather than waiting ten minutes
for a paid carer who is asleep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.alerts.model import Severity
from hub.config.alerts import Alerts, EscalationStep, Recipient


@dataclass(frozen=True, slots=True)
class Policy:
    """The alert settings of one home, with its time zone (hours are local)."""

    alerts: Alerts
    zone: ZoneInfo

    def chain(self, severity: Severity) -> list[EscalationStep]:
        return self.alerts.escalation.chain(severity)

    def step(self, severity: Severity, level: int) -> EscalationStep:
        """The chain's step for `level`; past the end, the last step (reminders)."""
        chain = self.chain(severity)
        return chain[min(level, len(chain) - 1)]

    def quiet(self, severity: Severity, now: datetime) -> bool:
        """True when a notice of `severity` must wait (quiet hours, never for urgent)."""
        window = self.alerts.quiet_hours
        if window is None or severity is Severity.URGENT:
            return False
        return window.contains(now.astimezone(self.zone).time())

    def recipient(self, recipient_id: str) -> Recipient | None:
        return next((r for r in self.alerts.recipients if r.id == recipient_id), None)


def nobody_outside(alerts: Alerts, topic_prefix: str) -> str | None:
    """What a home with no recipients should hear once (at start, and from `hearth doctor`):
    that alerts leave the home for nobody, and where they can still be seen. None otherwise.

    Said once rather than with each alert: every alert of such a home reaches nobody, which
    its history records ("told nobody (none configured)") without a log line each time.
    """
    if alerts.recipients:
        return None
    seen = "in `hearth alerts` and the web app"
    if alerts.mqtt:
        seen = f"on the MQTT topic {topic_prefix.rstrip('/')}/alerts/<id>, {seen}"
    return (
        "nobody outside the home will be told of alerts: alerts.recipients is empty; "
        f"they are seen only {seen} (add recipients: docs/alerts.md)"
    )


def on_duty(recipient: Recipient, now: datetime, zone: ZoneInfo) -> bool:
    return recipient.hours is None or recipient.hours.contains(now.astimezone(zone).time())


def step_recipients(
    policy: Policy, severity: Severity, level: int, now: datetime
) -> list[Recipient]:
    """The people of step `level` who take `severity` and are on duty now."""
    roles = set(policy.step(severity, level).roles)
    return [
        r
        for r in policy.alerts.recipients
        if r.role in roles and severity in r.severities and on_duty(r, now, policy.zone)
    ]


@dataclass(frozen=True, slots=True)
class Reach:
    """Whom a notice reaches: the step it settled on and the people there."""

    level: int
    recipients: tuple[Recipient, ...]
    passed_over: tuple[int, ...]  # steps skipped because nobody there could be told


def reach(policy: Policy, severity: Severity, level: int, now: datetime) -> Reach:
    """The first step from `level` on with someone to tell.

    Past the end of the chain the last step is used again (a reminder). When
    no step has anyone, the result has no recipients: the MQTT alert topic and
    the alert history still carry the alert, and `hearth doctor` (issue 8)
    should say that nobody would be told.
    """
    last = len(policy.chain(severity)) - 1
    skipped: list[int] = []
    for candidate in range(level, max(level, last) + 1):
        people = step_recipients(policy, severity, candidate, now)
        if people:
            return Reach(candidate, tuple(people), tuple(skipped))
        skipped.append(candidate)
    return Reach(level, (), tuple(skipped))


def describe_reach(result: Reach, policy: Policy) -> str:
    """Words for the history: who was told, and which steps were passed over."""
    names = ", ".join(r.name or r.id for r in result.recipients) or "nobody (none configured)"
    if not result.passed_over:
        return f"told {names}"
    steps = ", ".join(str(i + 1) for i in result.passed_over)
    return f"told {names}; step {steps} passed over (nobody on duty)"


def names_of(recipient_ids: Sequence[str], policy: Policy) -> str:
    found = [policy.recipient(i) for i in recipient_ids]
    return ", ".join(
        (r.name or r.id) if r else i for r, i in zip(found, recipient_ids, strict=True)
    )
