"""`hearth run`: the hub daemon."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.common import config_option, known_errors, load_or_exit, setup_logging
from hub.config.secrets import SecretError
from hub.ingest.mqtt_link import MqttLinkError
from hub.store.database import StoreError


@click.command("run")
@config_option()
@click.option("--verbose", "-v", is_flag=True, help="Log debug detail.")
def run_command(config_path: Path, verbose: bool) -> None:
    """Run the hub until SIGTERM or Ctrl-C: ingest from MQTT and store, the safety
    rules, medication reminders, alerts and their delivery, and the web server
    for acknowledgement links."""
    from hub.daemon import run_forever  # imported late: keeps `hearth --help` fast

    setup_logging(verbose)
    config = load_or_exit(config_path)
    with known_errors(MqttLinkError, StoreError, SecretError):
        summary = run_forever(config)
    stats = summary.stats
    click.echo(
        f"stopped: {stats.messages} messages, {summary.stored_events} events stored, "
        f"{stats.malformed} malformed, {stats.unmapped} from unmapped devices",
        err=True,
    )
