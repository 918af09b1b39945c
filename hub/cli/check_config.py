"""`hearth check-config FILE`: say what is wrong with a config, one line per problem."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from hub.config import ConfigError, HearthConfig, load_config, password_source


@click.command("check-config")
@click.argument("file", type=click.Path(path_type=Path))
def check_config(file: Path) -> None:
    """Check the home's config FILE, including every secret the hub and bridge read at start
    (MQTT passwords, alert channels' secrets, the link key, TLS certificates).

    Prints each problem as FILE:LINE: KEY: MESSAGE and exits 1, or prints a
    short summary of the home and exits 0.
    """
    # Imported here: building the alert channels is more than `hearth --help` needs.
    from hub.start_secrets import start_secret_problems

    try:
        config = load_config(file, check_secrets=start_secret_problems)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from exc
    click.echo(f"{file}: no problems found")
    for label, text in summary(config):
        click.echo(f"  {label:<10} {text}")


def summary(config: HearthConfig) -> list[tuple[str, str]]:
    """What the config sets up, as (label, text) rows; never the password itself."""
    kinds = Counter(sensor.kind.value for sensor in config.sensors)
    by_kind = ", ".join(
        f"{count} {kind}" for kind, count in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    broker = config.broker
    user = f"user {broker.username}" if broker.username else "anonymous"
    transport = "TLS" if broker.tls is not None else "plain TCP"
    rooms = ", ".join(room.id for room in config.rooms)
    return [
        ("home", f"{config.home.id}, time zone {config.home.timezone}"),
        ("rooms", f"{len(config.rooms)}" + (f": {rooms}" if rooms else "")),
        ("sensors", f"{len(config.sensors)}" + (f": {by_kind}" if by_kind else "")),
        ("database", str(config.storage.path)),
        (
            "broker",
            f"{broker.host}:{broker.port} ({transport}), {user}, {password_source(broker)}",
        ),
        ("topics", f"{config.topic_prefix}/..."),
    ]
