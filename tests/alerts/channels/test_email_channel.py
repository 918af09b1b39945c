"""The e-mail channel against a real SMTP server (aiosmtpd), with login and STARTTLS."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.mail import EmailChannel, mask_address, message_id
from hub.alerts.model import AlertMessage, Purpose
from hub.config.alerts import Smtp
from hub.local_broker import free_port
from tests.alerts.channels.conftest import sample_message

LONDON = ZoneInfo("Europe/London")
TO = "anna.carer@example.org"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it is given, or refuses recipients as told."""

    mails: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        assert isinstance(envelope.content, bytes)
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        self.envelopes.append(envelope)
        return "250 Message accepted"


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"hearth",
        b"smtp-secret",
    )
    # handled=False: aiosmtpd answers a refusal itself with 535 (its default,
    # handled=True, would leave the client waiting for an answer).
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A plain SMTP server with AUTH (TLS not required for it, as on a local relay)."""
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp(port: int, **changes: Any) -> Smtp:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "hearth",
        "sender": "hearth@home.example",
        "timeout_s": 5,
    }
    values.update(changes)
    return Smtp(**values)


def send(channel: EmailChannel, message: AlertMessage) -> None:
    asyncio.run(channel.send(message))


def failure(channel: EmailChannel, message: AlertMessage) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send(channel, message)
    return caught.value


def test_an_alert_arrives_as_plain_text_with_local_times_and_the_ack_link(
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    channel = EmailChannel(TO, smtp(port), password=SecretStr("smtp-secret"), zone=LONDON)
    message = sample_message()
    before = datetime.now(UTC).replace(microsecond=0)
    send(channel, message)

    [mail] = handler.mails
    assert handler.envelopes[0].rcpt_tos == [TO]
    assert handler.envelopes[0].mail_from == "hearth@home.example"
    assert mail["Subject"] == "URGENT at Mum's house"
    assert mail["To"] == TO
    assert mail["From"] == "hearth@home.example"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"] == message_id(message.idempotency_key, "hearth@home.example")
    assert mail["Message-ID"].endswith("@home.example>")
    assert before <= mail["Date"].datetime <= datetime.now(UTC)  # sent now, raised earlier
    assert mail.get_content_type() == "text/plain"
    body = mail.get_content().replace("\r\n", "\n")
    assert body.startswith("No movement at home for 3 h 10 min.\n")
    # 05:30 and 08:40 UTC on 1 July are 06:30 and 09:40 in London (BST).
    assert "Since: Wed 01 Jul 2026, 06:30 BST" in body
    assert "Alert raised: Wed 01 Jul 2026, 09:40 BST" in body
    assert "http://hearth.local:8080/ack/TOKEN-abc" in body


def test_a_retry_is_the_same_message_and_a_resolution_has_no_ack_link(
    inbox: tuple[Inbox, int],
) -> None:
    handler, port = inbox
    channel = EmailChannel(TO, smtp(port), password=SecretStr("smtp-secret"), zone=LONDON)
    send(channel, sample_message())
    send(channel, sample_message())
    send(
        channel, sample_message(idempotency_key="alert-17:anna:resolved", purpose=Purpose.RESOLVED)
    )
    first, retry, resolved = handler.mails
    assert first["Message-ID"] == retry["Message-ID"] != resolved["Message-ID"]
    assert resolved["Subject"] == "All clear: URGENT at Mum's house"
    assert "/ack/" not in resolved.get_content()


def test_an_acknowledgement_says_who_took_it_on(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    channel = EmailChannel(TO, smtp(port), password=SecretStr("smtp-secret"), zone=LONDON)
    taken = sample_message(
        idempotency_key="alert-17:bob:acknowledged",
        purpose=Purpose.ACKNOWLEDGED,
        acknowledged_by="Anna",
        recipient="bob",
    )
    send(channel, taken)
    [mail] = handler.mails
    assert mail["Subject"] == "Taken on: URGENT at Mum's house"
    body = mail.get_content()
    assert "Anna has taken this on." in body
    assert "/ack/" not in body


def test_a_wrong_password_is_permanent(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    channel = EmailChannel(TO, smtp(port), password=SecretStr("wrong"), zone=LONDON)
    error = failure(channel, sample_message())
    assert error.permanent
    assert "535" in str(error)
    assert "wrong" not in str(error)
    assert handler.mails == []


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("550 5.1.1 <anna.carer@example.org>: no such user", True), ("451 4.3.0 try later", False)],
)
def test_a_refused_recipient_is_permanent_only_for_a_5xx_reply(
    inbox: tuple[Inbox, int], reply: str, permanent: bool
) -> None:
    handler, port = inbox
    handler.rcpt_reply = reply
    channel = EmailChannel(TO, smtp(port), password=SecretStr("smtp-secret"), zone=LONDON)
    error = failure(channel, sample_message())
    assert error.permanent is permanent
    assert TO not in str(error)  # the address is masked, as in `name`
    assert "a***@example.org" in str(error)


def test_no_server_is_transient() -> None:
    channel = EmailChannel(TO, smtp(free_port()), password=SecretStr("x"), zone=LONDON)
    error = failure(channel, sample_message())
    assert not error.permanent
    assert "could not reach" in str(error)


def test_a_server_that_never_greets_times_out_transiently() -> None:
    # Fault injection: the kernel accepts the connection, nobody ever speaks.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        channel = EmailChannel(TO, smtp(port, timeout_s=0.3), password=None, zone=LONDON)
        error = failure(channel, sample_message())
    assert not error.permanent


def test_name_masks_the_address() -> None:
    channel = EmailChannel(TO, smtp(25), password=None, zone=LONDON)
    assert channel.name == "email to a***@example.org"
    assert mask_address("x@y.org") == "x***@y.org"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-days", "1", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", *subject, *files],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_starttls_then_login_delivers_and_an_untrusted_certificate_is_permanent(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        tls_context=server_tls,
        require_starttls=True,
    )
    controller.start()
    try:
        settings = smtp(port, security="starttls")
        trusted = ssl.create_default_context(cafile=str(cert))
        channel = EmailChannel(
            TO, settings, password=SecretStr("smtp-secret"), zone=LONDON, tls_context=trusted
        )
        send(channel, sample_message())
        assert len(handler.mails) == 1

        untrusting = EmailChannel(TO, settings, password=SecretStr("smtp-secret"), zone=LONDON)
        error = failure(untrusting, sample_message())
        assert error.permanent
        assert "not trusted" in str(error)
    finally:
        controller.stop()


def test_implicit_tls_delivers(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=check_login,
        ssl_context=server_tls,
        # aiosmtpd counts only STARTTLS as TLS when deciding to offer AUTH;
        # this connection is TLS from its first byte.
        auth_require_tls=False,
    )
    controller.start()
    try:
        channel = EmailChannel(
            TO,
            smtp(port, security="tls"),
            password=SecretStr("smtp-secret"),
            zone=LONDON,
            tls_context=ssl.create_default_context(cafile=str(cert)),
        )
        send(channel, sample_message())
        assert len(handler.mails) == 1
    finally:
        controller.stop()
