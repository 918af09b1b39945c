"""`hearth simulate`: a simulated person's days as a canonical event file for `hearth replay`."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from hub.cli.common import config_option, fail, known_errors, load_or_exit


def _start(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--start {text!r} is not a date like 2026-03-01", 2)


@click.command("simulate")
@config_option()
@click.option(
    "--profile",
    "-p",
    "profile_name",
    default="typical",
    show_default=True,
    help="A built-in profile (typical, early-riser, night-owl, frail, with-cat) "
    "or a profile YAML file (docs/simulator.md).",
)
@click.option(
    "--days", type=click.IntRange(1), required=True, help="How many local dates to simulate."
)
@click.option("--start", "start_text", required=True, help="First local date (YYYY-MM-DD).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same events.")
@click.option(
    "--change",
    "change_texts",
    multiple=True,
    metavar="KIND:SIZE:ONSET[:RAMP]",
    help="A change in the person from day ONSET (0 = the first), over RAMP days "
    "(abrupt if left out); kinds: time_up, night_toilet, kitchen, outings, activity, "
    "night_door. Repeat for several.",
)
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON Lines file to write ('-' for standard output).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def simulate_command(
    *,
    config_path: Path,
    profile_name: str,
    days: int,
    start_text: str,
    seed: int,
    change_texts: tuple[str, ...],
    out: Path,
    as_json: bool,
) -> None:
    """Simulate a person's days in the config's home and write the sensors' events."""
    from hub.simulate import (
        ChangeError,
        ProfileError,
        SimulateError,
        parse_change,
        profile_from,
        simulate,
    )
    from hub.simulate.writer import WriteError, counting_days, write_events

    start = _start(start_text)
    config = load_or_exit(config_path)
    started = time.perf_counter()
    with known_errors(ProfileError, ChangeError, SimulateError, WriteError):
        profile = profile_from(profile_name)
        changes = [parse_change(text) for text in change_texts]
        events = simulate(config, profile, start, days, seed, changes)
        with click.progressbar(
            length=days,
            label="simulating",
            file=sys.stderr,
            show_pos=True,
            hidden=not sys.stderr.isatty() or str(out) == "-",
        ) as bar:
            counted = counting_days(
                events, ZoneInfo(config.home.timezone), lambda _day: bar.update(1)
            )
            written = write_events(counted, out)
    seconds = time.perf_counter() - started
    summary = {
        "out": str(out),
        "events": written,
        "days": days,
        "start": start.isoformat(),
        "profile": profile.name,
        "seed": seed,
        "changes": list(change_texts),
        "seconds": round(seconds, 3),
    }
    if str(out) == "-":
        return
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(
        f"wrote {written} events for {days} days from {start} ({profile.name}, seed {seed}) "
        f"to {out} in {seconds:.2f} s"
    )
