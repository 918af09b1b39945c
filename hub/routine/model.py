"""The on-device routine model: how unusual a day's activity pattern is, for this home.

The committed model (`models/routine_pattern.tflite`, see `models/MODEL_CARD.md`)
is a small dense autoencoder over the day's pattern by role and hour
(`pattern.py`). It was trained on the dataset homes' ordinary days, so it
reconstructs an ordinary day well; the **raw score** is the mean squared
difference between the day's pattern and its reconstruction.

A raw score means nothing on its own: a home with a kitchen full of sensors
and one with two motion sensors differ in every pattern. So each home
**calibrates** the score on its own learning period: `calibrate` takes the raw
scores of its first kept days and `Calibration.z` says how far a new score is
from them, as a robust z of the logarithm (median and MAD; errors are
skewed, their logarithm much less so). What the model can and cannot see,
measured, is in the model card: on its own it adds little to the statistics.

The interpreter comes from ai-edge-litert, or from tflite-runtime where that is
what the platform has (the older package, the last release 2.14, needs
numpy < 2). TensorFlow itself is never needed at run time.
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from hub.routine.features import DayFeatures
from hub.routine.pattern import INPUT_SIZE, model_input

# The top-level `models` package ships the file (package data), so an installed
# hub finds it as a checkout does.
COMMITTED_MODEL = Path(str(files("models").joinpath("routine_pattern.tflite")))
# Where each runtime keeps its interpreter, in the order they are tried.
RUNTIMES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter")
MIN_LEARNING_SCORES = 5  # fewer days cannot say what is usual for the home
MAD_TO_SD = 1.4826
# The smallest spread of log raw scores to assume: a home whose learning days
# all scored alike would otherwise make trivial differences look alarming.
LOG_SPREAD_FLOOR = 0.15


class ModelError(Exception):
    """The routine model cannot be used: no runtime installed, or the file is missing or bad."""


class CalibrationError(ValueError):
    """Too few learning-period scores to say what is usual for a home."""


class _Interpreter(Protocol):
    def allocate_tensors(self) -> None: ...
    def get_input_details(self) -> list[dict[str, Any]]: ...
    def get_output_details(self) -> list[dict[str, Any]]: ...
    def set_tensor(self, index: int, value: Any) -> None: ...
    def invoke(self) -> None: ...
    def get_tensor(self, index: int) -> Any: ...


def runtime_name() -> str:
    """The interpreter module that will be used; ModelError when none is installed."""
    for name in RUNTIMES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return name
    raise ModelError(
        "no TensorFlow Lite runtime: install ai-edge-litert "
        "(or tflite-runtime with numpy<2 where that is what the platform has)"
    )


class PatternModel:
    """One loaded interpreter. Not thread-safe: give each thread its own."""

    def __init__(self, interpreter: _Interpreter, path: Path, runtime: str) -> None:
        self.path = path
        self.runtime = runtime
        self._interpreter = interpreter
        # Every TFLite runtime depends on numpy, so it is there once a runtime is;
        # imported here so that the hub without a runtime still starts.
        self._numpy: Any = importlib.import_module("numpy")
        self._input = interpreter.get_input_details()[0]
        self._output = interpreter.get_output_details()[0]
        shapes = (list(self._input["shape"]), list(self._output["shape"]))
        if shapes != ([1, INPUT_SIZE], [1, INPUT_SIZE]):
            raise ModelError(
                f"{path}: model takes {shapes[0]} and gives {shapes[1]}, "
                f"expected [1, {INPUT_SIZE}] both (pattern.py's input)"
            )

    def reconstruct(self, pattern: Sequence[float]) -> tuple[float, ...]:
        """The model's output for one input vector: one invocation."""
        batch = self._numpy.asarray([pattern], dtype=self._numpy.float32)
        self._interpreter.set_tensor(self._input["index"], batch)
        self._interpreter.invoke()
        return tuple(float(v) for v in self._interpreter.get_tensor(self._output["index"])[0])

    def pattern_score(self, pattern: Sequence[float]) -> float:
        """Mean squared reconstruction error of one input vector."""
        output = self.reconstruct(pattern)
        return sum((a - b) ** 2 for a, b in zip(pattern, output, strict=True)) / INPUT_SIZE

    def raw_score(self, day: DayFeatures) -> float | None:
        """How unusual the day's pattern is (>= 0); None if the day cannot be scored."""
        pattern = model_input(day)
        return None if pattern is None else self.pattern_score(pattern)

    def raw_scores(self, days: Iterable[DayFeatures]) -> list[float | None]:
        return [self.raw_score(day) for day in days]


def load_model(path: Path | None = None) -> PatternModel:
    """The routine model in `path` (None: the committed one), ready to score."""
    chosen = path or COMMITTED_MODEL
    if not chosen.is_file():
        raise ModelError(f"{chosen}: routine model file not found")
    runtime = runtime_name()
    module = importlib.import_module(runtime)
    try:
        interpreter: _Interpreter = module.Interpreter(model_path=str(chosen))
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        # A file that is not a model gives ValueError (ai-edge-litert, tested);
        # TFLite's interpreter raises RuntimeError when it cannot prepare the
        # graph (an op it does not know). The first line of either says which.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{chosen}: not a usable TFLite model ({runtime}): {reason}") from exc
    return PatternModel(interpreter, chosen, runtime)


def model_problem(path: Path | None = None) -> str | None:
    """What stops the routine model from working (one line), or None when it scores."""
    try:
        model = load_model(path)
        # An all-quiet day and an all-busy day: both must give a finite score.
        scores = [model.pattern_score([value] * INPUT_SIZE) for value in (0.0, 1.0)]
    except ModelError as exc:
        return str(exc)
    if not all(math.isfinite(score) for score in scores):
        return f"{model.path}: the model gives non-finite scores ({model.runtime})"
    return None


@dataclass(frozen=True, slots=True)
class Calibration:
    """What raw scores are usual for one home: median and spread of their logarithm."""

    median_log: float
    spread_log: float
    days: int

    def z(self, raw: float) -> float:
        """How many spreads above (+) or below (-) the home's usual a raw score is.

        Both signs mean a change: a day much quieter than usual is *easier*
        to reconstruct, so total activity -40% gives z well below 0 (see
        MODEL_CARD.md). Judge unusualness by abs(z).
        """
        return (_log(raw) - self.median_log) / self.spread_log


def calibrate(raw_scores_of_learning_days: Sequence[float]) -> Calibration:
    """The home's calibration from the raw scores of its learning period (first 14 kept days)."""
    logs = [_log(raw) for raw in raw_scores_of_learning_days]
    if len(logs) < MIN_LEARNING_SCORES:
        raise CalibrationError(
            f"calibrating the routine model needs at least {MIN_LEARNING_SCORES} "
            f"scored learning days, got {len(logs)}"
        )
    median = statistics.median(logs)
    mad = statistics.median(abs(v - median) for v in logs)
    return Calibration(median, max(MAD_TO_SD * mad, LOG_SPREAD_FLOOR), len(logs))


def _log(raw: float) -> float:
    # A perfect reconstruction (0.0) is as usual as a day can be; keep log finite.
    return math.log(max(raw, 1e-9))
