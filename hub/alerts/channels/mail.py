"""The e-mail channel: one plain-text message per alert message, over SMTP.

The stdlib's smtplib runs in a worker thread (`asyncio.to_thread`), so a slow
server never stalls the event loop; alerts are few, so a thread per send costs
nothing that matters and saves a dependency. (Named `mail`, not `email`, so it
can never be mistaken for the standard library's `email` package.)

The Message-ID is derived from the message's idempotency key: a retry after a
lost reply from the server is the same message, and mail programs show it once.

Errors: a 5xx reply (login refused, recipient unknown, message rejected) is
permanent; a 4xx reply, a refused or dropped connection and a timeout are
transient.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import smtplib
import ssl
from datetime import UTC, datetime, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime

from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.wording import body_text
from hub.alerts.model import AlertMessage
from hub.config.alerts import Smtp

log = logging.getLogger(__name__)


def mask_address(address: str) -> str:
    """'anna@example.org' -> 'a***@example.org': enough to tell recipients apart in a log."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same on every attempt of one message (RFC 5322 msg-id)."""
    # The key may hold characters a msg-id may not (':' and others), so it is
    # hashed; the domain is the sender's, as RFC 5322 recommends.
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "hearth.invalid"
    return f"<hearth.{digest}@{domain}>"


class EmailChannel:
    """Sends each AlertMessage as a plain-text e-mail to `to` through `smtp`.

    `password` is the SMTP password (read from `smtp.password_file` by the
    factory); `zone` is the home's time zone for the times in the body;
    `tls_context` is for tests and private CAs (default: the system's CAs).
    """

    def __init__(
        self,
        to: str,
        smtp: Smtp,
        *,
        password: SecretStr | None,
        zone: tzinfo,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._to = to
        self._smtp = smtp
        self._password = password
        self._zone = zone
        self._tls_context = tls_context

    @property
    def name(self) -> str:
        return f"email to {mask_address(self._to)}"

    def compose(self, message: AlertMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._smtp.sender
        mail["To"] = self._to
        mail["Subject"] = message.title
        # When it was sent, not when the alert was raised: a mail sent late
        # after an outage, dated hours back, would sort below newer mail and be
        # missed. The body says when things happened.
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Message-ID"] = message_id(message.idempotency_key, self._smtp.sender)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
        mail.set_content(body_text(message, self._zone))
        return mail

    async def send(self, message: AlertMessage) -> None:
        mail = self.compose(message)
        await asyncio.to_thread(self.send_blocking, mail)
        log.debug("e-mail for alert %d sent to %s", message.alert_id, self.name)

    def send_blocking(self, mail: EmailMessage) -> None:
        smtp = self._smtp
        context = self._tls_context or ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if smtp.security == "tls":
                client = smtplib.SMTP_SSL(
                    smtp.host, smtp.port, timeout=smtp.timeout_s, context=context
                )
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
            with client:
                if smtp.security == "starttls":
                    client.starttls(context=context)
                if smtp.username is not None and self._password is not None:
                    client.login(smtp.username, self._password.get_secret_value())
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise DeliveryError(
                f"the SMTP server refused the recipient {mask_address(self._to)} ({codes})",
                permanent=all(code >= 500 for code in codes),
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"the SMTP server {smtp.host} does not offer what alerts.smtp asks for "
                f"(security {smtp.security}, login): {exc}",
                permanent=True,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # Login refused (535), sender refused, message refused, busy (421) ...
            reply = self._safe(exc.smtp_error)
            raise DeliveryError(
                f"the SMTP server {smtp.host} replied {exc.smtp_code}: {reply}",
                permanent=exc.smtp_code >= 500,
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"the SMTP server {smtp.host}'s certificate is not trusted: {exc.verify_message}",
                permanent=True,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused or dropped connections, timeouts, DNS failures, other TLS
            # trouble (SMTPException is an OSError too; named for the reader).
            raise DeliveryError(
                f"could not reach the SMTP server {smtp.host}:{smtp.port}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _safe(self, server_text: bytes | str) -> str:
        text = (
            server_text.decode("utf-8", "replace")
            if isinstance(server_text, bytes)
            else server_text
        )
        # Servers echo the address back; keep error lines as log-safe as `name`.
        return text.replace(self._to, mask_address(self._to))[:200]
