"""The `firmware-bridge` command: serve the config's serial ports until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from firmware_bridge.bridge import BridgeError, FirmwareBridge, read_password
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
    while not stop.wait(1.0):
        pass
    bridge.stop()
    click.echo("firmware-bridge: stopped", err=True)
