"""`hearth export`: stored events as canonical JSON Lines."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from hub.cli.common import fail, known_errors
from hub.datasets.jsonl import write_jsonl
from hub.store.database import StoreError, open_database
from hub.store.event_table import read_events


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"{option} {text!r} is not an ISO 8601 date or time (e.g. 2024-03-01 or "
            "2024-03-01T08:00:00+00:00)",
            2,
        )
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@click.command("export")
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The hub's database.",
)
@click.option("--since", help="First moment to include (ISO 8601; no zone means UTC).")
@click.option("--until", help="Moment to stop before (ISO 8601; no zone means UTC).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
def export_command(
    db_path: Path, since: str | None, until: str | None, output: Path | None
) -> None:
    """Write stored events as JSON Lines, one event per line, in time order."""
    low, high = _moment(since, "--since"), _moment(until, "--until")
    with known_errors(StoreError):
        db = open_database(db_path)
        events = read_events(db.conn, low, high)
        if output is None:
            count = write_jsonl(events, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8") as out:
                    count = write_jsonl(events, out)
            except OSError as exc:  # no such folder, no permission, disk full
                fail(f"cannot write {output}: {exc.strerror or exc}")
        db.conn.close()
    click.echo(f"exported {count} events", err=True)
