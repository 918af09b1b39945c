"""A home's alert settings for the lifecycle tests: three people, one per step."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hub.alerts.model import Condition, Severity
from hub.alerts.routing import Policy
from hub.config.alerts import Alerts, AppriseChannel, EmailChannel, Recipient, RecipientRole
from hub.config.base import parse_window

ZONE = ZoneInfo("Europe/London")
MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)


def people(*, bob_hours: str | None = "08:00-20:00") -> list[Recipient]:
    return [
        Recipient(
            id="anna",
            name="Anna",
            role=RecipientRole.FAMILY,
            severities=[Severity.URGENT, Severity.WARNING, Severity.INFO],
            channels=[
                EmailChannel(type="email", to="anna@example.org"),
                AppriseChannel(type="apprise", url_env="ANNA_APPRISE"),
            ],
        ),
        Recipient(
            id="bob",
            name="Bob (agency)",
            role=RecipientRole.PAID_CARER,
            hours=parse_window(bob_hours) if bob_hours else None,
            channels=[EmailChannel(type="email", to="bob@example.org")],
        ),
        Recipient(
            id="cora",
            name="Cora",
            role=RecipientRole.COORDINATOR,
            severities=[Severity.URGENT],
            channels=[EmailChannel(type="email", to="cora@example.org")],
        ),
    ]


def policy(*, quiet: str | None = None, window_s: float = 600, **kwargs: object) -> Policy:
    settings = Alerts.model_validate(
        {
            "recipients": people(**kwargs),  # type: ignore[arg-type]
            "quiet_hours": quiet,
            "im_ok": {"window_s": window_s},
        }
    )
    return Policy(settings, ZONE)


def condition(
    rule: str = "no_movement",
    severity: Severity = Severity.URGENT,
    *,
    asks: bool = False,
    subject: str = "home",
    since: datetime = MORNING,
) -> Condition:
    return Condition(rule, subject, severity, since, f"{rule} about {subject}", asks)
