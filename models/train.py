"""Train the routine pattern model, validate it leaving one home out, and write the .tflite file.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python -m models.train [--datasets ../shared/datasets] [--out models]

Writes `models/routine_pattern.tflite` (the model every home loads),
`models/validation.json` and `models/validation.md` (the figures in
MODEL_CARD.md), and prints the validation table (`--skip-validation`: only
the model, about a minute). Seeded and single-threaded, so a rerun with the same
TensorFlow writes the same file.

Data: every dataset home's days (`hub.evaluate`), as `DayFeatures`
(`hub.routine.daily_features`) and then the model input (`hub.routine.pattern`).
Days that are partial, away, low-coverage or empty are left out, as the live
hub leaves them out of the baseline. Kasteren house A comes twice in the
datasets (the 2008 original and a 2010 conversion of the same recording), so
only the original trains, and the two count as one home when leaving one out.

Validation: for each home, a model trained on the other homes scores that
home's days, unchanged and with each change kind injected into the pattern
(`models/changes.py`). The per-day AUC says how well the raw score orders
changed days above normal days of the same home (calibration is monotone
per home, so it does not change the AUC), and how well |z| does (a change may make a day easier to
reconstruct, not only harder). Beside it, the same AUC for a model-free
reference that knows the home: the day's distance to the home's first 14
days, in their spreads (`reference_scores`). The model adds something only
where it beats that reference.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Before TensorFlow is imported: quiet, one thread, deterministic kernels.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("PYTHONHASHSEED", "0")

import numpy as np

from hub.config.loader import load_config
from hub.evaluate import DATASET_FILES, data_file, dataset_configs, default_datasets, home_events
from hub.routine import daily_features
from hub.routine.day_types import DayType, day_types
from hub.routine.model import load_model
from hub.routine.pattern import CHANNELS, INPUT_SIZE, channel_minutes, normalise, scorable
from models.changes import CHANGES, Minutes

SEED = 20261123
EPOCHS = 400
BATCH = 16
HIDDEN = 24
CODE = 6
LEARNING_DAYS = 14
MODEL_FILE = "routine_pattern.tflite"
# Homes that are the same recording as another home: they never train, and
# are held out together with it.
SAME_HOME = {"kasteren-tl-a": "kasteren-a-2008"}


@dataclass(frozen=True)
class Home:
    id: str
    dates: list[str]
    minutes: list[Minutes]  # per kept day, per channel, active minutes per hour

    @property
    def group(self) -> str:
        return SAME_HOME.get(self.id, self.id)

    def inputs(self, change: Callable[[Minutes], Minutes] | None = None) -> np.ndarray:
        days = [change(m) if change else m for m in self.minutes]
        return np.asarray([normalise(m) for m in days], dtype=np.float32)


def load_homes(datasets: Path) -> list[Home]:
    homes = []
    for path in dataset_configs():
        config = load_config(path)
        if config.home.id not in DATASET_FILES:
            continue  # a simulated or example home: not real data
        days = daily_features(home_events(config, data_file(config, datasets)), config)
        kept = [
            day
            for day, kind in zip(days, day_types(days), strict=True)
            if kind in (DayType.NORMAL, DayType.LEARNING) and scorable(day)
        ]
        homes.append(
            Home(
                config.home.id,
                [day.date.isoformat() for day in kept],
                [
                    {k: [float(v) for v in hours] for k, hours in channel_minutes(day).items()}
                    for day in kept
                ],
            )
        )
    return homes


# --- Model -----------------------------------------------------------------------------------


def train_tflite(x: np.ndarray) -> bytes:
    """A dense autoencoder fitted to `x`, converted to a float32 .tflite flatbuffer."""
    # Seconds to import, and only a training dependency: imported when training.
    tf: Any = importlib.import_module("tensorflow")

    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras = tf.keras
    inputs = keras.Input(shape=(INPUT_SIZE,), name="pattern")
    hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
    code = keras.layers.Dense(CODE, activation="relu")(hidden)
    hidden_out = keras.layers.Dense(HIDDEN, activation="relu")(code)
    outputs = keras.layers.Dense(INPUT_SIZE, activation="sigmoid", name="reconstruction")(
        hidden_out
    )
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(x, x, epochs=EPOCHS, batch_size=BATCH, shuffle=True, verbose=0)
    # The device scores one day at a time: a fixed [1, 120] input, no dynamic shapes.
    # The trained weights go in as constants, so the file holds plain FULLY_CONNECTED
    # and LOGISTIC ops that old runtimes know, and no variables.
    layers = [tf.constant(w) for w in model.get_weights()]
    activations = [tf.nn.relu, tf.nn.relu, tf.nn.relu, tf.sigmoid]

    def forward(batch: Any) -> Any:
        for (kernel, bias), activation in zip(
            zip(layers[::2], layers[1::2], strict=True), activations, strict=True
        ):
            batch = activation(tf.matmul(batch, kernel) + bias)
        return batch

    one_day = tf.function(
        forward, input_signature=[tf.TensorSpec([1, INPUT_SIZE], tf.float32, name="pattern")]
    )
    converter = tf.lite.TFLiteConverter.from_concrete_functions([one_day.get_concrete_function()])
    converted: bytes = converter.convert()
    return converted


def raw_scores(model_bytes: bytes, x: np.ndarray) -> np.ndarray:
    """Score `x` with the converted model through the hub's own runtime code."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MODEL_FILE
        path.write_bytes(model_bytes)
        model = load_model(path)
        return np.asarray([model.pattern_score(row.tolist()) for row in x])


