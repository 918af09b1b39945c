"""`hearth demo`: see the hub work on a real recorded home, with nothing else to set up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from hub.cli.common import known_errors, setup_logging
from hub.config.secrets import SecretError
from hub.demo import DemoError
from hub.ingest.mqtt_link import MqttLinkError
from hub.local_broker import BrokerStartError
from hub.store.database import StoreError


@click.command("demo")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the demo keeps its broker, config and database.",
)
@click.option(
    "--speed",
    type=float,
    default=20_000,
    show_default=True,
    help="How many times faster than real time the recording plays.",
)
@click.option("--days", type=int, default=None, help="Play only the first DAYS days.")
def demo_command(workdir: Path, speed: float, days: int | None) -> None:
    """Replay Ordonez home A as live Zigbee2MQTT traffic into a running hub."""
    from hub.demo import run_demo

    setup_logging(verbose=False)
    with known_errors(BrokerStartError, DemoError, SecretError, StoreError, MqttLinkError):
        result = asyncio.run(run_demo(workdir, speed, days, click.echo))
    published, stored = sum(result.published.values()), sum(result.stored.values())
    click.echo(
        f"\npublished {published} sensor changes; the hub stored {stored} of them "
        f"(plus battery and other readings) in {result.db_path}"
    )
    for sensor in sorted(result.published):
        sent, kept = result.published[sensor], result.stored[sensor]
        mark = "ok" if sent == kept else "MISSING"
        click.echo(f"  {sensor:<18} published {sent:4d}  stored {kept:4d}  {mark}")
    click.echo(f"\nthe safety rules raised {len(result.alerts)} alert(s) during the replay:")
    for alert in result.alerts[:10]:
        click.echo(
            f"  #{alert.id} {alert.severity.value:<7} {alert.state.value:<9} {alert.summary}"
        )
    click.echo("\nnext, try:")
    click.echo(f"  .venv/bin/hearth alerts --config {result.config_path}")
    click.echo(f"  .venv/bin/hearth devices --config {result.config_path}")
    click.echo(f"  .venv/bin/hearth export --db {result.db_path} | head")
    if not result.complete:
        raise SystemExit(1)
