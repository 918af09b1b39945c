"""`hearth doctor`: one line per finding with what to do; the exit status is the worst found."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli.common import config_option, load_or_exit


@click.command("doctor")
@config_option()
def doctor_command(config_path: Path) -> None:
    """Check the broker, the hub and bridge, the database, disk, clock, sensors, serial
    devices and alert recipients. Exit status: 0 all well, 1 warnings, 2 problems."""
    from hub.doctor.findings import worst
    from hub.doctor.run import run_checks

    config = load_or_exit(config_path)
    findings = run_checks(config)
    for finding in findings:
        click.echo(finding.line())
    sys.exit(int(worst(findings)))
