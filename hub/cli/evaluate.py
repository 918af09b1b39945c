"""`hearth evaluate`: how many alerts the real-time rules would raise on the dataset homes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from hub.cli.common import fail, known_errors, load_or_exit

if TYPE_CHECKING:
    from hub.evaluate import HomeResult


@click.command("evaluate")
@click.argument("configs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--datasets",
    "datasets_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the shared datasets (default: $HEARTH_SHARED_DATASETS, else "
    "../shared/datasets beside the repository).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable table, or one JSON object per home (JSON Lines) with every alert.",
)
@click.option("--alerts", "list_alerts", is_flag=True, help="Also list each urgent alert.")
def evaluate_command(
    *, configs: tuple[Path, ...], datasets_dir: Path | None, fmt: str, list_alerts: bool
) -> None:
    """Replay dataset homes through the safety rules and count the alerts they would raise.

    CONFIG is a dataset home's config (default: every one in config/). The
    datasets hold no known emergencies, so every urgent alert counts as false;
    the target is at most one per home per 30 days.
    """
    from hub.evaluate import (
        EvaluateError,
        data_file,
        dataset_configs,
        default_datasets,
        evaluate_home,
        home_events,
    )

    datasets = datasets_dir or default_datasets()
    if datasets_dir is not None and not datasets_dir.is_dir():
        fail(f"--datasets {datasets_dir} is not a folder")
    chosen = list(configs) or dataset_configs()
    results: list[HomeResult] = []
    for path in chosen:
        if not path.is_file():
            fail(f"{path}: no such config file")
        config = load_or_exit(path)
        with known_errors(EvaluateError):
            try:
                data = data_file(config, datasets)
            except EvaluateError as exc:
                if configs:
                    raise
                # Every home was asked for by default: say which could not be run, go on.
                click.echo(f"hearth: skipped {path.name}: {exc}", err=True)
                continue
            result = evaluate_home(config, home_events(config, data))
        results.append(result)
        if fmt == "json":
            click.echo(json.dumps(result.record()))
    if fmt == "text":
        for line in table(results, list_alerts=list_alerts):
            click.echo(line)


def table(results: list[HomeResult], *, list_alerts: bool = False) -> list[str]:
    """The results as aligned columns: one row per home, then alerts per rule."""
    from hub.alerts.model import Severity
    from hub.rules import RULES

    header = (
        "home",
        "days",
        "urgent",
        "warning",
        "info",
        "urgent/30 days",
        "most in 30 days",
        "target <= 1",
    )
    rows = [
        (
            r.home,
            f"{r.days:.1f}",
            str(r.count(Severity.URGENT)),
            str(r.count(Severity.WARNING)),
            str(r.count(Severity.INFO)),
            f"{r.urgent_per_30_days:.2f}",
            str(r.most_urgent_in_30_days),
            "met" if r.meets_target else "NOT MET",
        )
        for r in results
    ]
    rules = [rule.name for rule in RULES]
    by_rule = [("home", *rules)] + [
        (r.home, *(str(r.by_rule.get(name, 0)) for name in rules)) for r in results
    ]
    lines = [*_aligned([header, *rows]), "", "alerts per rule:", *_aligned(by_rule)]
    if list_alerts:
        lines += ["", "urgent alerts (the home's local time):"]
        for r in results:
            zone = ZoneInfo(r.timezone)
            for alert in r.alerts:
                if alert.severity is Severity.URGENT:
                    raised = alert.raised.astimezone(zone)
                    lines.append(f"  {r.home}  {raised:%Y-%m-%d %H:%M}  {alert.summary}")
    return lines


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                  enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]  # fmt: skip
