"""The web server on the hub's loop: a certificate it cannot load is one line, not a dead task."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from starlette.applications import Starlette

from hub.config.web import Web
from hub.local_broker import free_port
from hub.web.server import WebServer


async def test_a_missing_certificate_is_one_line_naming_its_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Web(
        host="127.0.0.1",
        port=free_port(),
        tls_cert_file=tmp_path / "cert.pem",
        tls_key_file=tmp_path / "key.pem",
    )
    server = WebServer(Starlette(), settings)
    with caplog.at_level(logging.INFO, logger="hub.web.server"):
        server.start()
        await asyncio.sleep(0.2)  # long enough for a started server task to fail
        await server.stop()
    # It used to log "web server on https://..." while uvicorn's task died unseen.
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.ERROR,
            f"web.tls_cert_file: certificate file {tmp_path / 'cert.pem'} does not exist; "
            "acknowledgement links will not work",
        )
    ]
