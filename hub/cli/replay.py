"""`hearth replay`: run recorded days through the live pipeline in event time."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from hub.cli.common import config_option, known_errors, load_or_exit, setup_logging
from hub.datasets import DatasetError, Format
from hub.store.database import StoreError, open_database


@click.command("replay")
@config_option()
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Database to store the replayed events in (created if missing).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=None,
    help="Format of the files; detected from content if omitted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--max-problems",
    default=200,
    show_default=True,
    help="Print at most this many bad rows (all are counted).",
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def replay_command(
    *,
    config_path: Path,
    db_path: Path,
    fmt: str | None,
    as_json: bool,
    max_problems: int,
    files: tuple[Path, ...],
) -> None:
    """Replay dataset or canonical event FILES as if they were happening live."""
    from hub.replay import load_files, record_count, replay_reads

    setup_logging(verbose=False)
    config = load_or_exit(config_path)
    started = time.perf_counter()
    with known_errors(DatasetError, StoreError):
        reads = load_files(config, list(files), Format(fmt) if fmt else None)
        # A bad --db is reported alone, before a progress bar starts on stderr.
        open_database(db_path, durable=False).conn.close()
        with click.progressbar(
            length=record_count(reads),
            label="replaying",
            file=sys.stderr,
            show_pos=True,
            hidden=not sys.stderr.isatty(),  # no stray label in logs and CI
        ) as bar:

            def advance(records: int) -> None:
                bar.update(records)

            report = replay_reads(config, db_path, reads, on_progress=advance)
    report.seconds = time.perf_counter() - started
    problems = report.problems
    for problem in problems[:max_problems]:
        click.echo(
            f"{problem.path}:{problem.line}: skipped: {problem.reason}: {problem.text}", err=True
        )
    if len(problems) > max_problems:
        click.echo(f"... and {len(problems) - max_problems} more bad rows", err=True)
    rate = report.stored / report.seconds if report.seconds else 0.0
    summary = {
        "files": [
            {"path": str(f.path), "rows": f.rows, "records": f.records, "bad_rows": len(f.problems)}
            for f in report.files
        ],
        "stored_events": report.stored,
        "unmapped": report.unmapped,
        "unfit": report.unfit,
        "first": report.first.isoformat() if report.first else None,
        "last": report.last.isoformat() if report.last else None,
        "seconds": round(report.seconds, 3),
        "events_per_second": round(rate),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for f in report.files:
        click.echo(f"{f.path}: {f.rows} rows, {len(f.problems)} bad, {f.records} readings")
    click.echo(
        f"stored {report.stored} events in {db_path} ({report.seconds:.2f} s, {rate:,.0f} events/s)"
    )
    if report.unmapped or report.unfit:
        click.echo(
            f"not stored: {report.unmapped} from sensors not in the config, "
            f"{report.unfit} whose value did not fit the configured kind "
            f"(see `hearth devices --config {config_path} --db {db_path}`)"
        )
