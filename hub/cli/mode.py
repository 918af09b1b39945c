"""`hearth mode`: show or set the home's mode (home, away, visitors) with an end time."""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from hub.cli.alerts import alert_store
from hub.cli.common import config_option, db_option, load_or_exit
from hub.modes import Mode, ModeSetting

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhd])$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days"}


def parse_end(
    until: str | None, lasting: str | None, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The end of a mode from --until (local date or date and time) or --for (30m, 12h, 3d)."""
    if until is not None:
        try:
            moment = datetime.fromisoformat(until)
        except ValueError as exc:
            raise click.BadParameter(
                f"{until!r} is not a date or date and time such as 2026-12-24 or 2026-12-24T18:00",
                param_hint="--until",
            ) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        if moment <= now:
            raise click.BadParameter(f"{until} is already past", param_hint="--until")
        return moment.astimezone(UTC)
    if lasting is not None:
        match = _DURATION.match(lasting.strip())
        if match is None:
            raise click.BadParameter(
                f"{lasting!r}: write a number and m, h or d, such as 90m, 12h or 3d",
                param_hint="--for",
            )
        return now + timedelta(**{_UNIT[match[2]]: float(match[1])})
    return None


@click.command("mode")
@config_option()
@db_option
@click.argument("mode", required=False, type=click.Choice([m.value for m in Mode]))
@click.option("--until", "until", help="Local date (and time) the mode ends, e.g. 2026-12-24.")
@click.option("--for", "lasting", help="How long the mode lasts: 90m, 12h, 3d.")
@click.option("--by", default=None, help="Who sets it (default: your user name).")
def mode_command(  # noqa: PLR0917 (click passes each option)
    config_path: Path,
    db_path: Path | None,
    mode: str | None,
    until: str | None,
    lasting: str | None,
    by: str | None,
) -> None:
    """Show the mode, or set it: `hearth mode away --until 2026-12-24`, `hearth mode home`.

    Away (holiday, hospital) pauses the activity rules; visitors pauses the
    rules that other people's movement would fool. Both need an end time, so
    a forgotten mode cannot silence the hub for ever. The running hub reads a
    new mode within a minute.
    """
    config = load_or_exit(config_path)
    zone = ZoneInfo(config.home.timezone)
    now = datetime.now(UTC)
    with alert_store(config, db_path) as store:
        if mode is None:
            setting = store.mode_setting()
            current = setting.in_force(now) if setting else Mode.HOME
            if current is Mode.HOME or setting is None:
                click.echo("mode: home")
            else:
                ends = (
                    f" until {setting.until.astimezone(zone):%Y-%m-%d %H:%M}"
                    if setting.until
                    else ""
                )
                click.echo(
                    f"mode: {current.value}{ends} (set by {setting.set_by} via {setting.via})"
                )
            return
        chosen = Mode(mode)
        end = parse_end(until, lasting, now, zone)
        if chosen is not Mode.HOME and end is None:
            raise click.UsageError(f"say when {chosen.value} ends, with --until or --for")
        if chosen is Mode.HOME and end is not None:
            raise click.UsageError("home has no end: leave out --until and --for")
        store.set_mode(ModeSetting(chosen, now, end, by or getpass.getuser(), "cli"))
    shown = f" until {end.astimezone(zone):%Y-%m-%d %H:%M}" if end else ""
    click.echo(f"mode set: {chosen.value}{shown}")
