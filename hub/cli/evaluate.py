"""`hearth evaluate`: the safety rules' alerts on the dataset homes; --routine: change detection."""

from __future__ import annotations

import json
import sys
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
@click.option(
    "--routine",
    is_flag=True,
    help="Evaluate routine change detection instead: resampled streams of the dataset homes, "
    "injected changes, the real pipeline beside the baselines (issue 3).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --routine: write the Markdown report (plots and JSON beside it) to this file.",
)
@click.option(
    "--streams",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    help="With --routine: resampled streams per home.",
)
@click.option(
    "--days",
    type=click.IntRange(60, 3660),
    default=120,
    show_default=True,
    help="With --routine: days per stream.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="With --routine: the random seed."
)
def evaluate_command(
    *,
    configs: tuple[Path, ...],
    datasets_dir: Path | None,
    fmt: str,
    list_alerts: bool,
    routine: bool,
    report_path: Path | None,
    streams: int,
    days: int,
    seed: int,
) -> None:
    """Replay dataset homes through the safety rules and count the alerts they would raise.

    CONFIG is a dataset home's config (default: every one in config/, and
    with --routine the simulated home too). The
    datasets hold no known emergencies, so every urgent alert counts as false;
    the target is at most one per home per 30 days.

    With --routine, evaluate routine change detection instead (see
    docs/evaluation/routine.md): `hearth evaluate --routine --report
    docs/evaluation/routine.md` regenerates that report.
    """
    if routine:
        _evaluate_routine(configs, datasets_dir, report_path, streams, days, seed)
        return
    if report_path is not None:
        fail("--report needs --routine")
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


def _evaluate_routine(  # noqa: PLR0917 - the command's settings, passed on
    configs: tuple[Path, ...],
    datasets_dir: Path | None,
    report_path: Path | None,
    streams: int,
    days: int,
    seed: int,
) -> None:
    from hub.evaluate import DATASET_FILES, EvaluateError, default_datasets
    from hub.evaluation.inject import InjectError
    from hub.evaluation.report import summary_lines, write_report
    from hub.evaluation.resample import ResampleError
    from hub.evaluation.run import Settings, dataset_home_configs, evaluate_routine, work_units

    if datasets_dir is not None and not datasets_dir.is_dir():
        fail(f"--datasets {datasets_dir} is not a folder")
    homes = tuple(DATASET_FILES)
    if configs:
        chosen = []
        for path in configs:
            if not path.is_file():
                fail(f"{path}: no such config file")
            home = load_or_exit(path).home.id
            if home not in DATASET_FILES:
                fail(f"{path}: home {home!r} is not a dataset home")
            chosen.append(home)
        homes = tuple(chosen)
    # Homes named on the command line are all it evaluates; by default the
    # simulated home's streams come too.
    settings = Settings(streams=streams, days=days, seed=seed, homes=homes, simulated=not configs)
    total = work_units(settings, dataset_home_configs(homes))
    with (
        known_errors(EvaluateError, ResampleError, InjectError),
        click.progressbar(
            length=total,
            label="evaluating",
            file=sys.stderr,
            show_pos=True,
            hidden=not sys.stderr.isatty(),  # no stray label in logs and CI
        ) as bar,
    ):
        evaluation = evaluate_routine(
            settings, datasets_dir or default_datasets(), lambda _: bar.update(1)
        )
    for line in summary_lines(evaluation):
        click.echo(line)
    if report_path is not None:
        for written in write_report(evaluation, report_path):
            click.echo(f"wrote {written}")


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
