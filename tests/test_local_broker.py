"""The test brokers' harness: ports come from below the ephemeral range (free_port)."""

from __future__ import annotations

import socket
from pathlib import Path

from hub.local_broker import free_port


def test_a_free_port_is_below_the_ephemeral_range_and_can_be_bound() -> None:
    """A client retrying a connection to a port of that range can be given it as its own
    source port and connect to itself; the broker started there later then fails."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(20)}
    assert all(1024 <= port < low for port in ports), ports
    assert len(ports) > 1  # chosen at random, so two brokers rarely race for one port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports.pop()))
