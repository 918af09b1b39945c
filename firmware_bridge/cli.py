"""The `firmware-bridge` command: serve the config's serial ports until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from types import FrameType

import click

from firmware_bridge.bridge import BridgeError, FirmwareBridge, read_password
from hub import systemd_notify
from hub.cli.common import config_option, fail, known_errors, load_or_exit, setup_logging
from hub.config.secrets import SecretError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@config_option()
@click.option("--verbose", "-v", is_flag=True, help="Log debug detail.")
def main(config_path: Path, verbose: bool) -> None:
    """Bridge the serial devices in the config's `bridge.ports` to MQTT."""
    setup_logging(verbose)
    config = load_or_exit(config_path)
    if not config.bridge.ports:
        fail(f"{config_path}: bridge.ports is empty; there is nothing to bridge")
    with known_errors(SecretError):
        secret = read_password(config)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    bridge = FirmwareBridge(config, secret.get_secret_value() if secret else None)
    with known_errors(BridgeError):
        bridge.start()
    ports = ", ".join(f"{p.port.id} ({p.port.path})" for p in bridge.ports)
    click.echo(f"firmware-bridge: serving {ports}", err=True)
    serve_until(stop, bridge, ports)
    systemd_notify.stopping("stopping: publishing what was read, then disconnecting")
    bridge.stop()
    click.echo("firmware-bridge: stopped", err=True)


def serve_until(stop: threading.Event, bridge: FirmwareBridge, ports: str) -> None:
    """Wait for `stop`, telling systemd when we are ready and, while healthy, alive.

    READY=1 waits for the broker (ports' threads are started by then): a unit
    ordered after this one then finds the bridge's topics live. The watchdog
    is fed from this (main) thread only while every port thread runs, so a
    port thread that died of a bug gets the whole bridge restarted.
    """
    interval = systemd_notify.watchdog_interval()
    ping_every = interval / 2 if interval is not None else 0.0
    # A short tick so READY=1 follows the connection closely and STATUS= changes show.
    tick = min(1.0, ping_every) if interval is not None else 1.0
    address = bridge.settings.access.address
    is_ready = False
    was_connected = False
    next_ping = 0.0
    while True:
        connected = bridge.connected()
        if not is_ready and connected:
            systemd_notify.ready(f"serving {ports}; connected to {address}")
            is_ready = True
        elif is_ready and connected != was_connected:
            state = "connected to" if connected else "reconnecting to"
            systemd_notify.status(f"serving {ports}; {state} {address}")
        was_connected = connected
        if interval is not None and bridge.all_alive() and time.monotonic() >= next_ping:
            systemd_notify.watchdog()
            next_ping = time.monotonic() + ping_every
        if stop.wait(tick if is_ready else 0.05):
            return
