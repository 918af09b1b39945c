"""The Apprise channel: a real Apprise json:// notification to a local HTTP server."""

from __future__ import annotations

import asyncio
import json
import logging
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from hub.alerts.channels import DeliveryError
from hub.alerts.channels.apprise_channel import AppriseChannel, InvalidAppriseUrl, url_scheme
from hub.alerts.model import Purpose
from tests.alerts.channels.conftest import HttpRecorder, sample_message

LONDON = ZoneInfo("Europe/London")


def json_url(server: HttpRecorder) -> str:
    # json://user:password@host:port/path: Apprise POSTs a JSON document there.
    return server.url.replace("http://", "json://hearth:apprise-pass@") + "/notify"


def test_title_and_body_arrive_and_the_url_never_shows(
    http_server: HttpRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = AppriseChannel(SecretStr(json_url(http_server)), zone=LONDON)
    assert channel.name == "apprise json://…"
    asyncio.run(channel.send(sample_message()))

    [request] = http_server.requests
    assert request.path == "/notify"
    sent = json.loads(request.body)
    assert sent["title"] == "URGENT at Mum's house"
    assert sent["message"].startswith("No movement at home for 3 h 10 min.\n")
    assert "Since: Wed 01 Jul 2026, 06:30 BST" in sent["message"]
    assert "http://hearth.local:8080/ack/TOKEN-abc" in sent["message"]
    assert sent["type"] == "failure"  # urgent: the services' red/alarm look
    assert "apprise-pass" not in caplog.text  # neither our logs nor Apprise's
    assert "TOKEN-abc" not in caplog.text  # Apprise logs payloads at DEBUG: kept off
    assert "json://" in channel.name


def test_an_all_clear_is_a_success_notice(http_server: HttpRecorder) -> None:
    channel = AppriseChannel(SecretStr(json_url(http_server)), zone=LONDON)
    asyncio.run(channel.send(sample_message(purpose=Purpose.RESOLVED)))
    sent = json.loads(http_server.requests[0].body)
    assert sent["title"] == "All clear: URGENT at Mum's house"
    assert sent["type"] == "success"
    assert "/ack/" not in sent["message"]


def test_a_failing_service_is_transient_and_the_error_holds_no_url(
    http_server: HttpRecorder,
) -> None:
    http_server.status = 500
    channel = AppriseChannel(SecretStr(json_url(http_server)), zone=LONDON)
    with pytest.raises(DeliveryError, match="did not deliver") as caught:
        asyncio.run(channel.send(sample_message()))
    assert not caught.value.permanent
    assert "apprise-pass" not in str(caught.value)
    assert str(http_server.url) not in str(caught.value)


def test_an_unknown_service_is_refused_when_built_without_echoing_the_url() -> None:
    with pytest.raises(InvalidAppriseUrl) as caught:
        AppriseChannel(SecretStr("nosuchservice://token-123@x"), zone=LONDON)
    assert "token-123" not in str(caught.value)


def test_url_scheme_shows_only_the_service() -> None:
    assert url_scheme("tgram://123456:ABC/987") == "tgram"
    assert url_scheme("no url at all") == "?"
