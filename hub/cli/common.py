"""What every subcommand shares: loading the config, logging, turning known errors into one line."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from hub.config.errors import key_path
from hub.config.loader import ConfigError, load_config
from hub.config.models import HearthConfig
from hub.config.secrets import SecretError


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"hearth: {message}", err=True)
    sys.exit(code)


def load_or_exit(path: Path) -> HearthConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        if any(problem.line is not None for problem in exc.problems):
            fail(f"{len(exc.problems)} problem(s) in {path}; see `hearth check-config {path}`")
        sys.exit(1)


def setup_logging(verbose: bool) -> None:
    # Under systemd, journald stamps time and unit itself: keep lines short.
    under_journald = "JOURNAL_STREAM" in os.environ
    fmt = (
        "%(levelname)s %(name)s: %(message)s"
        if under_journald
        else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format=fmt, stream=sys.stderr
    )


@contextmanager
def known_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Turn the library's named errors into one readable line and exit status 1."""
    try:
        yield
    except kinds as exc:
        if isinstance(exc, SecretError):
            # Name the config key, so the installer knows which line to fix.
            fail(f"{key_path(exc.loc)}: {exc}")
        fail(str(exc))


def config_option() -> Callable[[Callable[..., object]], Callable[..., object]]:
    return click.option(
        "--config",
        "-c",
        "config_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The home's YAML config file.",
    )


def local_date(text: str | None, option: str) -> date | None:
    """The value of a --since/--until date option, or one clear line and exit 2."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date like 2024-03-01", 2)


def date_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    first, last = local_date(since, "--since"), local_date(until, "--until")
    if first and last and last < first:
        fail(f"--until {last} is before --since {first}", 2)
    return first, last


def per_date_options(
    text: str, since: str = "First local date to show (YYYY-MM-DD)."
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """--db, --format, --since and --until, for commands that print one result per local date."""
    options = (
        click.option(
            "--db", "db_path", required=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="The hub's database.",
        ),
        click.option(
            "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
            show_default=True, help=f"{text}, or JSON Lines: one object per local date.",
        ),
        click.option("--since", help=since),
        click.option("--until", help="Last local date to show (YYYY-MM-DD), included."),
    )  # fmt: skip

    def apply(command: Callable[..., object]) -> Callable[..., object]:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Database to read (default: storage.path from the config).",
)
"""--db for commands that take the config: the database, when not the config's own."""