def auc(normal: Sequence[float], changed: Sequence[float]) -> float:
    """P(changed day scores above normal day), ties counting half."""
    wins = sum((c > n) + 0.5 * (c == n) for c in changed for n in normal)
    return float(wins / (len(normal) * len(changed)))


def reference_scores(home: Home, x: np.ndarray) -> np.ndarray:
    """Model-free reference: the day's distance to the home's learning period, in its spreads.

    Each of the 120 values is compared with its mean over the home's first
    14 days, in units of its standard deviation there (+0.05, so a value that
    never varied does not divide by zero); the score is the mean square.
    """
    learning = home.inputs()[:LEARNING_DAYS]
    spread = learning.std(axis=0) + 0.05
    return np.asarray((((x - learning.mean(axis=0)) / spread) ** 2).mean(axis=1))


def two_sided(normal: np.ndarray, changed: np.ndarray) -> tuple[list[float], list[float]]:
    """|z| as `Calibration` gives it (log score, the home's first 14 days' median)."""
    center = float(np.median(np.log(normal[:LEARNING_DAYS])))
    return (
        np.abs(np.log(normal) - center).tolist(),
        np.abs(np.log(changed) - center).tolist(),
    )


def validate(homes: Sequence[Home]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for group in sorted({home.group for home in homes}):
        training = [h for h in homes if h.group != group and h.id not in SAME_HOME]
        model_bytes = train_tflite(np.concatenate([h.inputs() for h in training]))
        for home in [h for h in homes if h.group == group]:
            normal_x = home.inputs()
            normal = raw_scores(model_bytes, normal_x)
            normal_ref = reference_scores(home, normal_x)
            kinds = {}
            for kind, change in CHANGES.items():
                changed_x = home.inputs(change)
                changed = raw_scores(model_bytes, changed_x)
                kinds[kind] = {
                    "model_auc": round(auc(normal.tolist(), changed.tolist()), 3),
                    "model_abs_z_auc": round(auc(*two_sided(normal, changed)), 3),
                    "reference_auc": round(
                        auc(normal_ref.tolist(), reference_scores(home, changed_x).tolist()), 3
                    ),
                }
            rows[home.id] = {
                "days": len(home.dates),
                "trained_on": [h.id for h in training],
                "changes": kinds,
            }
    return rows


FIGURES = {
    "model_auc": "model, raw score",
    "model_abs_z_auc": "model, abs(z)",
    "reference_auc": "reference (no model)",
}


def table(validation: dict[str, Any]) -> str:
    """The validation figures as Markdown: one row per home and figure, one column per change."""
    lines = [
        "| home | days | score | " + " | ".join(CHANGES) + " |",
        "|---|---:|---|" + "---:|" * len(CHANGES),
    ]
    for home, row in validation.items():
        for figure, label in FIGURES.items():
            cells = [f"{row['changes'][kind][figure]:.2f}" for kind in CHANGES]
            lines.append(f"| {home} | {row['days']} | {label} | " + " | ".join(cells) + " |")
    for figure, label in FIGURES.items():
        means = [
            statistics.mean(row["changes"][kind][figure] for row in validation.values())
            for kind in CHANGES
        ]
        bold = " | ".join(f"**{m:.2f}**" for m in means)
        lines.append(f"| **mean** | | {label} | {bold} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=default_datasets())
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--skip-validation", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    homes = load_homes(args.datasets)
    for home in homes:
        print(f"{home.id}: {len(home.dates)} days")
    if not args.skip_validation:
        validation = validate(homes)
        (args.out / "validation.json").write_text(json.dumps(validation, indent=2) + "\n")
        (args.out / "validation.md").write_text(table(validation) + "\n")
        print(table(validation))
    training = [h for h in homes if h.id not in SAME_HOME]
    model_bytes = train_tflite(np.concatenate([h.inputs() for h in training]))
    (args.out / MODEL_FILE).write_bytes(model_bytes)
    print(f"{args.out / MODEL_FILE}: {len(model_bytes)} bytes, channels {', '.join(CHANNELS)}")


if __name__ == "__main__":
    main()
