"""The `alerts:` section: who is told what, how, when, and how the resident is asked first."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from hub.alerts.model import Severity
from hub.config.base import Identifier, Window, _Model


class RecipientRole(StrEnum):
    FAMILY = "family"
    PAID_CARER = "paid_carer"
    COORDINATOR = "coordinator"
    ALARM_CENTRE = "alarm_centre"


class EmailChannel(_Model):
    type: Literal["email"] = Field(title="Type", description="Send an e-mail (see alerts.smtp).")
    to: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+$", title="Address", description="The recipient's e-mail address."
    )


class WebhookChannel(_Model):
    type: Literal["webhook"] = Field(
        title="Type",
        description="POST the alert as JSON, signed with HMAC-SHA256 in the X-Hearth-Signature "
        "header (docs/alerts.md).",
    )
    url: str = Field(
        pattern=r"^https?://", title="URL", description="Where to POST (http:// or https://)."
    )
    secret_file: Path | None = Field(
        default=None,
        title="Signing secret file",
        description="File holding the shared HMAC secret; empty means secret_env.",
    )
    secret_env: str | None = Field(
        default=None,
        title="Signing secret variable",
        description="Environment variable holding the shared HMAC secret.",
    )

    @model_validator(mode="after")
    def _one_secret(self) -> Self:
        if (self.secret_file is None) == (self.secret_env is None):
            raise ValueError("give the webhook's signing secret as secret_file or secret_env")
        return self


class AppriseChannel(_Model):
    type: Literal["apprise"] = Field(
        title="Type",
        description="Send through an Apprise URL (SMS gateways, Telegram, Signal, ntfy, "
        "Pushover ...).",
    )
    url_file: Path | None = Field(
        default=None,
        title="URL file",
        description="File holding the Apprise URL; URLs carry tokens, so they are kept like "
        "passwords. Empty means url_env.",
    )
    url_env: str | None = Field(
        default=None,
        title="URL variable",
        description="Environment variable holding the Apprise URL.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.url_file is None) == (self.url_env is None):
            raise ValueError("give the Apprise URL as url_file or url_env")
        return self


ChannelConfig = Annotated[
    EmailChannel | WebhookChannel | AppriseChannel, Field(discriminator="type")
]


class Recipient(_Model):
    id: Identifier = Field(title="Recipient id", description="Short id used in the alert history.")
    name: str = Field(default="", title="Name", description="How the history shows the person.")
    role: RecipientRole = Field(
        title="Role", description="family, paid_carer, coordinator or alarm_centre."
    )
    channels: list[ChannelConfig] = Field(
        min_length=1, title="Channels", description="How this person is reached; each is used."
    )
    hours: Window | None = Field(
        default=None,
        title="Hours",
        description="When this person is on duty, 'HH:MM-HH:MM' local time; outside them the "
        "chain skips to the next step. Empty means always.",
    )
    severities: list[Severity] = Field(
        default_factory=lambda: [Severity.URGENT, Severity.WARNING],
        title="Severities",
        description="Which severities this person receives (info, warning, urgent).",
    )


class EscalationStep(_Model):
    roles: list[RecipientRole] = Field(
        min_length=1, title="Roles", description="Who is told at this step."
    )
    wait_min: float = Field(
        default=10,
        gt=0,
        title="Wait",
        description="Minutes to wait for an acknowledgement before the next step is told.",
    )


def _steps(*steps: tuple[list[RecipientRole], float]) -> list[EscalationStep]:
    return [EscalationStep(roles=roles, wait_min=wait) for roles, wait in steps]


F, P, C, A = (
    RecipientRole.FAMILY,
    RecipientRole.PAID_CARER,
    RecipientRole.COORDINATOR,
    RecipientRole.ALARM_CENTRE,
)


class Escalation(_Model):
    urgent: list[EscalationStep] = Field(
        default_factory=lambda: _steps(([F], 5), ([P], 10), ([C, A], 30)),
        min_length=1,
        title="Urgent chain",
        description="Steps for urgent alerts; the last step is reminded after its wait.",
    )
    warning: list[EscalationStep] = Field(
        default_factory=lambda: _steps(([F], 120), ([P], 240)),
        min_length=1,
        title="Warning chain",
        description="Steps for warnings.",
    )
    info: list[EscalationStep] = Field(
        default_factory=lambda: _steps(([F], 24 * 60)),
        min_length=1,
        title="Info chain",
        description="Steps for maintenance notices (low battery, silent sensor).",
    )

    def chain(self, severity: Severity) -> list[EscalationStep]:
        return {
            Severity.URGENT: self.urgent,
            Severity.WARNING: self.warning,
            Severity.INFO: self.info,
        }[severity]


class Smtp(_Model):
    host: str = Field(default="localhost", title="Host", description="SMTP server host name.")
    port: int = Field(default=587, ge=1, le=65535, title="Port", description="SMTP port.")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        title="Security",
        description="starttls (port 587), tls (port 465) or none (a relay on this machine only).",
    )
    username: str | None = Field(
        default=None, title="User name", description="SMTP login; empty means no login."
    )
    password_file: Path | None = Field(
        default=None, title="Password file", description="File holding the SMTP password."
    )
    sender: str = Field(
        default="hearth@localhost",
        title="Sender",
        description="The From address of alert e-mails.",
    )
    timeout_s: float = Field(
        default=20, gt=0, le=300, title="Timeout", description="Seconds before a send is retried."
    )


class Voice(_Model):
    enabled: bool = Field(
        default=True,
        title="Speak in the home",
        description='Announce alarms and ask "are you OK?" aloud with espeak-ng.',
    )
    voice: str = Field(
        default="",
        title="Voice",
        description="espeak-ng voice; empty means the resident's language.",
    )
    words_per_minute: int = Field(
        default=130,
        ge=80,
        le=260,
        title="Speed",
        description="Speaking rate; slower than espeak-ng's 175 is easier for older listeners.",
    )
    amplitude: int = Field(
        default=150, ge=0, le=200, title="Volume", description="espeak-ng amplitude, 0-200."
    )
    player: list[str] = Field(
        default_factory=lambda: ["aplay", "-q"],
        title="Player",
        description="Command that plays a WAV file given as its last argument.",
    )


class ImOk(_Model):
    window_s: float = Field(
        default=600,
        ge=0,
        le=3600,
        title="Cancel window",
        description='Seconds the resident has to press "I\'m OK" before an inactivity alarm '
        "leaves the home; 0 sends at once.",
    )
    repeat_s: float = Field(
        default=120,
        gt=0,
        title="Ask again every",
        description="Seconds between spoken questions while waiting.",
    )
    prompt_topic: str = Field(
        default="{prefix}/prompt",
        title="Prompt topic",
        description="MQTT topic for a display or smart speaker; {prefix} is the hub's prefix.",
    )


class AckLinks(_Model):
    base_url: str = Field(
        default="http://hearth.local:8080",
        pattern=r"^https?://",
        title="Base URL",
        description="How carers' phones reach the hub's web server; links are base_url/ack/...",
    )
    key_file: Path | None = Field(
        default=None,
        title="Signing key file",
        description="File holding the key that signs acknowledgement links; empty means a key "
        "kept in the database, made on first start.",
    )
    valid_h: float = Field(
        default=48, gt=0, le=24 * 14, title="Valid for", description="Hours a link keeps working."
    )


class Delivery(_Model):
    retry_min_s: float = Field(
        default=5, gt=0, title="First retry", description="Seconds before a failed send is retried."
    )
    retry_max_s: float = Field(
        default=600,
        gt=0,
        title="Longest retry wait",
        description="The wait between retries doubles (with jitter) up to this many seconds.",
    )


class Alerts(_Model):
    home_label: str = Field(
        default="home",
        max_length=60,
        title="Home label",
        description='How messages name the home to carers ("Mum\'s house"); not an address.',
    )
    recipients: list[Recipient] = Field(
        default_factory=list, title="Recipients", description="The people alerts go to."
    )
    escalation: Escalation = Field(
        default_factory=Escalation,
        title="Escalation",
        description="Who is told first, and who next when nobody acknowledges in time.",
    )
    quiet_hours: Window | None = Field(
        default=None,
        title="Quiet hours",
        description="'HH:MM-HH:MM' during which info and warning alerts wait (urgent never "
        "waits); one that clears meanwhile is never sent.",
    )
    mqtt: bool = Field(
        default=True,
        title="Publish on MQTT",
        description="Publish every alert change as JSON on <prefix>/alerts (docs/alerts.md).",
    )
    smtp: Smtp = Field(default_factory=Smtp, title="SMTP", description="Outgoing e-mail server.")
    voice: Voice = Field(default_factory=Voice, title="Voice", description="Speech in the home.")
    im_ok: ImOk = Field(
        default_factory=ImOk,
        title="I'm OK",
        description="Asking the resident before an inactivity alarm leaves the home.",
    )
    ack_links: AckLinks = Field(
        default_factory=AckLinks,
        title="Acknowledgement links",
        description="Signed, expiring links in messages that acknowledge an alert.",
    )
    delivery: Delivery = Field(
        default_factory=Delivery, title="Delivery", description="Retries of failed sends."
    )
