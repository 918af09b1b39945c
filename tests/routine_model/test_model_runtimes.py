"""Both TFLite runtimes the project supports give the same outputs on the committed model.

ai-edge-litert runs here; tflite-runtime 2.14 (numpy < 2) runs in a second
venv built once in a cache folder (`second_runtime.py`). If tflite-runtime
cannot be installed on this platform, the test fails with the reason: the
project claims it as a fallback, so that must be known, not skipped.
"""

from __future__ import annotations

import math

from hub.config.loader import load_config
from hub.evaluate import COMMITTED, CONFIGS, home_events
from hub.routine import daily_features
from hub.routine.model import COMMITTED_MODEL, load_model
from hub.routine.pattern import INPUT_SIZE, channel_minutes, model_input, normalise, scorable
from models.changes import CHANGES
from tests.routine_model import second_runtime

# The two runtimes' float32 kernels sum in different orders, and which SIMD
# path they take depends on the CPU: 1.8e-6 apart measured on an AMD EPYC
# (2026-12-07), under 1e-6 on the machine before. Outputs lie in 0..1, where
# a float32 step is at most 6e-8: this allows rounding, not another model.
TOLERANCE = 1e-5


def inputs() -> list[tuple[float, ...]]:
    """Real days of Ordonez home A, the same days changed, and the extremes."""
    config = load_config(CONFIGS / "ordonez-a.yaml")
    days = daily_features(home_events(config, COMMITTED / "OrdonezA_Sensors.txt"), config)
    rows = [pattern for day in days if (pattern := model_input(day)) is not None]
    for day in [day for day in days if scorable(day)][:3]:
        minutes = {k: [float(v) for v in hours] for k, hours in channel_minutes(day).items()}
        rows += [normalise(change(minutes)) for change in CHANGES.values()]
    rows += [(0.0,) * INPUT_SIZE, (1.0,) * INPUT_SIZE, (0.5,) * INPUT_SIZE]
    return rows


def test_ai_edge_litert_and_tflite_runtime_agree_on_the_committed_model() -> None:
    rows = inputs()
    model = load_model()
    here = [model.reconstruct(row) for row in rows]
    there = second_runtime.reconstruct(COMMITTED_MODEL, rows)
    assert str(there["version"]).startswith("2.14")
    assert str(there["numpy"]).startswith("1.")
    outputs = there["outputs"]
    assert isinstance(outputs, list)
    assert len(outputs) == len(here)
    worst = max(
        abs(a - b)
        for mine, theirs in zip(here, outputs, strict=True)
        for a, b in zip(mine, theirs, strict=True)
    )
    assert worst <= TOLERANCE, f"largest difference {worst:.2e}"
    # The outputs are real reconstructions, not a constant: they vary with the input.
    assert len({round(sum(row), 6) for row in here}) > len(here) // 2
    assert all(math.isfinite(v) for row in here for v in row)
