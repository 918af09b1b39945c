"""A stand-in for systemd's notify socket: a real AF_UNIX datagram socket that records messages."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Self


class NotifyListener:
    """Collects (monotonic time, datagram text) pairs sent to `address` by a background thread.

    `address` is what goes into $NOTIFY_SOCKET: a path, or "@name" for the
    abstract namespace.
    """

    def __init__(self, path: Path | None = None, abstract_name: str | None = None) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract_name is not None:
            self.sock.bind("\0" + abstract_name)
            self.address = "@" + abstract_name
        else:
            assert path is not None
            self.sock.bind(str(path))
            self.address = str(path)
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._closing.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.messages.append((time.monotonic(), data.decode("utf-8")))

    def received(self) -> list[tuple[float, str]]:
        with self._lock:
            return list(self.messages)

    def times_of(self, assignment: str) -> list[float]:
        """When each datagram holding the line `assignment` (e.g. "READY=1") arrived."""
        return [at for at, text in self.received() if assignment in text.split("\n")]

    def statuses(self) -> list[str]:
        return [
            line.removeprefix("STATUS=")
            for _, text in self.received()
            for line in text.split("\n")
            if line.startswith("STATUS=")
        ]

    def wait_for(self, assignment: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.times_of(assignment):
                return True
            time.sleep(0.02)
        return bool(self.times_of(assignment))

    def close(self) -> None:
        self._closing.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
