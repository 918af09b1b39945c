"""Building channels from the config: secrets read at start, errors naming the config key."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.alerts.channels.apprise_channel import AppriseChannel
from hub.alerts.channels.factory import ack_key, channels_for, speaker_for
from hub.alerts.channels.mail import EmailChannel
from hub.alerts.channels.webhook import WebhookChannel
from hub.config.alerts import AckLinks, Alerts, Voice
from hub.config.secrets import SecretError

LONDON = ZoneInfo("Europe/London")


def secret_file(tmp_path: Path, name: str, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n")
    path.chmod(mode)
    return path


def alerts(tmp_path: Path, **smtp: Any) -> Alerts:
    return Alerts.model_validate(
        {
            "smtp": {"host": "127.0.0.1", **smtp},
            "recipients": [
                {
                    "id": "bob",
                    "role": "paid_carer",
                    "channels": [{"type": "email", "to": "b@x.org"}],
                },
                {
                    "id": "anna",
                    "role": "family",
                    "channels": [
                        {"type": "email", "to": "anna@example.org"},
                        {
                            "type": "webhook",
                            "url": "https://hooks.example.org/h/SECRET-PATH",
                            "secret_file": str(tmp_path / "hook.secret"),
                        },
                        {"type": "apprise", "url_env": "ANNA_APPRISE"},
                    ],
                },
            ],
        }
    )


def test_one_channel_per_entry_with_log_safe_names(tmp_path: Path) -> None:
    secret_file(tmp_path, "hook.secret", "s3cret")
    config = alerts(tmp_path)
    env = {"ANNA_APPRISE": "ntfy://user:TOPSECRET@ntfy.example.org/topic"}
    channels = channels_for(config.recipients[1], config, zone=LONDON, environ=env)
    assert [type(c) for c in channels] == [EmailChannel, WebhookChannel, AppriseChannel]
    names = [c.name for c in channels]
    assert names == [
        "email to a***@example.org",
        "webhook https://hooks.example.org/…",
        "apprise ntfy://…",
    ]


def test_a_missing_webhook_secret_names_its_key(tmp_path: Path) -> None:
    config = alerts(tmp_path)
    with pytest.raises(SecretError, match="does not exist") as caught:
        channels_for(config.recipients[1], config, zone=LONDON, environ={"ANNA_APPRISE": "x://"})
    assert caught.value.loc == ("alerts", "recipients", 1, "channels", 1, "secret_file")


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    secret_file(tmp_path, "hook.secret", "s3cret", mode=0o644)
    config = alerts(tmp_path)
    with pytest.raises(SecretError, match="readable by other users") as caught:
        channels_for(config.recipients[1], config, zone=LONDON, environ={})
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "words"), [({}, "is not set"), ({"ANNA_APPRISE": ""}, "is empty")]
)
def test_a_missing_apprise_variable_names_its_key(
    tmp_path: Path, environ: dict[str, str], words: str
) -> None:
    secret_file(tmp_path, "hook.secret", "s3cret")
    config = alerts(tmp_path)
    with pytest.raises(SecretError, match=f"ANNA_APPRISE {words}") as caught:
        channels_for(config.recipients[1], config, zone=LONDON, environ=environ)
    assert caught.value.loc == ("alerts", "recipients", 1, "channels", 2, "url_env")


def test_an_apprise_url_apprise_does_not_know_is_refused_without_showing_it(
    tmp_path: Path,
) -> None:
    secret_file(tmp_path, "hook.secret", "s3cret")
    config = alerts(tmp_path)
    env = {"ANNA_APPRISE": "nosuch://TOPSECRET@host"}
    with pytest.raises(SecretError) as caught:
        channels_for(config.recipients[1], config, zone=LONDON, environ=env)
    assert caught.value.loc == ("alerts", "recipients", 1, "channels", 2, "url_env")
    assert "TOPSECRET" not in str(caught.value)


def test_an_smtp_login_needs_its_password_file(tmp_path: Path) -> None:
    config = alerts(tmp_path, username="hearth")
    with pytest.raises(SecretError, match="no password_file") as caught:
        channels_for(config.recipients[0], config, zone=LONDON, environ={})
    assert caught.value.loc == ("alerts", "smtp", "password_file")

    password = secret_file(tmp_path, "smtp.pass", "pw")
    config = alerts(tmp_path, username="hearth", password_file=str(password))
    [channel] = channels_for(config.recipients[0], config, zone=LONDON, environ={})
    assert channel.name == "email to b***@x.org"


def test_the_ack_key_comes_from_its_file_and_must_be_long(tmp_path: Path) -> None:
    assert ack_key(AckLinks()) is None
    good = secret_file(tmp_path, "ack.key", "0123456789abcdef" * 4)
    assert ack_key(AckLinks(key_file=good)) == b"0123456789abcdef" * 4
    short = secret_file(tmp_path, "short.key", "tooshort")
    with pytest.raises(SecretError, match="too short") as caught:
        ack_key(AckLinks(key_file=short))
    assert caught.value.loc == ("alerts", "ack_links", "key_file")
    assert "tooshort" not in str(caught.value)


def test_the_speaker_uses_the_configured_voice_or_the_prompts_language() -> None:
    assert speaker_for(Voice(), "en").voice == "en"
    assert speaker_for(Voice(), "fr").voice == "en"  # no French wording yet
    configured = speaker_for(Voice(voice="en-us", words_per_minute=100, player=["paplay"]), "en")
    assert (configured.voice, configured.words_per_minute, configured.player) == (
        "en-us",
        100,
        ("paplay",),
    )
