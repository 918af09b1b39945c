"""The values the alert system passes around: conditions, alerts, transitions, messages.

A *Condition* is what a rule says is true of the home right now ("no movement
at home for 3 h 10 min"); rules report the set of conditions that hold, and the
lifecycle turns a condition that appears into an *Alert* and one that goes away
into a resolution. The same ongoing condition (same `key`) is one alert.

Every change of an alert is a *Transition* with its time, who and how, so
`hearth alerts` can show the whole history. What leaves the home is an
*AlertMessage*: the least personal detail that still lets a carer act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Severity(StrEnum):
    """How soon someone must act. Quiet hours hold back only the two lower ones."""

    INFO = "info"  # maintenance: a low battery, a silent sensor
    WARNING = "warning"  # worth a look today: fridge unused all day, home cold
    URGENT = "urgent"  # act now: no movement for hours, a night-time exit, help pressed

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.URGENT: 2}


@dataclass(frozen=True, slots=True)
class Condition:
    """Something a rule finds true of the home now.

    `subject` says what it is about (`home`, a room id, a sensor id), so one rule
    can hold several conditions at once (two silent sensors). `since` is when
    the condition began in event time (the last movement, the door opening),
    which is what a carer needs, not when the rule happened to notice.
    `asks_resident` marks conditions the resident can cancel with "I'm OK"
    before anyone outside the home is told (inactivity, a long bathroom visit).
    """

    rule: str
    subject: str
    severity: Severity
    since: datetime
    summary: str
    asks_resident: bool = False

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}"


class AlertState(StrEnum):
    ASKING = "asking"  # the resident is being asked "are you OK?"; nobody outside told yet
    OPEN = "open"  # raised and going out to recipients, escalating until acknowledged
    ACKNOWLEDGED = "acknowledged"  # a person has taken it on; escalation stops
    RESOLVED = "resolved"  # the condition cleared, or a person closed it
    CANCELLED = "cancelled"  # the resident pressed "I'm OK" in time; nobody was told

    @property
    def finished(self) -> bool:
        return self in (AlertState.RESOLVED, AlertState.CANCELLED)


class Action(StrEnum):
    """What a transition did; the words `hearth alerts` shows."""

    RAISED = "raised"
    ASKED_RESIDENT = "asked_resident"
    CANCELLED_BY_RESIDENT = "cancelled_by_resident"
    HELD = "held"  # a low-severity alert kept back by quiet hours
    NOTIFIED = "notified"  # deliveries queued for a step of the escalation chain
    ESCALATED = "escalated"  # nobody acknowledged in time: the next step is told
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Via(StrEnum):
    """How a transition came about."""

    RULE = "rule"  # the hub's own rules and timers
    BUTTON = "button"  # the in-home "I'm OK" button
    LINK = "link"  # a signed acknowledgement link from a message
    MQTT = "mqtt"  # the documented MQTT control topic
    CLI = "cli"  # `hearth alerts ack/resolve`
    WEB = "web"  # the web app (issue 6)


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert as stored; `level` is the escalation step last told (0 = first)."""

    id: int
    key: str
    rule: str
    subject: str
    severity: Severity
    summary: str
    since: datetime
    raised_at: datetime
    state: AlertState
    asks_resident: bool = False
    # True while the rule still reports the condition: the alert covers its whole
    # run, so one closed by hand is not raised again until the condition clears.
    condition_active: bool = True
    level: int = 0
    asks_until: datetime | None = None  # end of the "I'm OK" window while ASKING
    notified_at: datetime | None = None  # when the current step was told; None while held
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    told: tuple[str, ...] = ()  # recipient ids told so far, in order


@dataclass(frozen=True, slots=True)
class Transition:
    alert_id: int
    at: datetime
    action: Action
    actor: str  # "hub", "resident", or a recipient id
    via: Via
    detail: str = ""


class Purpose(StrEnum):
    """Why a message is sent about an alert."""

    RAISED = "raised"  # first notice to a step of the chain
    ESCALATED = "escalated"  # the previous step did not acknowledge in time
    ACKNOWLEDGED = "acknowledged"  # someone has taken it on: the others need not rush
    RESOLVED = "resolved"  # all clear, to everyone who was told
    UPDATE = "update"  # any other change of state, for the MQTT alert topic only


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """What a channel sends: no resident name, no raw sensor data, no address.

    `idempotency_key` is the same on every attempt to deliver this message to
    this recipient, so a receiver that saw it once can drop a retry (webhook
    `Idempotency-Key` header, e-mail Message-ID, MQTT payload `id`).
    `raised_at` is the alert's original time, also when it is sent late after
    the home's connection comes back. `ack_url` is a signed, expiring link.
    """

    idempotency_key: str
    alert_id: int
    home: str  # the home's label as configured for carers ("Mum's house"), not an address
    rule: str
    severity: Severity
    summary: str
    since: datetime
    raised_at: datetime
    purpose: Purpose
    recipient: str  # recipient id ("" for the home's MQTT alert topic)
    ack_url: str | None = None
    state: AlertState = AlertState.OPEN
    acknowledged_by: str | None = None  # a name as configured, for "Anna is on it"

    @property
    def title(self) -> str:
        prefix = _TITLE_PREFIX.get(self.purpose, "")
        return f"{prefix}{self.severity.value.upper()} at {self.home}"

    def to_json(self) -> dict[str, object]:
        """The documented JSON form (MQTT alert topic, webhook body)."""
        return {
            "id": self.idempotency_key,
            "alert": self.alert_id,
            "home": self.home,
            "rule": self.rule,
            "severity": self.severity.value,
            "summary": self.summary,
            "since": self.since.isoformat(),
            "raised_at": self.raised_at.isoformat(),
            "purpose": self.purpose.value,
            "recipient": self.recipient,
            "ack_url": self.ack_url,
            "state": self.state.value,
            "acknowledged_by": self.acknowledged_by,
        }


_TITLE_PREFIX = {
    Purpose.ESCALATED: "Not yet acknowledged: ",
    Purpose.ACKNOWLEDGED: "Taken on: ",
    Purpose.RESOLVED: "All clear: ",
}
