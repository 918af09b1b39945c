"""A small routine evaluation of the committed Ordonez homes, held to the issue's targets.

One 100-day stream per home, every change kind abrupt and gradual, the real
pipeline throughout. The whole evaluation (`hearth evaluate --routine`) runs
more streams of all seven homes; this is the part that fits in a test run.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.evaluate import CONFIGS
from hub.evaluation.inject import ChangeKind
from hub.evaluation.run import (
    FULL,
    Evaluation,
    Settings,
    detection_rate,
    evaluate_routine,
    false_rate,
)

HOMES = ("ordonez-a", "ordonez-b")


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    # An empty datasets folder: the committed copies of the Ordonez files are used.
    empty = tmp_path_factory.mktemp("no-datasets")
    began = time.perf_counter()
    result = evaluate_routine(Settings(streams=1, days=100, homes=HOMES, simulated=False), empty)
    print(f"small evaluation took {time.perf_counter() - began:.1f} s")
    return result


def test_false_routine_alerts_at_most_one_per_home_per_30_days(evaluation: Evaluation) -> None:
    for home in evaluation.homes:
        assert home.days_watched == 100 - 14
        assert false_rate(home, FULL) <= 1.0, home


def test_every_change_is_injected_but_toilet_visits_neither_person_makes(
    evaluation: Evaluation,
) -> None:
    # Neither person gets up for the toilet at night: 2.5 times none is none.
    assert len(evaluation.cases) == 2 * 5 * 2
    assert all(list(h.not_injected) == [ChangeKind.NIGHT_TOILET] for h in evaluation.homes)


def test_every_case_but_the_door_at_night_has_a_size(evaluation: Evaluation) -> None:
    for case in evaluation.cases:
        if case.kind is ChangeKind.NIGHT_DOOR:
            assert case.size is None  # a count judged as a rate
        else:
            assert case.size is not None, case
            assert case.size > 0, case


@pytest.mark.xfail(
    strict=True,
    reason="issue 3's detection target (>= 90% by the deadline) is not met yet: measured 75% "
    "on these two homes (docs/evaluation/routine.md); strict, so meeting it fails this mark",
)
def test_injected_changes_are_detected_by_the_deadline(evaluation: Evaluation) -> None:
    rate = detection_rate(evaluation.cases, FULL)
    assert rate is not None
    assert rate >= 0.9, [(c.home, c.kind.value, c.shape, c.delay[FULL]) for c in evaluation.cases]


def test_the_command_writes_the_report_with_its_plots(tmp_path: Path) -> None:
    report = tmp_path / "routine.md"
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            "--routine",
            str(CONFIGS / "ordonez-b.yaml"),
            "--streams",
            "1",
            "--days",
            "70",
            "--datasets",
            str(tmp_path),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "| ordonez-b |" in text
    assert "by the change's size for the person" in text
    assert "For scale, the " in text  # the ideal detector beside the full system
    for name in ("routine-false-alerts.png", "routine-detection.png", "routine-auc.png"):
        assert (tmp_path / name).stat().st_size > 1000
        assert name in text
    assert "false routine alerts per 30 days" in result.output


def test_report_needs_routine(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "--report", str(tmp_path / "r.md")])
    assert result.exit_code != 0
    assert "--report needs --routine" in result.output
