"""Building the AlertMessage for one delivery, with its signed acknowledgement link.

Shared by the hub's alert service and `hearth alerts ack`, so a message
queued by either is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hub.alerts.ack_links import ack_url, make_ack_token
from hub.alerts.channels.factory import ack_key
from hub.alerts.lifecycle import Target
from hub.alerts.model import Alert, AlertMessage, Purpose
from hub.alerts.routing import Policy
from hub.alerts.store import AlertStore
from hub.config.models import HearthConfig

LINK_KEY = "ack_links"


def link_key(config: HearthConfig, store: AlertStore) -> bytes:
    """The key that signs acknowledgement links: the configured file, else one kept in the store.

    A key file that is missing, too open or too short is a SecretError naming
    the config key, raised when the hub starts rather than at the first alert.
    """
    return ack_key(config.alerts.ack_links) or store.secret(LINK_KEY)


def renderer(
    config: HearthConfig, policy: Policy, key: bytes, now: datetime
) -> Callable[[Alert, Target, str], AlertMessage]:
    """The function the store calls for each queued message."""
    links = config.alerts.ack_links

    def render(alert: Alert, target: Target, idempotency_key: str) -> AlertMessage:
        url = None
        # Only people asked to act get a link; "all clear" and the MQTT topic do not.
        if target.recipient and target.purpose in (Purpose.RAISED, Purpose.ESCALATED):
            expires = now + timedelta(hours=links.valid_h)
            url = ack_url(links.base_url, make_ack_token(key, alert.id, target.recipient, expires))
        by = alert.acknowledged_by
        person = policy.recipient(by) if by else None
        return AlertMessage(
            idempotency_key=idempotency_key,
            alert_id=alert.id,
            home=config.alerts.home_label,
            rule=alert.rule,
            severity=alert.severity,
            summary=alert.summary,
            since=alert.since,
            raised_at=alert.raised_at,
            purpose=target.purpose,
            recipient=target.recipient,
            ack_url=url,
            state=alert.state,
            acknowledged_by=(person.name or person.id) if person else by,
        )

    return render
