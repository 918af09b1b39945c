"""`hearth routine`: each local date's day type, score and changes from usual, in plain words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub.cli.common import (
    config_option,
    date_range,
    known_errors,
    load_or_exit,
    per_date_options,
)
from hub.store.database import StoreError, open_database

if TYPE_CHECKING:
    from hub.routine.score import RoutineDayResult


@click.command("routine")
@config_option()
@per_date_options(
    "Readable lines", since="First local date to show (YYYY-MM-DD); earlier days still teach."
)
def routine_command(
    *, config_path: Path, db_path: Path, fmt: str, since: str | None, until: str | None
) -> None:
    """Print, per local date, how usual the day was and what has changed in the routine."""
    from hub.routine.score import result_record
    from hub.routine.stored import stored_routine

    first, last = date_range(since, until)
    config = load_or_exit(config_path)
    # All stored days are read: the baseline is learned from the first day on.
    with known_errors(StoreError):
        db = open_database(db_path)
        try:
            routine = stored_routine(db.conn, config)
        finally:
            db.conn.close()
    results = [
        result
        for result in routine.results
        if (not first or result.date >= first) and (not last or result.date <= last)
    ]
    if fmt == "json":
        for result in results:
            click.echo(json.dumps(result_record(result)))
    else:
        for line in _lines(results):
            click.echo(line)


def _lines(results: list[RoutineDayResult]) -> list[str]:
    lines = []
    for result in results:
        score = "-" if result.score is None else f"{result.score:.1f}"
        mark = "  FLAGGED" if result.flagged else ""
        lines.append(f"{result.date}  {result.day_type.value:<12}  score {score:>4}{mark}")
        lines.extend(f"    {change.sentence}" for change in result.changes)
    return lines
