"""Fixtures for the channel tests: a sample message and a real local HTTP server that records."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.alerts.model import AlertMessage, Purpose, Severity


def sample_message(**changes: object) -> AlertMessage:
    values: dict[str, object] = {
        "idempotency_key": "alert-17:anna:raised:0",
        "alert_id": 17,
        "home": "Mum's house",
        "rule": "no_movement",
        "severity": Severity.URGENT,
        "summary": "No movement at home for 3 h 10 min.",
        "since": datetime(2026, 7, 1, 5, 30, tzinfo=UTC),
        "raised_at": datetime(2026, 7, 1, 8, 40, tzinfo=UTC),
        "purpose": Purpose.RAISED,
        "recipient": "anna",
        "ack_url": "http://hearth.local:8080/ack/TOKEN-abc",
    }
    values.update(changes)
    return AlertMessage(**values)  # type: ignore[arg-type]


@pytest.fixture
def message() -> AlertMessage:
    return sample_message()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpRecorder:
    """A real HTTP server on 127.0.0.1; `answer(request)` picks each reply's status."""

    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200

    def answer(self, request: Received) -> int:
        return self.status


@pytest.fixture
def http_server() -> Iterator[HttpRecorder]:
    recorder = HttpRecorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            recorder.requests.append(received)
            status = recorder.answer(received)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
