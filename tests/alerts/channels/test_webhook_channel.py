"""The webhook channel against a real local HTTP server that checks the documented signature."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.webhook import WebhookChannel, sign
from tests.alerts.channels.conftest import HttpRecorder, Received, sample_message

DOCS = Path(__file__).resolve().parents[3] / "docs" / "alerts.md"
SECRET = "webhook-shared-secret"

Verify = Callable[..., bool]


def documented_verifier() -> Verify:
    """The verification example from docs/alerts.md, run as written."""
    section = DOCS.read_text().split("## Webhook", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    verify = namespace["verify_hearth_signature"]
    assert callable(verify)
    return verify


def checking_server(server: HttpRecorder, secret: str) -> None:
    """Make the server answer like a receiver following the docs: 401 for a bad signature."""
    verify = documented_verifier()

    def answer(request: Received) -> int:
        genuine = verify(
            secret.encode(),
            request.headers["X-Hearth-Timestamp"],
            request.headers["X-Hearth-Signature"],
            request.body,
        )
        return server.status if genuine else 401

    server.answer = answer  # type: ignore[method-assign]


def post(channel: WebhookChannel) -> None:
    asyncio.run(channel.send(sample_message()))


def test_a_signed_alert_is_accepted_by_the_documented_check(http_server: HttpRecorder) -> None:
    checking_server(http_server, SECRET)
    channel = WebhookChannel(f"{http_server.url}/hooks/hearth?token=abc", SecretStr(SECRET))
    message = sample_message()
    before = int(time.time())
    asyncio.run(channel.send(message))

    [request] = http_server.requests
    assert request.path == "/hooks/hearth?token=abc"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == message.idempotency_key
    assert int(request.headers["X-Hearth-Timestamp"]) >= before
    assert json.loads(request.body) == message.to_json()
    # The token in the URL never shows in the log-safe name.
    assert channel.name == f"webhook {http_server.url}/…"


def test_a_wrong_secret_is_rejected_and_that_is_permanent(http_server: HttpRecorder) -> None:
    checking_server(http_server, "the receiver's secret")
    channel = WebhookChannel(http_server.url, SecretStr("another secret"))
    with pytest.raises(DeliveryError, match="HTTP 401") as caught:
        post(channel)
    assert caught.value.permanent


def test_the_documented_check_refuses_tampering_and_replays() -> None:
    verify = documented_verifier()
    body = b'{"alert":17}'
    now = int(time.time())
    good = sign(SECRET.encode(), now, body)
    assert verify(SECRET.encode(), str(now), good, body)
    assert not verify(SECRET.encode(), str(now), good, b'{"alert":18}')
    assert not verify(SECRET.encode(), str(now + 1), good, body)  # timestamp is signed
    old = now - 3600
    assert not verify(SECRET.encode(), str(old), sign(SECRET.encode(), old, body), body)


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (503, False), (408, False), (429, False), (400, True), (404, True)],
)
def test_server_errors_are_transient_and_client_errors_permanent(
    http_server: HttpRecorder, status: int, permanent: bool
) -> None:
    http_server.status = status
    with pytest.raises(DeliveryError, match=f"HTTP {status}") as caught:
        post(WebhookChannel(http_server.url, SecretStr(SECRET)))
    assert caught.value.permanent is permanent
    assert len(http_server.requests) == 1


def test_a_redirect_is_not_followed(http_server: HttpRecorder) -> None:
    http_server.status = 302  # no Location header needed: we must not follow it anyway
    with pytest.raises(DeliveryError, match="HTTP 302") as caught:
        post(WebhookChannel(http_server.url, SecretStr(SECRET)))
    assert caught.value.permanent


def test_no_server_is_transient() -> None:
    from hub.local_broker import free_port

    channel = WebhookChannel(f"http://127.0.0.1:{free_port()}/", SecretStr(SECRET), timeout_s=2)
    with pytest.raises(DeliveryError, match="not reachable") as caught:
        post(channel)
    assert not caught.value.permanent


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookChannel("file:///etc/passwd", SecretStr(SECRET))


def test_a_server_that_never_answers_times_out_transiently() -> None:
    # Fault injection: the kernel accepts the connection, no reply ever comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        channel = WebhookChannel(f"http://127.0.0.1:{port}/", SecretStr(SECRET), timeout_s=0.3)
        with pytest.raises(DeliveryError) as caught:
            post(channel)
    assert not caught.value.permanent
