"""A real webhook receiver for the end-to-end tests and the latency benchmark.

It checks each POST's X-Hearth-Signature the way docs/alerts.md tells a
receiver to, refuses a bad one with 401, and records every delivery with
its Idempotency-Key and the wall time it arrived, so a test can count
deliveries per key (a duplicate shows up as a key seen twice).
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

from hub.alerts.channels.webhook import sign


@dataclass(frozen=True)
class Delivery:
    key: str
    body: dict[str, object]
    arrived: float  # time.time() on arrival


@dataclass
class WebhookReceiver:
    secret: bytes
    deliveries: list[Delivery] = field(default_factory=list)
    refused: int = 0
    status: int = 200  # what to answer good requests with (500 to fake an outage)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                arrived = time.time()
                status = receiver.receive(
                    body,
                    self.headers.get("X-Hearth-Timestamp", ""),
                    self.headers.get("X-Hearth-Signature", ""),
                    self.headers.get("Idempotency-Key", ""),
                    arrived,
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hearth"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def receive(self, body: bytes, stamp: str, signature: str, key: str, arrived: float) -> int:
        try:
            expected = sign(self.secret, int(stamp), body)
        except ValueError:
            expected = ""
        with self._lock:
            if not expected or not hmac.compare_digest(expected, signature):
                self.refused += 1
                return 401
            if self.status == 200:
                self.deliveries.append(Delivery(key, json.loads(body), arrived))
            return self.status

    def keys(self) -> list[str]:
        with self._lock:
            return [d.key for d in self.deliveries]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
