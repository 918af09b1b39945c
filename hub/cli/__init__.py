"""The `hearth` command. It parses arguments and prints; the library does the work."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hearth")
def main() -> None:
    """Hearth: a hub that learns a person's routine at home and warns carers early."""
