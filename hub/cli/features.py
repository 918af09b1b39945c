"""`hearth features`: the daily behaviour features of the stored events, one local date each."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

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
    from hub.routine import DayFeatures

# Events this far outside the asked dates are read too: the night before the
# first date starts the evening before, and where the person was at midnight
# depends on the evening's last activity.
_MARGIN = timedelta(days=2)


@click.command("features")
@config_option()
@per_date_options("A readable table")
def features_command(
    *, config_path: Path, db_path: Path, fmt: str, since: str | None, until: str | None
) -> None:
    """Print the daily behaviour features (sleep, kitchen, outings, activity) per local date."""
    from hub.routine import daily_features
    from hub.routine.features import feature_record
    from hub.store.event_table import read_events

    first, last = date_range(since, until)
    config = load_or_exit(config_path)
    zone = ZoneInfo(config.home.timezone)
    low = datetime.combine(first, time(0), zone) - _MARGIN if first else None
    high = datetime.combine(last, time(0), zone) + _MARGIN if last else None
    with known_errors(StoreError):
        db = open_database(db_path)
        try:
            days = daily_features(read_events(db.conn, low, high), config)
        finally:
            db.conn.close()
    days = [d for d in days if (not first or d.date >= first) and (not last or d.date <= last)]
    if fmt == "json":
        for day in days:
            click.echo(json.dumps(feature_record(day)))
    else:
        for line in _table(days):
            click.echo(line)


_COLUMNS = (
    "date", "bed", "up", "in bed", "night wc", "out of bed", "kitchen", "fridge", "kettle",
    "outings", "min out", "active h", "still", "silent sensors",
)  # fmt: skip


def _table(days: list[DayFeatures]) -> list[str]:
    rows = [_COLUMNS, *(_row(day) for day in days)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]  # fmt: skip


def _row(day: DayFeatures) -> tuple[str, ...]:
    def clock(moment: datetime | None) -> str:
        return moment.strftime("%H:%M") if moment else "-"

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:g}"

    date_text = day.date.isoformat() + (" (partial)" if day.partial else "")
    return (
        date_text,
        clock(day.bedtime),
        clock(day.time_up),
        number(day.time_in_bed_minutes),
        number(day.night_toilet_visits),
        number(day.night_out_of_bed),
        clock(day.first_kitchen_activity),
        number(day.fridge_uses),
        number(day.kettle_uses),
        number(day.outings),
        number(day.minutes_out),
        number(day.active_hours),
        number(day.longest_still_minutes),
        str(len(day.sensors_silent)),
    )
