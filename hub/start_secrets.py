"""Every secret the hub and the bridge read when they start, read the way they read them.

`hearth check-config` (each problem at its line) and `hearth doctor` (each a
finding) both ask `start_secret_problems`, so an installer hears of a missing
SMTP password or a too-short link key before `hearth run` refuses to start,
and the checks cannot drift from what the hub reads: each secret is read by
the very function the hub or the bridge calls at start.

A secret the hub does not read at start is not asked for: the SMTP password
matters only when some recipient has an e-mail channel, the web server's
certificate only when the web server is on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ParamSpec
from zoneinfo import ZoneInfo

from hub.alerts.channels.factory import ack_key, channel_for
from hub.broker_access import TLS
from hub.config.models import HearthConfig
from hub.config.secrets import (
    SecretError,
    check_server_tls,
    client_tls_context,
    read_broker_password,
    read_password_file,
)

P = ParamSpec("P")


def start_secret_problems(
    config: HearthConfig, *, environ: Mapping[str, str] | None = None
) -> list[SecretError]:
    """One SecretError per secret that cannot be used, in config order; [] when all can.

    Each names its config key (`loc`). A problem shared by several keys (the SMTP
    password of every e-mail channel) is given once. `environ` defaults to the
    process environment; tests pass their own.
    """
    problems: list[SecretError] = []

    def attempt(read: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            read(*args, **kwargs)
        except SecretError as exc:
            if not any(p.loc == exc.loc and str(p) == str(exc) for p in problems):
                problems.append(exc)

    broker = config.broker
    attempt(read_broker_password, broker, environ)
    if broker.tls is not None:
        tls = broker.tls
        attempt(client_tls_context, tls.ca_file, tls.cert_file, tls.key_file, TLS)
    if config.bridge.password_file is not None:
        attempt(read_password_file, config.bridge.password_file, ("bridge", "password_file"))
    alerts = config.alerts
    zone = ZoneInfo(config.home.timezone)
    for r_index, recipient in enumerate(alerts.recipients):
        for c_index, entry in enumerate(recipient.channels):
            loc = ("alerts", "recipients", r_index, "channels", c_index)
            attempt(channel_for, entry, loc, alerts, zone=zone, environ=environ)
    attempt(ack_key, alerts.ack_links)
    web = config.web
    if web.enabled and web.tls_cert_file is not None and web.tls_key_file is not None:
        attempt(check_server_tls, web.tls_cert_file, web.tls_key_file, ("web",))
    return problems
