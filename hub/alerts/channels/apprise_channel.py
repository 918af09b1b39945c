"""The Apprise channel: SMS gateways, Telegram, Signal, ntfy, Pushover ... through one library.

An Apprise URL carries its service's token or password, so it is held like a
password: read from a file or variable by the factory, never logged, never in
`name` (which shows only the scheme, "apprise tgram://…"). Apprise's own
logging is kept in its "secure logging" mode, which masks secrets in URLs.

Apprise reports only success or failure per service, not why, so a failed
send is transient: the outbox retries it with backoff. A URL Apprise cannot
use at all is refused when the channel is built (`InvalidAppriseUrl`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import tzinfo

import apprise
from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.wording import body_text
from hub.alerts.model import AlertMessage, Purpose, Severity

log = logging.getLogger(__name__)

# At DEBUG, Apprise logs each payload (with the acknowledgement link, a bearer
# secret) and some services' request URLs (with their tokens). Its warnings
# name only the host, so that is all we let through, even when the hub runs
# at DEBUG; someone who set the level on purpose keeps it.
_apprise_log = logging.getLogger("apprise")
if _apprise_log.level == logging.NOTSET:
    _apprise_log.setLevel(logging.WARNING)


class InvalidAppriseUrl(ValueError):
    """Apprise does not recognise the URL (unknown scheme or missing parts)."""


def url_scheme(url: str) -> str:
    """Only the part before '://' (the service); the rest may hold tokens."""
    scheme, separator, _rest = url.partition("://")
    return scheme if separator and scheme.isascii() and scheme.isalnum() else "?"


def _notify_type(message: AlertMessage) -> apprise.NotifyType:
    # Services with icons or colours (Slack, Discord, ntfy) show these.
    if message.purpose is Purpose.RESOLVED:
        return apprise.NotifyType.SUCCESS
    if message.purpose is Purpose.ACKNOWLEDGED:
        return apprise.NotifyType.INFO
    return {
        Severity.URGENT: apprise.NotifyType.FAILURE,
        Severity.WARNING: apprise.NotifyType.WARNING,
        Severity.INFO: apprise.NotifyType.INFO,
    }[message.severity]


class AppriseChannel:
    """Sends each AlertMessage through one Apprise URL: title and plain-text body.

    `zone` is the home's time zone for the times in the body; `timeout_s`
    bounds the whole call.
    """

    def __init__(self, url: SecretStr, *, zone: tzinfo, timeout_s: float = 30.0) -> None:
        self._scheme = url_scheme(url.get_secret_value())
        self._zone = zone
        self._timeout_s = timeout_s
        self._apprise = apprise.Apprise(asset=apprise.AppriseAsset(secure_logging=True))
        if not self._apprise.add(url.get_secret_value()):
            raise InvalidAppriseUrl(
                f"Apprise cannot use this {self._scheme}:// URL (unknown service or missing parts)"
            )

    @property
    def name(self) -> str:
        return f"apprise {self._scheme}://…"

    async def send(self, message: AlertMessage) -> None:
        result = await asyncio.to_thread(
            self._apprise.notify,
            body=body_text(message, self._zone),
            title=message.title,
            notify_type=_notify_type(message),
            body_format=apprise.NotifyFormat.TEXT,
            timeout=self._timeout_s,
        )
        if not result:
            raise DeliveryError(f"{self.name} did not deliver ({result.status.name.lower()})")
        log.debug("alert %d sent through %s", message.alert_id, self.name)
