"""`hearth backup` and `hearth restore`: a checked copy of the database, made while the hub runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from hub.cli.common import config_option, known_errors, load_or_exit


@click.command("backup")
@config_option()
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path),
    help="File or existing folder for the copy (default: a backups/ folder beside the database).",
)
def backup_command(config_path: Path, target: Path | None) -> None:
    """Copy the database while the hub runs (SQLite's online backup), and check the copy."""
    from hub.store.backup import BackupError, backup, backup_name

    config = load_or_exit(config_path)
    source = config.storage.path
    name = backup_name(datetime.now(UTC))
    if target is None:
        target = source.parent / "backups" / name
        target.parent.mkdir(parents=True, exist_ok=True)
    elif target.is_dir():
        target = target / name
    with (
        known_errors(BackupError),
        click.progressbar(length=1, label="backing up", show_pos=False) as bar,
    ):

        def progress(remaining: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(total - remaining - bar.pos)

        done = backup(source, target, progress)
    click.echo(f"backup written and checked: {done} ({done.stat().st_size / 2**20:.1f} MiB)")


@click.command("restore")
@config_option()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--hub-stopped",
    is_flag=True,
    help="Restore without asking the broker whether the hub is running (broker down).",
)
def restore_command(config_path: Path, backup_file: Path, hub_stopped: bool) -> None:
    """Put a backup in place of the database; the hub must be stopped first."""
    from hub.doctor.broker import check_broker
    from hub.doctor.findings import Level
    from hub.store.backup import BackupError, restore

    config = load_or_exit(config_path)
    running = False
    if not hub_stopped:
        findings = {f.check: f for f in check_broker(config)}
        if findings["broker"].level is not Level.OK:
            raise click.ClickException(
                "cannot ask the broker whether the hub is running "
                f"({findings['broker'].message}); stop the hub and use --hub-stopped"
            )
        running = findings["hub"].message.endswith("online")
    with known_errors(BackupError):
        kept = restore(backup_file, config.storage.path, hub_running=running)
    click.echo(f"restored {config.storage.path} from {backup_file}; the previous file is {kept}")
