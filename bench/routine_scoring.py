"""Routine scoring benchmark: one day scored end to end, and one model invocation.

A real home (CASAS, 61,578 events over 30 days, the busiest; Ordonez B,
committed, when ../shared/datasets is absent). What the hub does once a day,
for the last whole day of the data (the most history behind it):

end_to_end:  `daily_features` over that day's events (from the previous
             local midnight, for the lookback, to 14:00 the next day, for the
             next bedtime) from that day on, as the hub asks for them
             (`first_date`: the look-back day's own features are not worked
             out; the next, partial, day's are), then `score_days` over the
             home's days up to and including that day (the statistics), then
             the model's raw score and its calibrated z.
features:    `daily_features` alone, on the same events (baseline 1).
statistics:  `score_days` alone, on the same days.
model_day:   `PatternModel.raw_score` of the day plus `Calibration.z`.
invoke:      one `PatternModel.reconstruct` (numpy array in, interpreter
             invoke, tuple out), the hub's unit of model work.
raw_invoke:  the interpreter's own `set_tensor` + `invoke` + `get_tensor` on a
             prepared float32 array, nothing of Hearth's (baseline 2).

Each round calls every timing in turn, --repeats times (interleaved, so the
shared machine's load falls on all of them alike), and keeps each one's
median (perf_counter_ns); the medians of the rounds are reported with ratios.
Targets (issue 3): a day < 50 ms, one model invocation < 1 ms.
Run: python -m bench.routine_scoring [--rounds 5] [--repeats 200] [--out bench/results/x.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import time as wall
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hub.config import load_config
from hub.evaluate import CONFIGS, EvaluateError, data_file, default_datasets, home_events
from hub.events import Event
from hub.routine import DayFeatures, daily_features, routine_day
from hub.routine.model import calibrate, load_model
from hub.routine.pattern import model_input
from hub.routine.score import score_days

DAY_TARGET_MS = 50.0
INVOKE_TARGET_MS = 1.0


def load_home() -> tuple[str, Any, list[Event]]:
    for name in ("casas-al-smarthome.yaml", "ordonez-b.yaml"):
        config = load_config(CONFIGS / name)
        try:
            path = data_file(config, default_datasets())
        except EvaluateError:
            continue  # CASAS is not in the repo: fall back to the committed home
        return f"{config.home.id} ({Path(path).name})", config, home_events(config, path)
    raise SystemExit("no dataset home found")


def round_ms(timings: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median ms per call of each timing, the calls interleaved so load hits all alike."""
    costs: dict[str, list[int]] = {name: [] for name in timings}
    for _ in range(repeats):
        for name, call in timings.items():
            before = time.perf_counter_ns()
            call()
            costs[name].append(time.perf_counter_ns() - before)
    return {name: round(statistics.median(c) / 1e6, 4) for name, c in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description="routine scoring cost per day and per invocation")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=200, help="calls per timing per round")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    home, config, events = load_home()
    history = daily_features(events, config)
    day = [d for d in history if model_input(d) is not None][-1]
    zone = ZoneInfo(config.home.timezone)
    start = routine_day(day.date - timedelta(days=1), zone).start
    end = routine_day(day.date + timedelta(days=1), zone).at(wall(14, 0))
    day_events = [e for e in events if start <= e.time < end]
    model = load_model()
    scored = [raw for raw in model.raw_scores(history) if raw is not None]
    calibration = calibrate(scored[:14])

    def day_features() -> DayFeatures:
        found = daily_features(day_events, config, first_date=day.date)
        return next(d for d in found if d.date == day.date)

    past = [d for d in history if d.date < day.date]

    def statistics_only() -> object:
        return score_days([*past, day])

    def model_day() -> object:
        raw = model.raw_score(day)
        return None if raw is None else calibration.z(raw)

    def end_to_end() -> object:
        today = day_features()
        results = score_days([*past, today])
        raw = model.raw_score(today)
        return results[-1], None if raw is None else calibration.z(raw)

    pattern = model_input(day)
    assert pattern is not None, "the day must be scorable"
    import numpy as np

    interpreter = model._interpreter  # the baseline is the bare interpreter under the model
    source = interpreter.get_input_details()[0]["index"]
    target = interpreter.get_output_details()[0]["index"]
    array = np.asarray([pattern], dtype=np.float32)

    def raw_invoke() -> object:
        interpreter.set_tensor(source, array)
        interpreter.invoke()
        return interpreter.get_tensor(target)

    def invoke() -> object:
        return model.reconstruct(pattern)

    timings: dict[str, Callable[[], object]] = {
        "end_to_end": end_to_end,
        "features": day_features,
        "statistics": statistics_only,
        "model_day": model_day,
        "invoke": invoke,
        "raw_invoke": raw_invoke,
    }
    rounds = [round_ms(timings, args.repeats) for _ in range(args.rounds)]
    medians = {name: statistics.median(r[name] for r in rounds) for name in timings}
    report = {
        "benchmark": "routine_scoring",
        "home": home,
        "day": day.date.isoformat(),
        "day_events": len(day_events),
        "history_days": len(past) + 1,  # what score_days folds over: the days up to this one
        "runtime": model.runtime,
        "model_bytes": model.path.stat().st_size,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeats": args.repeats,
        "rounds_ms": rounds,
        "median_ms": medians,
        "ratios": {
            "end_to_end / features": round(medians["end_to_end"] / medians["features"], 2),
            "invoke / raw_invoke": round(medians["invoke"] / medians["raw_invoke"], 2),
            "model_day / raw_invoke": round(medians["model_day"] / medians["raw_invoke"], 2),
        },
        "targets_met": {
            "day_under_50_ms": medians["end_to_end"] < DAY_TARGET_MS,
            "invoke_under_1_ms": medians["invoke"] < INVOKE_TARGET_MS,
        },
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
