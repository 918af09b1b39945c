"""Reaching the MQTT broker: address, login and TLS, shared by the hub and the firmware bridge.

Both processes connect the same way (MQTT 5, a fixed client id, acknowledgements
sent by hand once a message has been dealt with), so both build their paho
client here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, overload

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from pydantic import SecretStr

from hub.config.base import Loc
from hub.config.models import Broker
from hub.config.secrets import client_tls_context

TLS: Loc = ("broker", "tls")  # where the TLS files are named: every client reads broker.tls

_C = TypeVar("_C", bound=paho.Client)


@dataclass(frozen=True)
class BrokerAccess:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    keepalive_s: int = 30
    tls: bool = False
    tls_ca_file: str | None = None
    tls_cert_file: str | None = None
    tls_key_file: str | None = None

    @classmethod
    def from_config(
        cls, broker: Broker, *, username: str | None, password: SecretStr | None
    ) -> BrokerAccess:
        tls = broker.tls
        return cls(
            host=broker.host,
            port=broker.port,
            username=username,
            password=password.get_secret_value() if password is not None else None,
            keepalive_s=broker.keepalive_s,
            tls=tls is not None,
            tls_ca_file=str(tls.ca_file) if tls and tls.ca_file else None,
            tls_cert_file=str(tls.cert_file) if tls and tls.cert_file else None,
            tls_key_file=str(tls.key_file) if tls and tls.key_file else None,
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@overload
def new_client(access: BrokerAccess, client_id: str) -> paho.Client: ...
@overload
def new_client(access: BrokerAccess, client_id: str, client_class: type[_C]) -> _C: ...
def new_client(
    access: BrokerAccess, client_id: str, client_class: type[paho.Client] = paho.Client
) -> paho.Client:
    """An MQTT 5 paho client with manual acknowledgement, our login and TLS if configured.

    `client_class`: paho's Client or a subclass of it (the hub's ingest uses
    `hub.ingest.paho_client.IngestClient`).
    """
    client = client_class(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=paho.MQTTv5,
        manual_ack=True,
    )
    if access.username is not None:
        client.username_pw_set(access.username, access.password)
    if access.tls:
        # Through the function `hearth check-config` checks them with, so a file it
        # passed loads here, and one that does not load is a line naming its key.
        context = client_tls_context(
            _path(access.tls_ca_file), _path(access.tls_cert_file), _path(access.tls_key_file), TLS
        )
        client.tls_set_context(context)
    return client


def _path(text: str | None) -> Path | None:
    return None if text is None else Path(text)
