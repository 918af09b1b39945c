"""The `web:` section: the hub's web server (the carers' app, its API, acknowledgement links)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from hub.config.base import _Model


class Web(_Model):
    enabled: bool = Field(
        default=True,
        title="Serve",
        description="Run the web server; without it acknowledgement links do not work.",
    )
    host: str = Field(
        default="0.0.0.0",  # noqa: S104 (carers' phones on the home network must reach it)
        title="Listen address",
        description="Address to listen on; 0.0.0.0 is every interface, 127.0.0.1 this box only "
        "(behind a reverse proxy or tunnel).",
    )
    port: int = Field(default=8080, ge=1, le=65535, title="Port", description="TCP port.")
    tls_cert_file: Path | None = Field(
        default=None,
        title="TLS certificate",
        description="PEM certificate for HTTPS; with tls_key_file. Empty means plain HTTP, "
        "fit only for the home network or behind a TLS proxy.",
    )
    tls_key_file: Path | None = Field(
        default=None, title="TLS key", description="PEM private key for HTTPS."
    )

    @model_validator(mode="after")
    def _cert_and_key_together(self) -> Self:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("give tls_cert_file and tls_key_file together, or neither")
        return self
