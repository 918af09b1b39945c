"""`hearth meds`: adherence per medicine and week, each dose, and a person marking a dose taken."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from hub.cli.common import (
    config_option,
    date_range,
    db_option,
    fail,
    known_errors,
    load_or_exit,
)
from hub.store.database import StoreError, open_database

_COLUMNS = ("medicine", "week", "due", "on time", "late", "missed", "doubled", "away")


@click.group("meds", invoke_without_command=True)
@config_option()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or JSON Lines: one object per medicine and week.",
)
@click.option("--since", help="First local date whose doses count (YYYY-MM-DD).")
@click.option("--until", help="Last local date whose doses count (YYYY-MM-DD), included.")
@click.option("--doses", "each_dose", is_flag=True, help="List each dose instead of weeks.")
@click.option(
    "--recorded",
    is_flag=True,
    help="Use the outcomes the live hub stored, not the engine run over the stored events.",
)
@click.pass_context
def meds_command(  # noqa: PLR0917 (click passes each option)
    ctx: click.Context,
    config_path: Path,
    db_path: Path | None,
    fmt: str,
    since: str | None,
    until: str | None,
    each_dose: bool,
    recorded: bool,
) -> None:
    """Medication adherence per medicine and week (Monday to Sunday): on time, late, missed,
    doubled, away. By default the reminder engine is run over the stored events in event
    time (after `hearth replay`), giving what the live hub would have decided."""
    from hub.reminders.adherence import weekly
    from hub.reminders.report import outcome_record, recorded_outcomes, replayed_outcomes, within

    ctx.obj = (config_path, db_path)
    if ctx.invoked_subcommand is not None:
        return
    first, last = date_range(since, until)
    config = load_or_exit(config_path)
    path = db_path or config.storage.path
    with known_errors(StoreError):
        if not path.exists():
            raise StoreError(f"no database at {path}: has `hearth run` or `hearth replay` run?")
        conn = open_database(path).conn
    try:
        found = recorded_outcomes(conn) if recorded else replayed_outcomes(config, conn)
    finally:
        conn.close()
    outcomes = within(found, first, last)
    if each_dose:
        records = [outcome_record(o) for o in outcomes]
    else:
        records = [row.record() for row in weekly(outcomes)]
    if fmt == "json":
        for record in records:
            click.echo(json.dumps(record))
        return
    if not config.medication.medicines:
        click.echo("no medicines in the config (medication.medicines)")
        return
    if each_dose:
        shown = ("date", "medicine", "due", "outcome", "taken_at", "doubled_at")
        for record in records:
            click.echo("  ".join(str(record[k] or "-") for k in shown))
        return
    keys = ("medicine", "week", "due", "on_time", "late", "missed", "doubled", "away")
    rows = [_COLUMNS, *(tuple(str(record[k]) for k in keys) for record in records)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@meds_command.command("taken")
@click.argument("medicine")
@click.option("--by", default=None, help="Who says so (default: your user name).")
@click.option("--at", "at", help="When it was taken: local date and time, e.g. 2026-12-24T08:10 "
              "(default: now).")  # fmt: skip
@click.pass_obj
def taken_command(
    obj: tuple[Path, Path | None], medicine: str, by: str | None, at: str | None
) -> None:
    """Record that MEDICINE was taken; the running hub takes it in at its next tick."""
    from hub.reminders.dose_table import add_mark
    from hub.reminders.history import Mark
    from hub.reminders.marking import OLDEST

    config = load_or_exit(obj[0])
    names = {m.name.casefold(): m.name for m in config.medication.medicines}
    name = names.get(medicine.strip().casefold())
    if name is None:
        listed = ", ".join(names.values()) or "none"
        fail(f"{medicine!r} is not in medication.medicines (configured: {listed})", 2)
    now = datetime.now(UTC)
    moment = now
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at {at!r} is not a date and time such as 2026-12-24T08:10", 2)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(config.home.timezone))
        moment = moment.astimezone(UTC)
        if moment > now or now - moment > OLDEST:
            fail(f"--at {at} must be within the last day", 2)
    path = obj[1] or config.storage.path
    with known_errors(StoreError):
        if not path.exists():
            raise StoreError(f"no database at {path}: has `hearth run` run?")
        conn = open_database(path).conn
    try:
        add_mark(conn, Mark(name, moment, now, f"cli:{by or getpass.getuser()}"))
    finally:
        conn.close()
    click.echo(
        f"recorded: {name} taken at {moment.astimezone(ZoneInfo(config.home.timezone)):%H:%M}"
    )
