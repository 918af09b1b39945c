"""The hub's paho client: paho-mqtt with two per-message costs taken out of its read path.

paho's reader takes every packet in three or more `recv` calls (one byte of
packet type, the length a byte at a time, then the rest): a PUBLISH of a
sensor's 100 bytes cost three system calls. `IngestClient` reads the socket
in chunks of up to 64 KiB and hands paho's reader its bytes from that buffer;
paho parses exactly as before. And paho looks up per-topic callbacks
(`message_callback_add`) for every message before calling `on_message`; the
hub registers none, so that look-up is skipped (registering one is refused,
so it cannot be skipped by mistake).

Both replace private methods of paho's `Client` (`_sock_recv` and
`_handle_on_message`), so paho is pinned below 3 and
`tests/ingest/test_paho_client.py` checks that those methods still exist with
the arguments used here. What is buffered belongs to one socket: a new
connection starts empty. The caller must know that bytes may wait in the
buffer while the socket has none (`buffered`): the event loop will not say
"readable" for them (`MqttLink._on_readable`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho

READ_CHUNK = 1 << 16  # at most one receive buffer's worth per system call


class IngestClient(paho.Client):
    """paho's Client reading its socket in chunks, without per-topic callbacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chunk = b""
        self._chunk_at = 0
        self._chunk_sock: object = None  # the socket the chunk came from

    @property
    def buffered(self) -> bool:
        """Bytes read from the current socket that paho has not taken yet."""
        return self._chunk_at < len(self._chunk) and self._chunk_sock is self._sock

    def _sock_recv(self, bufsize: int) -> bytes:
        # paho asks for 1 byte (type), 1 byte at a time (length), then the rest.
        chunk, at = self._chunk, self._chunk_at
        if at >= len(chunk) or self._chunk_sock is not self._sock:
            # paho's own recv: the same errors (BlockingIOError for "nothing
            # yet", also from TLS's want-read/write) and b"" at end of stream.
            chunk = super()._sock_recv(READ_CHUNK)
            self._chunk, self._chunk_sock, at = chunk, self._sock, 0
            if not chunk:
                return chunk
        end = at + bufsize
        self._chunk_at = end
        return chunk[at:end]

    def _handle_on_message(self, message: paho.MQTTMessage) -> None:
        # paho's version first asks its topic matcher for per-topic callbacks
        # (none here, see message_callback_add) and then calls on_message under
        # the same lock; an exception from on_message propagates, as paho's
        # does by default (suppress_exceptions is off).
        on_message = self.on_message
        if on_message is not None:
            with self._in_callback_mutex:
                on_message(self, self._userdata, message)

    def message_callback_add(
        self, sub: str, callback: Callable[[paho.Client, Any, paho.MQTTMessage], None]
    ) -> None:
        raise NotImplementedError(
            "IngestClient takes every message through on_message (see hub/ingest/paho_client.py)"
        )
