"""A port that opens and fails at once, over and over, is backed off, not spun on.

The fault (a port lost right after every open) is injected by replacing
SerialLink.open: a flapping USB cable cannot be made on demand with socat.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from firmware_bridge.serial_port import PortError, SerialLink
from hub.local_broker import LocalBroker
from tests.bridge.conftest import Watcher, bridge_config, start_port_bridge, wait_for


class LostAtOnce:
    """A link whose first read fails, as a port on a loose connector does."""

    def read(self) -> bytes:
        raise PortError("read failed: [Errno 5] Input/output error")

    def read_available(self) -> bytes:
        return b""

    def write(self, data: bytes) -> None:
        del data

    def close(self) -> None:
        return None


def test_a_flapping_port_is_reopened_with_backoff(
    broker: LocalBroker, tmp_path: Path, watcher: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SerialLink, "open", classmethod(lambda cls, path, baud: LostAtOnce()))
    # reconnect from 0.02 s doubling to 0.2 s: over 1.5 s about ten opens, not thousands.
    port = start_port_bridge(bridge_config(broker, tmp_path))
    try:
        time.sleep(1.5)
        opens = port.opens
    finally:
        port.stop()
    assert 3 <= opens <= 25
    # online and offline once per open, plus the first status and the one at stop
    assert wait_for(lambda: len(watcher.on("/status")) >= 2 * opens)
    time.sleep(0.2)
    assert len(watcher.on("/status")) <= 2 * opens + 2
