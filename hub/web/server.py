"""Running the web app on the hub's event loop with uvicorn, beside ingest and alerts.

The socket is bound here rather than by uvicorn, so a port already in use is
one readable log line and the hub goes on (alerts matter more than links),
instead of uvicorn ending the process; so is a certificate or key that cannot
be loaded (checked here as `hearth check-config` checks it). uvicorn's own signal handling is
switched off: SIGTERM belongs to the hub, which stops the server itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from hub.config.errors import key_path
from hub.config.secrets import SecretError, check_server_tls
from hub.config.web import Web

log = logging.getLogger(__name__)


class WebServerError(OSError):
    """The web server cannot listen (address in use, no permission)."""


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The hub handles SIGTERM/SIGINT and stops us with `should_exit`.
        yield


def listen(settings: Web) -> socket.socket:
    """A listening socket for `settings`, or WebServerError saying why not."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by the accepted connections (Linux): without it a response written in
    # two parts (headers, body) waits ~40 ms for the client's delayed ACK (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((settings.host, settings.port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise WebServerError(
            f"the web server cannot listen on {settings.host}:{settings.port}: {exc.strerror} "
            "(web.host and web.port in the config)"
        ) from exc
    sock.setblocking(False)
    return sock


class WebServer:
    def __init__(self, app: Starlette, settings: Web) -> None:
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,  # URLs carry acknowledgement tokens: keep them out of logs
            ssl_certfile=settings.tls_cert_file,
            ssl_keyfile=settings.tls_key_file,
            lifespan="off",
        )
        self._server = _EmbeddedServer(config)
        self._app = app
        self._settings = settings
        self._task: asyncio.Task[None] | None = None
        self.port = settings.port

    def start(self) -> None:
        """Listen and serve in the background; logs and returns if it cannot listen
        or cannot load its certificate."""
        settings = self._settings
        if settings.tls_cert_file is not None and settings.tls_key_file is not None:
            # uvicorn loads them only inside its task, where a failure ended the task
            # unseen after "web server on https://..." had been logged.
            try:
                check_server_tls(settings.tls_cert_file, settings.tls_key_file, ("web",))
            except SecretError as exc:
                log.error(  # noqa: TRY400 (one readable line; the hub goes on)
                    "%s: %s; acknowledgement links will not work", key_path(exc.loc), exc
                )
                return
        try:
            sock = listen(self._settings)
        except WebServerError as exc:
            log.error("%s; acknowledgement links will not work", exc)  # noqa: TRY400
            return
        self.port = sock.getsockname()[1]
        scheme = "https" if self._settings.tls_cert_file else "http"
        log.info("web server on %s://%s:%d", scheme, self._settings.host, self.port)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, 5)
        except TimeoutError:
            self._task.cancel()
        # The app's database thread and connection (hub/web/readings.py), if it has one.
        readings = getattr(self._app.state, "readings", None)
        if readings is not None:
            await asyncio.get_running_loop().run_in_executor(None, readings.close)
