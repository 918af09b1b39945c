"""`hearth devices`: what has been heard but is not in the config, so an installer can map it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hub.cli.common import config_option, db_option, known_errors, load_or_exit
from hub.store.database import StoreError, open_database
from hub.store.event_table import from_micros


@click.command("devices")
@config_option()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def devices_command(config_path: Path, db_path: Path | None, as_json: bool) -> None:
    """List devices seen on MQTT that no sensor in the config matches, with a sample payload."""
    config = load_or_exit(config_path)
    path = db_path or config.storage.path
    mapped = {sensor.match.key() for sensor in config.sensors}
    with known_errors(StoreError):
        if not path.exists():
            raise StoreError(f"no database at {path}: has `hearth run` or `hearth replay` run?")
        db = open_database(path)
        rows = list(db.query("SELECT * FROM devices_seen ORDER BY source, device"))
        bad = list(db.query("SELECT * FROM malformed ORDER BY count DESC"))
        db.conn.close()
    unmapped = [r for r in rows if (r["source"], r["device"]) not in mapped]
    if as_json:
        for row in unmapped + bad:
            row["last_seen"] = from_micros(row.pop("last_seen_us")).isoformat()
            row.pop("first_seen_us", None)
        click.echo(json.dumps({"unmapped": unmapped, "malformed": bad}, indent=2))
        return
    if not unmapped:
        click.echo("every device heard is mapped to a sensor")
    for row in unmapped:
        model = f" ({row['model']})" if row["model"] else ""
        click.echo(
            f"{row['source']}  {row['device']!r}{model}: {_count(row['messages'], 'message')}, "
            f"last {from_micros(row['last_seen_us']):%Y-%m-%d %H:%M} UTC"
        )
        if row["sample"]:
            click.echo(f"    topic {row['topic']}  sample: {row['sample'][:160]}")
        click.echo(
            f"    map it with:  match: {{source: {row['source']}, "
            f"device: {json.dumps(row['device'])}}}"
        )
    if bad:
        topics = "topic" if len(bad) == 1 else "topics"
        total = _count(sum(r["count"] for r in bad), "malformed message")
        click.echo(f"\n{total} on {len(bad)} {topics}:")
        for row in bad[:20]:
            click.echo(
                f"  {row['topic']}: {row['count']}x, {row['reason']}; sample: {row['sample'][:120]}"
            )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
