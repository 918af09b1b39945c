"""Building channels from the config, with every secret read once, at start.

Reading secrets here rather than at the first alert means a missing or
too-open secret file stops the hub at start with a line naming the config
key (`SecretError.loc`), instead of an alert failing hours later. The MQTT
channel is not built here: it needs the hub's live connection (see
`hub.alerts.channels.mqtt`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path

from pydantic import SecretStr

from hub.alerts.channels import Channel
from hub.alerts.channels.mail import EmailChannel
from hub.alerts.channels.voice import Speaker, prompt_voice
from hub.alerts.channels.webhook import WebhookChannel
from hub.config import alerts as cfg
from hub.config.base import Loc
from hub.config.secrets import SecretError, read_password_file

MIN_ACK_KEY_CHARS = 32


def channels_for(
    recipient: cfg.Recipient,
    alerts: cfg.Alerts,
    *,
    zone: tzinfo,
    environ: Mapping[str, str] | None = None,
) -> list[Channel]:
    """One channel per entry of `recipient.channels`, or a SecretError naming the config key.

    `environ` defaults to the process environment; tests pass their own.
    """
    base = _recipient_loc(recipient, alerts)
    return [
        channel_for(entry, (*base, "channels", index), alerts, zone=zone, environ=environ)
        for index, entry in enumerate(recipient.channels)
    ]


def channel_for(
    entry: cfg.ChannelConfig,
    loc: Loc,
    alerts: cfg.Alerts,
    *,
    zone: tzinfo,
    environ: Mapping[str, str] | None = None,
) -> Channel:
    """The channel the config `entry` (at key path `loc`) describes, its secret read."""
    env = os.environ if environ is None else environ
    if isinstance(entry, cfg.EmailChannel):
        return EmailChannel(entry.to, alerts.smtp, password=smtp_password(alerts.smtp), zone=zone)
    if isinstance(entry, cfg.WebhookChannel):
        return WebhookChannel(
            entry.url, _secret(entry.secret_file, entry.secret_env, loc, "secret", env)
        )
    url = _secret(entry.url_file, entry.url_env, loc, "url", env)
    # Imported only for a home that uses it: Apprise and its plugins add
    # about 2.5 MB to the running hub's memory (measured), for nothing
    # in a home that sends no such alerts.
    from hub.alerts.channels.apprise_channel import (  # noqa: PLC0415
        AppriseChannel,
        InvalidAppriseUrl,
    )

    try:
        return AppriseChannel(url, zone=zone)
    except InvalidAppriseUrl as exc:
        key = "url_file" if entry.url_file is not None else "url_env"
        raise SecretError(str(exc), (*loc, key)) from exc


def smtp_password(smtp: cfg.Smtp) -> SecretStr | None:
    """The SMTP password when a login is configured."""
    if smtp.username is None:
        return None
    if smtp.password_file is None:
        raise SecretError(
            "alerts.smtp has a username but no password_file", ("alerts", "smtp", "password_file")
        )
    return read_password_file(smtp.password_file, ("alerts", "smtp", "password_file"))


def speaker_for(voice: cfg.Voice, language: str) -> Speaker:
    """The in-home speaker: the configured voice, else one that speaks our prompts' language."""
    return Speaker(
        voice=prompt_voice(language, voice.voice),
        words_per_minute=voice.words_per_minute,
        amplitude=voice.amplitude,
        player=voice.player,
    )


def ack_key(links: cfg.AckLinks) -> bytes | None:
    """The acknowledgement-link key from `key_file`, or None (the hub keeps one in its database)."""
    if links.key_file is None:
        return None
    loc: Loc = ("alerts", "ack_links", "key_file")
    text = read_password_file(links.key_file, loc).get_secret_value()
    if len(text) < MIN_ACK_KEY_CHARS:
        raise SecretError(
            f"the key in {links.key_file} is too short: use at least {MIN_ACK_KEY_CHARS} "
            "random characters (e.g. `openssl rand -hex 32`)",
            loc,
        )
    return text.encode()


def _recipient_loc(recipient: cfg.Recipient, alerts: cfg.Alerts) -> Loc:
    for index, candidate in enumerate(alerts.recipients):
        if candidate.id == recipient.id:
            return ("alerts", "recipients", index)
    return ("alerts", "recipients")


def _secret(
    path: Path | None, variable: str | None, loc: Loc, what: str, environ: Mapping[str, str]
) -> SecretStr:
    # The config models guarantee exactly one of the two is set.
    if path is not None:
        return read_password_file(path, (*loc, f"{what}_file"))
    assert variable is not None
    value = environ.get(variable)
    if not value:
        state = "is not set" if value is None else "is empty"
        raise SecretError(f"environment variable {variable} {state}", (*loc, f"{what}_env"))
    return SecretStr(value)
