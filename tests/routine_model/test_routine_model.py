"""The committed routine model: loads, scores real days, tells changed days from normal ones."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hub.config.loader import load_config
from hub.doctor.findings import Level
from hub.doctor.model import check_model
from hub.evaluate import COMMITTED, CONFIGS, home_events
from hub.routine import DayFeatures, daily_features
from hub.routine import model as routine_model
from hub.routine.day_types import DayType, day_types
from hub.routine.model import (
    COMMITTED_MODEL,
    CalibrationError,
    ModelError,
    PatternModel,
    calibrate,
    load_model,
    model_problem,
)
from hub.routine.pattern import channel_minutes, normalise, scorable
from models.changes import CHANGES

LEARNING_DAYS = 14


@pytest.fixture(scope="module")
def model() -> PatternModel:
    return load_model()


@pytest.fixture(scope="module")
def ordonez_b() -> list[DayFeatures]:
    """Ordonez home B's days, from the copy committed with the repository."""
    config = load_config(CONFIGS / "ordonez-b.yaml")
    return daily_features(home_events(config, COMMITTED / "OrdonezB_Sensors.txt"), config)


def kept(days: list[DayFeatures]) -> list[DayFeatures]:
    """The days a home's routine is judged on: normal or learning, and scorable."""
    return [
        day
        for day, kind in zip(days, day_types(days), strict=True)
        if kind in (DayType.NORMAL, DayType.LEARNING) and scorable(day)
    ]


def test_the_committed_model_loads_with_ai_edge_litert_and_scores_real_days(
    model: PatternModel, ordonez_b: list[DayFeatures]
) -> None:
    assert model.path == COMMITTED_MODEL
    assert model.runtime == "ai_edge_litert.interpreter"
    assert COMMITTED_MODEL.stat().st_size < 50_000
    scores = model.raw_scores(ordonez_b)
    assert len(scores) == len(ordonez_b)
    for day, score in zip(ordonez_b, scores, strict=True):
        if scorable(day):
            assert score is not None
            assert math.isfinite(score)
            assert score >= 0
        else:
            assert score is None  # the partial first and last days


def test_a_large_drop_in_activity_stands_out_from_the_homes_own_normal_days(
    model: PatternModel, ordonez_b: list[DayFeatures]
) -> None:
    days = kept(ordonez_b)
    normal = [model.pattern_score(normalise(_minutes(day))) for day in days]
    calibration = calibrate(normal[:LEARNING_DAYS])
    usual = [abs(calibration.z(raw)) for raw in normal]
    # The threshold comes from the home's own days: above every unchanged day.
    threshold = max(usual)
    caught = {}
    for kind, change in CHANGES.items():
        changed = [model.pattern_score(normalise(change(_minutes(day)))) for day in days]
        caught[kind] = sum(abs(calibration.z(raw)) > threshold for raw in changed) / len(days)
    # What MODEL_CARD.md says the model sees on its own: total activity -40%,
    # as days reconstructed unusually well (z well below 0). The other kinds it
    # mostly does not see; the card gives their figures.
    assert caught["activity_-40%"] >= 0.5, caught
    lower = [model.pattern_score(normalise(CHANGES["activity_-40%"](_minutes(d)))) for d in days]
    assert sum(calibration.z(raw) < 0 for raw in lower) > len(days) * 0.9


def _minutes(day: DayFeatures) -> dict[str, list[float]]:
    return {k: [float(v) for v in hours] for k, hours in channel_minutes(day).items()}


def test_calibration_is_a_robust_z_of_the_log_score() -> None:
    learning = [0.010, 0.012, 0.011, 0.009, 0.010, 0.013, 0.5]  # one odd day does not matter
    calibration = calibrate(learning)
    assert calibration.z(0.0105) == pytest.approx(0.0, abs=0.5)
    assert calibration.z(0.05) > 5 > calibration.z(0.012)
    assert calibration.z(0.001) < 0
    with pytest.raises(CalibrationError, match="at least 5 scored learning days, got 4"):
        calibrate(learning[:4])


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.tflite"
    with pytest.raises(ModelError, match=r"nowhere\.tflite: routine model file not found"):
        load_model(missing)
    assert model_problem(missing) == f"{missing}: routine model file not found"


def test_a_corrupt_file_is_one_clear_line(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.tflite"
    corrupt.write_bytes(COMMITTED_MODEL.read_bytes()[:300])
    problem = model_problem(corrupt)
    assert problem is not None
    assert problem.startswith(f"{corrupt}: not a usable TFLite model")
    assert "\n" not in problem


def test_without_any_runtime_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Fault injection: pretend neither runtime is installed.
    monkeypatch.setattr(routine_model, "RUNTIMES", ("no_such_runtime.interpreter",))
    with pytest.raises(ModelError, match="no TensorFlow Lite runtime: install ai-edge-litert"):
        load_model()


def test_doctor_reports_the_model(tmp_path: Path) -> None:
    [ok] = check_model()
    assert ok.level is Level.OK
    assert "ai_edge_litert" in ok.message
    [bad] = check_model(tmp_path / "gone.tflite")
    assert bad.level is Level.PROBLEM
    assert "gone.tflite" in bad.message
